// The backends the conformance suite runs against, and the fixture they share. The one
// place that names a backend: a second one is added to kBackends below.
#include <unistd.h>

#include <cstdlib>

#include "common/ids.h"
#include "store/conformance/store_conformance.h"
#include "store/sqlite/sqlite_store.h"

namespace coffer::store::conformance {
namespace {

const Backend kBackends[] = {
    {"sqlite",
     [](const std::string& dir) -> std::unique_ptr<Store> {
       auto s = SqliteStore::Open(dir + "/coffer.db", 2);
       EXPECT_TRUE(s.ok()) << s.status().ToString();
       return s.ok() ? std::move(s).value() : nullptr;
     },
     kAllInterfaces},
};

}  // namespace

std::vector<Backend> BackendsImplementing(unsigned interfaces) {
  interfaces |= kIdentity;  // every fixture's SetUp creates orgs
  std::vector<Backend> out;
  for (const Backend& b : kBackends) {
    if ((b.implements & interfaces) == interfaces) out.push_back(b);
  }
  return out;
}

std::string BackendName(const testing::TestParamInfo<Backend>& info) { return info.param.name; }

void StoreConformance::SetUp() {
  char tmpl[] = "/tmp/coffer-store-XXXXXX";
  dir_ = mkdtemp(tmpl);
  store_ = GetParam().open(dir_);
  ASSERT_NE(store_, nullptr);
  ASSERT_TRUE(store_->CreateOrg({"org1", "acme", 1}).ok());
  ASSERT_TRUE(store_->CreateOrg({"org2", "other", 1}).ok());
}

void StoreConformance::TearDown() {
  store_.reset();
  std::system(("rm -rf " + dir_).c_str());
}

SecretRow StoreConformance::Row(const std::string& name, domain::Scope scope,
                                const std::string& owner, const std::string& org) {
  SecretRow r;
  r.meta.id = NewUuid();
  r.meta.org_id = org;
  r.meta.scope = scope;
  r.meta.owner_id = owner;
  r.meta.name = name;
  r.meta.create_time = ++clock_;
  r.meta.update_time = clock_;
  r.meta.version = 1;
  r.meta.env_names = {"A", "B"};
  r.meta.file_paths = {".ssh/id_rsa"};
  r.sealed = "sealed-" + name;
  return r;
}

TokenRecord StoreConformance::Token(const std::string& id, const std::string& hash,
                                    const std::string& user_id, int64_t create_time) {
  TokenRecord t;
  t.id = id;
  t.hash = hash;
  t.user_id = user_id;
  t.description = "token " + id;
  t.create_time = create_time;
  t.expires_at = 7;
  return t;
}

AuditRecord StoreConformance::Audit(const std::string& action) {
  AuditRecord a;
  a.id = NewUuid();
  a.org_id = "org1";
  a.action = action;
  return a;
}

void StoreConformance::Reopen() {
  store_.reset();
  store_ = GetParam().open(dir_);
  ASSERT_NE(store_, nullptr);
}

}  // namespace coffer::store::conformance
