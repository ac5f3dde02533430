// `coffer admin`: offline administration of a data directory — organizations, users,
// project roles and API tokens. Safe to run while a server uses the same directory; a
// revoked token or a deleted user fails on the server's next request (it reads the store
// per request). A new token is printed alone on stdout, so scripts can capture it;
// `list-tokens` prints ids and metadata, never a token. Exit status 0, or 1 with one
// "error: ..." line on stderr.
#pragma once

namespace coffer::server {

int AdminCommand(int argc, char** argv);

}  // namespace coffer::server
