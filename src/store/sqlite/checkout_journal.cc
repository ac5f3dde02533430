#include "store/sqlite/checkout_journal.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/crc.hpp>
#include <cerrno>
#include <cstring>

#include "common/fd_io.h"
#include "common/store_metrics.h"

namespace coffer::store {

namespace {

// A segment is closed and a new one begun past this size, so the applied ones can go.
constexpr int64_t kSegmentBytes = 8 << 20;
// Records the applier takes at once: one savepoint in the writer's batch, which holds the
// other writes back while it runs.
constexpr size_t kApplyBatch = 512;
// Durable records not yet applied past which a checkout is refused (Unavailable) rather
// than held in memory without bound while the database refuses writes.
constexpr size_t kMaxBehind = 200000;
// Finish begins and ends remembered for Append's check.
constexpr size_t kFinishLog = 4096;
// A record's payload is at most this: a checkout of a job's secrets, a few KiB.
constexpr uint32_t kMaxPayload = 16 << 20;

std::string Errno() { return std::strerror(errno); }

uint32_t Crc32(std::string_view bytes) {
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutI64(std::string& out, int64_t v) {
  auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((u >> (8 * i)) & 0xff));
}
void PutStr(std::string& out, const std::string& s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out += s;
}

// Reads the payload's fields in order; any read past the end makes ok() false.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return ok_ && in_.empty(); }
  uint32_t U32() {
    if (in_.size() < 4) return Fail();
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(in_[i])) << (8 * i);
    in_.remove_prefix(4);
    return v;
  }
  int64_t I64() {
    if (in_.size() < 8) return Fail();
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(in_[i])) << (8 * i);
    in_.remove_prefix(8);
    return static_cast<int64_t>(v);
  }
  void Str(std::string& s) {
    uint32_t n = U32();
    if (!ok_ || n > in_.size()) {
      Fail();
      return;
    }
    s.assign(in_.data(), n);
    in_.remove_prefix(n);
  }

 private:
  uint32_t Fail() {
    ok_ = false;
    in_ = {};
    return 0;
  }
  std::string_view in_;
  bool ok_ = true;
};

std::string SegmentPath(const std::string& db_path, int64_t gen) {
  return db_path + "-checkouts." + std::to_string(gen);
}

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Status SyncDirOf(const std::string& path) {
  int fd = open(DirOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable("cannot open the directory of " + path + ": " + Errno());
  int rc = fsync(fd);
  std::string err = rc != 0 ? Errno() : "";
  close(fd);
  if (rc != 0) return Status::Unavailable("cannot sync the directory of " + path + ": " + err);
  return Status::Ok();
}

// The journal's lock: its descriptor, or -1 when another process holds it. The lock file is
// removed by its owner at close; a file that was removed (or replaced) between this open and
// the flock is not the lock any more: it is opened again.
Result<int> LockJournal(const std::string& lock_path) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    int fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return Status::Unavailable("cannot open " + lock_path + ": " + Errno());
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      close(fd);
      if (err == EWOULDBLOCK) return -1;
      return Status::Unavailable("cannot lock " + lock_path + ": " + std::strerror(err));
    }
    struct stat held, named;
    if (fstat(fd, &held) == 0 && stat(lock_path.c_str(), &named) == 0 &&
        held.st_dev == named.st_dev && held.st_ino == named.st_ino) {
      return fd;
    }
    close(fd);
  }
  return Status::Unavailable("cannot lock " + lock_path + ": it keeps being replaced");
}

}  // namespace

Status DiscardCheckoutJournal(const std::string& db_path) {
  const std::string lock_path = db_path + "-checkouts.lock";
  COFFER_ASSIGN_OR_RETURN(int fd, LockJournal(lock_path));
  if (fd < 0) return Status::Ok();  // a running server's: it goes on applying to the new file
  Status s;
  for (const auto& [gen, path] : ListSegments(db_path)) {
    if (unlink(path.c_str()) != 0 && errno != ENOENT && s.ok()) {
      s = Status::Unavailable("cannot remove " + path + ": " + Errno());
    }
  }
  if (s.ok()) s = SyncDirOf(db_path);
  unlink(lock_path.c_str());
  close(fd);
  return s;
}

