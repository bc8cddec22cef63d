// Fuzz target: RPC record marking (RFC 5531 s11). Arbitrary bytes are one TCP stream, cut into
// pieces as the input's first bytes say and handed to RecordReader by Feed or by Room/Took as
// the connection does; the records it yields must equal what a plain reading of the format
// gives, and it must refuse a record over its cap exactly when the format says it is over.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "rpc/record_marking.h"

namespace {

struct Model {
  std::vector<std::string> records;
  bool too_large = false;  // a fragment header took a record over the cap
  bool mid_record = false;
};

// The format read straight from the whole stream.
Model Parse(std::string_view s, size_t cap) {
  Model m;
  std::string record;
  bool open = false;
  while (!s.empty()) {
    if (s.size() < 4) {
      m.mid_record = true;
      return m;
    }
    auto b = reinterpret_cast<const unsigned char*>(s.data());
    uint32_t mark = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
    s.remove_prefix(4);
    size_t len = mark & ~efs::rpc::kLastFragment;
    if (record.size() + len > cap) {
      m.too_large = true;
      return m;
    }
    open = true;
    size_t n = std::min(len, s.size());
    record.append(s.substr(0, n));
    s.remove_prefix(n);
    if (n < len) break;
    if (mark & efs::rpc::kLastFragment) {
      m.records.push_back(std::move(record));
      record.clear();
      open = false;
    }
  }
  m.mid_record = open;
  return m;
}

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // Byte 0: the cap (small, so that it is reached) and whether to read in place.
  // Byte 1: the largest piece the stream is cut into.
  const size_t cap = 1 + (data[0] & 0x7f) * 8;
  const bool in_place = data[0] & 0x80;
  const size_t piece = 1 + data[1];
  std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);

  efs::rpc::RecordReader reader(cap);
  std::vector<efs::rpc::Record> got;
  bool failed = false;
  std::string_view rest = stream;
  while (!rest.empty() && !failed) {
    auto [room, room_size] = reader.Room();
    if (in_place && room_size > 0) {
      size_t n = std::min({room_size, piece, rest.size()});
      std::memcpy(room, rest.data(), n);
      reader.Took(n, &got);
      rest.remove_prefix(n);
      continue;
    }
    size_t n = std::min(piece, rest.size());
    failed = !reader.Feed(rest.substr(0, n), &got).ok();
    rest.remove_prefix(n);
  }

  Model want = Parse(stream, cap);
  Check(failed == want.too_large);
  Check(got.size() == want.records.size());
  for (size_t i = 0; i < got.size(); ++i) Check(got[i] == want.records[i]);
  if (!failed) {
    Check(reader.mid_record() == want.mid_record);
    Check(reader.Finish().ok() == !want.mid_record);
  }
  return 0;
}
