#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "http/api.h"
#include "http/json_mapping.h"
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
  EXPECT_FALSE(r->policy->debug_allowed);
}

TEST(SecretJson, OutputHidesValuesAndRendersTimesAsStrings) {
  domain::SecretMeta m;
  m.name = "awskey";
  m.id = "31887bfb-fac5-4f5b-9a6a-059ecebcc851";
  m.create_time = 1556828155;
  m.update_time = 1621528405;
  m.env_names = {"AWS_ACCESS_KEY_ID"};
  m.file_paths = {".ssh/id_rsa"};
  std::string out = boost::json::serialize(SecretToJson(m, ""));
  EXPECT_EQ(out, R"({"metadata":{"name":"awskey","id":"31887bfb-fac5-4f5b-9a6a-059ecebcc851",)"
                 R"("create_time":"1556828155","update_time":"1621528405","checkout_at":"0",)"
                 R"("content_included":false,"description":""},)"
                 R"("data":{"env_vars":[{"name":"AWS_ACCESS_KEY_ID","value":""}],)"
                 R"("files":[{"path":".ssh/id_rsa","content":""}]},)"
                 R"("org_config":{"projects_access":"ALL","project_ids":[],)"
                 R"("debug_access":"JOB_DEBUG_YES","attach_access":"JOB_ATTACH_YES"}})");
}

}  // namespace
}  // namespace coffer::http
