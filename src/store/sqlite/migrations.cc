#include "store/sqlite/migrations.h"

#include <string>

#include "common/ids.h"
#include "store/sqlite/generation_triggers.h"

namespace coffer::store {
namespace {

// The triggers that refuse a sealed record naming a retired key: made by migration 6 and again
// by migration 12, which drops and adds the column they read.
#define COFFER_LIVE_KEK_TRIGGERS                                                               \
  "CREATE TRIGGER secret_versions_insert_live_kek AFTER INSERT ON secret_versions\n"           \
  "WHEN EXISTS (SELECT 1 FROM keyring k WHERE k.id = NEW.kek_id AND k.retire_time != 0)\n"     \
  "BEGIN SELECT RAISE(ABORT, 'a sealed record names a retired key'); END;\n"                   \
  "CREATE TRIGGER secret_versions_update_live_kek AFTER UPDATE OF sealed ON secret_versions\n" \
  "WHEN EXISTS (SELECT 1 FROM keyring k WHERE k.id = NEW.kek_id AND k.retire_time != 0)\n"     \
  "BEGIN SELECT RAISE(ABORT, 'a sealed record names a retired key'); END;\n"

constexpr const char* kMigrations[] = {
    // 1: the initial schema.
    R"sql(
CREATE TABLE keyring (
  id          INTEGER PRIMARY KEY,
  wrapped     BLOB NOT NULL,
  create_time INTEGER NOT NULL
);
CREATE TABLE orgs (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  create_time INTEGER NOT NULL
);
CREATE TABLE users (
  id          TEXT PRIMARY KEY,
  org_id      TEXT NOT NULL REFERENCES orgs(id),
  name        TEXT NOT NULL,
  org_role    TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  UNIQUE (org_id, name)
);
CREATE TABLE tokens (
  hash        BLOB PRIMARY KEY,
  user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  description TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE TABLE projects (
  id                   TEXT PRIMARY KEY,
  org_id               TEXT NOT NULL REFERENCES orgs(id),
  name                 TEXT NOT NULL,
  description          TEXT NOT NULL,
  repo_url             TEXT NOT NULL,
  allowed_secrets      TEXT NOT NULL,
  allowed_contributors TEXT NOT NULL,
  create_time          INTEGER NOT NULL,
  update_time          INTEGER NOT NULL,
  UNIQUE (org_id, name)
);
CREATE TABLE project_roles (
  user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  role       TEXT NOT NULL,
  PRIMARY KEY (user_id, project_id)
);
CREATE TABLE secrets (
  id              TEXT PRIMARY KEY,
  org_id          TEXT NOT NULL REFERENCES orgs(id),
  scope           TEXT NOT NULL,
  owner_id        TEXT NOT NULL,
  name            TEXT NOT NULL,
  description     TEXT NOT NULL,
  create_time     INTEGER NOT NULL,
  update_time     INTEGER NOT NULL,
  checkout_at     INTEGER NOT NULL,
  version         INTEGER NOT NULL,
  env_names       TEXT NOT NULL,
  file_paths      TEXT NOT NULL,
  projects_access TEXT NOT NULL,
  project_ids     TEXT NOT NULL,
  debug_allowed   INTEGER NOT NULL,
  attach_allowed  INTEGER NOT NULL,
  UNIQUE (org_id, scope, owner_id, name)
);
CREATE INDEX secrets_by_create ON secrets (org_id, scope, owner_id, create_time, id);
CREATE TABLE secret_versions (
  secret_id   TEXT NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
  version     INTEGER NOT NULL,
  create_time INTEGER NOT NULL,
  sealed      BLOB NOT NULL,
  PRIMARY KEY (secret_id, version)
);
CREATE TABLE audit (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  id            TEXT NOT NULL,
  time          INTEGER NOT NULL,
  org_id        TEXT NOT NULL,
  actor_id      TEXT NOT NULL,
  actor_name    TEXT NOT NULL,
  medium        TEXT NOT NULL,
  ip            TEXT NOT NULL,
  request_id    TEXT NOT NULL,
  action        TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  resource_id   TEXT NOT NULL,
  resource_name TEXT NOT NULL,
  scope         TEXT NOT NULL,
  owner_id      TEXT NOT NULL,
  version       INTEGER NOT NULL
);
CREATE INDEX audit_by_org ON audit (org_id, seq);
)sql",
    // 2: deployment targets, jobs, checkout usage; job fields on audit events.
    R"sql(
ALTER TABLE audit ADD COLUMN job_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN pipeline_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN workflow_id TEXT NOT NULL DEFAULT '';
CREATE TABLE deployment_targets (
  id            TEXT PRIMARY KEY,
  org_id        TEXT NOT NULL REFERENCES orgs(id),
  project_id    TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  description   TEXT NOT NULL,
  url           TEXT NOT NULL,
  active        INTEGER NOT NULL,
  bookmarks     TEXT NOT NULL,
  subject_rules TEXT NOT NULL,
  object_rules  TEXT NOT NULL,
  create_time   INTEGER NOT NULL,
  update_time   INTEGER NOT NULL,
  UNIQUE (org_id, project_id, name)
);
CREATE TABLE jobs (
  id                   TEXT PRIMARY KEY,
  org_id               TEXT NOT NULL REFERENCES orgs(id),
  project_id           TEXT NOT NULL,
  deployment_target_id TEXT NOT NULL,
  token_hash           BLOB NOT NULL UNIQUE,
  create_time          INTEGER NOT NULL,
  expires_at           INTEGER NOT NULL,
  finished             INTEGER NOT NULL,
  ref_type             TEXT NOT NULL,
  ref_name             TEXT NOT NULL,
  fork                 INTEGER NOT NULL,
  triggered_by         TEXT NOT NULL,
  pipeline_id          TEXT NOT NULL,
  workflow_id          TEXT NOT NULL,
  secrets              TEXT NOT NULL
);
CREATE TABLE secret_usage (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  secret_id   TEXT NOT NULL,
  org_id      TEXT NOT NULL,
  project_id  TEXT NOT NULL,
  job_id      TEXT NOT NULL,
  pipeline_id TEXT NOT NULL,
  workflow_id TEXT NOT NULL,
  time        INTEGER NOT NULL,
  version     INTEGER NOT NULL
);
CREATE INDEX secret_usage_by_secret ON secret_usage (org_id, secret_id, seq);
)sql",
    // 3: tokens get a public id (a random UUID, not derived from the token) and a last-use
    // time. The table is rebuilt so the id is the primary key and the hash stays unique.
    R"sql(
CREATE TABLE tokens_v3 (
  id          TEXT PRIMARY KEY,
  hash        BLOB NOT NULL UNIQUE,
  user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  description TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  last_used   INTEGER NOT NULL DEFAULT 0
);
INSERT INTO tokens_v3 (id, hash, user_id, description, create_time, expires_at)
SELECT lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||
       substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (random() & 3), 1) ||
       substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))),
       hash, user_id, description, create_time, expires_at
FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_v3 RENAME TO tokens;
CREATE INDEX tokens_by_user ON tokens (user_id);
)sql",
    // 4: who created and last changed a deployment target, and each target's history of
    // deployment attempts (jobs opened for it, and refused job opens).
    R"sql(
ALTER TABLE deployment_targets ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE deployment_targets ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
CREATE TABLE deployments (
  id           TEXT PRIMARY KEY,
  org_id       TEXT NOT NULL,
  target_id    TEXT NOT NULL REFERENCES deployment_targets(id) ON DELETE CASCADE,
  time_us      INTEGER NOT NULL,
  job_id       TEXT NOT NULL,
  ref_type     TEXT NOT NULL,
  ref_name     TEXT NOT NULL,
  triggered_by TEXT NOT NULL,
  pipeline_id  TEXT NOT NULL,
  workflow_id  TEXT NOT NULL,
  refused      INTEGER NOT NULL,
  refusals     TEXT NOT NULL,
  UNIQUE (target_id, time_us)
);
)sql",
    // 5: secret history. Soft delete: secrets get deleted_at/deleted_by, and a name is
    // unique among live secrets only (the table is rebuilt: SQLite cannot drop a UNIQUE
    // constraint; MigrateSqlite runs with foreign keys off, so secret_versions stays).
    // Versions keep who wrote them, their env var names and file paths, when their sealed
    // bytes were destroyed, and which version a rollback copied. Per-org history settings.
    R"sql(
