#include "service/data_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/ids.h"
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

  std::unique_ptr<crypto::MasterKeySource> source;
  crypto::KeyFileSource* file = nullptr;
  if (!options.master_key_command.empty()) {
    source = std::make_unique<crypto::CommandSource>(options.master_key_command);
  } else if (!options.master_key_env.empty()) {
    source = std::make_unique<crypto::EnvSource>(options.master_key_env);
  } else {
    std::string path =
        options.master_key_file.empty() ? options.dir + "/master.key" : options.master_key_file;
    auto f = std::make_unique<crypto::KeyFileSource>(path);
    file = f.get();
    source = std::move(f);
  }
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
    COFFER_RETURN_IF_ERROR(dd.store->AddKey({kek.id, kek.wrapped, NowSeconds()}));
    keys.push_back({kek.id, kek.wrapped, NowSeconds()});
  }
  std::vector<crypto::WrappedKek> wrapped;
  for (const auto& k : keys) wrapped.push_back({k.id, k.wrapped});
  COFFER_ASSIGN_OR_RETURN(crypto::Keyring ring, crypto::Keyring::Unlock(master, wrapped));
  dd.keyring.emplace(std::move(ring));
  return dd;
}

}  // namespace coffer::service
