// `coffer backup`, `coffer restore` and `coffer verify`: a data directory's store copied
// out, brought back, and checked against the master key (docs/operations.md, "Backup,
// restore, verify").
//
// They read the data directory's database file directly, beside a running server (WAL: a
// reader sees one consistent state and blocks no writer), so no admin API and no token is
// involved; the caller must be the data directory's owner, like the server. The master key
// is never in a backup. SQLite store only (store/sqlite/sqlite_backup.h).
//
//   coffer backup  --data-dir DIR --to FILE [--force]
//       FILE (mode 0600) is written as a temporary file and renamed into place; an
//       existing FILE is refused unless --force.
//   coffer restore --from FILE --data-dir DIR [--force]
//       FILE must be a Coffer store of a schema version this binary knows. DIR is created
//       (0700) when missing; a DIR holding anything but master.key, or a database a server
//       has open, is refused unless --force. DIR/coffer.db is 0600.
//   coffer verify  [--data-dir DIR | --file FILE]
//                  [--master-key-file F | --master-key-env V | --master-key-command C
//                   [--master-key-timeout S]]
//       Unwraps every KEK and named key with the master key and opens every sealed secret version
//       (keeping no plaintext); prints one FAIL line per failing row and a summary line.
//
// Exit status 0; 1 with one "coffer: ..." sentence on stderr when the command cannot run,
// or (verify) when any row fails.
#pragma once

namespace coffer::server {

int BackupCommand(int argc, char** argv);
int RestoreCommand(int argc, char** argv);
int VerifyCommand(int argc, char** argv);

}  // namespace coffer::server
