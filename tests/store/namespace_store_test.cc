// NamespaceStore's batches: changes are savepoints in one transaction; a change undone alone
// leaves the batch's others; Flush commits them all; the inode cache follows the undo.
#include "store/namespace_store.h"

#include <gtest/gtest.h>

#include "testutil/temp_dir.h"

namespace efs::store {
namespace {

using fs::InodeRecord;

InodeRecord File(uint64_t generation) {
  InodeRecord rec;
  rec.attrs.type = fs::FileType::kRegular;
  rec.attrs.mode = 0644;
  rec.attrs.nlink = 1;
  rec.attrs.id.generation = generation;
  return rec;
}

std::unique_ptr<NamespaceStore> Open(const std::string& path) {
  Result<std::unique_ptr<NamespaceStore>> store = NamespaceStore::Open(path);
  EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.status().ToString());
  return store.ok() ? std::move(store).value() : nullptr;
}

TEST(NamespaceStore, AChangeUndoneAloneLeavesTheOthersOfItsBatch) {
  testutil::TempDir dir;
  const std::string path = dir.path() + "/namespace.db";
  uint64_t kept = 0, undone = 0;
  {
    auto store = Open(path);
    ASSERT_TRUE(store->Begin().ok());
    Result<uint64_t> a = store->InsertInode(File(11));
    ASSERT_TRUE(a.ok());
    kept = *a;
    ASSERT_TRUE(store->Commit().ok());

    ASSERT_TRUE(store->Begin().ok());
    Result<uint64_t> b = store->InsertInode(File(22));
    ASSERT_TRUE(b.ok());
    undone = *b;
    InodeRecord changed = File(33);
    changed.attrs.id.ino = kept;
    ASSERT_TRUE(store->UpdateInode(changed).ok());
    ASSERT_TRUE(store->Rollback().ok());

    // The cache forgot what the undone change wrote.
    Result<std::optional<InodeRecord>> gone = store->LoadInode(undone);
    ASSERT_TRUE(gone.ok());
    EXPECT_FALSE(gone->has_value());
    Result<std::optional<InodeRecord>> first = store->LoadInode(kept);
    ASSERT_TRUE(first.ok() && first->has_value());
    EXPECT_EQ((*first)->attrs.id.generation, 11u);

    ASSERT_TRUE(store->Flush().ok());
    ASSERT_TRUE(store->Sync().ok());
  }
  auto reopened = Open(path);
  Result<std::optional<InodeRecord>> first = reopened->LoadInode(kept);
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->attrs.id.generation, 11u);
  Result<std::optional<InodeRecord>> gone = reopened->LoadInode(undone);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
}

TEST(NamespaceStore, AnUnflushedBatchIsGoneAfterAReopen) {
  testutil::TempDir dir;
  const std::string path = dir.path() + "/namespace.db";
  uint64_t ino = 0;
  {
    auto store = Open(path);
    ASSERT_TRUE(store->Begin().ok());
    Result<uint64_t> a = store->InsertInode(File(44));
    ASSERT_TRUE(a.ok());
    ino = *a;
    ASSERT_TRUE(store->Commit().ok());
    // Visible inside the process before the flush...
    Result<std::optional<InodeRecord>> seen = store->LoadInode(ino);
    ASSERT_TRUE(seen.ok() && seen->has_value());
  }  // ...but closed without a Flush: the open transaction is rolled back, as by a crash.
  auto reopened = Open(path);
  Result<std::optional<InodeRecord>> after = reopened->LoadInode(ino);
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->has_value());
}

}  // namespace
}  // namespace efs::store
