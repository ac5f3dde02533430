// FragmentTracker: the part of a Masker that finds cut-off and re-wrapped copies of the
// pattern set's fragment bases (mask_patterns.h) in one byte stream.
//
// With M = min_fragment() and line breaks '\n' and '\r', it covers, for every base B:
//   - a *fragment*: a proper prefix of B of at least M bytes followed by a line break or by
//     the end of the stream (`head -c 200 key`, `echo "${TOKEN:0:20}"`);
//   - its *continuation*, piece by piece: after a covered piece that ended at offset k of B
//     and the line break "\n" or "\r\n", the next bytes B[k..k+m) if they complete B (any
//     m >= 1) or if m >= M and a line break or the end of the stream follows; then again
//     after that piece (`fold -w 64 key`, `base64 -w 76 key`).
// Line breaks themselves are never covered. reference_mask.h states the same rules as an
// obvious whole-input algorithm; the property tests and the fuzzer hold the two equal.
//
// A chain in progress is a *pending* chain. The Masker must hold back every byte a pending
// chain may still cover (HeldFrom): a fragment is a proper prefix of a literal, so the
// prefix test holds it anyway; a continuation is not, and is held for itself, at most
// |B| - 1 bytes. Work per byte of input is nothing unless an anchor (a base's first
// min(M, 32) bytes) matched. One chain follows all the bases that share an anchor (they are
// neighbours in byte order, so the ones still matching are a range that each byte narrows
// by binary search); it splits into one chain per base only after a fragment. A chain lives
// at most |B| bytes.
//
// Not thread-safe: one per Masker.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include "mask/mask_patterns.h"

namespace coffer::mask {

// Stream offsets [start, end).
struct ByteRange {
  uint64_t start;
  uint64_t end;
};

class FragmentTracker {
 public:
  explicit FragmentTracker(const MaskPatterns* patterns) : patterns_(patterns) {}

  // Hyperscan reported anchor `anchor` ending at stream offset `end`: every base that begins
  // with it may have a fragment starting at end - anchor_length(). `next` is the input byte
  // at `end` when the caller has it already (-1 otherwise): if it cannot go on with any of
  // those bases, no chain is started.
  void OnAnchor(unsigned anchor, uint64_t end, int next = -1);

  // Runs every pending chain over `bytes`, the input at stream offsets [at, at + size), after
  // OnAnchor was called for the anchors that end in it. Appends what becomes covered.
  void Advance(std::string_view bytes, uint64_t at, std::vector<ByteRange>* covered);

  // End of the stream: appends what pending chains cover because nothing follows; then no
  // chain is pending.
  void Finish(std::vector<ByteRange>* covered);

  // The earliest stream offset a pending chain may still cover; max() when none may.
  uint64_t HeldFrom() const;

 private:
  enum class State : uint8_t {
    kFragment,      // bytes [start, next) are base[0, next - start) of every base(i) in [lo, hi)
    kAfterCr,       // a piece of `base` ended at "\r"; "\n" must follow at `next`
    kContinuation,  // bytes [start, next) are base[offset, offset + next - start)
  };
  struct Chain {
    State state;
    uint32_t lo, hi;  // kFragment: the bases still matching (MaskPatterns::base indices)
    unsigned base;    // otherwise: the literal id of the base
    uint32_t offset;  // offset in the base of the current piece's first byte
    uint64_t start;   // stream offset of the current piece's first byte
    uint64_t next;    // stream offset of the next byte to look at
  };
  // Looks at byte `c` (at chain.next); returns false when the chain ends. A fragment that a
  // line break completes ends its chain and appends one continuation per base to `spawned`.
  bool Step(Chain& chain, char c, std::vector<ByteRange>* covered,
            std::vector<Chain>* spawned) const;
  bool StepFragment(Chain& chain, char c, std::vector<ByteRange>* covered,
                    std::vector<Chain>* spawned) const;
  // Narrows the bases [lo, hi) (MaskPatterns::base indices) that share their first `depth`
  // bytes to those whose next byte is `c`; false when none is left.
  bool Narrow(uint32_t* lo, uint32_t* hi, size_t depth, char c) const;
  // Runs `chain` over bytes [chain.next, at + size); returns whether it is still pending.
  bool Run(Chain& chain, std::string_view bytes, uint64_t at, std::vector<ByteRange>* covered,
           std::vector<Chain>* spawned) const;

  const MaskPatterns* patterns_;
  std::vector<Chain> chains_;
  std::vector<Chain> spawned_;  // scratch for Advance
};

}  // namespace coffer::mask