CREATE TABLE secrets_v5 (
  id              TEXT PRIMARY KEY,
  org_id          TEXT NOT NULL REFERENCES orgs(id),
  scope           TEXT NOT NULL,
  owner_id        TEXT NOT NULL,
  name            TEXT NOT NULL,
  description     TEXT NOT NULL,
  create_time     INTEGER NOT NULL,
  update_time     INTEGER NOT NULL,
  checkout_at     INTEGER NOT NULL,
  version         INTEGER NOT NULL,
  env_names       TEXT NOT NULL,
  file_paths      TEXT NOT NULL,
  projects_access TEXT NOT NULL,
  project_ids     TEXT NOT NULL,
  debug_allowed   INTEGER NOT NULL,
  attach_allowed  INTEGER NOT NULL,
  deleted_at      INTEGER NOT NULL DEFAULT 0,
  deleted_by      TEXT NOT NULL DEFAULT ''
);
INSERT INTO secrets_v5 (id, org_id, scope, owner_id, name, description, create_time,
  update_time, checkout_at, version, env_names, file_paths, projects_access, project_ids,
  debug_allowed, attach_allowed)
SELECT id, org_id, scope, owner_id, name, description, create_time, update_time, checkout_at,
  version, env_names, file_paths, projects_access, project_ids, debug_allowed, attach_allowed
FROM secrets;
DROP TABLE secrets;
ALTER TABLE secrets_v5 RENAME TO secrets;
CREATE UNIQUE INDEX secrets_live_name ON secrets (org_id, scope, owner_id, name)
  WHERE deleted_at = 0;
CREATE INDEX secrets_by_create ON secrets (org_id, scope, owner_id, create_time, id);
CREATE INDEX secrets_deleted ON secrets (deleted_at) WHERE deleted_at != 0;
ALTER TABLE secret_versions ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE secret_versions ADD COLUMN env_names TEXT NOT NULL DEFAULT '[]';
ALTER TABLE secret_versions ADD COLUMN file_paths TEXT NOT NULL DEFAULT '[]';
ALTER TABLE secret_versions ADD COLUMN destroyed_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE secret_versions ADD COLUMN copied_from INTEGER NOT NULL DEFAULT 0;
UPDATE secret_versions SET
  env_names = (SELECT s.env_names FROM secrets s WHERE s.id = secret_versions.secret_id),
  file_paths = (SELECT s.file_paths FROM secrets s WHERE s.id = secret_versions.secret_id)
WHERE version = (SELECT s.version FROM secrets s WHERE s.id = secret_versions.secret_id);
CREATE TABLE org_settings (
  org_id            TEXT PRIMARY KEY REFERENCES orgs(id),
  max_versions      INTEGER NOT NULL,
  retention_seconds INTEGER NOT NULL
);
)sql",
    // keys: online key rotation. secret_versions.kek_id is the KEK id in bytes 1..4 of the
    // sealed record's header (docs/storage-format.md), computed by SQLite from the bytes so it
    // can never disagree with them (0 for a record too short to have one: a destroyed one);
    // indexed, so data keys are counted per KEK without reading a record. A retired key keeps
    // its row (ids are never reused) with its wrapped bytes erased, and no record may be
    // written under it. Named keys are other keys the master key wraps (the fingerprint key).
    R"sql(
ALTER TABLE keyring ADD COLUMN retire_time INTEGER NOT NULL DEFAULT 0;
ALTER TABLE secret_versions ADD COLUMN kek_id INTEGER GENERATED ALWAYS AS (
  CASE WHEN length(sealed) >= 77 THEN
    ((instr('0123456789ABCDEF', substr(hex(substr(sealed, 2, 4)), 1, 1)) - 1) << 28)
      | ((instr('0123456789ABCDEF', substr(hex(substr(sealed, 2, 4)), 2, 1)) - 1) << 24)
      | ((instr('0123456789ABCDEF', substr(hex(substr(sealed, 2, 4)), 3, 1)) - 1) << 20)
      | ((instr('0123456789ABCDEF', substr(hex(substr(sealed, 2, 4)), 4, 1)) - 1) << 16)
      | ((instr('0123456789ABCDEF', substr(hex(substr(sealed, 2, 4)), 5, 1)) - 1) << 12)
      | ((instr('0123456789ABCDEF', substr(hex(substr(sealed, 2, 4)), 6, 1)) - 1) << 8)
      | ((instr('0123456789ABCDEF', substr(hex(substr(sealed, 2, 4)), 7, 1)) - 1) << 4)
      | ((instr('0123456789ABCDEF', substr(hex(substr(sealed, 2, 4)), 8, 1)) - 1) << 0)
  ELSE 0 END) VIRTUAL;
