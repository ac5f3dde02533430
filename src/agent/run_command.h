// `coffer run`: the job side. Checks out the job's secrets once with its job token,
// writes its files, exports its env vars, runs the command with its stdout and stderr
// masked, and exits with the command's exit code.
//
//   coffer run --server URL --job-token TOKEN [--job-id ID] [--ca FILE] [--cleanup]
//              [--no-mask] [--min-mask-length N] -- CMD [ARG...]
//
// The token may come from COFFER_JOB_TOKEN, the server from COFFER_SERVER. It says which
// names it injected (never a value) and warns by name about values too short to mask.
#pragma once

namespace coffer::agent {

int RunCommand(int argc, char** argv);

}  // namespace coffer::agent
