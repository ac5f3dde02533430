// The shared KeyStore methods (sql_keys.h): included only by a backend's
// *_store_keys.cc, which then instantiates SqlKeys explicitly (the backend's row helpers are
// found by argument-dependent lookup on its Db).
#pragma once

#include <map>
#include <string>

#include "store/sql/sql_keys.h"

namespace coffer::store::sql {

template <class Backend, class Base>
Result<std::vector<KeyRecord>> SqlKeys<Backend, Base>::ListKeys() {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([](typename Backend::SqlDb& db) -> Result<std::vector<KeyRecord>> {
    Stmt q(db, "SELECT id, wrapped, create_time FROM keyring WHERE retire_time = 0 ORDER BY id");
    std::vector<KeyRecord> out;
    while (q.Step()) out.push_back({static_cast<uint32_t>(q.Int(0)), q.Blob(1), q.Int(2)});
    COFFER_RETURN_IF_ERROR(q.status());
    return out;
  });
}

template <class Backend, class Base>
Status SqlKeys<Backend, Base>::AddKey(const KeyRecord& key) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
    return Stmt(db, "INSERT INTO keyring (id, wrapped, create_time) VALUES (?,?,?)")
        .Bind(1, static_cast<int64_t>(key.id))
        .BindBlob(2, key.wrapped)
        .Bind(3, key.create_time)
        .Run();
  });
}

template <class Backend, class Base>
Result<std::vector<KeyInfoRecord>> SqlKeys<Backend, Base>::ListKeyInfo() {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([](typename Backend::SqlDb& db) -> Result<std::vector<KeyInfoRecord>> {
    std::map<uint32_t, KeyInfoRecord> by_id;
    {
      Stmt q(db, "SELECT id, create_time, retire_time FROM keyring ORDER BY id");
      while (q.Step()) {
        auto id = static_cast<uint32_t>(q.Int(0));
        by_id[id] = {id, q.Int(1), q.Int(2), 0};
      }
      COFFER_RETURN_IF_ERROR(q.status());
    }
    Stmt c(db,
           "SELECT kek_id, COUNT(*) FROM secret_versions WHERE kek_id != 0 "
           "GROUP BY kek_id");
    while (c.Step()) {
      auto id = static_cast<uint32_t>(c.Int(0));
      auto& k = by_id[id];
      k.id = id;
      k.data_keys = c.Int(1);
    }
    COFFER_RETURN_IF_ERROR(c.status());
    std::vector<KeyInfoRecord> out;
    for (auto& [id, k] : by_id) out.push_back(k);
    return out;
  });
}

template <class Backend, class Base>
Status SqlKeys<Backend, Base>::RetireKey(uint32_t id, int64_t time) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) -> Status {
    const auto key = static_cast<int64_t>(id);
    int64_t retired = 0;
    {
      Stmt q(db,
             (std::string("SELECT retire_time FROM keyring WHERE id = ?") + Backend::kLockKeyRow)
                 .c_str());
      q.Bind(1, key);
      if (!q.Step()) {
        COFFER_RETURN_IF_ERROR(q.status());
        return Status::NotFound("there is no key " + std::to_string(id));
      }
      retired = q.Int(0);
    }
    if (retired != 0) {
      return Status::FailedPrecondition("key " + std::to_string(id) + " is retired already");
    }
    {
      Stmt q(db, "SELECT MAX(id) FROM keyring");
      if (q.Step() && q.Int(0) == key) {
        return Status::FailedPrecondition("key " + std::to_string(id) +
                                          " is the current key; rotate to a new key first");
      }
      COFFER_RETURN_IF_ERROR(q.status());
    }
    {
      Stmt q(db, "SELECT COUNT(*) FROM secret_versions WHERE kek_id = ?");
      q.Bind(1, key);
      if (q.Step() && q.Int(0) > 0) {
        const int64_t n = q.Int(0);
        return Status::FailedPrecondition(
            "key " + std::to_string(id) + " still wraps " + std::to_string(n) +
            (n == 1 ? " data key" : " data keys") + "; run coffer keys rotate first");
      }
      COFFER_RETURN_IF_ERROR(q.status());
    }
    return Stmt(db, (std::string("UPDATE keyring SET wrapped = ") + Backend::kEmptyBytes +
                     ", retire_time = ? WHERE id = ?")
                        .c_str())
        .Bind(1, time > 0 ? time : 1)
        .Bind(2, key)
        .Run();
  });
}