std::string EncodeEntry(const JournalEntry& e) {
  std::string out;
  out.reserve(64 + e.usage.size() * 160 + e.audits.size() * 320);
  PutU32(out, static_cast<uint32_t>(e.usage.size()));
  for (const UsageRecord& u : e.usage) {
    PutStr(out, u.secret_id);
    PutStr(out, u.org_id);
    PutStr(out, u.project_id);
    PutStr(out, u.job_id);
    PutStr(out, u.pipeline_id);
    PutStr(out, u.workflow_id);
    PutI64(out, u.time);
    PutI64(out, u.version);
  }
  PutU32(out, static_cast<uint32_t>(e.audits.size()));
  for (const AuditRecord& a : e.audits) {
    for (const std::string* s :
         {&a.id, &a.org_id, &a.actor_id, &a.actor_name, &a.medium, &a.ip, &a.request_id, &a.action,
          &a.resource_type, &a.resource_id, &a.resource_name, &a.scope, &a.owner_id, &a.job_id,
          &a.pipeline_id, &a.workflow_id}) {
      PutStr(out, *s);
    }
    PutI64(out, a.time);
    PutI64(out, a.version);
  }
  return out;
}

bool DecodeEntry(std::string_view payload, JournalEntry* out) {
  Reader r(payload);
  JournalEntry e;
  uint32_t n = r.U32();
  // Each row takes at least its fixed fields' bytes: a count past that is not believed.
  if (!r.ok() || n > payload.size() / 32) return false;
  e.usage.resize(n);
  for (UsageRecord& u : e.usage) {
    r.Str(u.secret_id);
    r.Str(u.org_id);
    r.Str(u.project_id);
    r.Str(u.job_id);
    r.Str(u.pipeline_id);
    r.Str(u.workflow_id);
    u.time = r.I64();
    u.version = r.I64();
  }
  n = r.U32();
  if (!r.ok() || n > payload.size() / 64) return false;
  e.audits.resize(n);
  for (AuditRecord& a : e.audits) {
    for (std::string* s :
         {&a.id, &a.org_id, &a.actor_id, &a.actor_name, &a.medium, &a.ip, &a.request_id, &a.action,
          &a.resource_type, &a.resource_id, &a.resource_name, &a.scope, &a.owner_id, &a.job_id,
          &a.pipeline_id, &a.workflow_id}) {
      r.Str(*s);
    }
    a.time = r.I64();
    a.version = r.I64();
  }
  if (!r.done()) return false;
  *out = std::move(e);
  return true;
}

std::string FrameRecord(std::string_view payload) {
  std::string out;
  out.reserve(8 + payload.size());
  PutU32(out, static_cast<uint32_t>(payload.size()));
  PutU32(out, Crc32(payload));
  out += payload;
  return out;
}

