// CheckoutJournal: where a SQLite store's checkouts become durable, ahead of the database.
//
// A checkout writes only usage and audit rows, and every checkout must be in the audit log
// durably before its answer. Written through the database's one writer, each checkout paid
// for B-tree pages of four tables and their indexes in the WAL (then copied again by a
// checkpoint) and queued behind every other write. Here a checkout is one record appended
// to a file and made durable with the others of its group (one write and one fdatasync for
// all of them, on the journal's flusher thread), and an applier thread inserts the durable
// records into the database behind, thousands to a transaction, within kApplyDelay.
//
// Files, beside the database at `db_path`:
//   <db_path>-checkouts.lock   flock()ed by the one process whose store owns the journal;
//   <db_path>-checkouts.<gen>  the segments, gen counting up from 1; a segment is a run of
//                              records: [u32 payload length][u32 CRC-32 of the payload]
//                              [payload], little-endian (EncodeEntry below).
// The database's checkout_journal row (migration 9) holds (gen, offset): the end of the last
// record applied, written in the transaction that applied it, so a record is applied once.
// Whoever takes the lock first replays what is past that point (a crash left it) before
// anything else, then deletes the segments (Replay). Reading a segment stops at its first
// record that is short or fails its CRC: a torn tail, never acknowledged. After a failed
// write or sync the flusher starts a new segment, so nothing durable follows a bad record.
//
// A finished job's checkouts: FinishJob calls BeginFinish, waits until every record appended
// before it is durable (WaitDurable), commits, then EndFinish; Append refuses a checkout of
// a job whose finish began after the checkout's job row was read (see Append). So no
// checkout is acknowledged after its job's finish has committed, as in one transaction.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <semaphore>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "store/records.h"

namespace coffer::store {

// One checkout's rows, and where its record ends in the journal.
struct JournalEntry {
  std::vector<UsageRecord> usage;
  std::vector<AuditRecord> audits;
  int64_t gen = 0;  // the segment, and the offset just past the record in it
  int64_t end = 0;
};

// The record's payload; DecodeEntry is false for bytes that are not one (fuzzed in tests).
std::string EncodeEntry(const JournalEntry& e);
bool DecodeEntry(std::string_view payload, JournalEntry* out);
// A whole record: length, CRC, payload.
std::string FrameRecord(std::string_view payload);

// The segments of the journal of `db_path`, by gen, and reading one from `offset`: `fn` is
// called for each whole record; returns the offset after the last of them.
std::vector<std::pair<int64_t, std::string>> ListSegments(const std::string& db_path);
Result<int64_t> ReadSegment(const std::string& path, int64_t gen, int64_t offset,
                            const std::function<void(JournalEntry&&)>& fn);

// After a restore has replaced the database at `db_path`: the segments left beside it
// belong to the database that was there, and are removed (unless a running server holds
// them: it goes on applying them, to the new file).
Status DiscardCheckoutJournal(const std::string& db_path);

class CheckoutJournal {
 public:
  // Inserts entries into the database (skipping those at or before its checkout_journal
  // row) and moves that row to the last one's (gen, end), in one durable transaction.
  using ApplyFn = std::function<Status(const std::vector<JournalEntry>&)>;
  // Applies what earlier owners left (through `apply`), deletes their segments and starts a
  // new one. Null when another process holds the journal's lock (a running server): the
  // caller then writes its checkouts to the database directly.
  // `applied_gen` is the gen of the database's checkout_journal row: new segments are
  // numbered past it, so that their records never look applied already.
  static Result<std::unique_ptr<CheckoutJournal>> Open(const std::string& db_path,
                                                       int64_t applied_gen, ApplyFn apply);
  // Applies every record durable so far, then deletes the segments and releases the lock.
  ~CheckoutJournal();

  // The finish epoch: read before a checkout reads its job's row.
  uint64_t Epoch() const { return epoch_.load(std::memory_order_acquire); }
  // Appends a checkout of job `job_key` (org id, '/', job id) whose row was read as live
  // after Epoch() returned `epoch`, and returns when its record is durable.
  // FailedPrecondition when a finish of the job began since (or is under way); Conflict when
  // the journal no longer remembers that far back (the caller reads the job again);
  // Unavailable when the record could not be written or the applier is too far behind.
  Status Append(JournalEntry entry, const std::string& job_key, uint64_t epoch);
  // FinishJob's side (see the file comment). BeginFinish returns what to WaitDurable for.
  uint64_t BeginFinish(const std::string& job_key);
  Status WaitDurable(uint64_t seq);
  void EndFinish(const std::string& job_key);
  // Returns once every record durable when called is in the database (for the reads that
  // list usage and audit rows: what a caller was told is recorded, it sees).
  Status WaitApplied();

  // The applier's delay: a record waits at most this long to be applied.
  static constexpr std::chrono::milliseconds kApplyDelay{50};

 private:
  CheckoutJournal() = default;
  struct Waiter {
    uint64_t seq;
    Status status;
    std::binary_semaphore done{0};
  };
  Status StartSegment(int64_t gen);  // under mu_ or before the threads start
  void RunFlusher();
  void RunApplier();
  Status Wait(uint64_t seq);

  std::string db_path_;
  std::string lock_path_;
  ApplyFn apply_;
  int lock_fd_ = -1;  // set once the lock is held: this store owns the journal

  std::mutex mu_;
  std::condition_variable flush_cv_;  // the flusher: something to write, or closing
  std::condition_variable apply_cv_;  // the applier: something durable, a reader waiting
  std::condition_variable applied_cv_;
  bool closing_ = false;        // the flusher: write what is left, then stop
  bool apply_closing_ = false;  // the applier: apply what is left, then stop
  bool apply_failed_ = false;   // ... and it could not
  // Appended, not yet written: their framed bytes and entries.
  std::string pending_bytes_;
  std::vector<JournalEntry> pending_;
  uint64_t appended_ = 0;  // records appended (a seq is the count up to one)
  uint64_t durable_ = 0;   // records durable (or failed: see failed_upto_)
  std::deque<Waiter*> waiters_;  // by seq
  // Durable, not yet applied; `applied_` counts the applied.
  std::deque<JournalEntry> to_apply_;
  uint64_t applied_ = 0;
  uint64_t apply_wanted_ = 0;  // WaitApplied's: apply at once up to here
  // The segment being written.
  int fd_ = -1;
  int64_t gen_ = 0;
  int64_t size_ = 0;
  bool broken_ = false;  // a write or sync of it failed: the next group starts a new one
  std::vector<int64_t> old_gens_;  // finished segments not yet deleted
  // Finishes: in flight (counted per job), and each begin and end with its epoch.
  std::atomic<uint64_t> epoch_{0};
  std::unordered_map<std::string, int> finishing_;
  std::deque<std::pair<uint64_t, std::string>> finish_log_;

  std::thread flusher_;
  std::thread applier_;
  bool flusher_started_ = false;
};

}  // namespace coffer::store
