// The workloads of `efs bench` (see workloads.h and efs-bench(1) for what one operation is).
#include "bench/workloads.h"

#include <cstring>

#include "base/macros.h"

namespace efs::bench {
namespace {

using nfs4client::CreateHow;
using nfs4client::FileType;
using nfs4client::OpenArgs;
using nfs4client::Stability;

constexpr char kFiller = 0x5a;

OpenArgs CreateArgs(bool read) {
  OpenArgs args;
  args.read = read;
  args.write = true;
  args.create = CreateHow::kGuarded;
  return args;
}

Status Mismatch(const std::string& what) { return Status(Code::kCorruption, "BadReply", what); }

// Result::status() is for failed results only.
template <class T>
Status StatusOf(const Result<T>& result) {
  return result.ok() ? Status::Ok() : result.status();
}

std::string PreparedName(int i) { return "p" + std::to_string(i); }

// OPEN (create, GUARDED) + CLOSE of an empty file `name` in `dir`; returns its handle.
Result<nfs4client::FileHandle> CreateEmpty(ClientState& c, const nfs4client::FileHandle& dir,
                                           const std::string& name) {
  EFS_ASSIGN_OR_RETURN(auto file, c.client->Open(c.who, dir, name, CreateArgs(false)));
  nfs4client::FileHandle fh = file->fh();
  EFS_RETURN_IF_ERROR(c.client->Close(c.who, *file));
  return fh;
}

Status CreatePrepared(ClientState& c) {
  for (int i = 0; i < kPreparedEntries; ++i) {
    EFS_ASSIGN_OR_RETURN(nfs4client::FileHandle fh, CreateEmpty(c, c.dir, PreparedName(i)));
    if (i == 0) c.stat_fh = fh;
  }
  return Status::Ok();
}

Status OpenDataFile(ClientState& c) {
  EFS_ASSIGN_OR_RETURN(c.file, c.client->Open(c.who, c.dir, "data", CreateArgs(true)));
  return Status::Ok();
}

// WRITE of `length` stamped bytes at `offset` (UNSTABLE).
Status WriteStamped(ClientState& c, uint64_t offset, uint64_t length) {
  std::string data(length, kFiller);
  StampBlocks(offset, data);
  return c.client->Write(c.who, *c.file, offset, data, Stability::kUnstable);
}

// READ of `length` bytes at `offset`, checked against the stamps.
Result<uint64_t> ReadChecked(ClientState& c, uint64_t offset, uint64_t length) {
  EFS_ASSIGN_OR_RETURN(auto read, c.client->Read(c.who, *c.file, offset,
                                                 static_cast<uint32_t>(length)));
  if (read.data.size() != length) {
    return Mismatch("READ of " + std::to_string(length) + " bytes at " + std::to_string(offset) +
                    " of " + c.name + "/data returned " + std::to_string(read.data.size()));
  }
  EFS_RETURN_IF_ERROR(CheckStamps(offset, read.data));
  return length;
}

// The next 1 MiB chunk of the file (wrapping at its end) and its length.
std::pair<uint64_t, uint64_t> NextChunk(ClientState& c) {
  const uint64_t chunks = (c.size + kSeqIo - 1) / kSeqIo;
  const uint64_t offset = (c.next.fetch_add(1, std::memory_order_relaxed) % chunks) * kSeqIo;
  return {offset, std::min(kSeqIo, c.size - offset)};
}

uint64_t RandomBlock(ClientState& c, WorkerState& w) {
  return (w.rng() % (c.size / kBlock)) * kBlock;
}

Status CloseData(ClientState& c, WorkerState& w) {
  if (w.index != 0 || c.file == nullptr) return Status::Ok();
  Status closed = c.client->Close(c.who, *c.file);
  c.file = nullptr;
  return closed;
}

// seq-read and rand-read-4k: a data file of c.size stamped bytes, written before the clock.
class ReadOps : public WorkloadOps {
 public:
  explicit ReadOps(bool random) : random_(random) {}
  Status Prepare(ClientState& c) override {
    EFS_RETURN_IF_ERROR(OpenDataFile(c));
    for (uint64_t offset = 0; offset < c.size; offset += kSeqIo) {
      EFS_RETURN_IF_ERROR(WriteStamped(c, offset, std::min(kSeqIo, c.size - offset)));
    }
    return c.client->Commit(c.who, *c.file);
  }
  Result<uint64_t> Step(ClientState& c, WorkerState& w) override {
    if (random_) return ReadChecked(c, RandomBlock(c, w), kBlock);
    auto [offset, length] = NextChunk(c);
    return ReadChecked(c, offset, length);
  }
  Status Cleanup(ClientState& c, WorkerState& w) override { return CloseData(c, w); }