CREATE INDEX secret_versions_by_kek ON secret_versions (kek_id);
)sql" COFFER_LIVE_KEK_TRIGGERS R"sql(
CREATE TABLE named_keys (
  name        TEXT PRIMARY KEY,
  wrapped     BLOB NOT NULL,
  create_time INTEGER NOT NULL
);
)sql",
    // 7: web UI sign-in sessions, by the SHA-256 of the session id (the id is only in the
    // browser's cookie), with an idle (last_seen) and an absolute expiry.
    R"sql(
CREATE TABLE sessions (
  hash        BLOB PRIMARY KEY,
  user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  create_time INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
)sql",
    // 8: the live (not destroyed) versions of each secret: a new version destroys what
    // falls out of the org's max_versions by a range over this index, not over every version
    // the secret ever had (which made each update of a much-updated secret slower).
    R"sql(
CREATE INDEX secret_versions_live ON secret_versions (secret_id, version) WHERE destroyed_at = 0;
)sql",
    // 9: a secret's usage is read from its checkout events: every checkout wrote the same
    // fields twice, as a secret.checkout audit row and a secret_usage row, in one
    // transaction, since migration 2 made both. The index finds a secret's checkout events
    // newest first; the copy goes.
    R"sql(
CREATE INDEX audit_checkouts ON audit (org_id, resource_id, seq) WHERE action = 'secret.checkout';
DROP TABLE secret_usage;
)sql",
    // 10: the store generation (read_cache.h), moved by every change to the rows a server
    // caches (tokens, users, project roles, secrets), in the changing statement's own
    // transaction, whoever makes it: a store write, a cascade, a `coffer admin` process, an
    // operator's sqlite3. A later migration that rebuilds one of these tables must make its
    // triggers again. No row is generation 0 (a copy to PostgreSQL brings the row along).
    // The triggers are GenerationTriggers(false).
    R"sql(
CREATE TABLE store_generation (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  value  INTEGER NOT NULL
);
)sql",
    // 11: a checkout's events are one audit row (store/checkout_audit.h), and audit_uses
    // finds each secret's checkouts, the one-row-a-secret ones of before too, in place of the
    // partial index audit_checkouts (which every checkout row would have entered as well).
    R"sql(
CREATE TABLE audit_uses (
  secret_id  TEXT NOT NULL,
  seq        INTEGER NOT NULL,
  PRIMARY KEY (secret_id, seq)
) WITHOUT ROWID;
INSERT INTO audit_uses (secret_id, seq)
  SELECT resource_id, seq FROM audit WHERE action = 'secret.checkout';
DROP INDEX audit_checkouts;
)sql",
    // 12: secret_versions.kek_id, the same value computed from the same bytes with 8 SQL
    // function calls rather than 32: each of the KEK id's 4 bytes is found in a 256-byte blob
    // of every byte value (instr on two blobs counts bytes), where migration 6 wrote 8 hex
    // digits and looked each one up. It was 2.5 µs of every insert of a version and 3 µs of every
    // destroy of one (KekIdMigration()).
    "",
    // 13: two store generations (read_cache.h): row 1 moved by tokens, users and project
    // roles, row 2 by secrets, so that a secret's write no longer empties the cache of token
    // holders (every create or update of a secret sent the next request of every caller to
    // its token's rows). Both rows are made here, at a value past the one generation of
    // before. The table is made again for its CHECK, and the triggers with it
    // (GenerationTriggers(true)).
    "",
    // 14: a change to a version's row moves the secrets' generation too, for the cache of
    // pinned versions' sealed bytes (SqliteStore::GetPinnedVersions): a destroy, a re-wrap
    // under a new key, a delete (VersionGenerationTriggers()). An insert does not: it changes
    // no version read before, and its secret's row changes with it.
    "",
    // 15: an audit_uses entry covers rows seq..seq+span (sql_audit_rows.h InsertUseRuns): the
    // checkouts one transaction commits make one entry a secret. An entry of before covers
    // its own row.
    R"sql(
ALTER TABLE audit_uses ADD COLUMN span INTEGER NOT NULL DEFAULT 0;
)sql",
};

constexpr int kLatest = sizeof(kMigrations) / sizeof(kMigrations[0]);
constexpr int kGenerationMigration = 10;
constexpr int kKekIdMigration = 12;
constexpr int kTwoGenerationsMigration = 13;
constexpr int kVersionGenerationMigration = 14;

