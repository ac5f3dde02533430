// `coffer server`: opens the data directory, creates the first organization, admin and
// token on first start, and serves the API until SIGINT/SIGTERM (graceful: the requests in
// flight are answered; exit status 0). SIGHUP reopens --log-file and reloads the TLS
// certificate. Exit status 1, with one sentence on stderr, when it cannot start.
#pragma once

namespace coffer::server {

int ServerCommand(int argc, char** argv);

}  // namespace coffer::server
