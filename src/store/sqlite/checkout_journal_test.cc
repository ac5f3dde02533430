// The checkout journal (checkout_journal.h): its records, a killed owner's replay, its lock,
// and a finish racing checkouts.
#include "store/sqlite/checkout_journal.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/fd_io.h"
#include "store/sqlite/sqlite_store.h"

namespace coffer::store {
namespace {

JournalEntry Checkout(const std::string& request_id, int secrets) {
  JournalEntry e;
  for (int i = 0; i < secrets; ++i) {
    const std::string sid = "secret-" + std::to_string(i);
    e.usage.push_back({sid, "org1", "p1", "j1", "pipe", "wf", 100 + i, 3});
    AuditRecord a;
    a.id = request_id + "-" + std::to_string(i);
    a.time = 100 + i;
    a.org_id = "org1";
    a.actor_id = "j1";
    a.actor_name = "job";
    a.medium = "JOB";
    a.ip = "127.0.0.1";
    a.request_id = request_id;
    a.action = "secret.checkout";
    a.resource_type = "secret";
    a.resource_id = sid;
    a.resource_name = std::string("name\0with a NUL", 15);
    a.scope = "organization";
    a.version = 3;
    a.job_id = "j1";
    e.audits.push_back(a);
  }
  return e;
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/coffer-journal-test-XXXXXX";
    EXPECT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  ~TempDir() { std::system(("rm -rf " + dir_).c_str()); }
  std::string db() const { return dir_ + "/coffer.db"; }

 private:
  std::string dir_;
};

void WriteFile(const std::string& path, const std::string& bytes) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WriteAll(fd, bytes).ok());
  close(fd);
}

TEST(CheckoutJournalRecords, RoundTripAndRefuseWhatIsNotOne) {
  const JournalEntry e = Checkout("req-1", 5);
  const std::string payload = EncodeEntry(e);
  JournalEntry back;
  ASSERT_TRUE(DecodeEntry(payload, &back));
  ASSERT_EQ(back.usage.size(), 5u);
  ASSERT_EQ(back.audits.size(), 5u);
  EXPECT_EQ(back.usage[4].secret_id, "secret-4");
  EXPECT_EQ(back.usage[4].time, 104);
  EXPECT_EQ(back.audits[2].resource_name, e.audits[2].resource_name);  // the NUL kept
  EXPECT_EQ(back.audits[2].request_id, "req-1");
  EXPECT_EQ(back.audits[2].version, 3);
  // Every proper prefix, and anything with a byte more, is not a record.
  for (size_t n = 0; n < payload.size(); ++n) {
    EXPECT_FALSE(DecodeEntry(std::string_view(payload).substr(0, n), &back)) << n;
  }
  EXPECT_FALSE(DecodeEntry(payload + "x", &back));
  // Hostile bytes (a damaged disk, a file put there by someone): refused or read, never a
  // read out of bounds (the ASan build runs this too) nor a huge allocation.
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = payload;
    for (int flips = 1 + static_cast<int>(rng() % 4); flips > 0; --flips) {
      bytes[rng() % bytes.size()] = static_cast<char>(rng());
    }
    bytes.resize(rng() % (bytes.size() + 1));
    (void)DecodeEntry(bytes, &back);
  }
  EXPECT_FALSE(DecodeEntry(std::string("\xff\xff\xff\xff", 4), &back));
}

