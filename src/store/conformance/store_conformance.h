// The Store conformance suite: every backend must pass it (vault's physical/testing.go).
//
// One fixture per interface (key_store_test.cc for KeyStore, identity_store_test.cc for
// IdentityStore, ...), each TEST_P run against every backend in backends.cc, the one
// place that opens them. A test reaches the store through the narrow interface it tests
// (`secrets().CreateSecret(...)`), so a test's calls say which interfaces it needs.
//
// A new backend is brought up one interface at a time: register it in backends.cc with
// `implements` naming the interfaces it has so far (the others may return an error), and
// only the suites whose interfaces it has run against it. Every fixture's SetUp creates
// the orgs "org1" and "org2" (IdentityStore::CreateOrg), so that method comes first.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "store/store.h"

namespace coffer::store::conformance {

// The interfaces of store.h, as bits of Backend::implements.
enum Interface : unsigned {
  kKeys = 1u << 0,
  kIdentity = 1u << 1,
  kProjects = 1u << 2,
  kSecrets = 1u << 3,
  kTargets = 1u << 4,
  kJobs = 1u << 5,
  kAudit = 1u << 6,
  kAllInterfaces = (1u << 7) - 1,
};

struct Backend {
  const char* name;
  // Opens the backend's store keeping its data in (or for) the empty directory `dir`;
  // opening the same `dir` again must see every write that returned OK (Reopen()).
  std::function<std::unique_ptr<Store>(const std::string& dir)> open;
  unsigned implements = kAllInterfaces;
};

// gtest prints a backend by its name.
inline void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

// The backends that implement every interface in `interfaces` (and IdentityStore).
std::vector<Backend> BackendsImplementing(unsigned interfaces);
std::string BackendName(const testing::TestParamInfo<Backend>& info);

class StoreConformance : public testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  KeyStore& keys() { return *store_; }
  IdentityStore& identity() { return *store_; }
  ProjectStore& projects() { return *store_; }
  SecretStore& secrets() { return *store_; }
  TargetStore& targets() { return *store_; }
  JobStore& jobs() { return *store_; }
  AuditStore& audit() { return *store_; }

  // A secret of org `org` at version 1, with a fresh id and a later time than the last.
  SecretRow Row(const std::string& name, domain::Scope scope = domain::Scope::kOrganization,
                const std::string& owner = "", const std::string& org = "org1");
  static TokenRecord Token(const std::string& id, const std::string& hash,
                           const std::string& user_id, int64_t create_time);
  // An event of org1 with a fresh id.
  AuditRecord Audit(const std::string& action);
  // Closes and reopens the store: what a write returned OK for must still be there.
  void Reopen();
  // What a write without waiting (`start` hands it `done`) tells its `done`, waited for.
  template <class Start>
  static Status Told(Start start) {
    std::promise<Status> told;
    auto outcome = told.get_future();
    start([&told](Status s) { told.set_value(std::move(s)); });
    return outcome.get();
  }
  // A second handle on the same data, open beside the first: another process, such as a
  // `coffer admin` beside the server, or a second server.
  std::unique_ptr<Store> OpenAnother() { return GetParam().open(dir_); }

  std::string dir_;
  std::unique_ptr<Store> store_;
  int64_t clock_ = 1000;
};

}  // namespace coffer::store::conformance

// Runs the TEST_Ps of fixture `suite` (a StoreConformance) against every backend that
// implements `interfaces`; a suite no backend implements yet runs no test.
#define COFFER_STORE_CONFORMANCE_SUITE(suite, interfaces)                                \
  GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(suite);                                  \
  INSTANTIATE_TEST_SUITE_P(                                                              \
      Backends, suite,                                                                   \
      testing::ValuesIn(::coffer::store::conformance::BackendsImplementing(interfaces)), \
      ::coffer::store::conformance::BackendName)
