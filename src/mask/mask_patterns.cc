#include "mask/mask_patterns.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <numeric>
#include <string>

namespace coffer::mask {
namespace {

// Hyperscan's database holds the literals and its stream state holds recent output, so every
// block it frees is wiped first. A size header in front of each block makes that possible;
// 16 bytes keep malloc's alignment, which is all Hyperscan asks for.
constexpr size_t kHeader = 16;

void* WipingAlloc(size_t size) {
  auto* p = static_cast<unsigned char*>(std::malloc(size + kHeader));
  if (p == nullptr) return nullptr;
  std::memcpy(p, &size, sizeof(size));
  return p + kHeader;
}

void WipingFree(void* ptr) {
  if (ptr == nullptr) return;
  auto* p = static_cast<unsigned char*>(ptr) - kHeader;
  size_t size;
  std::memcpy(&size, p, sizeof(size));
  WipeBytes(p, size + kHeader);
  std::free(p);
}

// Hyperscan gets at most this many bytes of a literal: its suffix. The Masker checks the rest
// of each match itself (Masker::IsOccurrence). Hyperscan limits a regex to 16000 characters,
// and long literals (a key, its base64) make its compile slow and its stream state big; 32
// bytes of a secret are as distinctive as all of it, so matches of a suffix that turn out
// not to be the whole literal are rare.
constexpr size_t kMaxHyperscanBytes = 32;

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

char* Escape(char c, char* w) {
  static constexpr char kHex[] = "0123456789abcdef";
  if (IsAlnum(c)) {
    *w++ = c;
  } else {
    auto b = static_cast<uint8_t>(c);
    *w++ = '\\';
    *w++ = 'x';
    *w++ = kHex[b >> 4];
    *w++ = kHex[b & 15];
  }
  return w;
}

void InstallWipingAllocator() {
  static std::once_flag once;
  std::call_once(once, [] { hs_set_allocator(WipingAlloc, WipingFree); });
}

}  // namespace

uint64_t MaskPatterns::Key(std::string_view s) {
  size_t n = std::min<size_t>(4, s.size());
  uint64_t k = n;
  for (size_t i = 0; i < n; ++i) k |= uint64_t{static_cast<uint8_t>(s[i])} << (8 * i + 32);
  return k;
}

Result<std::shared_ptr<const MaskPatterns>> MaskPatterns::Compile(std::vector<SecretBytes> literals,
                                                                  std::vector<SecretBytes> bases,
                                                                  size_t min_fragment) {
  InstallWipingAllocator();
  std::shared_ptr<MaskPatterns> set(new MaskPatterns());
  set->min_fragment_ = std::max<size_t>(1, min_fragment);
  set->anchor_length_ = std::min(set->min_fragment_, kMaxHyperscanBytes);
  // Bases are literals too; which ones they are is found again after sorting.
  size_t first_base = literals.size();
  for (SecretBytes& b : bases) literals.push_back(std::move(b));
  bases.clear();

  // Sort and drop duplicates (a value and its URL encoding are often the same bytes).
  std::vector<size_t> order(literals.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return literals[a].view() < literals[b].view(); });
  size_t total = 0;
  std::vector<size_t> kept;
  std::vector<bool> is_base;  // parallel to kept
  for (size_t i : order) {
    if (literals[i].empty()) continue;
    bool base = i >= first_base;
    if (!kept.empty() && literals[kept.back()].view() == literals[i].view()) {
      if (base) is_base.back() = true;
      continue;
    }
    kept.push_back(i);
    is_base.push_back(base);
    total += literals[i].size();
  }
  set->count_ = kept.size();
  if (kept.empty()) return std::shared_ptr<const MaskPatterns>(std::move(set));

  set->blob_ = SecretBytes(total);
  size_t at = 0;
  for (size_t i : kept) {
    std::memcpy(set->blob_.data() + at, literals[i].data(), literals[i].size());
    set->offsets_.push_back(at);
    set->lengths_.push_back(literals[i].size());
    set->max_length_ = std::max(set->max_length_, literals[i].size());
    at += literals[i].size();
  }
  literals.clear();  // wipes the caller's copies now, not at some later point

