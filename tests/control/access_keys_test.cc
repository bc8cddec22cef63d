// Access keys: made for local users only, at most two each, secrets shown once, listed and
// deleted, found by the HTTP endpoint's SigV4 check; only root and the admin uid may touch them.
#include <set>

#include "control/actions.h"
#include "control/control_test_env.h"

namespace efs::control {
namespace {

using api::Json;
using testing::ControlTest;

class AccessKeys : public ControlTest {
 protected:
  api::Reply Run(const std::string& action, const Json& params, uid_t uid = 0) {
    return Dispatch(*control, api::Caller{1, uid, 0, {}}, action, params);
  }
  static std::string CodeOf(const api::Reply& reply) {
    return reply.error ? reply.error->code : "ok";
  }
};

TEST_F(AccessKeys, AKeyIsMadeForALocalUserWithItsSecretShownOnce) {
  api::Reply made = Run("CreateAccessKey", {{"UserName", "daemon"}});
  ASSERT_EQ(CodeOf(made), "ok") << made.error->message;
  const Json& key = made.result["AccessKey"];
  const std::string id = key["AccessKeyId"];
  const std::string secret = key["SecretAccessKey"];
  EXPECT_EQ(id.size(), 20u);
  EXPECT_EQ(id.substr(0, 4), "AKIA");
  EXPECT_EQ(secret.size(), 40u);
  EXPECT_EQ(key["UserName"], "daemon");
  EXPECT_EQ(key["Status"], "Active");
  EXPECT_EQ(key["CreateDate"], clock.Now());

  api::Reply listed = Run("ListAccessKeys", Json::object());
  ASSERT_EQ(CodeOf(listed), "ok");
  ASSERT_EQ(listed.result["AccessKeyMetadata"].size(), 1u);
  EXPECT_EQ(listed.result["AccessKeyMetadata"][0]["AccessKeyId"], id);
  EXPECT_FALSE(listed.result["AccessKeyMetadata"][0].contains("SecretAccessKey"));

  // What the HTTP endpoint checks signatures with.
  Result<std::optional<AccessKeyIdentity>> found = control->FindAccessKey(id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->secret, secret);
  EXPECT_EQ((*found)->user_name, "daemon");
  EXPECT_EQ((*found)->uid, 1u);
  EXPECT_FALSE(control->FindAccessKey("AKIANOSUCHKEY0000000")->has_value());

  // Two keys are never the same; they survive a restart.
  api::Reply second = Run("CreateAccessKey", {{"UserName", "daemon"}});
  ASSERT_EQ(CodeOf(second), "ok");
  EXPECT_NE(second.result["AccessKey"]["AccessKeyId"], id);
  EXPECT_NE(second.result["AccessKey"]["SecretAccessKey"], secret);
  Reopen();
  EXPECT_EQ((*control->FindAccessKey(id))->secret, secret);
}

TEST_F(AccessKeys, UnknownUsersAndAThirdKeyAreRefused) {
  EXPECT_EQ(CodeOf(Run("CreateAccessKey", {{"UserName", "no-such-user-here"}})), "NoSuchEntity");
  EXPECT_EQ(CodeOf(Run("ListAccessKeys", {{"UserName", "no-such-user-here"}})), "NoSuchEntity");
  EXPECT_EQ(CodeOf(Run("CreateAccessKey", Json::object())), "BadRequest");
  ASSERT_EQ(CodeOf(Run("CreateAccessKey", {{"UserName", "root"}})), "ok");
  ASSERT_EQ(CodeOf(Run("CreateAccessKey", {{"UserName", "root"}})), "ok");
  api::Reply third = Run("CreateAccessKey", {{"UserName", "root"}});
  EXPECT_EQ(CodeOf(third), "LimitExceeded");
  EXPECT_EQ(CodeOf(Run("CreateAccessKey", {{"UserName", "daemon"}})), "ok") << "per user";
  api::Reply roots = Run("ListAccessKeys", {{"UserName", "root"}});
  EXPECT_EQ(roots.result["AccessKeyMetadata"].size(), 2u);
}

TEST_F(AccessKeys, DeletedKeysAreGoneAndOnlyTheirOwnersNameFindsThem) {
  api::Reply made = Run("CreateAccessKey", {{"UserName", "daemon"}});
  const std::string id = made.result["AccessKey"]["AccessKeyId"];
  EXPECT_EQ(CodeOf(Run("DeleteAccessKey", {{"AccessKeyId", id}, {"UserName", "root"}})),
            "NoSuchEntity");
  EXPECT_EQ(CodeOf(Run("DeleteAccessKey", {{"AccessKeyId", id}, {"UserName", "daemon"}})), "ok");
  EXPECT_FALSE(control->FindAccessKey(id)->has_value());
  EXPECT_EQ(CodeOf(Run("DeleteAccessKey", {{"AccessKeyId", id}})), "NoSuchEntity");
  EXPECT_TRUE(Run("ListAccessKeys", Json::object()).result["AccessKeyMetadata"].empty());
}

TEST_F(AccessKeys, OnlyRootAndTheAdminUidMayMakeListOrDeleteKeys) {
  for (const char* action : {"CreateAccessKey", "ListAccessKeys", "DeleteAccessKey"}) {
    api::Reply reply = Run(action, {{"UserName", "root"}, {"AccessKeyId", "AKIA"}}, 1000);
    EXPECT_EQ(CodeOf(reply), "AccessDenied") << action;
  }
  EXPECT_TRUE(Run("ListAccessKeys", Json::object()).result["AccessKeyMetadata"].empty());
  options.admin_uid = 1000;
  Reopen();
  EXPECT_EQ(CodeOf(Run("CreateAccessKey", {{"UserName", "root"}}, 1000)), "ok");
  EXPECT_EQ(CodeOf(Run("ListAccessKeys", Json::object(), 1000)), "ok");
}

}  // namespace
}  // namespace efs::control
