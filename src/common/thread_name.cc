#include "common/thread_name.h"

#include <pthread.h>

#include <algorithm>
#include <cstring>

namespace coffer {

namespace {
constexpr size_t kMaxName = 15;  // TASK_COMM_LEN, 16, with its terminating zero
}  // namespace

void NameThisThread(std::string_view name) {
  const std::string kept(name.substr(0, std::min(name.size(), kMaxName)));
  (void)pthread_setname_np(pthread_self(), kept.c_str());
}

std::string ThisThreadName() {
  char name[kMaxName + 1] = {};
  if (pthread_getname_np(pthread_self(), name, sizeof name) != 0) return std::string();
  return std::string(name, strnlen(name, sizeof name));
}

}  // namespace coffer
