// GroupCommit: the write queue both SQL backends commit in groups. Writers queue a function
// of the backend's connection; a committer thread takes what is queued (up to kMaxBatch
// writes) and hands it to the backend's `commit`, which runs them in one transaction, each
// in a savepoint of its own, and sets each one's status; then each write's callback is told
// its outcome: on the submitting thread's Resumer (common/resumer.h) when it has one (an I/O
// thread), else on that committer thread. One durable commit (one fsync, or one WAL flush) a
// batch, and no thread parked per write unless it chooses to wait (Write). SQLite has one
// committer (one writer); PostgreSQL several, each batch on a connection of its own.
//
// Closing (Close, or the destructor) commits what is still queued and tells every callback
// before it returns; a write submitted after that is refused.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "common/resumer.h"
#include "common/status.h"
#include "common/thread_name.h"

namespace coffer::store::sql {

// A write's outcome, for a thread that waits for it. A condition variable rather than a
// std::binary_semaphore, which spins with sched_yield before it sleeps: with every core
// busy each yield is a context switch, and 32 waiting workers made them a tenth of the
// server's CPU.
class WriteOutcome {
 public:
  void Tell(Status s) {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = std::move(s);
    told_ = true;
    cv_.notify_one();  // under the lock: the waiter's frame outlives this call
  }
  Status Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return told_; });
    return std::move(status_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool told_ = false;  // under mu_
  Status status_;
};

template <class Db>
class GroupCommit {
 public:
  struct Pending {
    std::function<Status(Db&)> fn;
    std::function<void(Status)> done;  // once the batch committed: on `resume`, or the committer
    std::shared_ptr<Resumer> resume;   // the submitting thread's, or null
    Status status;                     // set by `commit`
  };
  using Batch = std::vector<std::unique_ptr<Pending>>;
  static constexpr size_t kMaxBatch = 64;

  // `commit` commits one batch and sets every write's status; it runs on the `committers`
  // threads, which start here (each commits one batch at a time).
  explicit GroupCommit(std::function<void(const Batch&)> commit, int committers = 1)
      : commit_(std::move(commit)) {
    for (int i = 0; i < std::max(committers, 1); ++i) threads_.emplace_back([this] { Run(); });
  }
  ~GroupCommit() { Close(); }
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Queues `fn`; `done` gets its outcome once its batch is durable (or failed), on the
  // calling thread's Resumer if it has one, else on the committer thread. Never blocks on
  // the commit.
  void Submit(std::function<Status(Db&)> fn, std::function<void(Status)> done) {
    Enqueue(std::move(fn), std::move(done), ThreadResumer());
  }

  // Submit, then wait for the outcome (told on the committer thread: this one is waiting).
  Status Write(std::function<Status(Db&)> fn) {
    WriteOutcome outcome;
    Enqueue(
        std::move(fn), [&outcome](Status s) { outcome.Tell(std::move(s)); }, nullptr);
    return outcome.Wait();
  }

  // Commits what is queued, tells every callback, and stops the committer thread.
  void Close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closing_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  void Enqueue(std::function<Status(Db&)> fn, std::function<void(Status)> done,
               std::shared_ptr<Resumer> resume) {
    auto w = std::make_unique<Pending>();
    w->fn = std::move(fn);
    w->done = std::move(done);
    w->resume = std::move(resume);
    bool wake = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!closing_) {
        queue_.push_back(std::move(w));
        // One wake per idle committer at most: one busy committing looks at the queue again
        // when it is done.
        wake = idle_ > waking_;
        if (wake) ++waking_;
      }
    }
    if (w != nullptr) return w->done(Status::Unavailable("the store is closing"));  // unlocked
    if (wake) cv_.notify_one();
  }

  // Commits what is queued, a batch at a time, then runs the batch's callbacks; sleeps while
  // nothing is queued; once closing, commits what is still queued and returns.
  void Run() {
    NameThisThread("coffer-commit");
    Batch batch;
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (queue_.empty()) {
        if (closing_) return;
        ++idle_;
        cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
        --idle_;
        if (waking_ > 0) --waking_;
        continue;
      }
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      lock.unlock();
      commit_(batch);
      for (auto& w : batch) {
        if (w->resume == nullptr) {
          w->done(std::move(w->status));
        } else {
          w->resume->Post([done = std::move(w->done), s = std::move(w->status)]() mutable {
            done(std::move(s));
          });
        }
      }
      batch.clear();
      lock.lock();
    }
  }

  const std::function<void(const Batch&)> commit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Pending>> queue_;  // under mu_, oldest first
  int idle_ = 0;                                // under mu_: committers waiting for a write
  int waking_ = 0;                              // under mu_: of those, woken and not yet up
  bool closing_ = false;                        // under mu_
  std::vector<std::thread> threads_;            // last: they start once the rest is made
};

}  // namespace coffer::store::sql
