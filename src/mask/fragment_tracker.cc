#include "mask/fragment_tracker.h"

#include <algorithm>

namespace coffer::mask {

void FragmentTracker::OnAnchor(unsigned anchor, uint64_t end) {
  uint64_t start = end - patterns_->anchor_length();
  for (const unsigned* b = patterns_->anchor_bases_begin(anchor);
       b != patterns_->anchor_bases_end(anchor); ++b) {
    chains_.push_back({*b, State::kFragment, 0, start, end});
  }
}

bool FragmentTracker::Step(Chain& chain, char c, std::vector<ByteRange>* covered) const {
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
    // A whole base is a literal, masked as such; the rest of one ends its chain.
    if (chain.state == State::kContinuation) covered->push_back({chain.start, chain.next});
    return false;
  }
  if (piece < patterns_->min_fragment() || (c != '\n' && c != '\r')) return false;
  covered->push_back({chain.start, chain.next});
  chain.offset = static_cast<uint32_t>(want);
  chain.state = c == '\n' ? State::kContinuation : State::kAfterCr;
  chain.start = chain.next = chain.next + 1;
  return true;
}

void FragmentTracker::Advance(std::string_view bytes, uint64_t at,
                              std::vector<ByteRange>* covered) {
  uint64_t end = at + bytes.size();
  size_t kept = 0;
  for (Chain chain : chains_) {
    bool alive = true;
    while (alive && chain.next < end) alive = Step(chain, bytes[chain.next - at], covered);
    if (alive) chains_[kept++] = chain;
  }
  chains_.resize(kept);
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
