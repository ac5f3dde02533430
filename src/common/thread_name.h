// Names the calling thread, so that `top -H`, `ps -L`, /proc/<pid>/task/<tid>/comm and perf
// say which of a server's threads is which: the I/O threads (coffer-io), the store's
// committers (coffer-commit), the checkpointer (coffer-ckpt) and so on. The process's first
// thread keeps the program's name.
#pragma once

#include <string>
#include <string_view>

namespace coffer {

// Linux keeps 15 bytes of a thread's name: a longer one is cut to its first 15. A failure
// (no such facility) is ignored: the name is for people, nothing depends on it.
void NameThisThread(std::string_view name);

// The calling thread's name, as the kernel has it.
std::string ThisThreadName();

}  // namespace coffer
