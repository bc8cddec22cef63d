// Record marking edge cases (RFC 5531 s11): fragments, empty fragments, splits, cap, truncation.
#include "rpc/record_marking.h"

#include <gtest/gtest.h>

namespace efs::rpc {

// For gtest's messages: a record prints as its bytes.
void PrintTo(const Record& r, std::ostream* os) { *os << '"' << r.view() << '"'; }

namespace {

std::string Mark(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

TEST(RecordMarking, SingleFragmentRecord) {
  RecordReader reader;
  std::vector<Record> records;
  ASSERT_TRUE(reader.Feed(Mark(0x80000003) + "abc", &records).ok());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0], "abc");
  EXPECT_FALSE(reader.mid_record());
}

TEST(RecordMarking, MultiFragmentRecordIsReassembled) {
  RecordReader reader;
  std::vector<Record> records;
  std::string bytes = Mark(2) + "ab" + Mark(3) + "cde" + Mark(0x80000001) + "f";
  ASSERT_TRUE(reader.Feed(bytes, &records).ok());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0], "abcdef");
}

TEST(RecordMarking, ZeroLengthFragmentsAreAllowed) {
  RecordReader reader;
  std::vector<Record> records;
  std::string bytes = Mark(0) + Mark(2) + "ab" + Mark(0x80000000) + Mark(0x80000000);
  ASSERT_TRUE(reader.Feed(bytes, &records).ok());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0], "ab");
  EXPECT_EQ(records[1], "");
}

TEST(RecordMarking, ByteByByteSplitsGiveTheSameRecords) {
  std::string bytes = Mark(2) + "ab" + Mark(0x80000001) + "c" + Mark(0x80000004) + "wxyz";
  RecordReader reader;
  std::vector<Record> records;
  for (char c : bytes) ASSERT_TRUE(reader.Feed(std::string_view(&c, 1), &records).ok());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0], "abc");
  EXPECT_EQ(records[1], "wxyz");
  EXPECT_TRUE(reader.Finish().ok());
}

TEST(RecordMarking, DataReadStraightIntoTheRoomMakesTheSameRecords) {
  // Two records, the first of two fragments; headers through Feed, fragment data partly
  // through Room/Took (as a reader of large records does) and partly through Feed.
  const std::string first_a(5000, 'a'), first_b(3000, 'b'), second = "xyz";
  RecordReader reader;
  std::vector<Record> records;
  EXPECT_EQ(reader.Room().second, 0u) << "no room outside a fragment";
  ASSERT_TRUE(reader.Feed(Mark(first_a.size()) + first_a.substr(0, 100), &records).ok());
  auto [room, left] = reader.Room();
  ASSERT_EQ(left, first_a.size() - 100);
  std::copy_n(first_a.data() + 100, 1000, room);
  reader.Took(1000, &records);
  ASSERT_EQ(reader.Room().second, first_a.size() - 1100);
  ASSERT_TRUE(reader.Feed(first_a.substr(1100), &records).ok());
  ASSERT_TRUE(reader.Feed(Mark(0x80000000u | first_b.size()), &records).ok());
  auto [room_b, left_b] = reader.Room();
  ASSERT_EQ(left_b, first_b.size());
  std::copy_n(first_b.data(), first_b.size(), room_b);
  reader.Took(first_b.size(), &records);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0], first_a + first_b);
  EXPECT_FALSE(reader.mid_record());
  ASSERT_TRUE(reader.Feed(Mark(0x80000003) + second, &records).ok());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1], second);
}

TEST(RecordMarking, ARecordOfManyTinyFragmentsIsReassembled) {
  std::string bytes, want;
  for (int i = 0; i < 20000; ++i) {
    const char c = static_cast<char>('a' + i % 26);
    bytes += Mark(i == 19999 ? 0x80000001u : 1u) + std::string(1, c);
    want += c;
  }
  RecordReader reader;
  std::vector<Record> records;
  ASSERT_TRUE(reader.Feed(bytes, &records).ok());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0], want);
}

TEST(Record, CopiesAreDeepAndAMovedFromRecordIsEmpty) {
  Record a(std::string_view("hello"));
  Record b = a;
  b.data()[0] = 'j';
  EXPECT_EQ(a, "hello");
  EXPECT_EQ(b, "jello");
  Record c = std::move(a);
  EXPECT_EQ(c, "hello");
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): the moved-from state is defined
  c.Resize(2);
  EXPECT_EQ(c, "he");
  c.Resize(3);
  EXPECT_EQ(c.view().substr(0, 2), "he");
}

TEST(RecordMarking, RecordOverTheCapIsAnError) {
  RecordReader reader(/*max_record_size=*/8);
  std::vector<Record> records;
  EXPECT_TRUE(reader.Feed(Mark(0x80000008) + "12345678", &records).ok());
  Status s = reader.Feed(Mark(5) + "12345" + Mark(0x80000004), &records);
  EXPECT_EQ(s.code(), Code::kResourceExhausted);
  EXPECT_EQ(records.size(), 1u);
}

TEST(RecordMarking, HugeFragmentHeaderFailsBeforeAnyData) {
  RecordReader reader;
  std::vector<Record> records;
  EXPECT_FALSE(reader.Feed(Mark(0xffffffff), &records).ok());
}

TEST(RecordMarking, EndOfStreamInsideARecordIsTruncation) {
  for (std::string partial :
       {Mark(0x80000004).substr(0, 2), Mark(0x80000004) + "ab", Mark(2) + "ab", Mark(0)}) {
    RecordReader reader;
    std::vector<Record> records;
    ASSERT_TRUE(reader.Feed(partial, &records).ok());
    EXPECT_TRUE(reader.mid_record());
    EXPECT_EQ(reader.Finish().code(), Code::kCorruption);
  }
}

TEST(RecordMarking, AppendAndFinishRecordWriteOneLastFragment) {
  std::string out;
  AppendRecord("hello", &out);
  EXPECT_EQ(out, Mark(0x80000005) + "hello");
  std::string built(4, '\0');
  built += "xyz";
  FinishRecord(&built);
  EXPECT_EQ(built, Mark(0x80000003) + "xyz");
}

}  // namespace
}  // namespace efs::rpc
