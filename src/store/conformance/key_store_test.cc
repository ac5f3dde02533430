// Conformance of KeyStore: the keyring rows.
#include <gtest/gtest.h>

#include "store/conformance/store_conformance.h"

namespace coffer::store::conformance {
namespace {

using domain::Scope;

class KeyStoreConformance : public StoreConformance {};

TEST_P(KeyStoreConformance, KeyringRows) {
  ASSERT_TRUE(keys().AddKey({1, "wrapped1", 1}).ok());
  ASSERT_TRUE(keys().AddKey({2, "wrapped2", 2}).ok());
  auto listed = keys().ListKeys();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[1].wrapped, "wrapped2");
  EXPECT_FALSE(keys().AddKey({1, "again", 3}).ok());
}

COFFER_STORE_CONFORMANCE_SUITE(KeyStoreConformance, kKeys);

}  // namespace
}  // namespace coffer::store::conformance