 private:
  bool random_;
};

// seq-write and rand-write-4k: UNSTABLE WRITEs into a new file, COMMIT at the end.
class WriteOps : public WorkloadOps {
 public:
  explicit WriteOps(bool random) : random_(random) {}
  Status Prepare(ClientState& c) override { return OpenDataFile(c); }
  Result<uint64_t> Step(ClientState& c, WorkerState& w) override {
    uint64_t offset = 0, length = kBlock;
    if (random_) {
      offset = RandomBlock(c, w);
    } else {
      std::tie(offset, length) = NextChunk(c);
    }
    EFS_RETURN_IF_ERROR(WriteStamped(c, offset, length));
    return length;
  }
  Status Finish(ClientState& c) override { return c.client->Commit(c.who, *c.file); }
  Status Cleanup(ClientState& c, WorkerState& w) override { return CloseData(c, w); }

 private:
  bool random_;
};

// create: OPEN (create) + CLOSE of a new empty file is one operation.
class CreateOps : public WorkloadOps {
 public:
  Status Prepare(ClientState&) override { return Status::Ok(); }
  Result<uint64_t> Step(ClientState& c, WorkerState& w) override {
    EFS_RETURN_IF_ERROR(StatusOf(CreateEmpty(c, c.dir, Name(w, w.created))));
    ++w.created;
    return 0;
  }
  Status Cleanup(ClientState& c, WorkerState& w) override {
    for (uint64_t i = 0; i < w.created; ++i) {
      EFS_RETURN_IF_ERROR(c.client->Remove(c.who, c.dir, Name(w, i)));
    }
    return Status::Ok();
  }

