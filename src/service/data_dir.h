// DataDir: opens a Coffer data directory — the SQLite store and the keyring.
//
// Layout: DIR/coffer.db (SQLite, WAL) and, with the default key source, DIR/master.key.
// On first open the master key file is generated (mode 0600) and the first KEK is
// created. Later opens never generate a key: a missing key file or a key that does not
// unlock the keyring is a FailedPrecondition with one clear sentence. Unlocking also sets
// the keyring's fingerprint key (the named key "fingerprint", created on the first unlock
// from the oldest KEK; see service/sealed_secrets.h).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "crypto/keyring.h"
#include "crypto/master_key.h"
#include "store/store.h"

namespace coffer::service {

struct DataDirOptions {
  std::string dir = "coffer-data";
  std::string master_key_file;     // default DIR/master.key
  std::string master_key_env;      // name of an env var holding the key
  std::string master_key_command;  // a command printing the key
  std::string database{};          // a PostgreSQL URL: the store lives there, not in DIR
  int pool_size = 8;               // PostgreSQL connections at most
  int master_key_timeout = crypto::CommandSource::kDefaultTimeoutSeconds;  // seconds
};

// The master key source the options name: the command, else the env var, else the key
// file (default DIR/master.key).
std::unique_ptr<crypto::MasterKeySource> MasterKeySourceFor(const DataDirOptions& options);

struct DataDir {
  std::unique_ptr<store::Store> store;
  std::optional<crypto::Keyring> keyring;  // set by OpenDataDir(..., true)
  std::string key_source;                  // e.g. "key file coffer-data/master.key"
  bool key_generated = false;              // the master key file was created now
};

// FailedPrecondition, one sentence, unless `dir` is a directory owned by the effective
// user and not writable by group or others: whoever can write there can swap the database
// or the key file.
Status CheckDataDirPermissions(const std::string& dir);

// Creates `dir` (0700) if missing and checks it (CheckDataDirPermissions); opens the store;
// with `unlock`, also loads the master key and unlocks the keyring
// (creating key and keyring on first use).
Result<DataDir> OpenDataDir(const DataDirOptions& options, bool unlock);

}  // namespace coffer::service
