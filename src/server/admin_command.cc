#include "server/admin_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>

#include "cli/common/table.h"
#include "service/auth_service.h"
#include "service/data_dir.h"

namespace coffer::server {
namespace {

int Fail(const Status& s) {
  std::fprintf(stderr, "error: %s\n", s.message().c_str());
  return 1;
}

// RFC 3339 in UTC ("2026-12-01T20:36:49Z"); "never" for 0.
std::string Rfc3339(int64_t unix_time) {
  if (unix_time <= 0) return "never";
  std::time_t t = static_cast<std::time_t>(unix_time);
  std::tm tm{};
  if (::gmtime_r(&t, &tm) == nullptr) return "never";
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The table of `list-tokens`: ids and metadata only; no token or hash reaches it.
int PrintTokens(const std::vector<service::TokenInfo>& tokens) {
  std::vector<std::vector<std::string>> rows = {
      {"ID", "USER", "DESCRIPTION", "CREATED", "LAST USED", "EXPIRES"}};
  for (const auto& t : tokens) {
    rows.push_back({t.id, t.user_name, t.description, Rfc3339(t.create_time), Rfc3339(t.last_used),
                    Rfc3339(t.expires_at)});
  }
  std::fputs(cli::FormatTable(rows).c_str(), stdout);
  return 0;
}

}  // namespace

int AdminCommand(int argc, char** argv) {
  CLI::App app{"coffer admin: manage organizations, users and API tokens", "coffer admin"};
  app.require_subcommand(1);
  std::string data_dir = "coffer-data";
  app.add_option("--data-dir", data_dir, "data directory")
      ->capture_default_str()
      ->envname("COFFER_DATA_DIR");  // as coffer server reads it
  std::string database;
  app.add_option("--database", database,
                 "postgres://USER@HOST:PORT/DB: the server's PostgreSQL store")
      ->envname("COFFER_DATABASE");

  std::string org, user, role, project, description = "created by coffer admin";
  int64_t ttl = 0;
  bool with_token = false;
  auto* create_org = app.add_subcommand("create-org", "create an organization");
  create_org->add_option("name", org, "organization name")->required();
  auto* create_user = app.add_subcommand("create-user", "create a user with an org role");
  create_user->add_option("name", user, "user name")->required();
  create_user->add_option("--org", org, "organization")->required();
  create_user->add_option("--role", role, "Owner, Admin, Member or Orchestrator")->required();
  create_user->add_flag("--token", with_token, "also issue a token and print it");
  auto* set_role = app.add_subcommand("set-project-role", "give a user a role in a project");
  set_role->add_option("--org", org, "organization")->required();
  set_role->add_option("--user", user, "user name")->required();
  set_role->add_option("--project", project, "project name")->required();
  set_role->add_option("--role", role, "Admin, Contributor or Reader")->required();
  auto* create_token = app.add_subcommand("create-token", "issue an API token for a user");
  create_token->add_option("--org", org, "organization")->required();
  create_token->add_option("--user", user, "user name")->required();
  create_token->add_option("--description", description, "what the token is for");
  create_token->add_option("--ttl", ttl, "lifetime in seconds (0: no expiry)");
  std::string token_id;
  auto* list_tokens = app.add_subcommand("list-tokens", "list the API tokens of an organization");
  list_tokens->add_option("--org", org, "organization")->required();
  auto* revoke_token = app.add_subcommand("revoke-token", "revoke an API token by its id");
  revoke_token->add_option("id", token_id, "the token's id (from list-tokens)")->required();
  auto* delete_user = app.add_subcommand("delete-user", "delete a user and all its tokens");
  delete_user->add_option("name", user, "user name")->required();
  delete_user->add_option("--org", org, "organization")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  service::DataDirOptions dd_opts;
  dd_opts.dir = data_dir;
  dd_opts.database = database;
  auto dd = service::OpenDataDir(dd_opts, false);
  if (!dd.ok()) return Fail(dd.status());
  service::AuthService auth(*dd->store);
  auto print_token = [&]() {
    auto token = auth.IssueToken(org, user, description, ttl);
    if (!token.ok()) return Fail(token.status());
    std::fwrite(token->data(), 1, token->size(), stdout);
    std::fputc('\n', stdout);
    return 0;
  };
  if (*create_org) {
    auto r = auth.CreateOrg(org);
    if (!r.ok()) return Fail(r.status());
    std::fprintf(stderr, "Organization '%s' created.\n", org.c_str());
    return 0;
  }
  if (*create_user) {
    auto r = auth.CreateUser(org, user, role);
    if (!r.ok()) return Fail(r.status());
    std::fprintf(stderr, "User '%s' created in '%s' as %s.\n", user.c_str(), org.c_str(),
                 role.c_str());
    return with_token ? print_token() : 0;
  }
  if (*set_role) {
    Status s = auth.SetProjectRole(org, user, project, role);
    if (!s.ok()) return Fail(s);
    std::fprintf(stderr, "User '%s' is %s of project '%s'.\n", user.c_str(), role.c_str(),
                 project.c_str());
    return 0;
  }
  if (*list_tokens) {
    auto tokens = auth.AdminListTokens(org);
    if (!tokens.ok()) return Fail(tokens.status());
    return PrintTokens(*tokens);
  }
  if (*revoke_token) {
    Status s = auth.AdminRevokeToken(token_id);
    if (s.Is(Status::Code::kNotFound) && token_id.rfind("cft_", 0) == 0) {
      // Someone passed the token itself: say what is expected, without echoing it.
      return Fail(Status::InvalidArgument(
          "revoke-token takes the token's id (see list-tokens), not the token"));
    }
    if (!s.ok()) return Fail(s);
    std::fprintf(stderr, "Token %s revoked.\n", token_id.c_str());
    return 0;
  }
  if (*delete_user) {
    Status s = auth.DeleteUser(org, user);
    if (!s.ok()) return Fail(s);
    std::fprintf(stderr, "User '%s' deleted from '%s', with its tokens.\n", user.c_str(),
                 org.c_str());
    return 0;
  }
  return print_token();
}

}  // namespace coffer::server
