// CopySqliteToPostgres: `coffer migrate`'s engine — every row of a SQLite store copied,
// as it is, into an empty PostgreSQL store.
//
// Both schemas are first brought to this binary's latest version (the same number on
// both backends), then each table of the SQLite file is copied in foreign-key order, in
// one PostgreSQL transaction: ids, token hashes, sealed secret versions and wrapped keys
// are bytes to it — nothing is decrypted and the master key is never read. Audit and
// usage sequence numbers are kept (and the identity sequences moved past them).
// FailedPrecondition, with nothing written, when the PostgreSQL store is not empty.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"

namespace coffer::store::pg {

// `on_table` is told each table copied and its row count.
Status CopySqliteToPostgres(const std::string& sqlite_path, const std::string& conninfo,
                            const std::function<void(const std::string&, int64_t)>& on_table);

}  // namespace coffer::store::pg