  // Fragment bases, grouped by anchor (their first anchor_length_ bytes). Literal ids are in
  // byte order, so bases that share an anchor are neighbours.
  size_t anchor_bytes = 0;
  for (unsigned id = 0; id < kept.size(); ++id) {
    std::string_view lit = set->literal(id);
    if (!is_base[id] || lit.size() <= set->min_fragment_ ||
        lit.find_first_of("\r\n") != std::string_view::npos) {
      continue;
    }
    std::string_view anchor = lit.substr(0, set->anchor_length_);
    if (set->anchor_ids_.empty() ||
        set->literal(set->anchor_ids_.back()).substr(0, set->anchor_length_) != anchor) {
      set->anchor_begin_.push_back(set->anchor_ids_.size());
      anchor_bytes += anchor.size();
    }
    set->anchor_ids_.push_back(id);
  }
  if (!set->anchor_ids_.empty()) set->anchor_begin_.push_back(set->anchor_ids_.size());
  size_t anchors = set->anchor_count();

  // Each literal becomes a regex of \xNN escapes. Hyperscan 5.4's pure-literal API
  // (hs_compile_lit_multi) fails at scan time with HS_UNKNOWN_ERROR on some sets that mix a
  // long literal with short ones (intel/hyperscan#303, #353; an SSH key and its last line
  // trigger it); the regex front end compiles the same literals to working databases. The
  // escaped text is as secret as the literal, so it lives in SecretBytes too.
  //
  // An anchor is followed by the class of bytes that may come next: a line break (a fragment
  // of exactly its length) or the next byte of one of its bases. So an anchor that is common
  // text ("https://") is not reported where no base can go on; Masker::Finish looks for the
  // one case this leaves out, an anchor at the very end of the stream.
  size_t exprs_count = kept.size() + anchors;
  SecretBytes escaped(4 * (total + anchor_bytes + set->anchor_ids_.size()) + exprs_count +
                      10 * anchors);
  std::vector<const char*> exprs(exprs_count);
  std::vector<unsigned> flags(exprs_count, 0);
  std::vector<unsigned> ids(exprs_count);
  set->partial_.assign(kept.size(), false);
  char* w = reinterpret_cast<char*>(escaped.data());
  for (unsigned id = 0; id < exprs_count; ++id) {
    std::string_view text;
    if (id < kept.size()) {
      std::string_view lit = set->literal(id);
      size_t from = lit.size() > kMaxHyperscanBytes ? lit.size() - kMaxHyperscanBytes : 0;
      set->partial_[id] = from > 0;
      text = lit.substr(from);
    } else {
      unsigned a = id - static_cast<unsigned>(kept.size());
      text = set->literal(set->base(set->anchor_begin(a))).substr(0, set->anchor_length_);
    }
    exprs[id] = w;
    ids[id] = id;
    for (char c : text) w = Escape(c, w);
    if (id >= kept.size()) {
      unsigned a = id - static_cast<unsigned>(kept.size());
      *w++ = '[';
      w = Escape('\r', Escape('\n', w));
      int last = -1;  // the bases are in byte order, so equal next bytes are neighbours
      for (size_t i = set->anchor_begin(a); i < set->anchor_end(a); ++i) {
        auto next = static_cast<unsigned char>(set->literal(set->base(i))[set->anchor_length_]);
        if (next != last) w = Escape(static_cast<char>(next), w);
        last = next;
      }
      *w++ = ']';
    }
    *w++ = '\0';
  }
  hs_compile_error_t* error = nullptr;
  hs_error_t rc =
      hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs_count),
                       HS_MODE_STREAM, nullptr, &set->db_, &error);
  if (rc != HS_SUCCESS) {
    // Hyperscan's message may describe the literal; say only which one failed.
    std::string where = error != nullptr && error->expression >= 0
                            ? " (expression " + std::to_string(error->expression) + " of " +
                                  std::to_string(exprs_count) + ")"
                            : "";
    hs_free_compile_error(error);
    return Status::Internal("cannot compile the mask patterns" + where);
  }

  // The prefix index: literals grouped by their first 4 bytes, and every 1..3-byte proper
  // prefix, so a Masker can tell whether the tail of its input may begin a literal.
  set->filter4_.assign((size_t{1} << kFilterBits) / 64, 0);
  std::vector<std::pair<uint64_t, unsigned>> keyed;
  for (unsigned id = 0; id < kept.size(); ++id) {
    std::string_view lit = set->literal(id);
    for (size_t k = 1; k <= std::min<size_t>(3, lit.size() - 1); ++k) {
      set->short_prefixes_.push_back(Key(lit.substr(0, k)));
    }
    if (lit.size() > 4) {  // a literal of exactly 4 bytes has no proper prefix of 4 bytes
      keyed.emplace_back(Key(lit), id);
      uint32_t h = Hash4(lit.data());
      set->filter4_[h >> 6] |= uint64_t{1} << (h & 63);
    }
  }
  std::sort(set->short_prefixes_.begin(), set->short_prefixes_.end());
  set->short_prefixes_.erase(std::unique(set->short_prefixes_.begin(), set->short_prefixes_.end()),
                             set->short_prefixes_.end());
  std::sort(keyed.begin(), keyed.end());
  for (const auto& [key, id] : keyed) {
    set->sorted_keys_.push_back(key);
    set->key_ids_.push_back(id);
  }
  return std::shared_ptr<const MaskPatterns>(std::move(set));
}

