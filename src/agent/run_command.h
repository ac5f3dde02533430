// `coffer run`: the job side. Checks out the job's secrets once with its job token,
// writes its files, exports its env vars, runs the command with its stdout and stderr
// masked, finishes the job and exits with the command's exit code.
//
//   coffer run --server URL [--job-token-file FILE | --job-token TOKEN] [--job-id ID]
//              [--ca FILE] [--keep-open] [--cleanup] [--no-mask] [--min-mask-length N]
//              [--min-fragment N] -- CMD [ARG...]
//
// The token comes from COFFER_JOB_TOKEN or --job-token-file (--job-token works, with a
// warning: the command line is public until it is overwritten), the server from
// COFFER_SERVER. Before anything else it scrubs its environment block and makes itself
// non-dumpable (process_guard.h); the job's command never sees the token. Env vars are
// checked (CheckJobEnv) and files placed (files.h) before any is written or the command
// runs. When stdout and stderr are one file they are masked as one stream. Once the
// command has ended (or coffer run failed after the server accepted the token) the job is
// finished, so its token stops working, unless --keep-open. It says which names it
// injected (never a value) and warns by name about values too short to mask.
#pragma once

namespace coffer::agent {

int RunCommand(int argc, char** argv);

}  // namespace coffer::agent
