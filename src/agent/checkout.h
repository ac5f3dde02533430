// The agent side of a job checkout: fetches the job's secrets with its job token, once, and
// finishes the job when its command is done, which revokes the token.
//
// The answer's bytes are parsed (wire::CheckoutFromJson) into SecretBytes through a JSON
// arena that is wiped afterwards, so no copy of a value outlives the parse. Errors never carry a
// value or the token.
#pragma once

#include <string>
#include <vector>

#include "common/secret_bytes.h"
#include "common/status.h"
#include "domain/checkout.h"

namespace coffer::agent {

// The one checkout shape, shared with the server (domain/checkout.h; the JSON codec is
// wire/checkout_json.h).
using JobEnv = domain::CheckoutEnv;
using JobFile = domain::CheckoutFile;
using JobSecrets = domain::Checkout;

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

}  // namespace coffer::agent
