// The history commands of `sem`: get secret NAME --versions, get secret --deleted,
// rollback secret NAME N, destroy secret NAME N, restore secret NAME [--as NEW_NAME].
#include <cstdio>

#include "cli/common/json_fields.h"
#include "cli/common/table.h"
#include "cli/secrets/secret_api.h"
#include "cli/secrets/secret_commands.h"
#include "cli/secrets/secret_flags.h"
#include "common/decimal.h"
#include "common/ids.h"

namespace coffer::cli {
namespace json = boost::json;
namespace {

const char* Noun(bool project) { return project ? "Project secret" : "Secret"; }

Result<int64_t> VersionArg(const std::string& text) {
  auto v = ParseDecimal(text, 999999999999999999);
  if (!v || *v < 1) {
    return Status::InvalidArgument("version '" + text + "': must be a version number (1, 2, ...)");
  }
  return *v;
}

// The strings of the array at `key`, joined with ",", or "-" when there are none.
std::string Joined(const json::object& o, std::string_view key) {
  std::string out;
  if (const json::array* a = json_fields::Array(o, key)) {
    for (const auto& e : *a) {
      if (!e.is_string()) continue;
      if (!out.empty()) out += ",";
      out += std::string(e.as_string());
    }
  }
  return out.empty() ? "-" : out;
}

int64_t IntField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_int64() ? v->as_int64() : 0;
}

bool BoolField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_bool() && v->as_bool();
}

// "current", "destroyed", "rollback of 3", or "".
std::string State(const json::object& v) {
  std::string out;
  auto add = [&out](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
  if (BoolField(v, "current")) add("current");
  if (BoolField(v, "destroyed")) add("destroyed");
  if (int64_t from = IntField(v, "rollback_of"); from != 0) {
    add("rollback of " + std::to_string(from));
  }
  return out.empty() ? "-" : out;
}

}  // namespace

Status GetSecretVersions(const GlobalOptions& g, const PlaceFlags& p, const std::string& name) {
  COFFER_ASSIGN_OR_RETURN(Place where, PlaceFromFlags(p.project_name, p.project_id));
  COFFER_RETURN_IF_ERROR(CheckSecretRef(name));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  COFFER_ASSIGN_OR_RETURN(json::object answer, SecretApi(session->api()).Versions(where, name));
  const int64_t now = NowSeconds();
  std::vector<std::vector<std::string>> rows = {
      {"VERSION", "AGE", "BY", "ENV VARS", "FILES", "STATE"}};
  if (const json::array* items = json_fields::Array(answer, "versions")) {
    for (const auto& item : *items) {
      if (!item.is_object()) continue;
      const json::object& v = item.as_object();
      std::string by = json_fields::String(v, "created_by_name");
      if (by.empty()) by = json_fields::String(v, "created_by");
      rows.push_back({std::to_string(IntField(v, "version")),
                      RelativeAge(json_fields::UnixTimeText(v, "create_time"), now),
                      by.empty() ? "-" : by, Joined(v, "env_var_names"), Joined(v, "file_paths"),
                      State(v)});
    }
  }
  std::fputs(FormatTable(rows).c_str(), stdout);
  return Status::Ok();
}

Status GetDeletedSecrets(const GlobalOptions& g, const PlaceFlags& p) {
  COFFER_ASSIGN_OR_RETURN(Place where, PlaceFromFlags(p.project_name, p.project_id));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  COFFER_ASSIGN_OR_RETURN(json::array items, SecretApi(session->api()).ListDeleted(where));
  const int64_t now = NowSeconds();
  std::vector<std::vector<std::string>> rows = {{"NAME", "ID", "DELETED", "BY", "PURGED IN"}};
  for (const auto& item : items) {
    if (!item.is_object()) continue;
    const json::object* md = json_fields::Object(item.as_object(), "metadata");
    const json::object* d = json_fields::Object(item.as_object(), "deletion");
    if (md == nullptr || d == nullptr) continue;
    std::string by = json_fields::String(*d, "deleted_by_name");
    // Time left until the purge, as an age counted the other way.
    int64_t purge = json_fields::UnixTimeText(*d, "purge_time");
    rows.push_back({json_fields::String(*md, "name"), json_fields::String(*md, "id"),
                    RelativeAge(json_fields::UnixTimeText(*d, "delete_time"), now) + " ago",
                    by.empty() ? "-" : by, RelativeAge(now, purge)});
  }
  std::fputs(FormatTable(rows).c_str(), stdout);
  return Status::Ok();
}

Status RollbackSecret(const GlobalOptions& g, const PlaceFlags& p, const std::string& name,
                      const std::string& version) {
  COFFER_ASSIGN_OR_RETURN(Place where, PlaceFromFlags(p.project_name, p.project_id));
  COFFER_RETURN_IF_ERROR(CheckSecretRef(name));
  COFFER_ASSIGN_OR_RETURN(int64_t v, VersionArg(version));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  COFFER_ASSIGN_OR_RETURN(SecretResource s, SecretApi(session->api()).Rollback(where, name, v));
  std::printf("%s '%s' rolled back: the content of version %lld is current, as a new version.\n",
              Noun(where.project), s.name.c_str(), static_cast<long long>(v));
  return Status::Ok();
}

Status DestroySecretVersion(const GlobalOptions& g, const PlaceFlags& p, const std::string& name,
                            const std::string& version) {
  COFFER_ASSIGN_OR_RETURN(Place where, PlaceFromFlags(p.project_name, p.project_id));
  COFFER_RETURN_IF_ERROR(CheckSecretRef(name));
  COFFER_ASSIGN_OR_RETURN(int64_t v, VersionArg(version));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  COFFER_RETURN_IF_ERROR(SecretApi(session->api()).DestroyVersion(where, name, v));
  std::printf("%s '%s' version %lld destroyed.\n", Noun(where.project), name.c_str(),
              static_cast<long long>(v));
  return Status::Ok();
}

Status RestoreSecret(const GlobalOptions& g, const PlaceFlags& p, const std::string& name,
                     const std::string& as) {
  COFFER_ASSIGN_OR_RETURN(Place where, PlaceFromFlags(p.project_name, p.project_id));
  COFFER_RETURN_IF_ERROR(CheckSecretRef(name));
  if (!as.empty()) COFFER_RETURN_IF_ERROR(CheckSecretRef(as));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  COFFER_ASSIGN_OR_RETURN(SecretResource s, SecretApi(session->api()).Restore(where, name, as));
  if (s.name != name) {
    std::printf("%s '%s' restored as '%s'.\n", Noun(where.project), name.c_str(), s.name.c_str());
  } else {
    std::printf("%s '%s' restored.\n", Noun(where.project), name.c_str());
  }
  return Status::Ok();
}

}  // namespace coffer::cli
