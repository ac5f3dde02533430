#include "cli/secrets/secret_resource.h"

#include <boost/json.hpp>
#include <set>

#include "common/encoding.h"
#include "domain/validation.h"

namespace coffer::cli {
namespace json = boost::json;
namespace {

std::string Str(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return "";
  return std::string(it->value().as_string());
}

int64_t Time(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return 0;
  const json::value& v = it->value();
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64()) return static_cast<int64_t>(v.as_uint64());
  if (v.is_string()) {
    std::string s(v.as_string());
    if (!s.empty() && s.size() <= 18 && s.find_first_not_of("0123456789") == std::string::npos) {
      return std::stoll(s);
    }
  }
  return 0;
}

const json::object* Obj(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_object() ? &it->value().as_object() : nullptr;
}

const json::array* Arr(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_array() ? &it->value().as_array() : nullptr;
}

// Could a plain scalar with this text be read back as something other than this string
// (a number, bool, null or timestamp, under YAML 1.1 or 1.2)?
bool LooksTyped(const std::string& s) {
  static const std::set<std::string> kWords = {"y",     "n",  "yes", "no",   "true",
                                               "false", "on", "off", "null", "~"};
  std::string lower = s;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (kWords.count(lower) != 0) return true;
  // Numbers (decimal, 0x/0o/0b, floats, sexagesimal 1:20), .inf/.nan and timestamps.
  // Conservative: quoting a plain string too many is harmless, too few is not.
  std::string t = lower;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) t = t.substr(1);
  if (t == ".inf" || t == ".nan") return true;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (t.size() >= 5 && digit(t[0]) && digit(t[1]) && digit(t[2]) && digit(t[3]) && t[4] == '-') {
    return true;
  }
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'o' || t[1] == 'b') &&
      t.find_first_not_of("0123456789abcdef_", 2) == std::string::npos) {
    return true;
  }
  bool starts_numeric = !t.empty() && (digit(t[0]) || (t[0] == '.' && t.size() > 1 && digit(t[1])));
  return starts_numeric && t.find_first_not_of("0123456789_.:e+-") == std::string::npos;
}

void Line(std::string& out, int indent, const std::string& text) {
  out.append(static_cast<size_t>(indent), ' ');
  out += text;
  out += '\n';
}

// Appends `s` to a JSON document as a string, escaped.
void JsonString(SecretBytes& out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  out.Append("\"");
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c != '"' && c != '\\' && c >= 0x20) continue;
    out.Append(s.substr(start, i - start));
    if (c == '"') {
      out.Append("\\\"");
    } else if (c == '\\') {
      out.Append("\\\\");
    } else {
      char esc[7] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15], 0};
      out.Append(std::string_view(esc, 6));
    }
    start = i + 1;
  }
  out.Append(s.substr(start));
  out.Append("\"");
}

void JsonField(SecretBytes& out, std::string_view key, std::string_view value, bool comma) {
  if (comma) out.Append(",");
  JsonString(out, key);
  out.Append(":");
  JsonString(out, value);
}

}  // namespace

void AppendJsonString(SecretBytes& out, std::string_view s) { JsonString(out, s); }

// Strict UTF-8 (no overlong forms, no surrogates), as the server's JSON parser wants.
bool IsUtf8(std::string_view s) {
  static const uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      unsigned char b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

bool SecretResource::HasValues() const {
  for (const auto& e : env_vars) {
    if (!e.value.empty()) return true;
  }
  for (const auto& f : files) {
    if (!f.content.empty()) return true;
  }
  return false;
}

Result<SecretResource> SecretFromJson(std::string_view text, bool project_scope) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    return Status::Internal("the server sent a secret that is not a JSON object");
  }
  const json::object& o = v.as_object();
  SecretResource s;
  s.project_scope = project_scope;
  if (const json::object* m = Obj(o, "metadata")) {
    s.name = Str(*m, "name");
    s.id = Str(*m, "id");
    std::string description = Str(*m, "description");
    if (!description.empty()) s.description = description;
    s.create_time = Time(*m, "create_time");
    s.update_time = Time(*m, "update_time");
    s.project_id_or_name = Str(*m, "project_id_or_name");
  }
  if (const json::object* d = Obj(o, "data")) {
    if (const json::array* envs = Arr(*d, "env_vars")) {
      for (const auto& e : *envs) {
        if (e.is_object()) s.env_vars.push_back({Str(e.as_object(), "name"), SecretBytes()});
      }
    }
    if (const json::array* files = Arr(*d, "files")) {
      for (const auto& f : *files) {
        if (f.is_object()) s.files.push_back({Str(f.as_object(), "path"), SecretBytes()});
      }
    }
  }
  if (const json::object* c = project_scope ? nullptr : Obj(o, "org_config")) {
    OrgConfig cfg;
    cfg.projects_access = Str(*c, "projects_access");
    cfg.debug_access = Str(*c, "debug_access");
    cfg.attach_access = Str(*c, "attach_access");
    if (const json::array* ids = Arr(*c, "project_ids")) {
      for (const auto& id : *ids) {
        if (id.is_string()) cfg.project_ids.emplace_back(id.as_string());
      }
    }
    s.org_config = cfg;
  }
  return s;
}

