#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <thread>

#include "http/access_log.h"
#include "http/api.h"
#include "http/auth_failure_limiter.h"
#include "http/authentication.h"
#include "http/json_fields.h"
#include "http/json_mapping.h"
#include "http/responses.h"
#include "http/router.h"

namespace coffer::http {
namespace {

TEST(Router, MatchesCapturesAndTells405From404) {
  Router<int> r;
  r.Add("GET", "/api/v1beta/secrets", 1);
  r.Add("GET", "/api/v1beta/secrets/{secret}", 2);
  r.Add("DELETE", "/api/v1beta/secrets/{secret}", 3);
  auto m = r.Find("GET", "/api/v1beta/secrets/a%40b");
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(*m.handler, 2);
  EXPECT_EQ(m.params["secret"], "a@b");
  auto wrong = r.Find("PUT", "/api/v1beta/secrets/x");
  EXPECT_EQ(wrong.handler, nullptr);
  EXPECT_TRUE(wrong.path_exists);
  EXPECT_EQ(wrong.allowed.size(), 2u);
  auto none = r.Find("GET", "/api/v1beta/nope");
  EXPECT_FALSE(none.path_exists);
  EXPECT_TRUE(r.Find("GET", "/api/v1beta/secrets/%zz").bad_path);
  EXPECT_TRUE(r.Find("PUT", "/api/v1beta/secrets/%zz").bad_path);
  // Captures are decoded for the route that matches only: another route's are not tried.
  r.Add("GET", "/api/v1beta/secrets/{secret}/usage", 4);
  r.Add("GET", "/api/v1beta/projects/{project}/secrets/{secret}", 5);
  auto usage = r.Find("GET", "/api/v1beta/secrets/a%2Fb/usage");
  ASSERT_NE(usage.handler, nullptr);
  EXPECT_EQ(*usage.handler, 4);
  EXPECT_EQ(usage.params.size(), 1u);
  EXPECT_EQ(usage.params["secret"], "a/b");
  auto two = r.Find("GET", "/api/v1beta/projects/p%20q/secrets/s");
  ASSERT_NE(two.handler, nullptr);
  EXPECT_EQ(two.params["project"], "p q");
  EXPECT_EQ(two.params["secret"], "s");
  EXPECT_FALSE(r.Find("GET", "/api/v1beta/secrets/%zz/other").bad_path);  // no such route
  // More segments than any route has: no route, not a fault.
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "/x";
  auto nothing = r.Find("GET", deep);
  EXPECT_EQ(nothing.handler, nullptr);
  EXPECT_FALSE(nothing.path_exists);
  EXPECT_FALSE(nothing.bad_path);
  // FindHandler: the handler Find gives, without decoding anything.
  ASSERT_NE(r.FindHandler("GET", "/api/v1beta/secrets/%zz"), nullptr);
  EXPECT_EQ(*r.FindHandler("GET", "/api/v1beta/secrets/x"), 2);
  EXPECT_EQ(*r.FindHandler("DELETE", "/api/v1beta/secrets/x"), 3);
  EXPECT_EQ(r.FindHandler("PUT", "/api/v1beta/secrets/x"), nullptr);
  EXPECT_EQ(r.FindHandler("GET", deep), nullptr);
  EXPECT_EQ(r.FindHandler("GET", "/api/v1beta"), nullptr);
}

TEST(AccessLog, RequestIdsAreWellFormedAndDistinctAcrossThreads) {
  std::vector<std::vector<std::string>> ids(4);
  std::vector<std::thread> threads;
  for (auto& mine : ids) {
    threads.emplace_back([&mine] {
      for (int i = 0; i < 5000; ++i) mine.push_back(NewRequestId());
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& mine : ids) {
    for (const auto& id : mine) {
      ASSERT_EQ(id.size(), 16u);
      ASSERT_TRUE(WellFormedRequestId(id)) << id;
      all.insert(id);
    }
  }
  EXPECT_EQ(all.size(), 20000u);
}

TEST(AccessLog, JsonEscapeEscapesOnlyWhatJsonNeeds) {
  EXPECT_EQ(JsonEscape("curl/8.0 (x86_64)"), "curl/8.0 (x86_64)");
  EXPECT_EQ(JsonEscape("a\"b\\c\n\x01\x7f"), "a\\\"b\\\\c\\n\\u0001\\u007f");
  EXPECT_EQ(JsonEscape(""), "");
}

TEST(Query, Decodes) {
  auto q = ParseQuery("page_size=10&page_token=a%2Bb&x");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ((*q)["page_size"], "10");
  EXPECT_EQ((*q)["page_token"], "a+b");
  EXPECT_EQ((*q)["x"], "");
  EXPECT_FALSE(ParseQuery("a=%").has_value());
}

TEST(Medium, FromUserAgent) {
  EXPECT_EQ(MediumFromUserAgent("SemaphoreCLI/v0.30.0 (linux)"), "CLI");
  EXPECT_EQ(MediumFromUserAgent("coffer-cli/0.1"), "CLI");
  EXPECT_EQ(MediumFromUserAgent("coffer-tests/1"), "API");
  EXPECT_EQ(MediumFromUserAgent("Mozilla/5.0 (X11)"), "UI");
  EXPECT_EQ(MediumFromUserAgent("curl/7.88"), "API");
}

TEST(StatusMapping, OneFunction) {
  EXPECT_EQ(HttpStatusFor(Status::InvalidArgument("x")), 400);
  EXPECT_EQ(HttpStatusFor(Status::Unauthenticated("x")), 401);
  EXPECT_EQ(HttpStatusFor(Status::PermissionDenied("x")), 403);
  EXPECT_EQ(HttpStatusFor(Status::NotFound("x")), 404);
  EXPECT_EQ(HttpStatusFor(Status::Conflict("x")), 409);
  EXPECT_EQ(HttpStatusFor(Status::AlreadyExists("x")), 409);
  EXPECT_EQ(HttpStatusFor(Status::Corruption("x")), 500);
}

TEST(AuthFailureLimiter, LocksOutOnlyTheAddressPastItsLimit) {
  int64_t now = 1000;
  AuthFailureLimiter limiter(3, [&now] { return now; });
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.RecordFailure("10.0.0.1"));
  EXPECT_EQ(limiter.LockedFor("10.0.0.1"), 0);
  EXPECT_TRUE(limiter.RecordFailure("10.0.0.1"));   // the fourth locks it out
  EXPECT_FALSE(limiter.RecordFailure("10.0.0.1"));  // and is said once
  EXPECT_EQ(limiter.LockedFor("10.0.0.1"), 60);
  EXPECT_EQ(limiter.LockedFor("10.0.0.2"), 0);  // others are never slowed
  now += 59;
  EXPECT_EQ(limiter.LockedFor("10.0.0.1"), 1);
  now += 1;
  EXPECT_EQ(limiter.LockedFor("10.0.0.1"), 0);
  // A new window: three more failures are allowed.
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.RecordFailure("10.0.0.1"));
  // Failures spread over windows never lock.
  now += 60;
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.RecordFailure("10.0.0.3"));
  now += 60;
  EXPECT_FALSE(limiter.RecordFailure("10.0.0.3"));
}

TEST(AuthFailureLimiter, ZeroTurnsItOffAndMemoryIsBounded) {
  AuthFailureLimiter off(0);
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(off.RecordFailure("a"));
  EXPECT_EQ(off.LockedFor("a"), 0);
  int64_t now = 0;
  AuthFailureLimiter flood(1, [&now] { return now; });
  EXPECT_FALSE(flood.RecordFailure("victim"));
  EXPECT_TRUE(flood.RecordFailure("victim"));
  for (size_t i = 0; i < AuthFailureLimiter::kMaxTracked + 10; ++i) {
    (void)flood.RecordFailure("addr-" + std::to_string(i));
  }
  EXPECT_GT(flood.LockedFor("victim"), 0);  // a locked address is not forgotten
}

// Every route declares how it authenticates; a job token reaches only its own routes.
TEST(Api, EveryRouteDeclaresItsAuthentication) {
  Api api(Services{});
  int job_routes = 0, open_routes = 0;
  for (const auto& r : api.routes()) {
    if (r.auth & kJobToken) {
      ++job_routes;
      EXPECT_EQ(r.pattern.rfind("/api/v1alpha/jobs/{job}/", 0), 0u) << r.pattern;
    }
    if (r.auth == kNoAuth) {
      ++open_routes;
      // /metrics checks its caller itself: an address in --metrics-allow, or an Owner's token.
      EXPECT_TRUE(r.pattern == "/healthz" || r.pattern == "/readyz" ||
                  r.pattern == "/api/openapi.json" || r.pattern == "/metrics")
          << r.pattern;
    }
  }
  EXPECT_EQ(job_routes, 2);  // checkout and finish
  EXPECT_EQ(open_routes, 4);
}

TEST(Api, RefusesTokensOfTheWrongKindBeforeAnyLookup) {
  Api api(Services{});  // no service: a lookup would crash
  Request req;
  req.method = "GET";
  req.remote_ip = "127.0.0.9";
  req.target = "/api/v1beta/secrets";
  req.headers = {{"Authorization", "Token cjt_abc"}};
  EXPECT_EQ(api.Handle(req).status, 401);
  req.target = "/api/v1alpha/jobs/x/secrets";
  req.headers = {{"Authorization", "Token cft_abc"}};
  Response r = api.Handle(req);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("checkout needs the job's own token"), std::string::npos);
  req.headers = {};
  EXPECT_EQ(api.Handle(req).status, 401);
  req.method = "HEAD";
  req.target = "/healthz";
  EXPECT_EQ(api.Handle(req).status, 200);
}

