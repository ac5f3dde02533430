// sem connect, sem context.
#include "cli/common/context_commands.h"

#include <cstdio>

#include "cli/common/project_api.h"

namespace coffer::cli {

Status Connect(const GlobalOptions& g, const std::string& host, const std::string& token) {
  COFFER_ASSIGN_OR_RETURN(std::string base, BaseUrlForHost(host));
  COFFER_RETURN_IF_ERROR(CheckToken(token));
  std::string ca;
  if (!g.ca.empty()) {
    COFFER_ASSIGN_OR_RETURN(ca, CheckCaFile(g.ca));
  }
  COFFER_ASSIGN_OR_RETURN(std::string path, DefaultConfigPath());
  COFFER_ASSIGN_OR_RETURN(SemConfig config, SemConfig::Load(path));
  HttpClient http(HttpClient::Options{base, token, ca});
  const ApiClient api(http);
  COFFER_RETURN_IF_ERROR(ProjectApi(api).CheckAccess());
  config.Upsert(SemContext{ContextNameForHost(host), host, token, ca});
  COFFER_RETURN_IF_ERROR(config.Save());
  std::printf("connected to %s\n", host.c_str());
  return Status::Ok();
}

Status ListContexts() {
  COFFER_ASSIGN_OR_RETURN(std::string path, DefaultConfigPath());
  COFFER_ASSIGN_OR_RETURN(SemConfig config, SemConfig::Load(path));
  const std::string active = config.ActiveContextName();
  for (const auto& name : config.ContextNames()) {
    std::printf("%s%s\n", name == active ? "* " : "  ", name.c_str());
  }
  return Status::Ok();
}

Status UseContext(const std::string& name) {
  COFFER_ASSIGN_OR_RETURN(std::string path, DefaultConfigPath());
  COFFER_ASSIGN_OR_RETURN(SemConfig config, SemConfig::Load(path));
  COFFER_RETURN_IF_ERROR(config.SetActive(name));
  COFFER_RETURN_IF_ERROR(config.Save());
  std::printf("switched to context \"%s\"\n", name.c_str());
  return Status::Ok();
}

}  // namespace coffer::cli