 private:
  static std::string Name(const WorkerState& w, uint64_t i) {
    return "w" + std::to_string(w.index) + "-" + std::to_string(i);
  }
};

// stat: GETATTR of one file of the client's directory.
class StatOps : public WorkloadOps {
 public:
  Status Prepare(ClientState& c) override {
    EFS_ASSIGN_OR_RETURN(c.stat_fh, CreateEmpty(c, c.dir, "stat"));
    return Status::Ok();
  }
  Result<uint64_t> Step(ClientState& c, WorkerState&) override {
    EFS_ASSIGN_OR_RETURN(nfs4client::Attrs attrs, c.client->GetAttr(c.who, c.stat_fh));
    if (attrs.type != FileType::kRegular || attrs.size != 0) {
      return Mismatch("GETATTR of " + c.name + "/stat: not the empty regular file made");
    }
    return 0;
  }
};

// readdir: one READDIR (a page of up to 64 KiB, with every entry's attributes) of a directory
// of kPreparedEntries files; each worker lists it whole, page by page, again and again, and
// checks at each end that it saw every entry.
class ReadDirOps : public WorkloadOps {
 public:
  Status Prepare(ClientState& c) override { return CreatePrepared(c); }
  Result<uint64_t> Step(ClientState& c, WorkerState& w) override {
    EFS_ASSIGN_OR_RETURN(nfs4client::DirPage page,
                         c.client->ReadDir(c.who, c.dir, w.cookie, w.verifier));
    w.listed += page.entries.size();
    if (!page.eof && page.entries.empty()) {
      return Mismatch("READDIR of " + c.name + " returned no entries and no end");
    }
    if (page.eof) {
      if (w.listed != kPreparedEntries) {
        return Mismatch("READDIR of " + c.name + " listed " + std::to_string(w.listed) +
                        " entries, not " + std::to_string(kPreparedEntries));
      }
      w.cookie = w.verifier = w.listed = 0;
    } else {
      w.cookie = page.entries.back().cookie;
      w.verifier = page.verifier;
    }
    return 0;
  }
};

// mixed: per operation, at random: GETATTR 40%, LOOKUP of a prepared name 20%, READDIR of the
// first page 10%, create (OPEN + CLOSE) 15%, REMOVE of a file the worker made 15% (a create
// when it has none).
class MixedOps : public WorkloadOps {
 public:
  Status Prepare(ClientState& c) override { return CreatePrepared(c); }
  Result<uint64_t> Step(ClientState& c, WorkerState& w) override {
    const uint64_t pick = w.rng() % 100;
    if (pick < 40) {
      EFS_RETURN_IF_ERROR(StatusOf(c.client->GetAttr(c.who, c.stat_fh)));
    } else if (pick < 60) {
      const std::string name = PreparedName(static_cast<int>(w.rng() % kPreparedEntries));
      EFS_ASSIGN_OR_RETURN(nfs4client::Node node, c.client->Lookup(c.who, c.dir, name));
      if (node.attrs.type != FileType::kRegular) {
        return Mismatch("LOOKUP of " + c.name + "/" + name + ": not a regular file");
      }
    } else if (pick < 70) {
      EFS_ASSIGN_OR_RETURN(nfs4client::DirPage page, c.client->ReadDir(c.who, c.dir, 0, 0));
      if (page.entries.empty()) return Mismatch("READDIR of " + c.name + " returned nothing");
    } else if (pick < 85 || w.live.empty()) {
      std::string name = "w" + std::to_string(w.index) + "-" + std::to_string(w.created++);
      EFS_RETURN_IF_ERROR(StatusOf(CreateEmpty(c, c.dir, name)));
      w.live.push_back(std::move(name));
    } else {
      EFS_RETURN_IF_ERROR(c.client->Remove(c.who, c.dir, w.live.back()));
      w.live.pop_back();
    }
    return 0;
  }
  Status Cleanup(ClientState& c, WorkerState& w) override {
    for (const std::string& name : w.live) {
      EFS_RETURN_IF_ERROR(c.client->Remove(c.who, c.dir, name));
    }
    w.live.clear();
    return Status::Ok();
  }
};

}  // namespace

void StampBlocks(uint64_t offset, std::string& data) {
  for (size_t at = 0; at + sizeof(uint64_t) <= data.size(); at += kBlock) {
    const uint64_t stamp = offset + at;
    std::memcpy(&data[at], &stamp, sizeof stamp);
  }
}

Status CheckStamps(uint64_t offset, std::string_view data) {
  for (size_t at = 0; at + sizeof(uint64_t) <= data.size(); at += kBlock) {
    uint64_t stamp = 0;
    std::memcpy(&stamp, &data[at], sizeof stamp);
    if (stamp != offset + at) {
      return Mismatch("READ at " + std::to_string(offset) + " returned the data of offset " +
                      std::to_string(stamp) + " at " + std::to_string(offset + at));
    }
  }
  return Status::Ok();
}

std::unique_ptr<WorkloadOps> NewWorkloadOps(Workload workload) {
  switch (workload) {
    case Workload::kSeqWrite: return std::make_unique<WriteOps>(false);
    case Workload::kRandWrite4k: return std::make_unique<WriteOps>(true);
    case Workload::kSeqRead: return std::make_unique<ReadOps>(false);
    case Workload::kRandRead4k: return std::make_unique<ReadOps>(true);
    case Workload::kCreate: return std::make_unique<CreateOps>();
    case Workload::kStat: return std::make_unique<StatOps>();
    case Workload::kReadDir: return std::make_unique<ReadDirOps>();
    case Workload::kMixed: return std::make_unique<MixedOps>();
  }
  return nullptr;
}

}  // namespace efs::bench
