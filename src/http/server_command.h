// `coffer server`: opens the data directory, creates the first organization, admin and
// token on first start, and serves the API until SIGINT/SIGTERM.
#pragma once

namespace coffer::http {

int ServerCommand(int argc, char** argv);

}  // namespace coffer::http