// Migration 12: kek_id dropped and added again with the cheaper expression (a VIRTUAL column
// holds no bytes: dropping it rewrites nothing), its index and the two triggers that use it
// made again, as migration 6 made them.
std::string KekIdMigration() {
  std::string every_byte = "X'";
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (int b = 0; b < 256; ++b) {
    every_byte += kHex[b >> 4];
    every_byte += kHex[b & 0xF];
  }
  every_byte += "'";
  std::string bytes;  // bytes 2..5 of the record (1-based), each 0..255
  for (int i = 0; i < 4; ++i) {
    if (i > 0) bytes += "\n      | ";
    bytes += "((instr(" + every_byte + ", substr(CAST(sealed AS BLOB), " + std::to_string(i + 2) +
             ", 1)) - 1) << " + std::to_string(24 - 8 * i) + ")";
  }
  return R"sql(
DROP TRIGGER secret_versions_insert_live_kek;
DROP TRIGGER secret_versions_update_live_kek;
DROP INDEX secret_versions_by_kek;
ALTER TABLE secret_versions DROP COLUMN kek_id;
ALTER TABLE secret_versions ADD COLUMN kek_id INTEGER GENERATED ALWAYS AS (
  CASE WHEN length(sealed) >= 77 THEN
      )sql" +
         bytes + R"sql(
  ELSE 0 END) VIRTUAL;
CREATE INDEX secret_versions_by_kek ON secret_versions (kek_id);
)sql" COFFER_LIVE_KEK_TRIGGERS;
}
#undef COFFER_LIVE_KEK_TRIGGERS

}  // namespace

int LatestSqliteSchemaVersion() { return kLatest; }

Status MigrateSqlite(Db& db, int up_to) {
  if (up_to <= 0 || up_to > kLatest) up_to = kLatest;
  COFFER_RETURN_IF_ERROR(
      db.Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
              "applied_at INTEGER NOT NULL)"));
  int current = 0;
  {
    Stmt q(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (q.Step()) current = static_cast<int>(q.Int(0));
    COFFER_RETURN_IF_ERROR(q.status());
  }
  if (current > kLatest) {
    return Status::FailedPrecondition("the database schema (version " + std::to_string(current) +
                                      ") is newer than this coffer binary (version " +
                                      std::to_string(kLatest) + ")");
  }
  if (current >= up_to) return Status::Ok();
  // A migration may rebuild a table that others reference (SQLite's way to change a
  // constraint): with foreign keys on, dropping the old table would cascade into them. So
  // they are off while migrating (the pragma is a no-op inside a transaction), and each
  // migration is checked for dangling references before it commits.
  bool fk_on = false;
  {
    Stmt q(db, "PRAGMA foreign_keys");
    if (q.Step()) fk_on = q.Int(0) != 0;
    COFFER_RETURN_IF_ERROR(q.status());
  }
  if (fk_on) COFFER_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = OFF"));
  Status result = Status::Ok();
  for (int v = current + 1; v <= up_to && result.ok(); ++v) {
    result = db.Exec("BEGIN IMMEDIATE");
    if (!result.ok()) break;
    std::string sql = kMigrations[v - 1];
    if (v == kGenerationMigration) sql += GenerationTriggers(false);
    if (v == kKekIdMigration) sql += KekIdMigration();
    if (v == kTwoGenerationsMigration) sql += TwoGenerationsMigration();
    if (v == kVersionGenerationMigration) sql += VersionGenerationTriggers();
    Status s = db.Exec(sql.c_str());
    if (s.ok()) {
      Stmt check(db, "PRAGMA foreign_key_check");
      if (check.Step()) {
        s = Status::Corruption("migration " + std::to_string(v) +
                               " would leave a dangling reference in table " + check.Text(0));
      } else {
        s = check.status();
      }
    }
    if (s.ok()) {
      s = Stmt(db, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)")
              .Bind(1, static_cast<int64_t>(v))
              .Bind(2, NowSeconds())
              .Run();
    }
    if (!s.ok()) {
      db.Exec("ROLLBACK").ok();
      result = s;
      break;
    }
    result = db.Exec("COMMIT");
  }
  if (fk_on) {
    Status on = db.Exec("PRAGMA foreign_keys = ON");
    if (result.ok()) result = on;
  }
  return result;
}

}  // namespace coffer::store
