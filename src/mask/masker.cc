#include "mask/masker.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <string>

namespace coffer::mask {
namespace {

constexpr std::string_view kMask = "***";
// Long chunks are scanned in slices so the list of occurrences found per scan stays bounded.
constexpr size_t kMaxSlice = 256 * 1024;

}  // namespace

Masker::Masker(std::shared_ptr<const MaskPatterns> patterns) : patterns_(std::move(patterns)) {}

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
  if (!tail_.empty()) OPENSSL_cleanse(tail_.data(), tail_.size());
}

int Masker::OnMatch(unsigned id, unsigned long long /*from*/, unsigned long long to,
                    unsigned /*flags*/, void* ctx) {
  auto* self = static_cast<Masker*>(ctx);
  // Literals have a fixed length, so the start needs no SOM tracking in Hyperscan.
  Interval iv{to - self->patterns_->length(id), to};
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
  if (!failed_.ok()) return failed_;
  if (patterns_->empty()) {
    out->append(chunk);
    consumed_ += chunk.size();
    emitted_ = consumed_;
    return Status::Ok();
  }
  out->reserve(out->size() + held_back() + chunk.size());
  while (!chunk.empty()) {
    std::string_view slice = chunk.substr(0, kMaxSlice);
    chunk.remove_prefix(slice.size());
    COFFER_RETURN_IF_ERROR(FeedSlice(slice, out));
  }
  return Status::Ok();
}

Status Masker::FeedSlice(std::string_view slice, std::string* out) {
  found_.clear();
  scanning_ = slice;
  hs_error_t rc = hs_scan_stream(stream_, slice.data(), static_cast<unsigned>(slice.size()), 0,
                                 scratch_, &Masker::OnMatch, this);
  if (rc != HS_SUCCESS) {
    failed_ = Status::Internal("masking failed (Hyperscan error " + std::to_string(rc) +
                               "); output withheld");
    return failed_;
  }
  MergeMatches();
  uint64_t live = LiveFrom(slice);
  EmitUpTo(std::max(emitted_, live), slice, out);

  // Keep input bytes [live, consumed_ + |slice|): the held-back ones, and after a Flush the
  // start of an occurrence that may still complete (so it can be recognised as a prefix).
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

Status Masker::Flush(std::string* out) {
  if (!failed_.ok()) return failed_;
  EmitUpTo(consumed_, {}, out);
  return Status::Ok();
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
    iv.start = std::max(iv.start, emitted_);  // bytes let through by a Flush stay as they were
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

void Masker::EmitUpTo(uint64_t to, std::string_view slice, std::string* out) {
  uint64_t pos = emitted_;
  size_t done = 0;
  for (; done < intervals_.size() && intervals_[done].start < to; ++done) {
    Interval& iv = intervals_[done];
    if (iv.start > pos) {
      AppendRange(pos, iv.start, slice, out);
      last_covered_ = false;
      pos = iv.start;
    }
    if (!last_covered_) out->append(kMask);
    last_covered_ = true;
    pos = std::min(iv.end, to);
    if (iv.end > to) {  // the rest of this run comes later; it stays one "***"
      iv.start = to;
      break;
    }
  }
  intervals_.erase(intervals_.begin(), intervals_.begin() + done);
  if (pos < to) {
    AppendRange(pos, to, slice, out);
    last_covered_ = false;
  }
  emitted_ = to;
}

void Masker::AppendRange(uint64_t from, uint64_t to, std::string_view slice,
                         std::string* out) const {
  if (from < consumed_) {
    uint64_t stop = std::min(to, consumed_);
    out->append(tail_, from - live_from_, stop - from);
    from = stop;
  }
  if (from < to) out->append(slice.substr(from - consumed_, to - from));
}

}  // namespace coffer::mask
