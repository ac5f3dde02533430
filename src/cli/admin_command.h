// `coffer admin`: offline administration of a data directory — organizations, users,
// project roles and API tokens. Safe to run while a server uses the same directory.
// A new token is printed alone on stdout, so scripts can capture it.
#pragma once

namespace coffer::cli {

int AdminCommand(int argc, char** argv);

}  // namespace coffer::cli
