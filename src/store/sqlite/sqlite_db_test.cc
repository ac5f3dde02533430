// SqliteStatus: how SQLite's result codes become Status codes.
#include "store/sqlite/sqlite_db.h"

#include <gtest/gtest.h>

namespace coffer::store {
namespace {

// Every SQLITE_CONSTRAINT used to map to AlreadyExists, so a NOT NULL, CHECK or FOREIGN
// KEY violation (a bug, or a row pointing at nothing) read as a name clash.
TEST(SqliteStatus, ForeignKeyNotNullAndCheckViolationsAreInternalNotAlreadyExists) {
  auto db = Db::Open(":memory:", false);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE(db->Exec("PRAGMA foreign_keys = ON;"
                       "CREATE TABLE p (id INTEGER PRIMARY KEY);"
                       "CREATE TABLE t (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
                       "  n INTEGER CHECK (n > 0), p INTEGER REFERENCES p(id));"
                       "INSERT INTO p VALUES (1);"
                       "INSERT INTO t VALUES ('a', 'x', 1, 1);")
                  .ok());
  struct Case {
    const char* what;
    const char* sql;
    Status::Code want;
  };
  const Case kCases[] = {
      {"unique", "INSERT INTO t VALUES ('b', 'x', 1, 1)", Status::Code::kAlreadyExists},
      {"primary key", "INSERT INTO t VALUES ('a', 'y', 1, 1)", Status::Code::kAlreadyExists},
      {"integer primary key", "INSERT INTO p VALUES (1)", Status::Code::kAlreadyExists},
      {"not null", "INSERT INTO t VALUES ('c', NULL, 1, 1)", Status::Code::kInternal},
      {"check", "INSERT INTO t VALUES ('c', 'z', 0, 1)", Status::Code::kInternal},
      {"foreign key", "INSERT INTO t VALUES ('c', 'z', 1, 9)", Status::Code::kInternal},
      {"foreign key on delete", "DELETE FROM p WHERE id = 1", Status::Code::kInternal},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(Stmt(*db, c.sql).Run().code(), c.want) << c.what << " (prepared statement)";
    EXPECT_EQ(db->Exec(c.sql).code(), c.want) << c.what << " (exec)";
  }
  // Nothing of the refused rows was written.
  Stmt q(*db, "SELECT COUNT(*) FROM t");
  ASSERT_TRUE(q.Step());
  EXPECT_EQ(q.Int(0), 1);
}

TEST(SqliteStatus, BusyIsUnavailableAndOtherErrorsInternal) {
  EXPECT_EQ(SqliteStatus(nullptr, SQLITE_BUSY, "x").code(), Status::Code::kUnavailable);
  EXPECT_EQ(SqliteStatus(nullptr, SQLITE_LOCKED, "x").code(), Status::Code::kUnavailable);
  EXPECT_EQ(SqliteStatus(nullptr, SQLITE_CORRUPT, "x").code(), Status::Code::kCorruption);
  EXPECT_EQ(SqliteStatus(nullptr, SQLITE_CONSTRAINT_NOTNULL, "x").code(), Status::Code::kInternal);
  EXPECT_EQ(SqliteStatus(nullptr, SQLITE_CONSTRAINT_UNIQUE, "x").code(),
            Status::Code::kAlreadyExists);
  EXPECT_EQ(SqliteStatus(nullptr, SQLITE_IOERR, "x").code(), Status::Code::kInternal);
}

}  // namespace
}  // namespace coffer::store
