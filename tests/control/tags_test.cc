// TagResource, UntagResource and ListTagsForResource: ids and ARNs, the tag rules, overwrite
// and removal, paging with NextToken.
#include "base/ids.h"
#include "control/control_test_env.h"

namespace efs::control {
namespace {

using testing::ControlTest;
using testing::ReasonOf;

class Tags : public ControlTest {
 protected:
  void SetUp() override {
    ControlTest::SetUp();
    fs_ = CreateFs("tagged");
    arn_ = "arn:aws:elasticfilesystem:local-1:000000000000:file-system/" + fs_;
  }
  Status Tag(const std::string& resource, std::vector<api::Tag> tags) {
    return control->TagResource({resource, std::move(tags)});
  }
  Status Untag(const std::string& resource, std::vector<std::string> keys) {
    return control->UntagResource({resource, std::move(keys)});
  }
  std::vector<api::Tag> List(const std::string& resource) {
    Result<api::ListTagsForResourceResponse> r =
        control->ListTagsForResource({resource, std::nullopt, std::nullopt});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->tags : std::vector<api::Tag>{};
  }
  std::string fs_, arn_;
};

TEST_F(Tags, TagsAreAddedOverwrittenAndRemovedByIdOrArn) {
  ASSERT_TRUE(Tag(fs_, {{"Name", "one"}, {"env", "dev"}}).ok());
  ASSERT_TRUE(Tag(arn_, {{"env", "prod"}}).ok());
  EXPECT_EQ(List(fs_), (std::vector<api::Tag>{{"Name", "one"}, {"env", "prod"}}));
  EXPECT_EQ(List(arn_), List(fs_));
  EXPECT_EQ(Describe(fs_).name, "one");
  ASSERT_TRUE(Untag(arn_, {"Name", "absent"}).ok());
  EXPECT_EQ(List(fs_), (std::vector<api::Tag>{{"env", "prod"}}));
  EXPECT_FALSE(Describe(fs_).name.has_value());
}

TEST_F(Tags, ResourcesThatAreNotFileSystems) {
  EXPECT_EQ(ReasonOf(Tag(NewId("fs"), {{"k", "v"}})), "FileSystemNotFound");
  EXPECT_EQ(
      ReasonOf(Tag("arn:aws:elasticfilesystem:local-1:000000000000:file-system/" + NewId("fs"),
                   {{"k", "v"}})),
      "FileSystemNotFound");
  EXPECT_EQ(ReasonOf(Tag(NewId("fsap"), {{"k", "v"}})), "AccessPointNotFound");
  EXPECT_EQ(
      ReasonOf(Tag("arn:aws:elasticfilesystem:local-1:000000000000:access-point/" + NewId("fsap"),
                   {{"k", "v"}})),
      "AccessPointNotFound");
  EXPECT_EQ(ReasonOf(Untag(NewId("fsap"), {"k"})), "AccessPointNotFound");
  EXPECT_EQ(ReasonOf(control->ListTagsForResource({NewId("fs"), std::nullopt, std::nullopt})),
            "FileSystemNotFound");
  for (const char* bad : {"vol-0123456789abcdef0", "fs-", "arn:aws:s3:::bucket", "",
                          "arn:aws:elasticfilesystem:local-1:000000000000:volume/x"}) {
    EXPECT_EQ(ReasonOf(Tag(bad, {{"k", "v"}})), "BadRequest") << bad;
  }
}

TEST_F(Tags, TagRulesApplyToTagResource) {
  EXPECT_EQ(ReasonOf(Tag(fs_, {})), "BadRequest");
  EXPECT_EQ(ReasonOf(Tag(fs_, {{"aws:x", "v"}})), "BadRequest");
  EXPECT_EQ(ReasonOf(Tag(fs_, {{"k", std::string(257, 'v')}})), "BadRequest");
  EXPECT_EQ(ReasonOf(Tag(fs_, {{"k", "1"}, {"k", "2"}})), "BadRequest");
  std::vector<api::Tag> fifty;
  for (int i = 0; i < 50; ++i) fifty.push_back({"k" + std::to_string(i), "v"});
  ASSERT_TRUE(Tag(fs_, fifty).ok());
  ASSERT_TRUE(Tag(fs_, {{"k0", "overwrite is fine"}}).ok());
  EXPECT_EQ(ReasonOf(Tag(fs_, {{"one-more", "v"}})), "BadRequest");  // 51 in total
}

TEST_F(Tags, UntagNeedsOneToFiftyKeys) {
  EXPECT_EQ(ReasonOf(Untag(fs_, {})), "BadRequest");
  std::vector<std::string> many(51, "k");
  EXPECT_EQ(ReasonOf(Untag(fs_, many)), "BadRequest");
  EXPECT_EQ(ReasonOf(Untag(NewId("fs"), {"k"})), "FileSystemNotFound");
}

TEST_F(Tags, ListPagesWithNextToken) {
  std::vector<api::Tag> tags;
  for (int i = 0; i < 7; ++i) tags.push_back({"k" + std::to_string(i), std::to_string(i)});
  ASSERT_TRUE(Tag(fs_, tags).ok());
  api::ListTagsForResourceRequest req{fs_, 3, std::nullopt};
  std::vector<api::Tag> seen;
  int pages = 0;
  while (true) {
    Result<api::ListTagsForResourceResponse> r = control->ListTagsForResource(req);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    seen.insert(seen.end(), r->tags.begin(), r->tags.end());
    ++pages;
    if (!r->next_token) break;
    req.next_token = r->next_token;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, tags);
  req.next_token = "zz";
  EXPECT_EQ(ReasonOf(control->ListTagsForResource(req)), "BadRequest");
  req.next_token.reset();
  req.max_results = 0;
  EXPECT_EQ(ReasonOf(control->ListTagsForResource(req)), "BadRequest");
}

}  // namespace
}  // namespace efs::control
