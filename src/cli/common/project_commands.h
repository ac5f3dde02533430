// sem create project NAME [--repo-url URL], sem get projects [NAME], sem delete project NAME.
//
// Each prints its result on stdout and returns Ok, or returns the error for SemMain to
// print as "error: ..." (exit code 1). The name is checked before the first request.
#pragma once

#include <string>

#include "cli/common/session.h"
#include "common/status.h"

namespace coffer::cli {

Status CreateProject(const GlobalOptions& g, const std::string& name, const std::string& repo);
// The NAME/REPOSITORY table of every project.
Status GetProjects(const GlobalOptions& g);
// One project as YAML (apiVersion v1alpha, kind Project).
Status GetProject(const GlobalOptions& g, const std::string& name);
Status DeleteProject(const GlobalOptions& g, const std::string& name);

}  // namespace coffer::cli
