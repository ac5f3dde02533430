// SecretApi: the secret endpoints of the public API as `sem` uses them, on ApiClient's
// transport and status mapping (see api_client.h for the codes).
//
// Organization secrets live at /api/v1beta/secrets, project secrets at
// /api/v1/projects/{project id or name}/secrets. Listings follow every page
// (next_page_token; a repeated token is Unavailable). A 404 names what was looked for:
// "secret not found (secret 'x', project 'web')". Not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "cli/common/api_client.h"
#include "cli/common/place.h"
#include "cli/secrets/secret_resource.h"

namespace coffer::cli {

class SecretApi {
 public:
  explicit SecretApi(const ApiClient& api) : api_(api) {}

  Result<std::vector<SecretResource>> List(const Place& where) const;
  Result<SecretResource> Get(const Place& where, const std::string& id_or_name) const;
  Result<SecretResource> Create(const Place& where, const SecretResource& s) const;
  // PATCH; with `guard`, metadata.update_time as read is sent and a secret changed since
  // then is refused by the server with Conflict.
  Result<SecretResource> Update(const Place& where, const std::string& id_or_name,
                                const SecretResource& s, bool guard) const;
  // Soft delete; with `destroy`, for good (?destroy=true).
  Status Delete(const Place& where, const std::string& id_or_name, bool destroy = false) const;

  // History (docs/api.md "History"): the answers' JSON, read by the commands.
  Result<boost::json::object> Versions(const Place& where, const std::string& id_or_name) const;
  Result<SecretResource> Rollback(const Place& where, const std::string& id_or_name,
                                  int64_t version) const;
  Status DestroyVersion(const Place& where, const std::string& id_or_name, int64_t version) const;
  // The deleted secrets (GET ...?deleted=true).
  Result<boost::json::array> ListDeleted(const Place& where) const;
  // POST .../restore, under `as` when it is not empty.
  Result<SecretResource> Restore(const Place& where, const std::string& id_or_name,
                                 const std::string& as) const;

 private:
  const ApiClient& api_;
};

}  // namespace coffer::cli