TEST(CheckoutJournalRecords, ASegmentIsReadUpToItsFirstTornOrDamagedRecord) {
  TempDir dir;
  const std::string path = dir.db() + "-checkouts.3";
  std::string whole;
  for (int i = 0; i < 3; ++i) whole += FrameRecord(EncodeEntry(Checkout("r" + std::to_string(i), 2)));
  const std::string fourth = FrameRecord(EncodeEntry(Checkout("r3", 2)));
  WriteFile(path, whole + fourth.substr(0, fourth.size() / 2));  // a write cut short
  std::vector<JournalEntry> read;
  auto collect = [&](JournalEntry&& e) { read.push_back(std::move(e)); };
  auto end = ReadSegment(path, 3, 0, collect);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, static_cast<int64_t>(whole.size()));
  ASSERT_EQ(read.size(), 3u);
  EXPECT_EQ(read[2].audits[0].request_id, "r2");
  EXPECT_EQ(read[2].gen, 3);
  EXPECT_EQ(read[2].end, static_cast<int64_t>(whole.size()));
  // From an offset (the records are of one size): the records after it.
  read.clear();
  ASSERT_TRUE(ReadSegment(path, 3, static_cast<int64_t>(whole.size() / 3), collect).ok());
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].audits[0].request_id, "r1");
  // A flipped byte in the second record: the first only (its CRC fails).
  std::string damaged = whole;
  damaged[whole.size() / 3 + 20] ^= 0x40;
  WriteFile(path, damaged);
  read.clear();
  ASSERT_TRUE(ReadSegment(path, 3, 0, collect).ok());
  EXPECT_EQ(read.size(), 1u);
  ASSERT_EQ(ListSegments(dir.db()).size(), 1u);
  EXPECT_EQ(ListSegments(dir.db())[0].first, 3);
}

size_t CheckoutEvents(SqliteStore& s) {
  auto events = s.ListAudit("org1", 0, 10000);
  EXPECT_TRUE(events.ok());
  size_t n = 0;
  for (const auto& e : *events) n += e.action == "secret.checkout";
  return n;
}

// A server killed with SIGKILL leaves records that its applier had not applied: the next
// store to open the database applies them, once, and none of a torn tail.
TEST(SqliteCheckoutJournal, WhatAKilledOwnerLeftIsAppliedOnceByTheNextOpen) {
  TempDir dir;
  { ASSERT_TRUE(SqliteStore::Open(dir.db()).ok()); }  // a database at schema 9; closed clean
  EXPECT_TRUE(ListSegments(dir.db()).empty());
  EXPECT_FALSE(Exists(dir.db() + "-checkouts.lock"));
  std::string records;
  for (int i = 0; i < 3; ++i) records += FrameRecord(EncodeEntry(Checkout("k" + std::to_string(i), 5)));
  const std::string torn = FrameRecord(EncodeEntry(Checkout("torn", 5)));
  WriteFile(dir.db() + "-checkouts.4", records + torn.substr(0, torn.size() - 3));
  {
    auto s = SqliteStore::Open(dir.db());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(CheckoutEvents(**s), 15u);
    auto usage = (*s)->ListUsage("org1", "secret-0", 10);
    ASSERT_TRUE(usage.ok());
    EXPECT_EQ(usage->size(), 3u);
    // The old segment is gone; the new one is numbered past it.
    auto segments = ListSegments(dir.db());
    ASSERT_EQ(segments.size(), 1u);
    EXPECT_EQ(segments[0].first, 5);
  }
  // The same records again (a copy of the file put back): already applied, skipped.
  WriteFile(dir.db() + "-checkouts.4", records);
  {
    auto s = SqliteStore::Open(dir.db());
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(CheckoutEvents(**s), 15u);
  }
  EXPECT_TRUE(ListSegments(dir.db()).empty());
}

