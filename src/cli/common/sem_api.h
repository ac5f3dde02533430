// SemApi: the Semaphore-compatible public API as `sem` uses it, over an HttpClient.
//
// Organization secrets live at /api/v1beta/secrets, project secrets at
// /api/v1/projects/{project id or name}/secrets, projects at /api/v1alpha/projects.
// Listings follow every page (next_page_token for secrets, ?page=N with `x-has-more` for
// projects). A non-200 answer becomes a Status of the matching code carrying the server's
// message (InvalidArgument 400, Unauthenticated 401, PermissionDenied 403, NotFound 404,
// Conflict 409, FailedPrecondition 412, TooLarge 413, Unavailable 5xx). Not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "cli/common/http_client.h"
#include "cli/secrets/secret_resource.h"

namespace coffer::cli {

// Where a secret command acts: the organization, or one project (by name or id).
struct SecretPlace {
  bool project = false;
  std::string project_ref;
};

struct ProjectSummary {
  std::string name;
  std::string id;
  std::string description;
  std::string repo_url;
};

class SemApi {
 public:
  explicit SemApi(const HttpClient& http) : http_(http) {}

  Result<std::vector<SecretResource>> ListSecrets(const SecretPlace& where) const;
  Result<SecretResource> GetSecret(const SecretPlace& where, const std::string& id_or_name) const;
  Result<SecretResource> CreateSecret(const SecretPlace& where, const SecretResource& s) const;
  // PATCH; with `guard`, metadata.update_time as read is sent and a secret changed since
  // then is refused by the server with Conflict.
  Result<SecretResource> UpdateSecret(const SecretPlace& where, const std::string& id_or_name,
                                      const SecretResource& s, bool guard) const;
  Status DeleteSecret(const SecretPlace& where, const std::string& id_or_name) const;

  // The first page of projects, as Semaphore's `sem connect` reads it to check a token:
  // Ok when the server answers 200 with a JSON array.
  Status CheckAccess() const;
  // Every project, following `x-has-more`.
  Result<std::vector<ProjectSummary>> ListProjects() const;
  Result<ProjectSummary> GetProject(const std::string& id_or_name) const;
  Result<ProjectSummary> CreateProject(const std::string& name, const std::string& repo_url) const;
  Status DeleteProject(const std::string& id_or_name) const;

  // Sends and maps a non-200 status to an error (as above). For the other resource APIs
  // built on this one (TargetApi).
  Result<HttpResponse> Call(const char* method, const std::string& target,
                            std::string_view body = {}) const;

 private:
  std::string SecretsPath(const SecretPlace& where) const;

  const HttpClient& http_;
};

}  // namespace coffer::cli
