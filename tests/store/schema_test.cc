// Tests for the catalog format's migrations: every past version moves forward to the current
// one, and a catalog from a newer efsd (or another program) is refused untouched.
#include "store/schema.h"

#include <gtest/gtest.h>

#include "store/catalog.h"
#include "store/db.h"
#include "testutil/temp_dir.h"

namespace efs::store {
namespace {

using testutil::TempDir;

int UserVersionOf(const std::string& path) {
  Result<std::unique_ptr<Db>> db = Db::Open(path);
  EXPECT_TRUE(db.ok());
  Result<int> version = (*db)->UserVersion();
  EXPECT_TRUE(version.ok());
  return *version;
}

std::vector<std::string> TablesOf(Db& db) {
  Result<Stmt> s = db.Query(
      "SELECT name FROM sqlite_master WHERE type = 'table' "
      "AND name NOT LIKE 'sqlite_%' ORDER BY name");
  EXPECT_TRUE(s.ok());
  std::vector<std::string> names;
  while (*s->Step()) names.push_back(s->Text(0));
  return names;
}

TEST(Schema, AnEmptyFileMigratesToTheCurrentVersionWithEveryTable) {
  TempDir dir;
  Result<std::unique_ptr<Db>> db = Db::Open(dir.Join("c.db"));
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(MigrateSchema(**db).ok());
  EXPECT_EQ(*(*db)->UserVersion(), kSchemaVersion);
  EXPECT_EQ(*(*db)->ApplicationId(), kApplicationId);
  std::vector<std::string> expected = {"access_keys",
                                       "failed_zones",
                                       "file_systems",
                                       "lifecycle_policies",
                                       "mount_target_security_groups",
                                       "mount_targets",
                                       "network_interfaces",
                                       "routes",
                                       "security_group_rules",
                                       "security_groups",
                                       "settings",
                                       "subnets",
                                       "tags",
                                       "vpc_peering_connections",
                                       "vpcs",
                                       "vpn_gateways"};
  EXPECT_EQ(TablesOf(**db), expected);
}

TEST(Schema, EveryPastVersionMigratesForwardToTheCurrentOne) {
  for (int past = 0; past < kSchemaVersion; ++past) {
    SCOPED_TRACE("from version " + std::to_string(past));
    TempDir dir;
    std::string path = dir.Join("c.db");
    {
      Result<std::unique_ptr<Db>> db = Db::Open(path);
      ASSERT_TRUE(db.ok());
      ASSERT_TRUE(MigrateSchema(**db, past).ok());
      EXPECT_EQ(*(*db)->UserVersion(), past);
    }
    Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(path);
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog->reset();
    EXPECT_EQ(UserVersionOf(path), kSchemaVersion);
  }
}

TEST(Schema, ReopeningACurrentCatalogChangesNothing) {
  TempDir dir;
  std::string path = dir.Join("c.db");
  ASSERT_TRUE(Catalog::Open(path).ok());
  Result<std::unique_ptr<Catalog>> again = Catalog::Open(path);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
}

TEST(Schema, ACatalogFromANewerEfsdIsRefusedAndLeftUntouched) {
  TempDir dir;
  std::string path = dir.Join("c.db");
  {
    Result<std::unique_ptr<Db>> db = Db::Open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(MigrateSchema(**db).ok());
    ASSERT_TRUE((*db)->SetUserVersion(kSchemaVersion + 1).ok());
  }
  Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(path);
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(catalog.status().message().find("newer"), std::string::npos)
      << catalog.status().message();
  EXPECT_EQ(UserVersionOf(path), kSchemaVersion + 1);
}

TEST(Schema, AnotherProgramsDatabaseIsRefusedAsCorruption) {
  TempDir dir;
  std::string path = dir.Join("other.db");
  {
    Result<std::unique_ptr<Db>> db = Db::Open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->SetApplicationId(42).ok());
  }
  Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(path);
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.status().code(), Code::kCorruption);
}

}  // namespace
}  // namespace efs::store
