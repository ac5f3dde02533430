// MaskPatterns: the compiled set of literals a Masker replaces by "***".
//
// Built once per job from the values it received (BuildFromValues adds every variant, see
// variants.h) or from raw literals (Compile). It owns a Hyperscan streaming database compiled
// from the literals (as escaped regexes: see mask_patterns.cc), plus a copy of the literals in
// SecretBytes for the prefix test that lets a Masker hold back only bytes that may begin a secret.
//
// Some literals are also *fragment bases* (a value, a line of one, its base64): a Masker also
// masks a cut-off prefix of a base, and a base re-wrapped at another width (fragments.h). For
// those the database holds one more expression per distinct *anchor*, a base's first
// anchor_length() bytes followed by one byte that may come next (a line break, or the next
// byte of a base with that anchor); Hyperscan reports anchor `a` with id size() + a, at the
// end of that byte.
//
// Immutable once built and thread-safe: any number of Maskers, on any threads, share one
// MaskPatterns through a shared_ptr. All Hyperscan memory (database, scratch, stream state)
// is wiped when freed, because it holds secret bytes.
#pragma once

#include <hs.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "common/secret_bytes.h"
#include "common/status.h"
#include "mask/variants.h"

namespace coffer::mask {

// A fragment of a base shorter than this is not masked (`--min-fragment`).
inline constexpr size_t kDefaultMinFragment = 8;

class MaskPatterns {
 public:
  // Compiles `literals` and `bases` (every base is a literal too; empty ones and duplicates
  // are dropped). A base that holds a line break, or is not longer than `min_fragment`
  // (>= 1), is a literal only. An empty set is valid and masks nothing. Fails with Internal
  // if Hyperscan rejects the set; the message never carries a literal.
  static Result<std::shared_ptr<const MaskPatterns>> Compile(
      std::vector<SecretBytes> literals, std::vector<SecretBytes> bases = {},
      size_t min_fragment = kDefaultMinFragment);

  // Every variant of every value (variants.h) and their fragment bases, compiled. Values or
  // lines shorter than `min_length` are skipped and appended to `too_short` (if not null)
  // for a warning.
  static Result<std::shared_ptr<const MaskPatterns>> BuildFromValues(
      const std::vector<NamedValue>& values, size_t min_length, std::vector<ShortValue>* too_short,
      size_t min_fragment = kDefaultMinFragment);

  ~MaskPatterns();
  MaskPatterns(const MaskPatterns&) = delete;
  MaskPatterns& operator=(const MaskPatterns&) = delete;

  bool empty() const { return count_ == 0; }
  size_t size() const { return count_; }
  size_t max_length() const { return max_length_; }
  // The Hyperscan streaming database; null when empty().
  const hs_database_t* database() const { return db_; }
  size_t length(unsigned id) const { return lengths_[id]; }
  // True when Hyperscan matches only a suffix of literal `id` (it is too long for Hyperscan):
  // a reported match is an occurrence only if the preceding bytes are the rest of the literal.
  bool partial(unsigned id) const { return partial_[id]; }
  // Literal `id`; for the masker, the bench tool and tests only (it is a secret).
  std::string_view literal(unsigned id) const {
    return blob_.view().substr(offsets_[id], lengths_[id]);
  }

  size_t min_fragment() const { return min_fragment_; }
  // min(min_fragment(), 32): how many bytes of a base its anchor holds.
  size_t anchor_length() const { return anchor_length_; }
  size_t anchor_count() const { return anchor_begin_.empty() ? 0 : anchor_begin_.size() - 1; }
  // The bases that begin with anchor `a` are base(i) for i in [anchor_begin(a), anchor_end(a)),
  // in byte order; base(i) is a literal id.
  size_t anchor_begin(unsigned a) const { return anchor_begin_[a]; }
  size_t anchor_end(unsigned a) const { return anchor_begin_[a + 1]; }
  unsigned base(size_t i) const { return anchor_ids_[i]; }
  // Whether `text` is an anchor (the first anchor_length() bytes of a base).
  bool IsAnchor(std::string_view text) const;

  // True when `text` (split in two pieces, `a` then `b`, so callers need not copy) is a
  // proper, non-empty prefix of some literal: a match may still start at its first byte.
  bool IsProperPrefix(std::string_view a, std::string_view b) const;

  // A cheap filter for IsProperPrefix on texts of 4 or more bytes: false means no literal
  // starts with these 4 bytes.
  bool MayStartWith4(const char* p) const {
    uint32_t h = Hash4(p);
    return (filter4_[h >> 6] >> (h & 63)) & 1;
  }

 private:
  MaskPatterns() = default;
  static constexpr int kFilterBits = 18;  // 32 KiB: stays in L1 while a Masker scans
  static uint32_t Hash4(const char* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return (v * 0x9E3779B1u) >> (32 - kFilterBits);
  }
  static uint64_t Key(std::string_view s);  // first min(4, |s|) bytes and that count

  size_t count_ = 0;
  size_t max_length_ = 0;
  size_t min_fragment_ = kDefaultMinFragment;
  size_t anchor_length_ = kDefaultMinFragment;
  std::vector<size_t> anchor_begin_;  // anchor a's bases are anchor_ids_[begin[a], begin[a+1])
  std::vector<unsigned> anchor_ids_;
  hs_database_t* db_ = nullptr;
  SecretBytes blob_;  // all literals, concatenated
  std::vector<size_t> offsets_;
  std::vector<size_t> lengths_;
  std::vector<bool> partial_;
  // Literal ids sorted by Key of their first 4 bytes; key_ids_ is parallel to sorted_keys_.
  std::vector<uint64_t> sorted_keys_;
  std::vector<unsigned> key_ids_;
  // Keys of all 1-, 2- and 3-byte prefixes of literals, sorted (for texts shorter than 4).
  std::vector<uint64_t> short_prefixes_;
  std::vector<uint64_t> filter4_;  // Bloom-like bitmap over Hash4 of literals' first 4 bytes
};

}  // namespace coffer::mask
