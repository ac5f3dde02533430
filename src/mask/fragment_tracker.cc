#include "mask/fragment_tracker.h"

#include <algorithm>

namespace coffer::mask {
namespace {

bool IsBreak(char c) { return c == '\n' || c == '\r'; }

}  // namespace

bool FragmentTracker::Narrow(uint32_t* lo, uint32_t* hi, size_t depth, char c) const {
  // The bases share their first `depth` bytes and are in byte order, so those whose next byte
  // is `c` are a range. (std::string_view compares bytes as unsigned char, as the sort did.)
  auto byte = [&](uint32_t i) {
    return static_cast<unsigned char>(patterns_->literal(patterns_->base(i))[depth]);
  };
  auto u = static_cast<unsigned char>(c);
  if (byte(*lo) == u && byte(*hi - 1) == u) return true;  // all of them: a shared prefix
  auto first_not_below = [&](uint32_t from, uint32_t to, unsigned v) {
    while (from < to) {
      uint32_t mid = from + (to - from) / 2;
      if (byte(mid) < v) {
        from = mid + 1;
      } else {
        to = mid;
      }
    }
    return from;
  };
  uint32_t first = first_not_below(*lo, *hi, u);
  *hi = first_not_below(first, *hi, u + 1u);
  *lo = first;
  return *lo < *hi;
}

void FragmentTracker::OnAnchor(unsigned anchor, uint64_t end, int next) {
  size_t depth = patterns_->anchor_length();
  auto lo = static_cast<uint32_t>(patterns_->anchor_begin(anchor));
  auto hi = static_cast<uint32_t>(patterns_->anchor_end(anchor));
  // Most anchors in ordinary text ("https://") go on with none of their bases.
  if (next >= 0 && !IsBreak(static_cast<char>(next)) &&
      !Narrow(&lo, &hi, depth, static_cast<char>(next))) {
    return;
  }
  Chain chain{};
  chain.state = State::kFragment;
  chain.lo = lo;  // narrowing again by the same byte in Step changes nothing
  chain.hi = hi;
  chain.start = end - depth;
  chain.next = end;
  chains_.push_back(chain);
}

bool FragmentTracker::StepFragment(Chain& chain, char c, std::vector<ByteRange>* covered,
                                   std::vector<Chain>* spawned) const {
  size_t depth = chain.next - chain.start;  // every base in [lo, hi) is longer than this
  if (IsBreak(c)) {
    if (depth < patterns_->min_fragment()) return false;
    // The same bytes are a fragment of each base in the range; each goes on in its own way.
    covered->push_back({chain.start, chain.next});
    for (uint32_t i = chain.lo; i < chain.hi; ++i) {
      Chain piece{};
      piece.state = c == '\n' ? State::kContinuation : State::kAfterCr;
      piece.base = patterns_->base(i);
      piece.offset = static_cast<uint32_t>(depth);
      piece.start = piece.next = chain.next + 1;
      spawned->push_back(piece);
    }
    return false;
  }
  uint32_t lo = chain.lo, end = chain.hi;
  if (!Narrow(&lo, &end, depth, c)) return false;
  ++chain.next;
  // A base the byte completes is a literal, masked as such; it sorts first and drops out.
  while (lo < end && patterns_->length(patterns_->base(lo)) == depth + 1) ++lo;
  chain.lo = lo;
  chain.hi = end;
  return lo < end;
}

bool FragmentTracker::Step(Chain& chain, char c, std::vector<ByteRange>* covered,
                           std::vector<Chain>* spawned) const {
  if (chain.state == State::kFragment) return StepFragment(chain, c, covered, spawned);
  if (chain.state == State::kAfterCr) {
    if (c != '\n') return false;
    chain.state = State::kContinuation;
    chain.start = chain.next = chain.next + 1;
    return true;
  }
  std::string_view base = patterns_->literal(chain.base);
  size_t piece = chain.next - chain.start;
  size_t want = chain.offset + piece;  // the index in the base of the byte expected now
  if (c == base[want]) {
    ++chain.next;
    if (want + 1 < base.size()) return true;
    covered->push_back({chain.start, chain.next});  // the rest of the base: the chain ends
    return false;
  }
  if (piece < patterns_->min_fragment() || !IsBreak(c)) return false;
  covered->push_back({chain.start, chain.next});
  chain.offset = static_cast<uint32_t>(want);
  chain.state = c == '\n' ? State::kContinuation : State::kAfterCr;
  chain.start = chain.next = chain.next + 1;
  return true;
}

bool FragmentTracker::Run(Chain& chain, std::string_view bytes, uint64_t at,
                          std::vector<ByteRange>* covered, std::vector<Chain>* spawned) const {
  uint64_t end = at + bytes.size();
  while (chain.next < end) {
    if (!Step(chain, bytes[chain.next - at], covered, spawned)) return false;
  }
  return true;
}

void FragmentTracker::Advance(std::string_view bytes, uint64_t at,
                              std::vector<ByteRange>* covered) {
  spawned_.clear();
  size_t kept = 0;
  for (Chain chain : chains_) {
    if (Run(chain, bytes, at, covered, &spawned_)) chains_[kept++] = chain;
  }
  chains_.resize(kept);
  // Continuations start after the fragment's line break, still in these bytes; they never
  // spawn chains of their own.
  for (Chain chain : spawned_) {
    if (Run(chain, bytes, at, covered, nullptr)) chains_.push_back(chain);
  }
}

void FragmentTracker::Finish(std::vector<ByteRange>* covered) {
  for (const Chain& chain : chains_) {
    if (chain.state != State::kAfterCr && chain.next - chain.start >= patterns_->min_fragment()) {
      covered->push_back({chain.start, chain.next});
    }
  }
  chains_.clear();
}

uint64_t FragmentTracker::HeldFrom() const {
  uint64_t from = std::numeric_limits<uint64_t>::max();
  for (const Chain& chain : chains_) {
    if (chain.state != State::kAfterCr) from = std::min(from, chain.start);
  }
  return from;
}

}  // namespace coffer::mask