std::string YamlScalar(std::string_view sv) {
  std::string s(sv);
  bool plain = !s.empty() && !LooksTyped(s) &&
               std::string_view("-?:,[]{}#&*!|>'\"%@`~ ").find(s[0]) == std::string_view::npos;
  for (char c : s) {
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' ||
                      c == '/' || c == '-' || c == '@' || c == '+');
  }
  if (plain) return s;
  std::string out = "\"";
  static const char* kHex = "0123456789abcdef";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string SecretToYaml(const SecretResource& s) {
  std::string out;
  Line(out, 0, std::string("apiVersion: ") + s.ApiVersion());
  Line(out, 0, std::string("kind: ") + s.Kind());
  Line(out, 0, "metadata:");
  Line(out, 2, "name: " + YamlScalar(s.name));
  if (!s.id.empty()) Line(out, 2, "id: " + YamlScalar(s.id));
  if (s.create_time != 0) Line(out, 2, "create_time: " + std::to_string(s.create_time));
  if (s.update_time != 0) Line(out, 2, "update_time: " + std::to_string(s.update_time));
  if (s.project_scope && !s.project_id_or_name.empty()) {
    Line(out, 2, "project_id_or_name: " + YamlScalar(s.project_id_or_name));
  }
  if (s.description && !s.description->empty()) {
    Line(out, 2, "description: " + YamlScalar(*s.description));
  }
  Line(out, 0, "data:");
  Line(out, 2, s.env_vars.empty() ? "env_vars: []" : "env_vars:");
  for (const auto& e : s.env_vars) Line(out, 2, "- name: " + YamlScalar(e.name));
  Line(out, 2, s.files.empty() ? "files: []" : "files:");
  for (const auto& f : s.files) Line(out, 2, "- path: " + YamlScalar(f.path));
  if (!s.project_scope && s.org_config && !(*s.org_config == OrgConfig{})) {
    const OrgConfig& c = *s.org_config;
    Line(out, 0, "org_config:");
    Line(out, 2, "projects_access: " + YamlScalar(c.projects_access));
    Line(out, 2, c.project_ids.empty() ? "project_ids: []" : "project_ids:");
    for (const auto& id : c.project_ids) Line(out, 2, "- " + YamlScalar(id));
    Line(out, 2, "debug_access: " + YamlScalar(c.debug_access));
    Line(out, 2, "attach_access: " + YamlScalar(c.attach_access));
  }
  return out;
}