Result<std::shared_ptr<const MaskPatterns>> MaskPatterns::BuildFromValues(
    const std::vector<NamedValue>& values, size_t min_length, std::vector<ShortValue>* too_short,
    size_t min_fragment) {
  std::vector<SecretBytes> literals, bases;
  for (const NamedValue& v : values) {
    AppendVariants(v, min_length, &literals, too_short);
    AppendFragmentBases(v, min_length, &bases);
  }
  return Compile(std::move(literals), std::move(bases), min_fragment);
}

MaskPatterns::~MaskPatterns() {
  if (db_ != nullptr) hs_free_database(db_);
}

bool MaskPatterns::IsAnchor(std::string_view text) const {
  size_t lo = 0, hi = anchor_count();
  while (lo < hi) {  // anchors are in byte order, as their bases are
    size_t mid = lo + (hi - lo) / 2;
    std::string_view anchor = literal(base(anchor_begin(mid))).substr(0, anchor_length_);
    if (anchor == text) return true;
    if (anchor < text) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return false;
}

bool MaskPatterns::IsProperPrefix(std::string_view a, std::string_view b) const {
  size_t n = a.size() + b.size();
  if (n == 0) return false;
  // The first 4 bytes (or fewer) of a then b. (No memcpy: an empty view may have no data.)
  char head[4] = {};
  for (size_t i = 0; i < std::min<size_t>(4, n); ++i)
    head[i] = i < a.size() ? a[i] : b[i - a.size()];
  if (n < 4) {
    return std::binary_search(short_prefixes_.begin(), short_prefixes_.end(),
                              Key(std::string_view(head, n)));
  }
  if (!MayStartWith4(head)) return false;
  auto range =
      std::equal_range(sorted_keys_.begin(), sorted_keys_.end(), Key(std::string_view(head, 4)));
  for (auto it = range.first; it != range.second; ++it) {
    std::string_view lit = literal(key_ids_[it - sorted_keys_.begin()]);
    if (lit.size() <= n) continue;
    if (lit.compare(0, a.size(), a) == 0 && lit.compare(a.size(), b.size(), b) == 0) return true;
  }
  return false;
}

}  // namespace coffer::mask