// Only handlers that never wait for a commit run on the I/O thread: a few GETs, and on an
// in-process store only (SQLite) those that read it, and a job's open, checkout and finish
// and a secret's create and update, which hand their one write to the store without waiting.
TEST(Api, OnlyRoutesThatNeverWaitRunOnTheIoThread) {
  Api api(Services{});
  const std::set<std::string> hand_over = {"POST /api/v1alpha/jobs",
                                           "GET /api/v1alpha/jobs/{job}/secrets",
                                           "POST /api/v1alpha/jobs/{job}/finish",
                                           "POST /api/v1beta/secrets",
                                           "POST /api/v1/projects/{project}/secrets",
                                           "PATCH /api/v1beta/secrets/{secret}",
                                           "PATCH /api/v1/projects/{project}/secrets/{secret}"};
  size_t handing_over = 0;
  for (const auto& r : api.routes()) {
    if (r.runs == Runs::kReadsThenCommits) {
      EXPECT_TRUE(r.answer_later) << r.pattern;
      EXPECT_TRUE(hand_over.count(r.method + " " + r.pattern)) << r.method << " " << r.pattern;
      ++handing_over;
    } else if (r.runs != Runs::kOnWorker) {
      EXPECT_EQ(r.method, "GET") << r.pattern;
    }
  }
  EXPECT_EQ(handing_over, hand_over.size());
  auto inline_for = [](bool inline_reads, const std::string& method, const std::string& target,
                       size_t body = 0) {
    ApiOptions o;
    o.in_process_store = inline_reads;
    Request req;
    req.method = method;
    req.target = target;
    req.body.assign(body, ' ');
    return Api(Services{}, o).RunsInline(req);
  };
  EXPECT_TRUE(inline_for(true, "POST", "/api/v1alpha/jobs", 600));
  EXPECT_TRUE(inline_for(true, "POST", "/api/v1alpha/jobs/j/finish"));
  EXPECT_FALSE(inline_for(false, "POST", "/api/v1alpha/jobs"));  // PostgreSQL: a worker
  EXPECT_FALSE(inline_for(false, "POST", "/api/v1alpha/jobs/j/finish"));
  // A large body (a pipeline file of up to 1 MiB) is read on a worker.
  EXPECT_TRUE(inline_for(true, "POST", "/api/v1alpha/jobs", Api::kMaxInlineBody));
  EXPECT_FALSE(inline_for(true, "POST", "/api/v1alpha/jobs", Api::kMaxInlineBody + 1));
  EXPECT_FALSE(inline_for(true, "POST", "/api/v1alpha/jobs/j/debug"));
  EXPECT_FALSE(inline_for(true, "GET", "/api/v1alpha/jobs"));  // no such route
  EXPECT_TRUE(inline_for(true, "GET", "/api/v1beta/secrets/db?x=1"));
  EXPECT_TRUE(inline_for(true, "HEAD", "/api/v1/projects/p/secrets/db"));
  EXPECT_TRUE(inline_for(true, "GET", "/api/v1beta/secrets/db/versions"));
  EXPECT_FALSE(inline_for(false, "GET", "/api/v1beta/secrets/db"));  // PostgreSQL: a worker
  EXPECT_TRUE(inline_for(false, "GET", "/healthz"));
  // The checkout reads, then hands its audit to the committer without waiting: inline on an
  // in-process store only (PostgreSQL's commit would block the I/O thread).
  EXPECT_TRUE(inline_for(true, "GET", "/api/v1alpha/jobs/self/secrets"));
  EXPECT_FALSE(inline_for(false, "GET", "/api/v1alpha/jobs/self/secrets"));
  // A secret's create hands its write over as well (a large secret is sealed on a worker).
  EXPECT_TRUE(inline_for(true, "POST", "/api/v1beta/secrets", 2000));
  EXPECT_TRUE(inline_for(true, "POST", "/api/v1/projects/p/secrets"));
  EXPECT_FALSE(inline_for(true, "POST", "/api/v1beta/secrets", Api::kMaxInlineBody + 1));
  EXPECT_FALSE(inline_for(false, "POST", "/api/v1beta/secrets"));  // PostgreSQL: a worker
  EXPECT_FALSE(inline_for(true, "POST", "/api/v1beta/secrets/db/restore"));
  EXPECT_TRUE(inline_for(true, "PATCH", "/api/v1/projects/p/secrets/db"));
  EXPECT_FALSE(inline_for(false, "PATCH", "/api/v1beta/secrets/db"));
  // Other writes, reads that may write (the list route also lists deleted secrets, which
  // first purges the expired ones), and a path no route has.
  EXPECT_FALSE(inline_for(true, "DELETE", "/api/v1beta/secrets/db"));
  EXPECT_FALSE(inline_for(true, "GET", "/api/v1beta/secrets?deleted=true"));
  EXPECT_FALSE(inline_for(true, "GET", "/api/v1beta/secrets"));
  EXPECT_FALSE(inline_for(true, "GET", "/no/such/route"));
  // A filtered audit page may scan much of an org's log: it would hold up every connection
  // of the I/O thread.
  EXPECT_FALSE(inline_for(true, "GET", "/api/v1alpha/audit?actor_id=x"));
}