std::vector<std::pair<int64_t, std::string>> ListSegments(const std::string& db_path) {
  std::vector<std::pair<int64_t, std::string>> out;
  const std::string dir = DirOf(db_path);
  const std::string prefix = db_path.substr(db_path.rfind('/') + 1) + "-checkouts.";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* ent = readdir(d)) {
    std::string_view name = ent->d_name;
    if (name.substr(0, prefix.size()) != prefix) continue;
    std::string_view digits = name.substr(prefix.size());
    if (digits.empty() || digits.size() > 18 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;  // the lock file, or nothing of ours
    }
    int64_t gen = std::stoll(std::string(digits));
    out.emplace_back(gen, SegmentPath(db_path, gen));
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

Result<int64_t> ReadSegment(const std::string& path, int64_t gen, int64_t offset,
                            const std::function<void(JournalEntry&&)>& fn) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable("cannot open " + path + ": " + Errno());
  std::string bytes;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string err = Errno();
      close(fd);
      return Status::Unavailable("cannot read " + path + ": " + err);
    }
    if (n == 0) break;
    bytes.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  // The records from `offset` on, up to the first that is short or fails its CRC (a torn
  // tail: a record whose write did not finish was never acknowledged).
  auto at = static_cast<size_t>(std::max<int64_t>(offset, 0));
  while (at <= bytes.size() && bytes.size() - at >= 8) {
    std::string_view head(bytes.data() + at, 8);
    Reader r(head);
    uint32_t len = r.U32();
    uint32_t crc = r.U32();
    if (len > kMaxPayload || bytes.size() - at - 8 < len) break;
    std::string_view payload(bytes.data() + at + 8, len);
    JournalEntry e;
    if (Crc32(payload) != crc || !DecodeEntry(payload, &e)) break;
    at += 8 + len;
    e.gen = gen;
    e.end = static_cast<int64_t>(at);
    fn(std::move(e));
  }
  return static_cast<int64_t>(at);
}

Result<std::unique_ptr<CheckoutJournal>> CheckoutJournal::Open(const std::string& db_path,
                                                               int64_t applied_gen,
                                                               ApplyFn apply) {
  std::unique_ptr<CheckoutJournal> j(new CheckoutJournal());
  j->db_path_ = db_path;
  j->apply_ = std::move(apply);
  j->lock_path_ = db_path + "-checkouts.lock";
  COFFER_ASSIGN_OR_RETURN(j->lock_fd_, LockJournal(j->lock_path_));
  if (j->lock_fd_ < 0) return std::unique_ptr<CheckoutJournal>();  // a running server's
  // What an earlier owner left: applied (those already in the database are skipped by
  // `apply`), then deleted.
  int64_t last_gen = applied_gen;
  const auto segments = ListSegments(db_path);
  for (const auto& [gen, path] : segments) {
    last_gen = std::max(last_gen, gen);
    std::vector<JournalEntry> batch;
    Status failed;
    auto flush = [&] {
      if (failed.ok() && !batch.empty()) failed = j->apply_(batch);
      batch.clear();
    };
    COFFER_ASSIGN_OR_RETURN(int64_t end, ReadSegment(path, gen, 0, [&](JournalEntry&& e) {
                              batch.push_back(std::move(e));
                              if (batch.size() >= kApplyBatch) flush();
                            }));
    (void)end;
    flush();
    COFFER_RETURN_IF_ERROR(failed);
  }
  for (const auto& [gen, path] : segments) {
    if (unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Status::Unavailable("cannot remove " + path + ": " + Errno());
    }
  }
  // A new segment, numbered past every one the database has applied from: its records must
  // not look applied already.
  COFFER_RETURN_IF_ERROR(j->StartSegment(last_gen + 1));
  j->flusher_ = std::thread([p = j.get()] { p->RunFlusher(); });
  j->flusher_started_ = true;
  j->applier_ = std::thread([p = j.get()] { p->RunApplier(); });
  return j;
}

CheckoutJournal::~CheckoutJournal() {
  // The flusher writes what is appended, then the applier applies all that is durable.
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
  }
  flush_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    apply_closing_ = true;
  }
  apply_cv_.notify_all();
  if (applier_.joinable()) applier_.join();
  if (fd_ >= 0) close(fd_);
  if (lock_fd_ < 0) return;  // not the owner: nothing here is ours
  if (!flusher_started_) {    // Open failed: what is on disk stays, for the next owner
    close(lock_fd_);
    return;
  }
  // Everything in the database: the segments can go. Otherwise they stay, for the next owner.
  if (to_apply_.empty() && !apply_failed_) {
    for (const auto& [gen, path] : ListSegments(db_path_)) unlink(path.c_str());
    unlink(lock_path_.c_str());  // before the flock goes: see Open
  }
  close(lock_fd_);  // releases the flock
}