// Two stores on one database (a server and a `coffer admin` beside it): the second does not
// get the journal, and closing it leaves the owner's segments alone.
TEST(SqliteCheckoutJournal, OnlyItsOwnerTouchesIt) {
  TempDir dir;
  auto owner = SqliteStore::Open(dir.db());
  ASSERT_TRUE(owner.ok());
  ASSERT_TRUE((*owner)->CreateOrg({"org1", "acme", 1}).ok());
  JobRecord job;
  job.id = "j1";
  job.org_id = "org1";
  job.project_id = "p1";
  job.token_hash = "hash-j1";
  job.expires_at = 1LL << 40;
  AuditRecord open;
  open.id = "open";
  open.org_id = "org1";
  open.action = "job.open";
  ASSERT_TRUE((*owner)->CreateJob(job, open, nullptr).ok());
  JournalEntry e = Checkout("by-owner", 1);
  ASSERT_TRUE((*owner)->RecordCheckout("org1", "j1", 100, e.usage, e.audits).ok());
  ASSERT_TRUE((*owner)->ListUsage("org1", "secret-0", 1).ok());  // applied by now
  ASSERT_EQ(ListSegments(dir.db()).size(), 1u);
  const std::string segment = ListSegments(dir.db())[0].second;
  {
    auto other = SqliteStore::Open(dir.db());
    ASSERT_TRUE(other.ok());
    // Its checkouts go through its writer, and show at once.
    JournalEntry mine = Checkout("by-other", 1);
    ASSERT_TRUE((*other)->RecordCheckout("org1", "j1", 100, mine.usage, mine.audits).ok());
    EXPECT_EQ(CheckoutEvents(**other), 2u);
  }
  EXPECT_TRUE(Exists(segment)) << "a store that does not own the journal removed " << segment;
  EXPECT_TRUE(Exists(dir.db() + "-checkouts.lock"));
  EXPECT_EQ(CheckoutEvents(**owner), 2u);
  owner->reset();
  EXPECT_FALSE(Exists(segment));
  EXPECT_FALSE(Exists(dir.db() + "-checkouts.lock"));
}

// Checkouts racing their job's finish: none begun after the finish returned acknowledged, and
// every acknowledged one in the audit log before the finish's event.
TEST(SqliteCheckoutJournal, NoCheckoutIsAcknowledgedAfterItsJobsFinish) {
  TempDir dir;
  auto s = SqliteStore::Open(dir.db());
  ASSERT_TRUE(s.ok());
  SqliteStore& store = **s;
  ASSERT_TRUE(store.CreateOrg({"org1", "acme", 1}).ok());
  for (int round = 0; round < 20; ++round) {
    const std::string id = "job-" + std::to_string(round);
    JobRecord job;
    job.id = id;
    job.org_id = "org1";
    job.project_id = "p1";
    job.token_hash = "hash-" + id;
    job.expires_at = 1LL << 40;
    AuditRecord open;
    open.id = id + "-open";
    open.org_id = "org1";
    open.action = "job.open";
    ASSERT_TRUE(store.CreateJob(job, open, nullptr).ok());
    std::atomic<bool> finished{false};
    std::atomic<int> late{0}, acknowledged{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t) {
      clients.emplace_back([&, t] {
        for (int i = 0; i < 30; ++i) {
          JournalEntry e = Checkout(id + "-" + std::to_string(t) + "-" + std::to_string(i), 1);
          for (auto& a : e.audits) a.job_id = id;
          // A checkout begun after the finish returned must be refused.
          const bool after = finished.load();
          Status st = store.RecordCheckout("org1", id, 100, e.usage, e.audits);
          if (st.ok()) {
            ++acknowledged;
            if (after) ++late;
          } else {
            EXPECT_EQ(st.code(), Status::Code::kFailedPrecondition) << st.ToString();
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500 * (round % 5)));
    AuditRecord fin;
    fin.id = id + "-finish";
    fin.org_id = "org1";
    fin.action = "job.finish";
    fin.job_id = id;
    ASSERT_TRUE(store.FinishJob("org1", id, fin).ok());
    finished = true;
    for (auto& c : clients) c.join();
    EXPECT_EQ(late.load(), 0) << id;
    auto events = store.ListAudit("org1", 0, 100000);
    ASSERT_TRUE(events.ok());
    int checkouts = 0;
    bool finish_seen = false;
    for (const auto& ev : *events) {
      if (ev.job_id != id) continue;
      if (ev.action == "job.finish") finish_seen = true;
      if (ev.action == "secret.checkout") {
        EXPECT_FALSE(finish_seen) << id << ": a checkout recorded after the finish";
        ++checkouts;
      }
    }
    EXPECT_TRUE(finish_seen);
    EXPECT_EQ(checkouts, acknowledged.load()) << id;
  }
}

}  // namespace
}  // namespace coffer::store
