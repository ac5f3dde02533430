// GroupCommit's callbacks: told on the submitting thread's Resumer when it has one, on the
// committer otherwise, and never posted to a thread that waits for them (Write, Await).
#include "store/sql/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "common/resumer.h"
#include "service/await.h"

namespace coffer::store::sql {
namespace {

struct FakeDb {
  int writes = 0;
};

// A Resumer whose posted callbacks wait until the test runs them.
class QueueResumer final : public Resumer {
 public:
  void Post(std::function<void()> fn) override {
    std::lock_guard<std::mutex> lock(mu_);
    queued_.push_back(std::move(fn));
  }
  size_t Queued() {
    std::lock_guard<std::mutex> lock(mu_);
    return queued_.size();
  }
  // Waits until `n` are queued (the committer posts them once its batch is committed), or
  // gives up after a minute, for the test's expectations to fail.
  void WaitFor(size_t n) {
    for (int i = 0; i < 60000 && Queued() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  void RunAll() {
    std::vector<std::function<void()>> run;
    {
      std::lock_guard<std::mutex> lock(mu_);
      run.swap(queued_);
    }
    for (auto& fn : run) fn();
  }

 private:
  std::mutex mu_;
  std::vector<std::function<void()>> queued_;
};

// Commits a batch by running each write on one FakeDb.
struct Committer {
  FakeDb db;
  GroupCommit<FakeDb> commit{[this](const GroupCommit<FakeDb>::Batch& batch) {
    for (const auto& w : batch) w->status = w->fn(db);
  }};
};

Status CountWrite(FakeDb& db) {
  ++db.writes;
  return Status::Ok();
}

TEST(GroupCommit, AWriteSubmittedFromAThreadWithAResumerIsToldThere) {
  auto shared = std::make_shared<QueueResumer>();
  QueueResumer& resumer = *shared;
  SetThreadResumer(shared);
  Committer c;
  std::atomic<bool> told{false};
  std::thread::id told_on;
  c.commit.Submit(CountWrite, [&](Status s) {
    EXPECT_TRUE(s.ok());
    told_on = std::this_thread::get_id();
    told = true;
  });
  resumer.WaitFor(1);
  ASSERT_EQ(resumer.Queued(), 1u);
  EXPECT_FALSE(told.load());  // committed, and waiting for this thread
  resumer.RunAll();
  EXPECT_TRUE(told.load());
  EXPECT_EQ(told_on, std::this_thread::get_id());
  SetThreadResumer(nullptr);
}

TEST(GroupCommit, AWriteSubmittedWithoutAResumerIsToldOnTheCommitter) {
  Committer c;
  std::thread::id told_on = std::this_thread::get_id();
  std::atomic<bool> told{false};
  c.commit.Submit(CountWrite, [&](Status) {
    told_on = std::this_thread::get_id();
    told = true;
  });
  c.commit.Close();  // tells every callback before it returns
  EXPECT_TRUE(told.load());
  EXPECT_NE(told_on, std::this_thread::get_id());
}

TEST(GroupCommit, AThreadThatWaitsIsNotPostedTo) {
  auto shared = std::make_shared<QueueResumer>();
  QueueResumer& resumer = *shared;
  SetThreadResumer(shared);
  Committer c;
  // Each would wait for ever if its outcome were posted to this thread's resumer.
  EXPECT_TRUE(c.commit.Write(CountWrite).ok());
  Status awaited =
      service::Await<Status>([&](auto done) { c.commit.Submit(CountWrite, std::move(done)); });
  EXPECT_TRUE(awaited.ok());
  EXPECT_EQ(resumer.Queued(), 0u);
  EXPECT_EQ(ThreadResumer().get(), &resumer);  // Await gave it back
  c.commit.Close();
  EXPECT_EQ(c.db.writes, 2);
  SetThreadResumer(nullptr);
}

}  // namespace
}  // namespace coffer::store::sql