Status CheckoutJournal::StartSegment(int64_t gen) {
  const std::string path = SegmentPath(db_path_, gen);
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
                0600);
  if (fd < 0) return Status::Unavailable("cannot create " + path + ": " + Errno());
  // The file's name is durable before any record in it is acknowledged.
  Status synced = SyncDirOf(path);
  if (!synced.ok()) {
    close(fd);
    unlink(path.c_str());
    return synced;
  }
  if (fd_ >= 0) {
    close(fd_);
    old_gens_.push_back(gen_);
  }
  fd_ = fd;
  gen_ = gen;
  size_ = 0;
  broken_ = false;
  return Status::Ok();
}

Status CheckoutJournal::Append(JournalEntry entry, const std::string& job_key, uint64_t epoch) {
  std::string record = FrameRecord(EncodeEntry(entry));
  entry.end = static_cast<int64_t>(record.size());  // the flusher makes it an offset
  Waiter w;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closing_) return Status::Unavailable("the store is closing");
    if (to_apply_.size() + pending_.size() >= kMaxBehind) {
      return Status::Unavailable("the store is behind its checkout journal");
    }
    // A finish under way, or one that began or ended after the job's row was read (which
    // may then have shown the job live although the finish commits first): refused.
    if (finishing_.count(job_key) != 0) return Status::FailedPrecondition("job finished");
    if (epoch_.load(std::memory_order_relaxed) != epoch) {
      if (finish_log_.empty() || finish_log_.front().first > epoch + 1) {
        return Status::Conflict("finishes since the job was read are forgotten");
      }
      for (auto it = finish_log_.rbegin(); it != finish_log_.rend() && it->first > epoch; ++it) {
        if (it->second == job_key) return Status::FailedPrecondition("job finished");
      }
    }
    pending_bytes_ += record;
    pending_.push_back(std::move(entry));
    w.seq = ++appended_;
    waiters_.push_back(&w);
  }
  flush_cv_.notify_one();
  w.done.acquire();
  return w.status;
}

uint64_t CheckoutJournal::BeginFinish(const std::string& job_key) {
  std::lock_guard<std::mutex> lock(mu_);
  ++finishing_[job_key];
  uint64_t e = epoch_.fetch_add(1, std::memory_order_acq_rel) + 1;
  finish_log_.emplace_back(e, job_key);
  if (finish_log_.size() > kFinishLog) finish_log_.pop_front();
  return appended_;
}

void CheckoutJournal::EndFinish(const std::string& job_key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = finishing_.find(job_key);
  if (it != finishing_.end() && --it->second == 0) finishing_.erase(it);
  uint64_t e = epoch_.fetch_add(1, std::memory_order_acq_rel) + 1;
  finish_log_.emplace_back(e, job_key);
  if (finish_log_.size() > kFinishLog) finish_log_.pop_front();
}

Status CheckoutJournal::WaitDurable(uint64_t seq) {
  Waiter w;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (durable_ >= seq) return Status::Ok();
    w.seq = seq;
    // Waiters are kept by seq: this one goes after those of records up to `seq`.
    auto at = std::find_if(waiters_.begin(), waiters_.end(),
                           [&](const Waiter* o) { return o->seq > seq; });
    waiters_.insert(at, &w);
  }
  w.done.acquire();
  // The records before the finish are resolved: durable, or failed and so never
  // acknowledged. Either way no acknowledged checkout can follow the finish.
  return Status::Ok();
}

Status CheckoutJournal::WaitApplied() {
  std::unique_lock<std::mutex> lock(mu_);
  // Every acknowledged record is durable and so queued here or applied already (the flusher
  // queues a group before it wakes the group's waiters).
  const uint64_t target = applied_ + to_apply_.size();
  if (applied_ >= target) return Status::Ok();
  apply_wanted_ = std::max(apply_wanted_, target);
  apply_cv_.notify_one();
  applied_cv_.wait(lock, [&] { return applied_ >= target || apply_failed_; });
  if (applied_ >= target) return Status::Ok();
  return Status::Unavailable("the checkout journal could not be applied to the database");
}

