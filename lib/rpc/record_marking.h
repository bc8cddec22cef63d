// Record marking: how ONC RPC messages are framed on a TCP stream (RFC 5531 s11).
//
// The format
// ----------
// A TCP connection carries a sequence of records; each record is one RPC message (a call or a
// reply). A record is one or more fragments. Each fragment starts with a 4-byte big-endian
// header: the top bit is set on the last fragment of the record, and the low 31 bits give the
// number of data bytes that follow. The record is the concatenation of its fragments' data:
//
//   +----------------+-----------+----------------+-----------+
//   | 0 | len1 (31)  | len1 bytes| 1 | len2 (31)  | len2 bytes|   -> one record of len1+len2 bytes
//   +----------------+-----------+----------------+-----------+
//
// Nothing aligns or pads fragments; a fragment may be empty (length 0), with or without the
// last bit, and a record may therefore be empty. Senders choose fragment sizes freely; Linux
// sends one fragment per call, libtirpc splits at its buffer size.
//
// What we accept
// --------------
// RecordReader takes bytes as they arrive (in any split, down to one byte at a time) and yields
// whole records. A record whose data grows past the cap (kDefaultMaxRecordSize: a 1 MiB READ or
// WRITE plus headers, configurable) is an error, as is a stream that ends inside a record
// (truncated). After an error the connection is beyond repair: RFC 5531 gives no way to
// resynchronise, so the owner closes it. Replies we send are always one last fragment.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace efs::rpc {

// The last-fragment bit of a fragment header.
inline constexpr uint32_t kLastFragment = 0x80000000u;
// 2 MiB of data plus 64 KiB of headers: room for a 1 MiB READ or WRITE with any compound.
inline constexpr size_t kDefaultMaxRecordSize = 2 * 1024 * 1024 + 64 * 1024;

// One record's bytes. Unlike a std::string it grows without zeroing the new bytes, which the
// socket overwrites at once: a 1 MiB WRITE or READ is received into its record, not also
// zeroed first.
class Record {
 public:
  Record() = default;
  explicit Record(std::string_view bytes);
  Record(Record&& other) noexcept
      : data_(std::move(other.data_)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  Record& operator=(Record&& other) noexcept {
    data_ = std::move(other.data_);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    return *this;
  }
  // Copies (std::function wants a copyable task; a moved record is never copied).
  Record(const Record& other) : Record(other.view()) {}
  Record& operator=(const Record& other) { return *this = Record(other.view()); }

  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  std::string_view view() const { return {data_.get(), size_}; }
  // Grows or shrinks to `n` bytes, keeping the first min(n, size()); new bytes are
  // uninitialised. Growth reallocates geometrically, as a std::string does.
  void Resize(size_t n);

  friend bool operator==(const Record& a, std::string_view b) { return a.view() == b; }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// The bytes of RPC records a server holds over all its connections: those of records being
// received (counted whole as each fragment header arrives: a fragment is allocated whole) and of
// calls not yet answered. Thread-safe. A connection stops reading new records while it is
// exhausted (connection.h), so what a server holds is bounded however many clients send.
class ReceiveBudget {
 public:
  // `limit` 0: no limit.
  explicit ReceiveBudget(size_t limit) : limit_(limit) {}
  void Take(size_t n) { used_.fetch_add(n, std::memory_order_relaxed); }
  void Give(size_t n) { used_.fetch_sub(n, std::memory_order_relaxed); }
  bool exhausted() const { return limit_ != 0 && used() >= limit_; }
  size_t used() const { return used_.load(std::memory_order_relaxed); }
  size_t limit() const { return limit_; }

 private:
  const size_t limit_;
  std::atomic<size_t> used_{0};
};

class RecordReader {
 public:
  // Counts what it allocates in `budget` (if not null), which must outlive it. The owner gives
  // back each record's size() once done with it, and held() when it drops the reader.
  explicit RecordReader(size_t max_record_size = kDefaultMaxRecordSize,
                        ReceiveBudget* budget = nullptr)
      : max_record_size_(max_record_size), budget_(budget) {}

  // Consumes `bytes` and appends each record they complete to *records. Returns
  // kResourceExhausted when a record exceeds the cap; the reader must not be fed again after an
  // error. Not thread-safe.
  Status Feed(std::string_view bytes, std::vector<Record>* records);

  // Inside a fragment: where the rest of its data goes in the record being built, and how
  // many bytes that is (0 outside a fragment). Reading straight into it saves a large record
  // (a 1 MiB WRITE or READ) the copy out of a read buffer; Took(n) then counts the n bytes
  // written there. Feed and Took may be mixed freely.
  std::pair<char*, size_t> Room();
  // `n` bytes (at most Room().second) were written at Room().first; appends the record they
  // complete, if any, to *records.
  void Took(size_t n, std::vector<Record>* records);

  // Returns true iff bytes of an unfinished record (or fragment header) are buffered, i.e. an
  // end of stream now would truncate a record.
  bool mid_record() const { return header_len_ > 0 || record_open_; }
  // The bytes of the unfinished record counted in the budget so far.
  size_t held() const { return record_open_ ? record_.size() : 0; }

  // Returns kCorruption if the stream may not end now (mid_record()), else ok.
  Status Finish() const;

 private:
  // Consumes a fragment header from bytes; returns false when it needs more.
  bool TakeHeader(std::string_view* bytes);
  // The current fragment's data is all in: ends the record if it was the last fragment.
  void FragmentDone(std::vector<Record>* records);

  size_t max_record_size_;
  ReceiveBudget* const budget_;
  char header_[4] = {};
  size_t header_len_ = 0;     // bytes of the next fragment header seen so far
  bool in_fragment_ = false;  // inside a fragment's data
  bool last_ = false;         // the current fragment is the record's last
  bool record_open_ = false;  // a fragment of an unfinished record has been seen
  size_t fragment_left_ = 0;  // data bytes of the current fragment still to come
  // The record so far; inside a fragment it is already sized for the whole fragment, of which
  // the first `filled_` bytes of the record are in.
  Record record_;
  size_t filled_ = 0;
};

// Returns the header of a single-fragment record of `len` bytes. REQUIRES: len < 2^31.
uint32_t RecordMark(size_t len);

// Appends `body` framed as one record (a single last fragment) to *out.
void AppendRecord(std::string_view body, std::string* out);

// For a record built in place: *record begins with 4 reserved bytes followed by the body;
// writes the fragment header into them.
void FinishRecord(std::string* record);

}  // namespace efs::rpc
