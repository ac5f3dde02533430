#include "service/data_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/ids.h"
#include "crypto/hash.h"
#include "crypto/master_key.h"
#include "store/open_store.h"

namespace coffer::service {

Status CheckDataDirPermissions(const std::string& dir) {
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) {
    return Status::FailedPrecondition("cannot open the data directory " + dir + ": " +
                                      std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::FailedPrecondition("the data directory " + dir + " is not a directory");
  }
  if (st.st_uid != geteuid()) {
    return Status::FailedPrecondition("the data directory " + dir + " is owned by uid " +
                                      std::to_string(st.st_uid) + ", not by the user running " +
                                      "coffer (uid " + std::to_string(geteuid()) + ")");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::FailedPrecondition("the data directory " + dir +
                                      " is writable by group or others (mode " + mode +
                                      "); make it private with chmod 700 " + dir);
  }
  return Status::Ok();
}

namespace {

constexpr const char* kFingerprintKeyName = "fingerprint";
constexpr std::string_view kFingerprintLabel = "coffer.fingerprint.v1";

// The fingerprint key, created on the first unlock: derived from the oldest KEK (so the
// fingerprints of stores from before it was kept stay the same), then kept wrapped by the
// master key, so the KEK it came from can be retired.
Result<SecretBytes> FingerprintKey(store::Store& store, const crypto::Keyring& ring,
                                   const SecretBytes& master) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto wrapped = store.GetNamedKey(kFingerprintKeyName);
    if (wrapped.ok()) return crypto::Keyring::UnwrapNamedKey(master, kFingerprintKeyName, *wrapped);
    if (!wrapped.status().Is(Status::Code::kNotFound)) return wrapped.status();
    auto kek = ring.Find(ring.oldest_id());
    if (kek == nullptr) return Status::Internal("the keyring has no key");
    SecretBytes key = crypto::HmacSha256(kek->view(), kFingerprintLabel);
    COFFER_ASSIGN_OR_RETURN(std::string sealed,
                            crypto::Keyring::WrapNamedKey(master, kFingerprintKeyName, key));
    Status added = store.AddNamedKey(kFingerprintKeyName, sealed, NowSeconds());
    if (added.ok()) return key;
    // Another process created it meanwhile: use theirs.
    if (!added.Is(Status::Code::kAlreadyExists)) return added;
  }
  return Status::Internal("cannot create the fingerprint key");
}

}  // namespace

std::unique_ptr<crypto::MasterKeySource> MasterKeySourceFor(const DataDirOptions& options) {
  if (!options.master_key_command.empty()) {
    return std::make_unique<crypto::CommandSource>(options.master_key_command,
                                                   options.master_key_timeout);
  }
  if (!options.master_key_env.empty()) {
    return std::make_unique<crypto::EnvSource>(options.master_key_env);
  }
  return std::make_unique<crypto::KeyFileSource>(
      options.master_key_file.empty() ? options.dir + "/master.key" : options.master_key_file);
}

Result<DataDir> OpenDataDir(const DataDirOptions& options, bool unlock) {
  if (mkdir(options.dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::FailedPrecondition("cannot create the data directory " + options.dir + ": " +
                                      std::strerror(errno));
  }
  COFFER_RETURN_IF_ERROR(CheckDataDirPermissions(options.dir));
  DataDir dd;
  COFFER_ASSIGN_OR_RETURN(
      dd.store, store::OpenStore(options.database.empty() ? options.dir : options.database,
                                 options.pool_size));
  if (!unlock) return dd;

  std::unique_ptr<crypto::MasterKeySource> source = MasterKeySourceFor(options);
  auto* file = dynamic_cast<crypto::KeyFileSource*>(source.get());
  dd.key_source = source->Describe();

  COFFER_ASSIGN_OR_RETURN(auto keys, dd.store->ListKeys());
  if (file != nullptr && !file->Exists()) {
    if (!keys.empty()) {
      return Status::FailedPrecondition("the master key file " + file->path() +
                                        " is missing; this data directory cannot be opened "
                                        "without the key it was created with");
    }
    COFFER_RETURN_IF_ERROR(file->Generate());
    dd.key_generated = true;
  }
  COFFER_ASSIGN_OR_RETURN(SecretBytes master, source->Load());
  if (keys.empty()) {
    COFFER_ASSIGN_OR_RETURN(crypto::WrappedKek kek, crypto::Keyring::NewKek(master, 1));
    Status added = dd.store->AddKey({kek.id, kek.wrapped, NowSeconds()});
    if (added.Is(Status::Code::kAlreadyExists)) {
      // Another server on the same database created the first key meanwhile: use theirs
      // (which this master key must unlock, as for any later start).
      COFFER_ASSIGN_OR_RETURN(keys, dd.store->ListKeys());
    } else {
      COFFER_RETURN_IF_ERROR(added);
      keys.push_back({kek.id, kek.wrapped, NowSeconds()});
    }
  }
  std::vector<crypto::WrappedKek> wrapped;
  for (const auto& k : keys) wrapped.push_back({k.id, k.wrapped});
  COFFER_ASSIGN_OR_RETURN(crypto::Keyring ring, crypto::Keyring::Unlock(master, wrapped));
  COFFER_ASSIGN_OR_RETURN(SecretBytes fingerprint, FingerprintKey(*dd.store, ring, master));
  ring.SetFingerprintKey(std::move(fingerprint));
  dd.keyring.emplace(std::move(ring));
  return dd;
}

}  // namespace coffer::service
