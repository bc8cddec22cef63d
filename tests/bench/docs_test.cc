// The workloads `efs bench` knows are the ones its page, make bench (bench/compare.py) and
// docs/BENCHMARKS.md speak of: a workload added to the code and forgotten in one of them, or
// left in one after it is gone, fails here.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "bench/spec.h"

namespace efs::bench {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::set<std::string> Known() {
  const std::vector<std::string>& names = WorkloadNames();
  return {names.begin(), names.end()};
}

// The text from the line `heading` to the next line starting with `next` (or the end).
std::string SectionOf(const std::string& text, const std::string& heading,
                      const std::string& next) {
  const size_t start = text.find("\n" + heading + "\n");
  EXPECT_NE(start, std::string::npos) << heading;
  if (start == std::string::npos) return "";
  const size_t body = start + heading.size() + 1;
  const size_t end = text.find("\n" + next, body);
  return text.substr(body, end == std::string::npos ? std::string::npos : end - body);
}

// Every match of `re`'s first group in `text`.
std::set<std::string> Matches(const std::string& text, const std::regex& re) {
  std::set<std::string> found;
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
    found.insert((*it)[1]);
  }
  return found;
}

TEST(BenchDocs, ThePageDescribesEveryWorkloadAndNoOther) {
  // The DESCRIPTION's entries: a line "*name*" alone.
  const std::string page = Slurp(EFS_SOURCE_DIR "/man/efs-bench.1.scd");
  EXPECT_EQ(Matches(SectionOf(page, "# DESCRIPTION", "# "), std::regex(R"(\n\*([a-z0-9-]+)\*\n)")),
            Known());
}

TEST(BenchDocs, MakeBenchRunsEveryWorkload) {
  const std::string script = Slurp(EFS_SOURCE_DIR "/bench/compare.py");
  std::smatch list;
  ASSERT_TRUE(std::regex_search(script, list, std::regex(R"(WORKLOADS = \[([^\]]*)\])")));
  const std::string items = list[1];
  EXPECT_EQ(Matches(items, std::regex(R"re("([a-z0-9-]+)")re")), Known());
}

TEST(BenchDocs, BenchmarksMdSaysWhatEveryWorkloadDoesAndRecordsEachInItsTable) {
  const std::string doc = Slurp(EFS_SOURCE_DIR "/docs/BENCHMARKS.md");
  // The rows of "What each workload does": "| name | one operation |".
  EXPECT_EQ(Matches(SectionOf(doc, "## What each workload does", "## "),
                    std::regex(R"(\n\| ([a-z0-9-]+) \| [a-zA-Z])")),
            Known());
  // The recorded table has each workload at 1 and at 16 clients.
  for (const std::string& w : Known()) {
    for (const char* clients : {"1", "16"}) {
      EXPECT_NE(doc.find("| " + w + " | " + clients + " | "), std::string::npos)
          << w << " at " << clients << " client(s) is not in the recorded table";
    }
  }
}

}  // namespace
}  // namespace efs::bench
