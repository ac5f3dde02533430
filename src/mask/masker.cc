#include "mask/masker.h"

#include <algorithm>
#include <string>

#include "common/secret_bytes.h"

namespace coffer::mask {
namespace {

constexpr std::string_view kMask = "***";
// Long chunks are scanned in slices so the list of occurrences found per scan stays bounded.
constexpr size_t kMaxSlice = 256 * 1024;

}  // namespace

Masker::Masker(std::shared_ptr<const MaskPatterns> patterns)
    : patterns_(std::move(patterns)), fragments_(patterns_.get()) {}

Result<std::unique_ptr<Masker>> Masker::Create(std::shared_ptr<const MaskPatterns> patterns) {
  std::unique_ptr<Masker> m(new Masker(std::move(patterns)));
  if (m->patterns_->empty()) return m;
  const hs_database_t* db = m->patterns_->database();
  if (hs_alloc_scratch(db, &m->scratch_) != HS_SUCCESS ||
      hs_open_stream(db, 0, &m->stream_) != HS_SUCCESS) {
    return Status::Internal("cannot allocate the masker's matching state");
  }
  return m;
}

Masker::~Masker() {
  // Closing without scratch reports nothing; literals have no end-of-stream matches anyway.
  if (stream_ != nullptr) hs_close_stream(stream_, nullptr, nullptr, nullptr);
  if (scratch_ != nullptr) hs_free_scratch(scratch_);
  if (!tail_.empty()) WipeBytes(tail_.data(), tail_.size());
}

int Masker::OnMatch(unsigned id, unsigned long long /*from*/, unsigned long long to,
                    unsigned /*flags*/, void* ctx) {
  auto* self = static_cast<Masker*>(ctx);
  if (id >= self->patterns_->size()) {       // a fragment base's anchor, and the byte after it
    uint64_t at = to - 1 - self->consumed_;  // that byte is in this slice: it ended the match
    int next = static_cast<unsigned char>(self->scanning_[at]);
    self->fragments_.OnAnchor(id - static_cast<unsigned>(self->patterns_->size()), to - 1, next);
    return 0;
  }
  // Literals have a fixed length, so the start needs no SOM tracking in Hyperscan.
  size_t length = self->patterns_->length(id);
  if (to < length) return 0;  // only the suffix of a long literal was matched
  Interval iv{to - length, to};
  if (self->patterns_->partial(id) && !self->IsOccurrence(id, iv)) return 0;
  std::vector<Interval>& found = self->found_;
  // Hyperscan reports by end offset, so overlapping occurrences usually arrive together:
  // fold them here to keep the list short even on pathological input.
  if (!found.empty() && iv.start <= found.back().end && iv.end >= found.back().start) {
    found.back().start = std::min(found.back().start, iv.start);
    found.back().end = std::max(found.back().end, iv.end);
  } else {
    found.push_back(iv);
  }
  return 0;
}

Status Masker::Feed(std::string_view chunk, std::string* out) {
  pieces_.clear();
  Status s = Feed(chunk, &pieces_);
  Append(pieces_, out);
  return s;
}

Status Masker::Finish(std::string* out) {
  pieces_.clear();
  Status s = Finish(&pieces_);
  Append(pieces_, out);
  return s;
}

void Masker::Append(const std::vector<std::string_view>& pieces, std::string* out) {
  size_t n = 0;
  for (std::string_view p : pieces) n += p.size();
  out->reserve(out->size() + n);
  for (std::string_view p : pieces) out->append(p);
}

Status Masker::Feed(std::string_view chunk, std::vector<std::string_view>* out) {
  if (!failed_.ok()) return failed_;
  if (finished_) return Status::FailedPrecondition("the masked stream has ended");
  if (patterns_->empty()) {
    if (!chunk.empty()) out->push_back(chunk);
    consumed_ += chunk.size();
    emitted_ = consumed_;
    return Status::Ok();
  }
  BeginCall(chunk);
  while (!chunk.empty()) {
    std::string_view slice = chunk.substr(0, kMaxSlice);
    chunk.remove_prefix(slice.size());
    COFFER_RETURN_IF_ERROR(FeedSlice(slice, out));
  }
  return Status::Ok();
}

Status Masker::Finish(std::vector<std::string_view>* out) {
  if (!failed_.ok()) return failed_;
  if (finished_) return Status::FailedPrecondition("the masked stream has ended");
  finished_ = true;
  BeginCall({});
  found_.clear();
  fragments_.Finish(&found_);
  // An anchor that ends the stream is a fragment Hyperscan cannot report: it waits for the
  // byte after an anchor (mask_patterns.h). Its bytes begin a base, so they are held.
  size_t anchor = patterns_->anchor_length();
  std::string_view held = tail_;
  if (anchor == patterns_->min_fragment() && held.size() >= anchor &&
      patterns_->IsAnchor(held.substr(held.size() - anchor))) {
    found_.push_back({consumed_ - anchor, consumed_});
  }
  MergeMatches();
  EmitUpTo(consumed_, out);
  live_from_ = consumed_;
  if (!tail_.empty()) WipeBytes(tail_.data(), tail_.size());
  tail_.clear();
  return Status::Ok();
}

void Masker::BeginCall(std::string_view chunk) {
  // Held-back bytes from earlier calls are copied to spill_ when emitted; everything else is
  // a view into `chunk`. spill_ never exceeds what was held back, so it never reallocates
  // while views into it are out.
  spill_.clear();
  spill_.reserve(patterns_->max_length());
  chunk_ = chunk;
  chunk_base_ = consumed_;
  merge_ok_ = false;
}

Status Masker::FeedSlice(std::string_view slice, std::vector<std::string_view>* out) {
  found_.clear();
  scanning_ = slice;
  hs_error_t rc = hs_scan_stream(stream_, slice.data(), static_cast<unsigned>(slice.size()), 0,
                                 scratch_, &Masker::OnMatch, this);
  if (rc != HS_SUCCESS) {
    failed_ = Status::Internal("masking failed (Hyperscan error " + std::to_string(rc) +
                               "); output withheld");
    return failed_;
  }
  fragments_.Advance(slice, consumed_, &found_);
  MergeMatches();
  // A continuation of a re-wrapped value is no prefix of a literal: it is held for itself.
  uint64_t live = std::max(live_from_, std::min(LiveFrom(slice), fragments_.HeldFrom()));
  EmitUpTo(std::max(emitted_, live), out);

  // Keep input bytes [live, consumed_ + |slice|): the held-back ones.
  if (live < consumed_) {
    tail_.erase(0, live - live_from_);
    tail_.append(slice);
  } else {
    tail_.assign(slice.substr(live - consumed_));
  }
  live_from_ = live;
  consumed_ += slice.size();
  return Status::Ok();
}

bool Masker::IsOccurrence(unsigned id, Interval iv) const {
  // An occurrence ending in this slice began after live_from_ (it was incomplete before), so
  // its bytes are in tail_ and the slice; one starting earlier is not an occurrence.
  if (iv.start < live_from_) return false;
  std::string_view lit = patterns_->literal(id);
  size_t in_tail = iv.start < consumed_ ? consumed_ - iv.start : 0;
  if (in_tail > 0 &&
      std::string_view(tail_).substr(iv.start - live_from_) != lit.substr(0, in_tail)) {
    return false;
  }
  return scanning_.substr(iv.start + in_tail - consumed_, lit.size() - in_tail) ==
         lit.substr(in_tail);
}

uint64_t Masker::LiveFrom(std::string_view slice) const {
  uint64_t end = consumed_ + slice.size();
  // A literal that is still incomplete has at most max_length - 1 bytes so far.
  uint64_t window = patterns_->max_length() - 1;
  uint64_t p = std::max<uint64_t>(live_from_, end > window ? end - window : 0);
  for (; p < end; ++p) {
    std::string_view a, b;
    if (p < consumed_) {
      a = std::string_view(tail_).substr(p - live_from_);
      b = slice;
    } else {
      a = slice.substr(p - consumed_);
      // The fast path of the hot loop: most positions fail the 4-byte filter.
      if (a.size() >= 4 && !patterns_->MayStartWith4(a.data())) continue;
    }
    if (patterns_->IsProperPrefix(a, b)) return p;
  }
  return end;
}

void Masker::MergeMatches() {
  if (found_.empty()) return;
  for (Interval iv : found_) {
    iv.start = std::max(iv.start, emitted_);  // never true: what may be covered is held
    intervals_.push_back(iv);
  }
  std::sort(intervals_.begin(), intervals_.end(),
            [](const Interval& x, const Interval& y) { return x.start < y.start; });
  size_t n = 0;
  for (const Interval& iv : intervals_) {
    if (n > 0 && iv.start <= intervals_[n - 1].end) {  // overlapping or touching: one run
      intervals_[n - 1].end = std::max(intervals_[n - 1].end, iv.end);
    } else {
      intervals_[n++] = iv;
    }
  }
  intervals_.resize(n);
}

void Masker::EmitUpTo(uint64_t to, std::vector<std::string_view>* out) {
  uint64_t pos = emitted_;
  size_t done = 0;
  for (; done < intervals_.size() && intervals_[done].start < to; ++done) {
    Interval& iv = intervals_[done];
    if (iv.start > pos) {
      AppendRange(pos, iv.start, out);
      last_covered_ = false;
      pos = iv.start;
    }
    if (!last_covered_) {
      out->push_back(kMask);
      merge_ok_ = false;
    }
    last_covered_ = true;
    pos = std::min(iv.end, to);
    if (iv.end > to) {  // the rest of this run comes later; it stays one "***"
      iv.start = to;
      break;
    }
  }
  intervals_.erase(intervals_.begin(), intervals_.begin() + done);
  if (pos < to) {
    AppendRange(pos, to, out);
    last_covered_ = false;
  }
  emitted_ = to;
}

void Masker::AppendRange(uint64_t from, uint64_t to, std::vector<std::string_view>* out) {
  if (from < chunk_base_) {  // held back by an earlier call: only tail_ has these bytes now
    uint64_t stop = std::min(to, chunk_base_);
    size_t at = spill_.size();
    spill_.append(tail_, from - live_from_, stop - from);
    out->push_back(std::string_view(spill_).substr(at));
    merge_ok_ = false;
    from = stop;
  }
  if (from >= to) return;
  // Bytes of this call's chunk (in this slice or an earlier one): a view, merged with the
  // previous piece when they are contiguous.
  std::string_view piece = chunk_.substr(from - chunk_base_, to - from);
  if (merge_ok_ && out->back().data() + out->back().size() == piece.data()) {
    out->back() = std::string_view(out->back().data(), out->back().size() + piece.size());
  } else {
    out->push_back(piece);
  }
  merge_ok_ = true;
}

}  // namespace coffer::mask
