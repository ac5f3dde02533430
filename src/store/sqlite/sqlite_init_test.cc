// SQLite is initialised with no memory statistics, whatever initialises it first: with them on,
// every SQLite allocation and free in the process takes one lock that all threads share. A
// binary of its own, because the setting is the process's and holds from its first open.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <string>

#include "store/sqlite/sqlite_store.h"

namespace coffer::store {
namespace {

TEST(SqliteInit, TheStoreOpensSqliteWithoutMemoryStatistics) {
  char tmpl[] = "/tmp/coffer-sqlite-init-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  {
    // The server's own way in: the writer through the WAL write buffer's VFS, the readers,
    // the schema's migrations.
    auto store = SqliteStore::Open(dir + "/coffer.db");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    // Counted, SQLite's memory in use could not be zero with connections open.
    EXPECT_EQ(sqlite3_memory_used(), 0);
    EXPECT_EQ(sqlite3_memory_highwater(0), 0);
  }
  EXPECT_EQ(std::system(("rm -rf " + dir).c_str()), 0);
}

}  // namespace
}  // namespace coffer::store
