// Masker: masks one byte stream (a job's stdout, say) fed in chunks of any size.
//
// Every occurrence of a literal of its MaskPatterns is replaced by "***", and so are the
// cut-off and re-wrapped copies of its fragment bases (fragment_tracker.h); covered bytes
// that overlap or touch are masked as their union, one "***" for each maximal run. Every
// other byte comes out unchanged and in order. The output depends only on the bytes, never on
// how they were cut into chunks or how long the writer paused between them.
//
// To do that the Masker holds back the bytes that may still be covered: the shortest tail of
// its input that may begin a literal, and a line that may continue a re-wrapped value (at
// most max_length() - 1 bytes in all; usually none: a log line ending in '\n' is not the
// start of a secret). Held bytes wait for the next Feed that decides them, or for Finish at
// the end of the stream; there is no time-out, so a value written in two halves with a pause
// is still masked. Bytes that cannot be part of a secret are never held.
//
// Matching is Hyperscan in streaming mode; a literal longer than 32 bytes is matched by its
// last 32 bytes and the rest is compared here. Per Feed the cost is one Hyperscan scan of the
// chunk plus a prefix test of at most max_length() - 1 bytes (docs/benchmarks.md).
//
// Not thread-safe: one Masker per stream, used by one thread at a time. Maskers on many
// threads may share one MaskPatterns. If Hyperscan fails mid-stream the Masker fails closed:
// that Feed and every later call return Internal and emit nothing more.
#pragma once

#include <hs.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "mask/fragment_tracker.h"
#include "mask/mask_patterns.h"

namespace coffer::mask {

class Masker {
 public:
  // Allocates the Hyperscan scratch space and opens a stream. Fails with Internal if
  // Hyperscan cannot (out of memory).
  static Result<std::unique_ptr<Masker>> Create(std::shared_ptr<const MaskPatterns> patterns);
  ~Masker();
  Masker(const Masker&) = delete;
  Masker& operator=(const Masker&) = delete;

  // Consumes `chunk` and appends to `out` every byte that can be decided now.
  Status Feed(std::string_view chunk, std::string* out);

  // The end of the stream: decides every held-back byte (a fragment the end of the stream
  // completes is masked) and appends it to `out`. A Feed or Finish after it is
  // FailedPrecondition.
  Status Finish(std::string* out);

  // The same without copying: appends the output as pieces, in order. A piece is a view into
  // `chunk` (valid while the caller keeps chunk's bytes), or into the Masker (valid until the
  // next call on it). For writev(); PumpMasked uses these.
  Status Feed(std::string_view chunk, std::vector<std::string_view>* out);
  Status Finish(std::vector<std::string_view>* out);

  // Bytes consumed but not yet emitted.
  size_t held_back() const { return consumed_ - emitted_; }
  uint64_t consumed() const { return consumed_; }

 private:
  // An occurrence (or union of occurrences) at absolute stream offsets [start, end).
  using Interval = ByteRange;

  explicit Masker(std::shared_ptr<const MaskPatterns> patterns);
  static int OnMatch(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                     void* ctx);
  // For a literal Hyperscan matches by its suffix only: whether the whole literal is there.
  bool IsOccurrence(unsigned id, Interval iv) const;
  Status FeedSlice(std::string_view slice, std::vector<std::string_view>* out);
  // Earliest offset >= live_from_ where a literal may still start, given `slice` follows tail_.
  uint64_t LiveFrom(std::string_view slice) const;
  // Sets up the per-call state for the pieces of one Feed or Finish.
  void BeginCall(std::string_view chunk);
  void MergeMatches();
  // Appends input bytes [emitted_, to) with masking.
  void EmitUpTo(uint64_t to, std::vector<std::string_view>* out);
  // Appends input bytes [from, to) as they are.
  void AppendRange(uint64_t from, uint64_t to, std::vector<std::string_view>* out);
  static void Append(const std::vector<std::string_view>& pieces, std::string* out);

  std::shared_ptr<const MaskPatterns> patterns_;
  FragmentTracker fragments_;
  hs_scratch_t* scratch_ = nullptr;
  hs_stream_t* stream_ = nullptr;
  Status failed_;
  bool finished_ = false;

  uint64_t consumed_ = 0;            // input bytes fed so far
  uint64_t emitted_ = 0;             // input bytes decided (copied to the output or masked)
  uint64_t live_from_ = 0;           // nothing still undecided starts before this (== emitted_)
  std::string tail_;                 // input bytes [live_from_, consumed_): the held-back ones
  bool last_covered_ = false;        // whether input byte emitted_ - 1 was masked
  std::vector<Interval> intervals_;  // known occurrences ending after emitted_, merged
  std::vector<Interval> found_;      // occurrences reported by the current scan
  std::string_view scanning_;        // the slice being scanned

  // The chunk of the current Feed and its stream offset; bytes from before it are in tail_.
  std::string_view chunk_;
  uint64_t chunk_base_ = 0;
  std::string spill_;                     // copies of held-back bytes emitted by the current call
  bool merge_ok_ = false;                 // the last output piece is a view into chunk_
  std::vector<std::string_view> pieces_;  // for the std::string versions
};

}  // namespace coffer::mask