void CheckoutJournal::RunFlusher() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    flush_cv_.wait(lock, [&] { return !pending_.empty() || closing_; });
    if (pending_.empty()) return;  // closing, and nothing left to write
    std::string bytes;
    bytes.swap(pending_bytes_);
    std::vector<JournalEntry> entries;
    entries.swap(pending_);
    const uint64_t upto = appended_;
    // A failed write may have left part of a record: nothing more goes after it, but into a
    // new segment, where nothing unreadable precedes them. A full segment is closed too.
    Status s;
    if (broken_ || size_ >= kSegmentBytes) s = StartSegment(gen_ + 1);
    lock.unlock();
    if (s.ok()) s = coffer::WriteAll(fd_, bytes);
    if (s.ok() && fdatasync(fd_) != 0) {
      s = Status::Unavailable("cannot sync the checkout journal: " + Errno());
    }
    if (s.ok()) {
      for (JournalEntry& e : entries) {  // each record's end, for the applier's mark
        size_ += e.end;
        e.gen = gen_;
        e.end = size_;
      }
    } else {
      GlobalStoreMetrics().CountError(StoreMetrics::ErrorKind::kUnavailable);
    }
    lock.lock();
    if (!s.ok()) broken_ = true;
    durable_ = upto;
    if (s.ok()) {
      for (JournalEntry& e : entries) to_apply_.push_back(std::move(e));
      apply_cv_.notify_one();
    }
    // Wake, in order, every waiter whose record (or whose barrier) is now resolved.
    while (!waiters_.empty() && waiters_.front()->seq <= upto) {
      Waiter* w = waiters_.front();
      waiters_.pop_front();
      w->status = s;
      w->done.release();  // w lives on the waiter's stack: not touched after this
    }
  }
}

void CheckoutJournal::RunApplier() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    apply_cv_.wait(lock, [&] { return !to_apply_.empty() || apply_closing_; });
    if (to_apply_.empty()) return;  // closing, and all applied
    // Let a group gather (kApplyDelay), unless a reader waits, the store closes, or there
    // is a full batch already.
    apply_cv_.wait_for(lock, kApplyDelay, [&] {
      return apply_closing_ || apply_wanted_ > applied_ || to_apply_.size() >= kApplyBatch;
    });
    const size_t n = std::min(to_apply_.size(), kApplyBatch);
    std::vector<JournalEntry> batch(std::make_move_iterator(to_apply_.begin()),
                                    std::make_move_iterator(to_apply_.begin() + n));
    to_apply_.erase(to_apply_.begin(), to_apply_.begin() + n);
    lock.unlock();
    Status s = apply_(batch);
    lock.lock();
    if (!s.ok()) {
      // The records stay durable in the journal, and queued here: the next round retries.
      // (The writer counted its error for /metrics.)
      to_apply_.insert(to_apply_.begin(), std::make_move_iterator(batch.begin()),
                       std::make_move_iterator(batch.end()));
      if (apply_closing_) {
        apply_failed_ = true;  // the segments stay, for the next owner
        applied_cv_.notify_all();
        return;
      }
      apply_cv_.wait_for(lock, std::chrono::milliseconds(200));
      continue;
    }
    applied_ += n;
    applied_cv_.notify_all();
    // Closed segments all of whose records are in the database: gone.
    const int64_t last_gen = batch.back().gen;
    const bool all_applied = to_apply_.empty() && pending_.empty();
    std::vector<int64_t> done;
    std::erase_if(old_gens_, [&](int64_t g) {
      if (g >= last_gen && !all_applied) return false;
      done.push_back(g);
      return true;
    });
    lock.unlock();
    for (int64_t g : done) unlink(SegmentPath(db_path_, g).c_str());
    lock.lock();
  }
}

}  // namespace coffer::store
