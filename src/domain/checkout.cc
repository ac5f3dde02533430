#include "domain/checkout.h"

#include <algorithm>

namespace coffer::domain {

void MergeImport(Checkout* out, const std::string& secret, SecretData data) {
  for (auto& e : data.env_vars) {
    std::erase_if(out->env_vars, [&](const CheckoutEnv& x) { return x.name == e.name; });
    out->env_vars.push_back({std::move(e.name), std::move(e.value), secret});
  }
  for (auto& f : data.files) {
    std::erase_if(out->files, [&](const CheckoutFile& x) { return x.path == f.path; });
    out->files.push_back({std::move(f.path), std::move(f.content), secret});
  }
}

}  // namespace coffer::domain
