// MasterKeySource: where the master key that unlocks the keyring comes from.
//
// KeyFileSource   a file holding 64 hex digits (the embedded default; generated on first
//                 start with mode 0600)
// EnvSource       an environment variable holding 64 hex digits
// CommandSource   an external command (run by /bin/sh -c) whose stdout is 64 hex digits,
//                 so a KMS or HSM can unwrap the key without Coffer linking its SDK. It
//                 runs in its own process group with stdin closed and stderr passed
//                 through; when it has not finished within the timeout, the whole group
//                 is killed (SIGKILL) and Load fails: a hanging KMS never hangs a start.
// Errors are one clear sentence that names the source, never the key.
#pragma once

#include <memory>
#include <string>

#include "common/secret_bytes.h"
#include "common/status.h"

namespace coffer::crypto {

class MasterKeySource {
 public:
  virtual ~MasterKeySource() = default;
  virtual Result<SecretBytes> Load() const = 0;
  // Human-readable origin for start-up messages, e.g. "key file /data/master.key".
  virtual std::string Describe() const = 0;
};

class KeyFileSource final : public MasterKeySource {
 public:
  explicit KeyFileSource(std::string path) : path_(std::move(path)) {}
  Result<SecretBytes> Load() const override;
  std::string Describe() const override { return "key file " + path_; }
  bool Exists() const;
  // Writes a new random key with mode 0600; AlreadyExists when the file exists.
  Status Generate() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class EnvSource final : public MasterKeySource {
 public:
  explicit EnvSource(std::string var) : var_(std::move(var)) {}
  Result<SecretBytes> Load() const override;
  std::string Describe() const override { return "environment variable " + var_; }

 private:
  std::string var_;
};

class CommandSource final : public MasterKeySource {
 public:
  static constexpr int kDefaultTimeoutSeconds = 10;
  explicit CommandSource(std::string command, int timeout_seconds = kDefaultTimeoutSeconds)
      : command_(std::move(command)), timeout_seconds_(timeout_seconds) {}
  Result<SecretBytes> Load() const override;
  std::string Describe() const override { return "command '" + command_ + "'"; }

 private:
  std::string command_;
  int timeout_seconds_;
};

// Parses 64 hex digits, ignoring surrounding whitespace.
Result<SecretBytes> ParseHexKey(std::string_view text, const std::string& origin);

}  // namespace coffer::crypto
