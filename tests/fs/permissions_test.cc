// The POSIX permission rules of fs/permissions.h as pure functions.
#include "fs/permissions.h"

#include <gtest/gtest.h>

namespace efs::fs {
namespace {

constexpr uint32_t kAll = kAccessRead | kAccessWrite | kAccessExecute;

Attributes File(uint32_t mode, uint32_t uid = 1000, uint32_t gid = 1000,
                FileType type = FileType::kRegular) {
  Attributes a;
  a.type = type;
  a.mode = mode;
  a.uid = uid;
  a.gid = gid;
  return a;
}

const Credentials kRoot = Credentials::Root();
const Credentials kOwner{1000, 1000, {}};
const Credentials kGroupie{2000, 2000, {7, 1000}};
const Credentials kOther{3000, 3000, {}};

TEST(Permissions, OwnerGroupAndOtherClassesAreExclusive) {
  Attributes f = File(0751);
  EXPECT_EQ(GrantedAccess(kOwner, f, kAll), kAll);
  EXPECT_EQ(GrantedAccess(kGroupie, f, kAll), kAccessRead | kAccessExecute);
  EXPECT_EQ(GrantedAccess(kOther, f, kAll), kAccessExecute);
  // The owner class applies even when it grants less than the others.
  Attributes odd = File(0077);
  EXPECT_EQ(GrantedAccess(kOwner, odd, kAll), 0u);
  EXPECT_EQ(GrantedAccess(kGroupie, odd, kAll), kAll);
}

TEST(Permissions, SupplementaryGroupsCountAndThePrimaryGroupToo) {
  Attributes f = File(0070, 1, 7);
  EXPECT_EQ(GrantedAccess(kGroupie, f, kAccessRead), kAccessRead);
  Credentials primary{5, 7, {}};
  EXPECT_EQ(GrantedAccess(primary, f, kAccessWrite), kAccessWrite);
  EXPECT_TRUE(kGroupie.InGroup(1000));
  EXPECT_FALSE(kGroupie.InGroup(1001));
}

TEST(Permissions, RootBypassesReadWriteAndDirectorySearchButNotExecute) {
  EXPECT_EQ(GrantedAccess(kRoot, File(0000), kAll), kAccessRead | kAccessWrite);
  EXPECT_EQ(GrantedAccess(kRoot, File(0001), kAll), kAll);
  EXPECT_EQ(GrantedAccess(kRoot, File(0000, 1, 1, FileType::kDirectory), kAll), kAll);
  EXPECT_TRUE(CheckAccess(kRoot, File(0), kAccessRead | kAccessWrite).ok());
  EXPECT_EQ(CheckAccess(kRoot, File(0), kAccessExecute).code(), Code::kPermissionDenied);
}

TEST(Permissions, OwnersAlwaysReachTheirData) {
  EXPECT_TRUE(CheckDataAccess(kOwner, File(0000), kAccessWrite).ok());
  EXPECT_EQ(CheckDataAccess(kGroupie, File(0600), kAccessRead).code(), Code::kPermissionDenied);
  EXPECT_TRUE(CheckDataAccess(kGroupie, File(0640), kAccessRead).ok());
}

TEST(Permissions, StickyDirectoriesLimitDeletion) {
  Attributes tmp = File(01777, 0, 0, FileType::kDirectory);
  Attributes victim = File(0644, 1000, 1000);
  EXPECT_TRUE(CheckDelete(kOwner, tmp, victim).ok());
  EXPECT_EQ(CheckDelete(kOther, tmp, victim).code(), Code::kNotPermitted);
  EXPECT_TRUE(CheckDelete(kRoot, tmp, victim).ok());
  Attributes owned_tmp = File(01777, 3000, 3000, FileType::kDirectory);
  EXPECT_TRUE(CheckDelete(kOther, owned_tmp, victim).ok());
  Attributes plain = File(0777, 0, 0, FileType::kDirectory);
  EXPECT_TRUE(CheckDelete(kOther, plain, victim).ok());
  Attributes closed = File(0755, 0, 0, FileType::kDirectory);
  EXPECT_EQ(CheckDelete(kOther, closed, victim).code(), Code::kPermissionDenied);
}

TEST(Permissions, NewEntriesTakeTheCallerOrTheSetgidDirectorysGroup) {
  Attributes dir = File(0777, 0, 50, FileType::kDirectory);
  NewOwnership o = OwnershipForNew(kOwner, dir, FileType::kDirectory, 0755);
  EXPECT_EQ(o.uid, 1000u);
  EXPECT_EQ(o.gid, 1000u);
  EXPECT_EQ(o.mode, 0755u);
  dir.mode = 02777;
  o = OwnershipForNew(kOwner, dir, FileType::kDirectory, 0755);
  EXPECT_EQ(o.gid, 50u);
  EXPECT_EQ(o.mode, 02755u);
  o = OwnershipForNew(kOwner, dir, FileType::kRegular, 0644);
  EXPECT_EQ(o.gid, 50u);
  EXPECT_EQ(o.mode, 0644u);
}

TEST(Permissions, SetAttrOwnershipRules) {
  Attributes f = File(06755);
  SetAttrs chmod;
  chmod.mode = 0700;
  EXPECT_EQ(*CheckSetAttr(kOwner, f, chmod), 0700u);
  EXPECT_EQ(CheckSetAttr(kGroupie, f, chmod).status().code(), Code::kNotPermitted);
  SetAttrs chown;
  chown.uid = 1;
  EXPECT_EQ(CheckSetAttr(kOwner, f, chown).status().code(), Code::kNotPermitted);
  EXPECT_EQ(*CheckSetAttr(kRoot, f, chown), 0755u);  // Linux: even root's chown drops them
  SetAttrs chgrp;
  chgrp.gid = 7;
  EXPECT_EQ(CheckSetAttr(kOwner, f, chgrp).status().code(), Code::kNotPermitted);
  Credentials owner_in_7{1000, 1000, {7}};
  EXPECT_EQ(*CheckSetAttr(owner_in_7, f, chgrp), 0755u);
  SetAttrs setgid;
  setgid.mode = 02755;
  Attributes foreign_group = File(0755, 1000, 99);
  EXPECT_EQ(*CheckSetAttr(kOwner, foreign_group, setgid), 0755u);
  EXPECT_EQ(*CheckSetAttr(kRoot, foreign_group, setgid), 02755u);
  SetAttrs bad;
  bad.mode = 017777;
  EXPECT_EQ(CheckSetAttr(kRoot, f, bad).status().code(), Code::kInvalidArgument);
}

TEST(Permissions, SetAttrSizeAndTimes) {
  Attributes f = File(0644);
  SetAttrs size;
  size.size = 0;
  EXPECT_TRUE(CheckSetAttr(kOwner, f, size).ok());
  EXPECT_EQ(CheckSetAttr(kOther, f, size).status().code(), Code::kPermissionDenied);
  EXPECT_EQ(
      CheckSetAttr(kOwner, File(0755, 1000, 1000, FileType::kDirectory), size).status().code(),
      Code::kIsDir);
  SetAttrs client;
  client.mtime = {SetTime::kClientTime, Time{1, 0}};
  EXPECT_EQ(CheckSetAttr(kOther, File(0666), client).status().code(), Code::kNotPermitted);
  SetAttrs server;
  server.atime.kind = SetTime::kServerTime;
  EXPECT_TRUE(CheckSetAttr(kOther, File(0666), server).ok());
  EXPECT_EQ(CheckSetAttr(kOther, File(0644), server).status().code(), Code::kPermissionDenied);
}

// As Linux (setattr_should_drop_suidgid): whoever writes but root, the owner too.
TEST(Permissions, WritesByAnyoneButRootDropSetuidAndSetgid) {
  Attributes f = File(06777);
  EXPECT_EQ(ModeAfterWrite(kOwner, f), 0777u);
  EXPECT_EQ(ModeAfterWrite(kRoot, f), 06777u);
  EXPECT_EQ(ModeAfterWrite(kOther, f), 0777u);
  // Setgid without group execute stays for a writer in the file's group.
  Attributes no_group_x = File(06745);
  EXPECT_EQ(ModeAfterWrite(kOwner, no_group_x), 02745u);
  EXPECT_EQ(ModeAfterWrite(kOther, no_group_x), 0745u);
  EXPECT_EQ(ModeAfterWrite(kOther, File(06777, 1000, 1000, FileType::kDirectory)), 06777u);
}

TEST(Permissions, NamesAreValidated) {
  EXPECT_TRUE(ValidateName("ok").ok());
  EXPECT_TRUE(ValidateName(std::string(255, 'x')).ok());
  EXPECT_EQ(ValidateName(std::string(256, 'x')).code(), Code::kNameTooLong);
  EXPECT_EQ(ValidateName(std::string("a\0b", 3)).code(), Code::kInvalidArgument);
  EXPECT_EQ(ValidateName("..").reason(), "BadName");
}

}  // namespace
}  // namespace efs::fs
