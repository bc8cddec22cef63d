// NamespaceStore: fs::MetadataBackend over one file system's namespace.db (format in
// namespace_schema.h). Row mapping only; the POSIX rules are fs::PosixFs's.
//
// Thread safety: none (PosixFs serializes calls under its mutex).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "fs/backend.h"
#include "store/db.h"

namespace efs::store {

class NamespaceStore final : public fs::MetadataBackend {
 public:
  // Opens (creating and migrating) the namespace database at `path`, held exclusively.
  static Result<std::unique_ptr<NamespaceStore>> Open(const std::string& path);

  Status Begin(Durability durability) override;
  Status Commit() override;
  void Rollback() override;
  Status Flush() override;

  Result<std::optional<fs::InodeRecord>> LoadInode(uint64_t ino) override;
  Result<uint64_t> InsertInode(const fs::InodeRecord& rec) override;
  Status UpdateInode(const fs::InodeRecord& rec) override;
  Status DeleteInode(uint64_t ino) override;

  Result<std::optional<fs::EntryRecord>> LookupEntry(uint64_t dir, std::string_view name) override;
  Status InsertEntry(uint64_t dir, const fs::EntryRecord& entry) override;
  Status DeleteEntry(uint64_t dir, std::string_view name) override;
  Result<bool> HasEntries(uint64_t dir) override;
  Result<std::vector<fs::EntryRecord>> ListEntries(uint64_t dir, uint64_t after,
                                                   uint32_t limit) override;

  Result<std::string> LoadSymlink(uint64_t ino) override;
  Status StoreSymlink(uint64_t ino, std::string_view target) override;
  Result<std::vector<uint64_t>> UnlinkedInodes() override;
  Result<uint64_t> CountInodes() override;
  Result<uint64_t> SumMetered() override;

 private:
  explicit NamespaceStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}
  Status SetSynchronous(bool full);

  std::unique_ptr<Db> db_;
  std::optional<Txn> txn_;
  bool full_sync_ = true;      // the connection's current synchronous setting
  bool lazy_pending_ = false;  // a kLazy commit since the last durable one
  bool durable_txn_ = true;    // the open transaction's durability
};

}  // namespace efs::store