Status ValidateSecret(const SecretResource& s, bool creating) {
  using domain::kMaxContentBytes;
  COFFER_RETURN_IF_ERROR(domain::ValidateName("metadata.name", s.name));
  if (s.description) {
    COFFER_RETURN_IF_ERROR(domain::ValidateDescription("metadata.description", *s.description));
    if (!IsUtf8(*s.description)) {
      return Status::InvalidArgument("metadata.description: must be UTF-8 text");
    }
  }
  if (s.env_vars.size() + s.files.size() > domain::kMaxEntries) {
    return Status::InvalidArgument("data: at most 1000 env vars and files in one secret");
  }
  size_t total = 0;
  std::set<std::string> names, paths;
  for (size_t i = 0; i < s.env_vars.size(); ++i) {
    const std::string field = "data.env_vars[" + std::to_string(i) + "]";
    const EnvVarEntry& e = s.env_vars[i];
    COFFER_RETURN_IF_ERROR(domain::ValidateEnvVarName(field + ".name", e.name));
    if (!names.insert(e.name).second) {
      return Status::InvalidArgument(field + ".name: duplicate env var " + e.name);
    }
    if (creating && e.value.empty()) {
      return Status::InvalidArgument(field + ".value: must not be empty (env var " + e.name + ")");
    }
    if (!IsUtf8(e.value.view())) {
      return Status::InvalidArgument(field + ".value: must be UTF-8 text (env var " + e.name +
                                     "); put binary data in a file");
    }
    total += e.value.size();
  }
  for (size_t i = 0; i < s.files.size(); ++i) {
    const std::string field = "data.files[" + std::to_string(i) + "]";
    const FileEntry& f = s.files[i];
    COFFER_RETURN_IF_ERROR(domain::ValidateFilePath(field + ".path", f.path));
    if (!IsUtf8(f.path)) return Status::InvalidArgument(field + ".path: must be UTF-8 text");
    if (!paths.insert(f.path).second) {
      return Status::InvalidArgument(field + ".path: duplicate file path " + f.path);
    }
    if (creating && f.content.empty()) {
      return Status::InvalidArgument(field + ".content: must not be empty (file " + f.path + ")");
    }
    if (!f.content.empty()) {
      auto bytes = Base64Decode(f.content.view());
      if (!bytes) {
        return Status::InvalidArgument(field + ".content: must be base64 (RFC 4648, padded)");
      }
      std::fill(bytes->begin(), bytes->end(), '\0');
    }
    total += f.content.size();
  }
  if (total > kMaxContentBytes) {
    return Status::TooLarge("data: the values and base64 file contents come to " +
                            std::to_string(total) + " bytes; a secret holds at most " +
                            std::to_string(kMaxContentBytes) + " (6 MiB)");
  }
  if (s.org_config) {
    const OrgConfig& c = *s.org_config;
    if (c.projects_access != "ALL" && c.projects_access != "ALLOWED" &&
        c.projects_access != "NONE") {
      return Status::InvalidArgument("org_config.projects_access: must be ALL, ALLOWED or NONE");
    }
    if (c.debug_access != "JOB_DEBUG_YES" && c.debug_access != "JOB_DEBUG_NO") {
      return Status::InvalidArgument(
          "org_config.debug_access: must be JOB_DEBUG_YES or JOB_DEBUG_NO");
    }
    if (c.attach_access != "JOB_ATTACH_YES" && c.attach_access != "JOB_ATTACH_NO") {
      return Status::InvalidArgument(
          "org_config.attach_access: must be JOB_ATTACH_YES or JOB_ATTACH_NO");
    }
  }
  return Status::Ok();
}

SecretBytes SecretToJsonBody(const SecretResource& s, bool with_update_time) {
  SecretBytes out;
  size_t reserve = 256;
  for (const auto& e : s.env_vars) reserve += e.name.size() + e.value.size() * 6 + 32;
  for (const auto& f : s.files) reserve += f.path.size() * 6 + f.content.size() + 32;
  out.Reserve(reserve);
  out.Append("{");
  JsonField(out, "apiVersion", s.ApiVersion(), false);
  JsonField(out, "kind", s.Kind(), true);
  out.Append(",\"metadata\":{");
  JsonField(out, "name", s.name, false);
  if (s.description) JsonField(out, "description", *s.description, true);
  if (with_update_time && s.update_time != 0) {
    JsonField(out, "update_time", std::to_string(s.update_time), true);
  }
  out.Append("},\"data\":{\"env_vars\":[");
  for (size_t i = 0; i < s.env_vars.size(); ++i) {
    out.Append(i == 0 ? "{" : ",{");
    JsonField(out, "name", s.env_vars[i].name, false);
    JsonField(out, "value", s.env_vars[i].value.view(), true);
    out.Append("}");
  }
  out.Append("],\"files\":[");
  for (size_t i = 0; i < s.files.size(); ++i) {
    out.Append(i == 0 ? "{" : ",{");
    JsonField(out, "path", s.files[i].path, false);
    JsonField(out, "content", s.files[i].content.view(), true);
    out.Append("}");
  }
  out.Append("]}");
  if (!s.project_scope && s.org_config) {
    const OrgConfig& c = *s.org_config;
    out.Append(",\"org_config\":{");
    JsonField(out, "projects_access", c.projects_access, false);
    out.Append(",\"project_ids\":[");
    for (size_t i = 0; i < c.project_ids.size(); ++i) {
      if (i > 0) out.Append(",");
      JsonString(out, c.project_ids[i]);
    }
    out.Append("]");
    JsonField(out, "debug_access", c.debug_access, true);
    JsonField(out, "attach_access", c.attach_access, true);
    out.Append("}");
  }
  out.Append("}");
  return out;
}

bool SameEntryNames(const std::vector<EnvVarEntry>& env_a, const std::vector<EnvVarEntry>& env_b,
                    const std::vector<FileEntry>& files_a, const std::vector<FileEntry>& files_b) {
  if (env_a.size() != env_b.size() || files_a.size() != files_b.size()) return false;
  for (size_t i = 0; i < env_a.size(); ++i) {
    if (env_a[i].name != env_b[i].name) return false;
  }
  for (size_t i = 0; i < files_a.size(); ++i) {
    if (files_a[i].path != files_b[i].path) return false;
  }
  return true;
}

}  // namespace coffer::cli
