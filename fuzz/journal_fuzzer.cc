// Fuzz target: the reader of the SQLite store's checkout journal (sqlite/checkout_journal.h),
// which a store runs over the segments it finds beside its database when it opens. Whatever
// the bytes, it reads whole records only, in order, and each payload it accepts is the
// canonical encoding of the entry it returned (encoding that entry again gives those bytes).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "store/sqlite/checkout_journal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace coffer::store;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string again;
  int64_t last_end = 0;
  const int64_t end = ParseSegment(bytes, 1, 0, [&](JournalEntry&& e) {
    if (e.end <= last_end || e.end > static_cast<int64_t>(size)) std::abort();
    last_end = e.end;
    again += FrameRecord(EncodeEntry(e));
  });
  if (end != last_end) std::abort();
  if (again != bytes.substr(0, static_cast<size_t>(end))) std::abort();
  return 0;
}
