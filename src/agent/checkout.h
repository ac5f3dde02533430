// The agent side of a job checkout: fetches the job's secrets with its job token, once, and
// finishes the job when its command is done, which revokes the token.
//
// The answer's bytes are parsed into SecretBytes through a JSON arena that is wiped
// afterwards, so no copy of a value outlives the parse. Errors never carry a value or the
// token.
#pragma once

#include <string>
#include <vector>

#include "common/secret_bytes.h"
#include "common/status.h"

namespace coffer::agent {

struct JobEnv {
  std::string name;
  SecretBytes value;
  std::string secret;
};

struct JobFile {
  std::string path;
  SecretBytes content;
  std::string secret;
};

struct JobSecrets {
  std::string job_id;
  std::vector<JobEnv> env_vars;
  std::vector<JobFile> files;
};

struct CheckoutOptions {
  std::string server;          // "https://coffer.example.com" or "http://127.0.0.1:8080"
  std::string_view job_token;  // "cjt_..."; the caller owns (and wipes) the bytes
  std::string job_id = "self";
  std::string ca_file;  // "" = system trust store / SSL_CERT_FILE
};

// GET /api/v1alpha/jobs/{id}/secrets. Unauthenticated when the server refuses the token
// (unknown, expired, finished), Unavailable when it cannot be reached.
Result<JobSecrets> FetchJobSecrets(const CheckoutOptions& options);

// POST /api/v1alpha/jobs/{id}/finish: the job is over and its token stops working.
Status FinishJob(const CheckoutOptions& options);

// What `coffer run` can export: every name a valid environment name, no value with a NUL byte
// (setenv would cut it short silently). InvalidArgument names the variable and its secret.
Status CheckJobEnv(const std::vector<JobEnv>& env_vars);

// Parses a checkout answer (exposed for tests and fuzzing). Wipes nothing it does not own.
Result<JobSecrets> ParseJobSecrets(std::string_view body);

}  // namespace coffer::agent
