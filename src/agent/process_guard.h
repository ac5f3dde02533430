// How `coffer run` keeps its job token from the other processes of the machine, the job's
// own command included.
//
// A process's environment and arguments stay readable after the program has copied them:
// /proc/PID/environ and /proc/PID/cmdline read the original blocks at the top of its stack,
// which unsetenv() does not touch. And a process of the same user may ptrace it or read
// /proc/PID/mem. So:
//   - ScrubEnvironment() moves the environment to the heap (without COFFER_JOB_TOKEN, whose
//     value it returns) and zeroes the original block, so /proc/PID/environ shows nothing;
//   - ScrubArgument() zeroes one argv string in place, for /proc/PID/cmdline; what was
//     visible before it ran (from exec until then) was visible, hence --job-token's warning;
//   - MakeUndumpable() sets PR_SET_DUMPABLE to 0: no core dump, no ptrace and no
//     /proc/PID/{environ,mem,maps,...} for anyone but root. It does not survive execve, so the
//     job's command is an ordinary process again.
// Root sees everything regardless; a job that runs as root can read the token from memory.
//
// Call ScrubEnvironment before any other thread exists and before anything keeps a pointer
// returned by getenv(). Not thread-safe.
#pragma once

#include <string>

#include "common/secret_bytes.h"
#include "common/status.h"

namespace coffer::agent {

// Returns the value of COFFER_JOB_TOKEN (empty if unset) and scrubs as described above.
SecretBytes ScrubEnvironment();

// Zeroes `arg`, a string of the process's argv, in place.
void ScrubArgument(char* arg);

// prctl(PR_SET_DUMPABLE, 0); Internal if the kernel refuses.
Status MakeUndumpable();

// The token in `path`, without surrounding whitespace. FailedPrecondition (naming the file,
// never its content) when it cannot be read or is empty.
Result<SecretBytes> ReadTokenFile(const std::string& path);

}  // namespace coffer::agent
