// NamespaceStore's batches: changes are savepoints in one transaction; a change undone alone
// leaves the batch's others; Flush commits them all; the inode cache and the cached directory
// listings follow every change and every undo.
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

// Every entry of `dir`, page by page of `page` entries.
std::vector<std::string> ListAll(NamespaceStore* store, uint64_t dir, uint32_t page) {
  std::vector<std::string> names;
  uint64_t after = 0;
  for (int i = 0; i < 100000; ++i) {
    Result<std::vector<fs::EntryRecord>> got = store->ListEntries(dir, after, page);
    EXPECT_TRUE(got.ok());
    if (!got.ok() || got->empty()) break;
    for (const fs::EntryRecord& e : *got) names.push_back(e.name);
    after = got->back().cookie;
  }
  return names;
}

// A directory with `n` entries e0..e(n-1) in one committed change; returns its inode.
uint64_t DirWith(NamespaceStore* store, int n) {
  EXPECT_TRUE(store->Begin().ok());
  InodeRecord d = File(1);
  d.attrs.type = fs::FileType::kDirectory;
  const uint64_t dir = *store->InsertInode(d);
  const uint64_t file = *store->InsertInode(File(2));
  for (int i = 0; i < n; ++i) {
    EXPECT_TRUE(store->InsertEntry(dir, {"e" + std::to_string(i), uint64_t(i) + 3, file}).ok());
  }
  EXPECT_TRUE(store->Commit().ok());
  return dir;
}

TEST(NamespaceStore, ListingsFollowEveryChangeToTheirEntries) {
  testutil::TempDir tmp;
  auto store = Open(tmp.path() + "/namespace.db");
  const uint64_t dir = DirWith(store.get(), 5);
  EXPECT_EQ(ListAll(store.get(), dir, 2), (std::vector<std::string>{"e0", "e1", "e2", "e3", "e4"}));

  ASSERT_TRUE(store->Begin().ok());
  ASSERT_TRUE(store->InsertEntry(dir, {"new", 100, 2}).ok());
  ASSERT_TRUE(store->DeleteEntry(dir, "e1").ok());
  ASSERT_TRUE(store->Commit().ok());
  EXPECT_EQ(ListAll(store.get(), dir, 2),
            (std::vector<std::string>{"e0", "e2", "e3", "e4", "new"}));

  // A change undone takes back what it listed: the listing read inside it saw "undone".
  ASSERT_TRUE(store->Begin().ok());
  ASSERT_TRUE(store->InsertEntry(dir, {"undone", 101, 2}).ok());
  ASSERT_TRUE(store->DeleteEntry(dir, "e0").ok());
  EXPECT_EQ(ListAll(store.get(), dir, 10),
            (std::vector<std::string>{"e2", "e3", "e4", "new", "undone"}));
  ASSERT_TRUE(store->Rollback().ok());
  EXPECT_EQ(ListAll(store.get(), dir, 10),
            (std::vector<std::string>{"e0", "e2", "e3", "e4", "new"}));
}

TEST(NamespaceStore, ALargeDirectoryListsWholeAndInOrderPageByPage) {
  testutil::TempDir tmp;
  auto store = Open(tmp.path() + "/namespace.db");
  const int n = 5000;  // over the largest listing kept whole
  const uint64_t dir = DirWith(store.get(), n);
  for (uint32_t page : {1000u, 4999u, 5001u}) {
    std::vector<std::string> names = ListAll(store.get(), dir, page);
    ASSERT_EQ(names.size(), size_t{n}) << "page " << page;
    for (int i = 0; i < n; ++i) ASSERT_EQ(names[i], "e" + std::to_string(i)) << "page " << page;
  }
  ASSERT_TRUE(store->Begin().ok());
  ASSERT_TRUE(store->DeleteEntry(dir, "e4999").ok());
  ASSERT_TRUE(store->Commit().ok());
  EXPECT_EQ(ListAll(store.get(), dir, 1000).size(), size_t{n - 1});
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
