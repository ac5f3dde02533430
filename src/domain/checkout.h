// Checkout: what a job receives — the one shape of a checkout, used by the server that
// builds it and by `coffer run` that reads it (the JSON codec is wire/checkout_json.h).
//
// Values and file contents are SecretBytes. Each env var name and file path appears once:
// when several imported secrets define one, the later import wins (MergeImport), and a
// deployment target's credentials are imported last, so they always win.
#pragma once

#include <string>
#include <vector>

#include "common/secret_bytes.h"
#include "domain/secret.h"

namespace coffer::domain {

struct CheckoutEnv {
  std::string name;
  SecretBytes value;
  std::string secret;  // the secret it came from
};

struct CheckoutFile {
  std::string path;  // as stored: normalised, relative to the job's home unless absolute
  SecretBytes content;
  std::string secret;
};

struct Checkout {
  std::string job_id;
  std::vector<CheckoutEnv> env_vars;  // one per name, in import order
  std::vector<CheckoutFile> files;    // one per path, in import order
};

// Adds the content of the secret `secret` to `out`, replacing an earlier entry of the same
// env var name or file path (the later import wins). Consumes `data`.
void MergeImport(Checkout* out, const std::string& secret, SecretData data);

}  // namespace coffer::domain