// Off the I/O thread, what only reads may go to the readers; writes, a checkout (off the I/O
// thread its store waits for its commit), reads that may write and unknown paths go to the
// workers.
TEST(Api, OnlyReadsIsWhatNeverWaitsOnACommit) {
  Api api(Services{});
  auto only_reads = [&api](const std::string& method, const std::string& target) {
    Request req;
    req.method = method;
    req.target = target;
    return api.OnlyReads(req);
  };
  EXPECT_TRUE(only_reads("GET", "/api/v1beta/secrets/db"));
  EXPECT_TRUE(only_reads("HEAD", "/api/v1/projects/p/secrets/db"));
  EXPECT_FALSE(only_reads("GET", "/api/v1alpha/jobs/self/secrets"));
  EXPECT_FALSE(only_reads("GET", "/healthz"));  // no store: on the I/O thread anyway
  EXPECT_FALSE(only_reads("POST", "/api/v1beta/secrets"));
  EXPECT_FALSE(only_reads("PATCH", "/api/v1beta/secrets/db"));
  EXPECT_FALSE(only_reads("GET", "/api/v1beta/secrets"));
  EXPECT_FALSE(only_reads("GET", "/api/v1alpha/audit?actor_id=x"));
  EXPECT_FALSE(only_reads("GET", "/no/such/route"));
}

