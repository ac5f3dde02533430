// PgStore (PostgreSQL): the keyring (KeyStore).
#include "store/postgres/pg_store.h"

namespace coffer::store::pg {

Result<std::vector<KeyRecord>> PgStore::ListKeys() {
  return Read([](Db& db) -> Result<std::vector<KeyRecord>> {
    Stmt q(db, "SELECT id, wrapped, create_time FROM keyring ORDER BY id");
    std::vector<KeyRecord> out;
    while (q.Step()) out.push_back({static_cast<uint32_t>(q.Int(0)), q.Blob(1), q.Int(2)});
    COFFER_RETURN_IF_ERROR(q.status());
    return out;
  });
}

Status PgStore::AddKey(const KeyRecord& key) {
  return Write([&](Db& db) {
    return Stmt(db, "INSERT INTO keyring (id, wrapped, create_time) VALUES (?,?,?)")
        .Bind(1, static_cast<int64_t>(key.id))
        .BindBlob(2, key.wrapped)
        .Bind(3, key.create_time)
        .Run();
  });
}

}  // namespace coffer::store::pg