template <class Backend, class Base>
Result<std::vector<SealedVersionRecord>> SqlKeys<Backend, Base>::ListVersionsNotUnderKey(
    uint32_t kek_id, const std::string& after_secret_id, int64_t after_version, int limit) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([&](typename Backend::SqlDb& db) -> Result<std::vector<SealedVersionRecord>> {
    Stmt q(db,
           "SELECT v.secret_id, v.version, s.org_id, s.scope, s.owner_id, v.kek_id, v.sealed "
           "FROM secret_versions v JOIN secrets s ON s.id = v.secret_id "
           "WHERE v.kek_id != ? AND length(v.sealed) > 0 AND (v.secret_id, v.version) > (?, ?) "
           "ORDER BY v.secret_id, v.version LIMIT ?");
    q.Bind(1, static_cast<int64_t>(kek_id))
        .Bind(2, after_secret_id)
        .Bind(3, after_version)
        .Bind(4, static_cast<int64_t>(limit));
    std::vector<SealedVersionRecord> out;
    while (q.Step()) {
      out.push_back({q.Text(0), q.Int(1), q.Text(2), q.Text(3), q.Text(4),
                     static_cast<uint32_t>(q.Int(5)), q.Blob(6)});
    }
    COFFER_RETURN_IF_ERROR(q.status());
    return out;
  });
}

template <class Backend, class Base>
Result<int64_t> SqlKeys<Backend, Base>::ReplaceSealedVersions(
    const std::vector<ResealedVersionRecord>& batch) {
  int64_t replaced = 0;
  using Stmt = typename Backend::SqlStmt;
  Status s = self().Write([&](typename Backend::SqlDb& db) -> Status {
    replaced = 0;
    for (const auto& r : batch) {
      Stmt u(db,
             "UPDATE secret_versions SET sealed = ? "
             "WHERE secret_id = ? AND version = ? AND sealed = ?");
      u.BindBlob(1, r.sealed).Bind(2, r.secret_id).Bind(3, r.version).BindBlob(4, r.old_sealed);
      Status us = u.Run();
      if (us.Is(Status::Code::kInternal)) {
        // The one constraint this update can hit is the trigger refusing a retired key.
        return Status::FailedPrecondition("a re-wrapped record names a retired key");
      }
      COFFER_RETURN_IF_ERROR(us);  // busy or unreachable, damaged: as it is
      replaced += u.Changes();
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return replaced;
}

template <class Backend, class Base>
Result<std::string> SqlKeys<Backend, Base>::GetNamedKey(const std::string& name) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([&](typename Backend::SqlDb& db) -> Result<std::string> {
    Stmt q(db, "SELECT wrapped FROM named_keys WHERE name = ?");
    q.Bind(1, name);
    if (q.Step()) return q.Blob(0);
    COFFER_RETURN_IF_ERROR(q.status());
    return Status::NotFound("no key named " + name);
  });
}

template <class Backend, class Base>
Status SqlKeys<Backend, Base>::AddNamedKey(const std::string& name, const std::string& wrapped,
                                           int64_t time) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
    return Stmt(db, "INSERT INTO named_keys (name, wrapped, create_time) VALUES (?,?,?)")
        .Bind(1, name)
        .BindBlob(2, wrapped)
        .Bind(3, time)
        .Run();
  });
}

template <class Backend, class Base>
Status SqlKeys<Backend, Base>::RewrapKeyring(const std::vector<KekRewrap>& keks,
                                             const std::vector<NamedKeyRewrap>& named) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) -> Status {
    auto changed = [] {
      return Status::FailedPrecondition(
          "the keyring changed while it was being re-wrapped; nothing was changed, run it again");
    };
    int64_t live = 0, names = 0;
    {
      // No key is added, retired or re-wrapped meanwhile (the backend's LockKeyring).
      COFFER_RETURN_IF_ERROR(Backend::LockKeyring(db));
      Stmt q(db, "SELECT COUNT(*) FROM keyring WHERE retire_time = 0");
      if (q.Step()) live = q.Int(0);
      COFFER_RETURN_IF_ERROR(q.status());
      Stmt n(db, "SELECT COUNT(*) FROM named_keys");
      if (n.Step()) names = n.Int(0);
      COFFER_RETURN_IF_ERROR(n.status());
    }
    if (live != static_cast<int64_t>(keks.size()) || names != static_cast<int64_t>(named.size())) {
      return changed();
    }
    for (const auto& k : keks) {
      Stmt u(db, "UPDATE keyring SET wrapped = ? WHERE id = ? AND wrapped = ? AND retire_time = 0");
      u.BindBlob(1, k.wrapped).Bind(2, static_cast<int64_t>(k.id)).BindBlob(3, k.old_wrapped);
      COFFER_RETURN_IF_ERROR(u.Run());
      if (u.Changes() != 1) return changed();
    }
    for (const auto& k : named) {
      Stmt u(db, "UPDATE named_keys SET wrapped = ? WHERE name = ? AND wrapped = ?");
      u.BindBlob(1, k.wrapped).Bind(2, k.name).BindBlob(3, k.old_wrapped);
      COFFER_RETURN_IF_ERROR(u.Run());
      if (u.Changes() != 1) return changed();
    }
    return Status::Ok();
  });
}

}  // namespace coffer::store::sql
