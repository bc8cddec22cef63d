// The json, text and table printers.
#include "cmd/output.h"

#include <gtest/gtest.h>

namespace efs::cli {
namespace {

using api::Json;

const Json kDescribe = Json::parse(R"({
  "FileSystems": [
    {"FileSystemId": "fs-1", "LifeCycleState": "available", "Encrypted": false,
     "NumberOfMountTargets": 0, "SizeInBytes": {"Value": 6144},
     "Tags": [{"Key": "Name", "Value": "home"}]},
    {"FileSystemId": "fs-22", "LifeCycleState": "creating", "Name": "x", "Encrypted": true,
     "NumberOfMountTargets": 1, "SizeInBytes": {"Value": 0}, "Tags": []}
  ],
  "NextMarker": "m2"
})");

TEST(Output, ParsesTheThreeFormatNames) {
  EXPECT_EQ(ParseOutputFormat("json"), OutputFormat::kJson);
  EXPECT_EQ(ParseOutputFormat("text"), OutputFormat::kText);
  EXPECT_EQ(ParseOutputFormat("table"), OutputFormat::kTable);
  EXPECT_EQ(ParseOutputFormat("yaml"), std::nullopt);
}

TEST(Output, JsonIsIndentedByFourSpacesLikeTheAwsCli) {
  EXPECT_EQ(FormatJson(Json{{"FileSystemId", "fs-1"}, {"Tags", Json::array()}}),
            "{\n    \"FileSystemId\": \"fs-1\",\n    \"Tags\": []\n}\n");
}

TEST(Output, EmptyResultPrintsNothingInEveryFormat) {
  for (OutputFormat f : {OutputFormat::kJson, OutputFormat::kText, OutputFormat::kTable}) {
    EXPECT_EQ(FormatResult(Json::object(), f), "");
  }
}

TEST(Output, TextPrintsOneLinePerListObjectPrefixedByTheListName) {
  // Scalars first (union of the objects' scalar keys, sorted; missing ones empty), then the
  // nested members under their own names, then the top-level scalars' line comes first.
  EXPECT_EQ(FormatText(kDescribe),
            "m2\n"
            "FILESYSTEMS\tFalse\tfs-1\tavailable\t\t0\n"
            "SIZEINBYTES\t6144\n"
            "TAGS\tName\thome\n"
            "FILESYSTEMS\tTrue\tfs-22\tcreating\tx\t1\n"
            "SIZEINBYTES\t0\n");
}

TEST(Output, TextPrintsAPlainObjectAsOneLineOfValuesInKeyOrder) {
  EXPECT_EQ(FormatText(Json{{"Pid", 42}, {"Version", "0.1.0"}, {"NfsPort", 12049}}),
            "12049\t42\t0.1.0\n");
}

TEST(Output, TextPrintsNamedScalarListsOneValuePerLine) {
  EXPECT_EQ(FormatText(Json{{"SecurityGroups", {"sg-1", "sg-2"}}}),
            "SECURITYGROUPS\tsg-1\nSECURITYGROUPS\tsg-2\n");
}

TEST(Output, TextJoinsATopLevelScalarListWithTabs) {
  EXPECT_EQ(FormatText(Json{"a", 1, true, nullptr}), "a\t1\tTrue\tNone\n");
}

TEST(Output, TextPrintsBooleansAndNumbersAsPythonDoes) {
  EXPECT_EQ(FormatText(Json{{"Return", true}}), "True\n");
  EXPECT_EQ(FormatText(Json{{"CreationTime", 1481841524.0}}), "1481841524.0\n");
}

TEST(Output, TablePrintsScalarsAsKeyValueRowsAndListsAsHeadedSections) {
  ::setenv("COLUMNS", "120", 1);
  EXPECT_EQ(FormatTable(kDescribe),
            "NextMarker  m2\n"
            "\n"
            "FileSystems:\n"
            "Encrypted  FileSystemId  LifeCycleState  NumberOfMountTargets  SizeInBytes.Value"
            "  Tags       Name\n"
            "---------  ------------  --------------  --------------------  -----------------"
            "  ---------  ----\n"
            "false      fs-1          available       0                     6144             "
            "  Name=home\n"
            "true       fs-22         creating        1                     0                "
            "             x\n");
}

TEST(Output, TablePrintsOneBlockPerRecordWhenRowsWouldBeWiderThanTheTerminal) {
  ::setenv("COLUMNS", "60", 1);
  EXPECT_EQ(FormatTable(Json{{"FileSystems", kDescribe["FileSystems"]}}),
            "FileSystems:\n"
            "Encrypted             false\n"
            "FileSystemId          fs-1\n"
            "LifeCycleState        available\n"
            "NumberOfMountTargets  0\n"
            "SizeInBytes.Value     6144\n"
            "Tags                  Name=home\n"
            "\n"
            "Encrypted             true\n"
            "FileSystemId          fs-22\n"
            "LifeCycleState        creating\n"
            "Name                  x\n"
            "NumberOfMountTargets  1\n"
            "SizeInBytes.Value     0\n"
            "Tags\n");
  ::unsetenv("COLUMNS");
}

TEST(Output, TableFlattensANestedObjectIntoDottedKeys) {
  EXPECT_EQ(FormatTable(Json{{"FileSystemId", "fs-1"}, {"SizeInBytes", {{"Value", 6144}}}}),
            "FileSystemId       fs-1\nSizeInBytes.Value  6144\n");
}

TEST(Output, TableSaysNoneForAnEmptyList) {
  EXPECT_EQ(FormatTable(Json{{"MountTargets", Json::array()}}), "MountTargets:\n(none)\n");
}

TEST(Output, TableListsScalarsOnePerLine) {
  EXPECT_EQ(FormatTable(Json{{"SecurityGroups", {"sg-1", "sg-2"}}}),
            "SecurityGroups:\nsg-1\nsg-2\n");
}

}  // namespace
}  // namespace efs::cli