Result<service::SecretInput> Parse(const std::string& text, bool project = false) {
  auto v = ParseJson(text);
  if (!v.ok()) return v.status();
  return SecretFromJson(*v, project);
}

struct BadBody {
  const char* body;
  const char* field;
};
constexpr BadBody kBadBodies[] = {
    {R"({"metadata":{"name":"x","nme":"y"}})", "metadata.nme"},
    {R"({"colour":1})", "colour"},
    {R"({"data":{"env_vars":[{"name":"A","value":1}]}})", "data.env_vars[0].value"},
    {R"({"data":{"files":[{"path":"a","content":"not base64!"}]}})", "data.files[0].content"},
    {R"({"data":{"env_vars":{}}})", "data.env_vars"},
    {R"({"org_config":{"projects_access":"SOME"}})", "org_config.projects_access"},
    {R"({"org_config":{"debug_access":"YES"}})", "org_config.debug_access"},
    {R"({"metadata":{"update_time":"soon"}})", "metadata.update_time"},
    {R"({"apiVersion":"v2"})", "apiVersion"},
    {R"([1,2])", "body"},
};

TEST(SecretJson, BadInputNamesTheField) {
  for (const auto& c : kBadBodies) {
    auto r = Parse(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(r.status().message().rfind(c.field, 0), 0u) << r.status().message();
  }
  EXPECT_FALSE(Parse(R"({"org_config":{}})", true).ok());
  EXPECT_EQ(Parse("{nope").status().message().rfind("malformed JSON", 0), 0u);
}

TEST(SecretJson, ParsesSemaphoreShape) {
  auto r = Parse(R"({"apiVersion":"v1beta","kind":"Secret",
    "metadata":{"name":"awskey","update_time":"1621528405","content_included":false},
    "data":{"env_vars":[{"name":"A","value":"v"}],"files":[{"path":"p","content":"aGk="}]},
    "org_config":{"projects_access":"ALLOWED","project_ids":[],"debug_access":"JOB_DEBUG_NO",
                  "attach_access":"JOB_ATTACH_YES"}})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r->name, "awskey");
  EXPECT_EQ(*r->expected_update_time, 1621528405);
  EXPECT_EQ(r->data->files[0].content.view(), "hi");
  EXPECT_EQ(r->policy->debug_allowed, std::optional<bool>(false));
  EXPECT_EQ(r->policy->attach_allowed, std::optional<bool>(true));
}

