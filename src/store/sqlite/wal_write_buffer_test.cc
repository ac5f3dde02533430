// The WAL write buffer (wal_write_buffer.h): what a commit wrote through it is in the file,
// for another connection and after the process is killed, whatever the commit's size; a
// transaction that spills pages to the WAL reads them back.
#include "store/sqlite/wal_write_buffer.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "store/sqlite/sqlite_db.h"

namespace coffer::store {
namespace {

class WalWriteBuffer : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/coffer-walbuf-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/w.db";
  }
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm"}) unlink((path_ + suffix).c_str());
    rmdir(dir_.c_str());
  }
  // A connection through the buffer, as SqliteStore's writer is: WAL, synchronous FULL,
  // no automatic checkpoint (the WAL keeps every frame for the checks to read).
  Db Writer() {
    auto db = Db::Open(path_, false, WalWriteBufferVfs());
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) std::abort();
    EXPECT_TRUE(db->Exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                         "PRAGMA wal_autocheckpoint = 0;"
                         "CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v BLOB)")
                    .ok());
    return std::move(db).value();
  }
  // Rows and their bytes as a connection of the default VFS reads them.
  static void ExpectRows(const std::string& path, int64_t rows, int64_t bytes) {
    auto other = Db::Open(path, true);
    ASSERT_TRUE(other.ok()) << other.status().ToString();
    Stmt q(*other, "SELECT count(*), coalesce(sum(length(v)), 0) FROM t");
    ASSERT_TRUE(q.Step()) << q.status().ToString();
    EXPECT_EQ(q.Int(0), rows);
    EXPECT_EQ(q.Int(1), bytes);
    Stmt check(*other, "PRAGMA integrity_check");
    ASSERT_TRUE(check.Step());
    EXPECT_EQ(check.Text(0), "ok");
  }
  // Inserts `rows` rows of `size` random bytes each in one transaction.
  static void Insert(Db& db, int rows, int size) {
    ASSERT_TRUE(db.Exec("BEGIN").ok());
    for (int i = 0; i < rows; ++i) {
      Stmt ins(db, "INSERT INTO t (v) VALUES (randomblob(?))");
      ins.Bind(1, static_cast<int64_t>(size));
      ASSERT_TRUE(ins.Run().ok());
    }
    ASSERT_TRUE(db.Exec("COMMIT").ok());
  }
  std::string dir_, path_;
};

// Small commits, and commits of hundreds of frames (each past the 128 KiB that SQLite's
// own write call takes at once: a run sent to it whole failed with "disk full"), and one
// past the buffer's 4 MiB: all of each is in the file when COMMIT returns.
TEST_F(WalWriteBuffer, EveryCommitIsInTheFileWhenItReturnsWhateverItsSize) {
  Db db = Writer();
  int64_t rows = 0, bytes = 0;
  for (auto [n, size] : {std::pair{1, 10},
                         {3, 100},
                         {60, 4000},
                         {1, 300000},
                         {200, 3000},
                         {1100, 4000},
                         {1, 5000000},
                         {2, 1}}) {
    Insert(db, n, size);
    rows += n;
    bytes += int64_t{n} * size;
    ExpectRows(path_, rows, bytes);
  }
  struct stat wal;
  ASSERT_EQ(stat((path_ + "-wal").c_str(), &wal), 0);
  EXPECT_GT(wal.st_size, bytes);  // the frames are in the WAL, no checkpoint copied them
}

// A process killed right after its commits returned, its connection never closed: the
// commits are there when the database is opened again.
TEST_F(WalWriteBuffer, ACommitThatReturnedOutlivesTheProcessKilledAfterIt) {
  { Db db = Writer(); }  // the table
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto db = Db::Open(path_, false, WalWriteBufferVfs());
    if (!db.ok() || !db->Exec("PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 0").ok())
      _exit(2);
    for (int i = 0; i < 20; ++i) {
      if (!db->Exec("BEGIN").ok()) _exit(3);
      for (int j = 0; j < 50; ++j) {
        if (!db->Exec("INSERT INTO t (v) VALUES (randomblob(3000))").ok()) _exit(4);
      }
      if (!db->Exec("COMMIT").ok()) _exit(5);
    }
    raise(SIGKILL);
    _exit(6);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  ExpectRows(path_, 1000, 3000000);
}

// With a page cache of a few pages a transaction writes pages to the WAL before its commit
// and reads them back from there: through the buffer it reads what it wrote.
TEST_F(WalWriteBuffer, ATransactionReadsBackThePagesItSpilledToTheWal) {
  Db db = Writer();
  ASSERT_TRUE(db.Exec("PRAGMA cache_size = 5").ok());
  ASSERT_TRUE(db.Exec("BEGIN").ok());
  for (int i = 1; i <= 400; ++i) {
    Stmt ins(db, "INSERT INTO t (k, v) VALUES (?, zeroblob(?))");
    ins.Bind(1, static_cast<int64_t>(i)).Bind(2, static_cast<int64_t>(1000 + i));
    ASSERT_TRUE(ins.Run().ok());
  }
  {
    Stmt sum(db, "SELECT count(*), sum(length(v)) FROM t");
    ASSERT_TRUE(sum.Step()) << sum.status().ToString();
    EXPECT_EQ(sum.Int(0), 400);
    EXPECT_EQ(sum.Int(1), 400 * 1000 + 400 * 401 / 2);
  }
  ASSERT_TRUE(db.Exec("COMMIT").ok());
  ExpectRows(path_, 400, 400 * 1000 + 400 * 401 / 2);
}

}  // namespace
}  // namespace coffer::store
