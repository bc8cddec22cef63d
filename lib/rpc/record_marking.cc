// Record marking (RFC 5531 s11); the format essay is in record_marking.h.
#include "rpc/record_marking.h"

#include <algorithm>

#include "base/check.h"

namespace efs::rpc {
namespace {

uint32_t LoadBigEndian(const char* p) {
  auto b = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

void StoreBigEndian(uint32_t v, char* p) {
  p[0] = static_cast<char>(v >> 24);
  p[1] = static_cast<char>(v >> 16);
  p[2] = static_cast<char>(v >> 8);
  p[3] = static_cast<char>(v);
}

}  // namespace

Record::Record(std::string_view bytes) {
  Resize(bytes.size());
  std::copy(bytes.begin(), bytes.end(), data_.get());
}

void Record::Resize(size_t n) {
  if (n > capacity_) {
    // Geometric growth: a record of many small fragments costs linear time, not quadratic.
    const size_t capacity = std::max(n, 2 * capacity_);
    auto fresh = std::make_unique_for_overwrite<char[]>(capacity);
    std::copy_n(data_.get(), size_, fresh.get());
    data_ = std::move(fresh);
    capacity_ = capacity;
  }
  size_ = n;
}

bool RecordReader::TakeHeader(std::string_view* bytes) {
  size_t n = std::min(bytes->size(), sizeof(header_) - header_len_);
  std::copy_n(bytes->data(), n, header_ + header_len_);
  header_len_ += n;
  bytes->remove_prefix(n);
  if (header_len_ < sizeof(header_)) return false;
  uint32_t mark = LoadBigEndian(header_);
  header_len_ = 0;
  last_ = (mark & kLastFragment) != 0;
  fragment_left_ = mark & ~kLastFragment;
  in_fragment_ = true;
  record_open_ = true;
  return true;
}

Status RecordReader::Feed(std::string_view bytes, std::vector<Record>* records) {
  while (true) {
    if (!in_fragment_) {
      if (bytes.empty() || !TakeHeader(&bytes)) return Status::Ok();
      if (filled_ + fragment_left_ > max_record_size_) {
        return Status(Code::kResourceExhausted, "RecordTooLarge",
                      "rpc: record over " + std::to_string(max_record_size_) + " bytes");
      }
      // One allocation per fragment instead of a doubling string per read; the cap above
      // bounds what a fragment header can make it allocate.
      record_.Resize(filled_ + fragment_left_);
      if (budget_ != nullptr) budget_->Take(fragment_left_);
      if (fragment_left_ == 0) FragmentDone(records);
      continue;
    }
    size_t n = std::min(bytes.size(), fragment_left_);
    std::copy_n(bytes.data(), n, record_.data() + filled_);
    bytes.remove_prefix(n);
    Took(n, records);
    if (in_fragment_) return Status::Ok();  // bytes ran out inside the fragment
  }
}

std::pair<char*, size_t> RecordReader::Room() {
  if (!in_fragment_) return {nullptr, 0};
  return {record_.data() + filled_, fragment_left_};
}

void RecordReader::Took(size_t n, std::vector<Record>* records) {
  EFS_CHECK(in_fragment_ && n <= fragment_left_);
  filled_ += n;
  fragment_left_ -= n;
  if (fragment_left_ == 0) FragmentDone(records);
}

void RecordReader::FragmentDone(std::vector<Record>* records) {
  in_fragment_ = false;
  if (!last_) return;
  records->push_back(std::move(record_));
  record_ = Record();
  filled_ = 0;
  record_open_ = false;
}

Status RecordReader::Finish() const {
  if (!mid_record()) return Status::Ok();
  return Status(Code::kCorruption, "TruncatedRecord", "rpc: stream ended inside a record");
}

uint32_t RecordMark(size_t len) {
  EFS_CHECK(len < kLastFragment);
  return kLastFragment | static_cast<uint32_t>(len);
}

void AppendRecord(std::string_view body, std::string* out) {
  char mark[4];
  StoreBigEndian(RecordMark(body.size()), mark);
  out->append(mark, 4);
  out->append(body);
}

void FinishRecord(std::string* record) {
  EFS_CHECK(record->size() >= 4);
  StoreBigEndian(RecordMark(record->size() - 4), record->data());
}

}  // namespace efs::rpc
