#include "store/sqlite/generation_triggers.h"

namespace coffer::store {

namespace {

constexpr const char* kCachedTables[] = {"tokens", "users", "project_roles", "secrets"};

// One trigger: after `change` on `table`, row `row` of store_generation moves.
std::string MovesGeneration(const std::string& table, const char* change, const char* row) {
  return "CREATE TRIGGER " + table + "_" + change + "_moves_generation AFTER " + change + " ON " +
         table + " BEGIN INSERT INTO store_generation (id, value) VALUES (" + row +
         ", 1) ON CONFLICT (id) DO UPDATE SET value = value + 1; END;\n";
}

}  // namespace

std::string GenerationTriggers(bool two) {
  std::string sql;
  for (const std::string table : kCachedTables) {
    const char* row = two && table == "secrets" ? "2" : "1";
    for (const char* change : {"INSERT", "UPDATE", "DELETE"}) {
      sql += MovesGeneration(table, change, row);
    }
  }
  return sql;
}

std::string TwoGenerationsMigration() {
  std::string sql;
  for (const std::string table : kCachedTables) {
    for (const char* change : {"INSERT", "UPDATE", "DELETE"}) {
      sql += "DROP TRIGGER " + table + "_" + change + "_moves_generation;\n";
    }
  }
  sql += R"sql(
CREATE TABLE store_generation_13 (
  id     INTEGER PRIMARY KEY CHECK (id IN (1, 2)),
  value  INTEGER NOT NULL
);
INSERT INTO store_generation_13 (id, value)
  SELECT id, COALESCE((SELECT value FROM store_generation WHERE id = 1), 0) + 1
  FROM (SELECT 1 AS id UNION ALL SELECT 2);
DROP TABLE store_generation;
ALTER TABLE store_generation_13 RENAME TO store_generation;
)sql";
  return sql + GenerationTriggers(true);
}

std::string VersionGenerationTriggers() {
  return MovesGeneration("secret_versions", "UPDATE", "2") +
         MovesGeneration("secret_versions", "DELETE", "2");
}

}  // namespace coffer::store
