// sem create secret, sem get secret[s], sem delete secret, sem create -f, sem apply -f.
#include "cli/secrets/secret_commands.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "cli/common/entry_flags.h"
#include "cli/common/table.h"
#include "cli/common/yaml_fields.h"
#include "cli/secrets/secret_api.h"
#include "cli/secrets/secret_flags.h"
#include "cli/secrets/secret_resource.h"
#include "cli/targets/target_commands.h"
#include "common/ids.h"
#include "domain/validation.h"

namespace coffer::cli {
namespace {

const char* Noun(bool project) { return project ? "Project secret" : "Secret"; }

void Wipe(std::string& s) { std::fill(s.begin(), s.end(), '\0'); }

// The document's kind, "" when it has none (SecretFromYaml then says what is wrong).
std::string KindOf(std::string_view text) {
  try {
    auto root = strict::LoadOneMapping(text);
    if (!root.ok()) return "";
    auto kind = strict::OptString(*root, "kind", "kind");
    return kind.ok() && *kind ? **kind : "";
  } catch (const YAML::Exception&) {
    return "";
  }
}

}  // namespace

Status CreateSecret(const GlobalOptions& g, const CreateSecretFlags& f) {
  COFFER_ASSIGN_OR_RETURN(Place where, PlaceFromFlags(f.place.project_name, f.place.project_id));
  COFFER_RETURN_IF_ERROR(domain::ValidateName("secret name '" + f.name + "'", f.name));
  SecretResource s;
  s.project_scope = where.project;
  s.name = f.name;
  COFFER_RETURN_IF_ERROR(ReadEntryFlags(f.env, f.files, &s.env_vars, &s.files));
  COFFER_RETURN_IF_ERROR(ValidateSecret(s, true));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  COFFER_RETURN_IF_ERROR(SecretApi(session->api()).Create(where, s).status());
  std::printf("%s '%s' created.\n", Noun(where.project), s.name.c_str());
  return Status::Ok();
}

Status GetSecrets(const GlobalOptions& g, const PlaceFlags& p) {
  COFFER_ASSIGN_OR_RETURN(Place where, PlaceFromFlags(p.project_name, p.project_id));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  COFFER_ASSIGN_OR_RETURN(auto secrets, SecretApi(session->api()).List(where));
  const int64_t now = NowSeconds();
  std::vector<std::vector<std::string>> rows = {{"NAME", "AGE"}};
  for (const auto& s : secrets) rows.push_back({s.name, RelativeAge(s.update_time, now)});
  std::fputs(FormatTable(rows).c_str(), stdout);
  return Status::Ok();
}

Status GetSecret(const GlobalOptions& g, const PlaceFlags& p, const std::string& name) {
  COFFER_ASSIGN_OR_RETURN(Place where, PlaceFromFlags(p.project_name, p.project_id));
  COFFER_RETURN_IF_ERROR(CheckSecretRef(name));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  COFFER_ASSIGN_OR_RETURN(SecretResource s, SecretApi(session->api()).Get(where, name));
  std::fputs(SecretToYaml(s).c_str(), stdout);
  return Status::Ok();
}

Status DeleteSecret(const GlobalOptions& g, const PlaceFlags& p, const std::string& name,
                    bool destroy) {
  COFFER_ASSIGN_OR_RETURN(Place where, PlaceFromFlags(p.project_name, p.project_id));
  COFFER_RETURN_IF_ERROR(CheckSecretRef(name));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  COFFER_RETURN_IF_ERROR(SecretApi(session->api()).Delete(where, name, destroy));
  std::printf("%s '%s' %s.\n", Noun(where.project), name.c_str(),
              destroy ? "destroyed" : "deleted");
  return Status::Ok();
}

Status ApplyFile(const GlobalOptions& g, const std::string& path, bool create_only) {
  COFFER_ASSIGN_OR_RETURN(std::string text, ReadResourceFile(path));
  if (KindOf(text) == "DeploymentTarget") {
    Status s = ApplyTargetYaml(g, text, path, create_only);
    Wipe(text);
    return s;
  }
  Result<SecretResource> parsed = SecretFromYaml(text);
  Wipe(text);
  if (!parsed.ok()) return parsed.status().WithContext(path);
  SecretResource& s = *parsed;
  Place where;
  if (s.project_scope) {
    if (s.project_id_or_name.empty()) {
      return Status::InvalidArgument(path +
                                     ": metadata.project_id_or_name: a ProjectSecret needs the "
                                     "project's name or id");
    }
    where = {true, s.project_id_or_name};
  }
  Status valid = ValidateSecret(s, create_only);
  if (!valid.ok()) return valid.WithContext(path);
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  const SecretApi api(session->api());
  if (!create_only) {
    // Apply: update the secret the file names (by id when it has one), else create it.
    const std::string ref = s.id.empty() ? s.name : s.id;
    Result<SecretResource> current = api.Get(where, ref);
    if (current.ok()) {
      // The file's update_time, when it has one, guards against a concurrent change.
      COFFER_RETURN_IF_ERROR(api.Update(where, current->id, s, s.update_time != 0).status());
      std::printf("%s '%s' updated.\n", Noun(where.project), s.name.c_str());
      return Status::Ok();
    }
    if (!current.status().Is(Status::Code::kNotFound) || !s.id.empty()) return current.status();
    Status creatable = ValidateSecret(s, true);
    if (!creatable.ok()) {
      return Status::InvalidArgument(path + ": " + creatable.message() + " (the secret " + s.name +
                                     " does not exist yet, so every value is needed)");
    }
  }
  COFFER_RETURN_IF_ERROR(api.Create(where, s).status());
  std::printf("%s '%s' created.\n", Noun(where.project), s.name.c_str());
  return Status::Ok();
}

}  // namespace coffer::cli
