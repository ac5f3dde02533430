// Fuzz target: `coffer run`'s parser of the server's checkout answer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/checkout.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)coffer::agent::ParseJobSecrets(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
