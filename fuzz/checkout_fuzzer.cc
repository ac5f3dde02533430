// Fuzz target: the parser of the server's checkout answer (wire/checkout_json.h), which
// `coffer run` uses.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "wire/checkout_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)coffer::wire::CheckoutFromJson(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
