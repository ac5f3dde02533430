// The SQL of the migrations that make the store generation's triggers (read_cache.h):
// internal to migrations.cc, which applies them as migrations 10, 13 and 14.
#pragma once

#include <string>

namespace coffer::store {

// Migration 10's triggers: after each insert, update and delete of a row of each table whose
// rows a server caches, the store generation moves; with `two` (migration 13), row 2 for
// secrets and row 1 for the others.
std::string GenerationTriggers(bool two);

// Migration 13: the triggers of migration 10 dropped, the table made again with room for row
// 2 (its CHECK), both rows past the value of before, and the triggers made again.
std::string TwoGenerationsMigration();

// Migration 14: after each update and delete of a row of secret_versions, row 2 moves.
std::string VersionGenerationTriggers();

}  // namespace coffer::store