// PartialOrgConfigResetOtherFields: a PATCH that sends one policy field set only that one.
TEST(SecretJson, PolicyFieldsLeftOutStayUnset) {
  auto r = Parse(R"({"org_config":{"projects_access":"NONE"}})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->policy->projects_access, domain::ProjectsAccess::kNone);
  EXPECT_FALSE(r->policy->projects.has_value());
  EXPECT_FALSE(r->policy->debug_allowed.has_value());
  EXPECT_FALSE(r->policy->attach_allowed.has_value());
}

TEST(SecretJson, OutputHidesValuesAndRendersTimesAsStrings) {
  domain::SecretMeta m;
  m.name = "awskey";
  m.id = "31887bfb-fac5-4f5b-9a6a-059ecebcc851";
  m.create_time = 1556828155;
  m.update_time = 1621528405;
  m.env_names = {"AWS_ACCESS_KEY_ID"};
  m.file_paths = {".ssh/id_rsa"};
  std::string out = SecretJson(m, "");
  EXPECT_EQ(out, R"({"metadata":{"name":"awskey","id":"31887bfb-fac5-4f5b-9a6a-059ecebcc851",)"
                 R"("create_time":"1556828155","update_time":"1621528405","checkout_at":"0",)"
                 R"("content_included":false,"description":""},)"
                 R"("data":{"env_vars":[{"name":"AWS_ACCESS_KEY_ID","value":""}],)"
                 R"("files":[{"path":".ssh/id_rsa","content":""}]},)"
                 R"("org_config":{"projects_access":"ALL","project_ids":[],)"
                 R"("debug_access":"JOB_DEBUG_YES","attach_access":"JOB_ATTACH_YES"}})");
  EXPECT_EQ(boost::json::serialize(SecretToJson(m, "")), out);
}

// A project secret has no org_config; text that needs escapes is escaped; the lists keep
// their order; the tree is the text's.
TEST(SecretJson, ProjectSecretsAndEscapedTextAreValidJson) {
  domain::SecretMeta m;
  m.name = "db";
  m.id = "id-1";
  m.description = "line \"one\"\nand\ttwo \\ \x01";
  m.checkout_at = -1;
  m.env_names = {"B", "A", "C"};
  m.file_paths = {"/etc/x", "rel/y"};
  m.policy.projects_access = domain::ProjectsAccess::kAllowed;
  m.policy.project_ids = {"p1", "p2"};
  m.policy.debug_allowed = false;
  for (const std::string project : {"", "web"}) {
    std::string text = SecretJson(m, project);
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(text, ec);
    ASSERT_FALSE(ec) << text;
    EXPECT_EQ(v, boost::json::value(SecretToJson(m, project)));
    const auto& meta = v.at("metadata");
    EXPECT_EQ(meta.at("description").as_string(), m.description);
    EXPECT_EQ(meta.at("checkout_at").as_string(), "-1");
    const auto& envs = v.at("data").at("env_vars").as_array();
    ASSERT_EQ(envs.size(), 3u);
    EXPECT_EQ(envs[0].at("name").as_string(), "B");
    EXPECT_EQ(envs[2].at("name").as_string(), "C");
    EXPECT_EQ(v.at("data").at("files").as_array()[1].at("path").as_string(), "rel/y");
    if (project.empty()) {
      EXPECT_FALSE(meta.as_object().contains("project_id_or_name"));
      const auto& policy = v.at("org_config");
      EXPECT_EQ(policy.at("projects_access").as_string(), "ALLOWED");
      EXPECT_EQ(policy.at("project_ids").as_array().size(), 2u);
      EXPECT_EQ(policy.at("debug_access").as_string(), "JOB_DEBUG_NO");
      EXPECT_EQ(policy.at("attach_access").as_string(), "JOB_ATTACH_YES");
    } else {
      EXPECT_EQ(meta.at("project_id_or_name").as_string(), "web");
      EXPECT_FALSE(v.as_object().contains("org_config"));
    }
  }
}

}  // namespace
}  // namespace coffer::http
