// Project: a project of an organization, with its forked-pull-request allow-list.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace coffer::domain {

struct Project {
  std::string id;
  std::string org_id;
  std::string name;
  std::string description;
  std::string repo_url;
  std::vector<std::string> allowed_secrets;       // forked PRs may use these names
  std::vector<std::string> allowed_contributors;  // forked PRs from these users
  int64_t create_time = 0;
  int64_t update_time = 0;
};

}  // namespace coffer::domain
