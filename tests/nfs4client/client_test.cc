// nfs4client::Client against the real server on 127.0.0.1: names, directories, data,
// permissions, concurrency and locks.
#include "nfs4client/client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <random>
#include <set>
#include <thread>

#include "tests/nfs4client/test_server.h"

namespace efs::nfs4client {
namespace {

using testing::ReadAll;
using testing::TestServer;

const Identity kRoot{0, 0, {}};
const Identity kUser{1000, 1000, {}};

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(gen());
  return s;
}

class ClientTest : public ::testing::Test {
 protected:
  explicit ClientTest(TestServer::Options options = {}) : server_(options) {}

  void SetUp() override {
    client_ = Connect("client-test");
    ASSERT_NE(client_, nullptr);
    Result<Node> root = client_->Root(kRoot);
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    root_ = root->fh;
  }

  std::unique_ptr<Client> Connect(const std::string& owner, uint32_t max_io = 1 << 20) {
    Client::Options o = server_.ClientOptions(owner);
    o.max_io = max_io;
    auto c = Client::Connect(o);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  std::shared_ptr<OpenFile> Create(const std::string& name, CreateHow how = CreateHow::kGuarded) {
    return testing::CreateFile(*client_, kRoot, root_, name, how);
  }

  TestServer server_;
  std::unique_ptr<Client> client_;
  FileHandle root_;
};

TEST_F(ClientTest, ConnectsAndSeesTheRootAndTheServersLimits) {
  Result<Attrs> a = client_->GetAttr(kRoot, root_);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->type, FileType::kDirectory);
  EXPECT_EQ(a->mode, 0755u);
  EXPECT_EQ(a->uid, 0u);
  EXPECT_EQ(client_->max_read(), 1u << 20);
  EXPECT_EQ(client_->max_write(), 1u << 20);
  EXPECT_EQ(client_->lease_time(), std::chrono::seconds(90));
}

TEST_F(ClientTest, ConnectingWhereNothingListensIsUnavailable) {
  Client::Options o = server_.ClientOptions("nobody-home");
  o.port = 1;  // nothing listens on port 1 of 127.0.0.1
  o.call_timeout = std::chrono::seconds(2);
  auto c = Client::Connect(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kUnavailable);
}

TEST_F(ClientTest, MkdirLookupGetAttr) {
  Result<Node> d = client_->Mkdir(kRoot, root_, "dir", 0750);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->attrs.type, FileType::kDirectory);
  EXPECT_EQ(d->attrs.mode, 0750u);
  Result<Node> l = client_->Lookup(kRoot, root_, "dir");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->fh, d->fh);
  EXPECT_EQ(l->attrs.fileid, d->attrs.fileid);
  Result<Attrs> root = client_->GetAttr(kRoot, root_);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->nlink, 3u);  // ".", its entry in itself ("..") and dir's ".."
  Result<Node> missing = client_->Lookup(kRoot, root_, "missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().reason(), "NFS4ERR_NOENT");
  EXPECT_EQ(ToErrno(missing.status()), ENOENT);
  Result<Node> again = client_->Mkdir(kRoot, root_, "dir", 0750);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(ToErrno(again.status()), EEXIST);
}

TEST_F(ClientTest, LookupPathAndLookupParent) {
  Result<Node> a = client_->Mkdir(kRoot, root_, "a", 0755);
  ASSERT_TRUE(a.ok());
  Result<Node> b = client_->Mkdir(kRoot, a->fh, "b", 0755);
  ASSERT_TRUE(b.ok());
  Result<Node> c = client_->Mkdir(kRoot, b->fh, "c", 0755);
  ASSERT_TRUE(c.ok());
  Result<Node> p = client_->LookupPath(kRoot, "/a/b/c");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->fh, c->fh);
  Result<Node> q = client_->LookupPath(kRoot, "a/./b/../b//c/");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->fh, c->fh);
  Result<Node> root = client_->LookupPath(kRoot, "/");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->fh, root_);
  Result<Node> parent = client_->LookupParent(kRoot, c->fh);
  ASSERT_TRUE(parent.ok());
  EXPECT_EQ(parent->fh, b->fh);
  EXPECT_EQ(client_->LookupPath(kRoot, "/a/x/c").status().code(), Code::kNotFound);
}

TEST_F(ClientTest, ReadDirPagesReturnEveryNameOnce) {
  Result<Node> d = client_->Mkdir(kRoot, root_, "many", 0755);
  ASSERT_TRUE(d.ok());
  std::set<std::string> want;
  for (int i = 0; i < 300; ++i) {
    std::string name = "entry-" + std::to_string(i);
    ASSERT_TRUE(client_->Symlink(kRoot, d->fh, name, "target").ok());
    want.insert(name);
  }
  std::multiset<std::string> seen;
  uint64_t cookie = 0, verifier = 0;
  int pages = 0;
  for (bool eof = false; !eof && pages < 1000; ++pages) {
    Result<DirPage> page = client_->ReadDir(kRoot, d->fh, cookie, verifier, 2048);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const DirEntry& e : page->entries) {
      seen.insert(e.name);
      EXPECT_FALSE(e.node.fh.empty());
      EXPECT_EQ(e.node.attrs.type, FileType::kSymlink);
      cookie = e.cookie;
    }
    verifier = page->verifier;
    eof = page->eof;
    ASSERT_TRUE(eof || !page->entries.empty());
  }
  EXPECT_GT(pages, 2);
  EXPECT_EQ(seen.size(), 300u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), want);
}

TEST_F(ClientTest, SymlinkReadLinkAndMknod) {
  Result<Node> s = client_->Symlink(kRoot, root_, "link", "some/where");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->attrs.type, FileType::kSymlink);
  Result<std::string> target = client_->ReadLink(kRoot, s->fh);
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(*target, "some/where");
  Result<Node> fifo = client_->Mknod(kRoot, root_, "fifo", FileType::kFifo, 0600);
  ASSERT_TRUE(fifo.ok()) << fifo.status().ToString();
  EXPECT_EQ(fifo->attrs.type, FileType::kFifo);
  EXPECT_EQ(fifo->attrs.mode, 0600u);
  Result<Node> sock = client_->Mknod(kRoot, root_, "sock", FileType::kSocket, 0644);
  ASSERT_TRUE(sock.ok());
  EXPECT_EQ(sock->attrs.type, FileType::kSocket);
  Result<Node> dev = client_->Mknod(kRoot, root_, "dev", FileType::kBlock, 0644);
  EXPECT_FALSE(dev.ok());  // EFS refuses devices
  EXPECT_EQ(client_->Lookup(kRoot, root_, "dev").status().code(), Code::kNotFound);
}

TEST_F(ClientTest, RenameLinkRemove) {
  std::shared_ptr<OpenFile> f = Create("file");
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(client_->Close(kRoot, *f).ok());
  Result<Node> d = client_->Mkdir(kRoot, root_, "d", 0755);
  ASSERT_TRUE(d.ok());
  Result<Attrs> linked = client_->Link(kRoot, f->fh(), d->fh, "hard");
  ASSERT_TRUE(linked.ok()) << linked.status().ToString();
  EXPECT_EQ(linked->nlink, 2u);
  ASSERT_TRUE(client_->Rename(kRoot, root_, "file", d->fh, "moved").ok());
  EXPECT_EQ(client_->Lookup(kRoot, root_, "file").status().code(), Code::kNotFound);
  Result<Node> moved = client_->Lookup(kRoot, d->fh, "moved");
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->fh, f->fh());
  Status busy = client_->Remove(kRoot, root_, "d");
  EXPECT_EQ(busy.code(), Code::kNotEmpty);
  EXPECT_EQ(ToErrno(busy), ENOTEMPTY);
  ASSERT_TRUE(client_->Remove(kRoot, d->fh, "moved").ok());
  Result<Attrs> after = client_->GetAttr(kRoot, f->fh());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->nlink, 1u);
  ASSERT_TRUE(client_->Remove(kRoot, d->fh, "hard").ok());
  ASSERT_TRUE(client_->Remove(kRoot, root_, "d").ok());
  EXPECT_EQ(client_->Remove(kRoot, root_, "d").code(), Code::kNotFound);
}

TEST_F(ClientTest, SetAttrChmodTruncateAndTimes) {
  std::shared_ptr<OpenFile> f = Create("f");
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(client_->Write(kRoot, *f, 0, "hello world", Stability::kFileSync).ok());
  SetAttrs chmod;
  chmod.mode = 0600;
  Result<Attrs> a = client_->SetAttr(kRoot, f->fh(), chmod);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->mode, 0600u);
  SetAttrs truncate;
  truncate.size = 5;
  a = client_->SetAttr(kRoot, f->fh(), truncate, f.get());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->size, 5u);
  EXPECT_EQ(ReadAll(*client_, kRoot, *f), "hello");
  SetAttrs times;
  times.mtime_how = SetAttrs::TimeHow::kClientTime;
  times.mtime = Time{1000000, 5};
  a = client_->SetAttr(kRoot, f->fh(), times);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->mtime.sec, 1000000);
  EXPECT_EQ(a->mtime.nsec, 5u);
  SetAttrs chown;
  chown.uid = 1000;
  EXPECT_EQ(client_->SetAttr(kUser, f->fh(), chown).status().code(), Code::kNotPermitted);
  ASSERT_TRUE(client_->Close(kRoot, *f).ok());
}

TEST_F(ClientTest, AccessAndStatFs) {
  std::shared_ptr<OpenFile> f = Create("f");
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(client_->Close(kRoot, *f).ok());
  uint32_t want = ACCESS4_READ | ACCESS4_MODIFY;
  Result<uint32_t> user = client_->Access(kUser, f->fh(), want);
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(*user, uint32_t{ACCESS4_READ});  // 0644 root:root
  Result<uint32_t> root = client_->Access(kRoot, f->fh(), want);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(*root, want);
  Result<FsSpace> space = client_->StatFs(kRoot, root_);
  ASSERT_TRUE(space.ok()) << space.status().ToString();
  EXPECT_EQ(space->max_name, 255u);
  EXPECT_GE(space->total_bytes, space->free_bytes);
  // File counts (df -i): the root and "f" are in use.
  EXPECT_GT(space->total_files, 0u);
  EXPECT_LE(space->free_files + 2, space->total_files);
  EXPECT_EQ(space->avail_files, space->free_files);
}

TEST_F(ClientTest, WriteReadCommitCloseOfSeveralMiB) {
  std::string data = RandomBytes(5 * (1 << 20) + 123, 1);
  std::shared_ptr<OpenFile> f = Create("big");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->unstable_bytes(), 0u);
  ASSERT_TRUE(client_->Write(kRoot, *f, 0, data, Stability::kUnstable).ok());
  EXPECT_EQ(f->attrs().size, data.size());
  EXPECT_EQ(f->unstable_bytes(), data.size());
  EXPECT_EQ(ReadAll(*client_, kRoot, *f), data);
  ASSERT_TRUE(client_->Commit(kRoot, *f).ok());
  EXPECT_EQ(f->unstable_bytes(), 0u);
  ASSERT_TRUE(client_->Write(kRoot, *f, 0, "stable", Stability::kFileSync).ok());
  EXPECT_EQ(f->unstable_bytes(), 0u);
  ASSERT_TRUE(client_->Close(kRoot, *f).ok());
  EXPECT_EQ(f->attrs().size, data.size());
  auto again = client_->OpenHandle(kRoot, f->fh(), true, false);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(ReadAll(*client_, kRoot, **again), "stable" + data.substr(6));
  ASSERT_TRUE(client_->Close(kRoot, **again).ok());
  EXPECT_FALSE(client_->Close(kRoot, **again).ok());  // closed already
}

TEST_F(ClientTest, SmallMaxIoSplitsReadsAndWrites) {
  std::unique_ptr<Client> small = Connect("small-io", 64 * 1024);
  ASSERT_NE(small, nullptr);
  EXPECT_EQ(small->max_write(), 64u * 1024);
  std::string data = RandomBytes(300 * 1024 + 7, 2);
  OpenArgs a;
  a.write = true;
  a.create = CreateHow::kUnchecked;
  auto f = small->Open(kRoot, root_, "split", a);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(small->Write(kRoot, **f, 10, data, Stability::kDataSync).ok());
  auto r = small->Read(kRoot, **f, 10, 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data.size(), 64u * 1024);  // at most max_read() per READ
  EXPECT_EQ(ReadAll(*small, kRoot, **f), std::string(10, '\0') + data);
  ASSERT_TRUE(small->Close(kRoot, **f).ok());
}

TEST_F(ClientTest, GuardedExclusiveAndTruncatingOpens) {
  std::shared_ptr<OpenFile> f = Create("g");
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(client_->Write(kRoot, *f, 0, "data", Stability::kFileSync).ok());
  ASSERT_TRUE(client_->Close(kRoot, *f).ok());
  OpenArgs guarded;
  guarded.write = true;
  guarded.create = CreateHow::kGuarded;
  auto again = client_->Open(kRoot, root_, "g", guarded);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(ToErrno(again.status()), EEXIST);

  OpenArgs excl;
  excl.write = true;
  excl.create = CreateHow::kExclusive;
  excl.verifier = 0x1122334455667788;
  auto x = client_->Open(kRoot, root_, "x", excl);
  ASSERT_TRUE(x.ok()) << x.status().ToString();
  ASSERT_TRUE(client_->Close(kRoot, **x).ok());
  auto retry = client_->Open(kRoot, root_, "x", excl);  // a retransmission: same verifier
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  ASSERT_TRUE(client_->Close(kRoot, **retry).ok());
  excl.verifier = 1;
  EXPECT_EQ(ToErrno(client_->Open(kRoot, root_, "x", excl).status()), EEXIST);

  OpenArgs plain;
  EXPECT_EQ(client_->Open(kRoot, root_, "none", plain).status().code(), Code::kNotFound);
  OpenArgs trunc;
  trunc.write = true;
  trunc.truncate_to = 0;
  auto t = client_->Open(kRoot, root_, "g", trunc);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)->attrs().size, 0u);
  ASSERT_TRUE(client_->Close(kRoot, **t).ok());
}

TEST_F(ClientTest, NonRootUserCannotWriteIntoARootDirectory) {
  Result<Node> d = client_->Mkdir(kUser, root_, "mine", 0755);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(ToErrno(d.status()), EACCES);
  OpenArgs a;
  a.write = true;
  a.create = CreateHow::kUnchecked;
  auto f = client_->Open(kUser, root_, "mine", a);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(ToErrno(f.status()), EACCES);
  // In a directory of their own they may.
  Result<Node> home = client_->Mkdir(kRoot, root_, "home", 0777);
  ASSERT_TRUE(home.ok());
  Result<Node> ok = client_->Mkdir(kUser, home->fh, "mine", 0755);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->attrs.uid, 1000u);
  EXPECT_EQ(ok->attrs.gid, 1000u);
}

TEST_F(ClientTest, TwoClientsLockAndUnlock) {
  std::unique_ptr<Client> other = Connect("client-b");
  ASSERT_NE(other, nullptr);
  std::shared_ptr<OpenFile> fa = Create("locked");
  ASSERT_NE(fa, nullptr);
  auto fb = other->OpenHandle(kRoot, fa->fh(), true, true);
  ASSERT_TRUE(fb.ok());

  auto a = client_->Lock(kRoot, *fa, 1, LockRange{0, 100, LockType::kWrite});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_FALSE(a->has_value());
  auto b = other->Lock(kRoot, **fb, 7, LockRange{50, 10, LockType::kWrite});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_TRUE(b->has_value());
  EXPECT_EQ((*b)->range.offset, 0u);
  EXPECT_EQ((*b)->range.length, 100u);
  EXPECT_EQ((*b)->range.type, LockType::kWrite);
  EXPECT_FALSE((*b)->owner.empty());
  auto t = other->TestLock(kRoot, **fb, 7, LockRange{99, 1, LockType::kRead});
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->has_value());
  auto free_range = other->TestLock(kRoot, **fb, 7, LockRange{100, 10, LockType::kWrite});
  ASSERT_TRUE(free_range.ok());
  EXPECT_FALSE(free_range->has_value());
  // The same owner may lock again (it replaces its own range).
  auto same = client_->Lock(kRoot, *fa, 1, LockRange{0, 200, LockType::kWrite});
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->has_value());

  ASSERT_TRUE(client_->Unlock(kRoot, *fa, 1, LockRange{0, UINT64_MAX, LockType::kWrite}).ok());
  b = other->Lock(kRoot, **fb, 7, LockRange{50, 10, LockType::kWrite});
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->has_value());
  // Shared locks do not conflict with each other; a write lock conflicts with them.
  auto r1 = client_->Lock(kRoot, *fa, 2, LockRange{1000, 10, LockType::kRead});
  auto r2 = other->Lock(kRoot, **fb, 8, LockRange{1000, 10, LockType::kRead});
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_FALSE(r1->has_value());
  EXPECT_FALSE(r2->has_value());
  auto w = other->Lock(kRoot, **fb, 9, LockRange{1005, 1, LockType::kWrite});
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(w->has_value());
  // Close releases the closing client's locks.
  ASSERT_TRUE(other->Close(kRoot, **fb).ok());
  auto c = client_->Lock(kRoot, *fa, 3, LockRange{50, 10, LockType::kWrite});
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->has_value());
  ASSERT_TRUE(client_->Close(kRoot, *fa).ok());
}

// A POSIX lock owner (a process) that opens a file twice is one lock owner through both opens:
// its locks do not conflict with each other, an unlock through either releases them, and the
// open it first locked through may close without breaking its locks through the other.
TEST_F(ClientTest, OneOwnerThroughTwoOpensIsOneLockOwner) {
  std::unique_ptr<Client> other = Connect("client-b");
  ASSERT_NE(other, nullptr);
  std::shared_ptr<OpenFile> first = Create("twice");
  ASSERT_NE(first, nullptr);
  auto second = client_->OpenHandle(kRoot, first->fh(), true, true);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  auto theirs = other->OpenHandle(kRoot, first->fh(), true, true);
  ASSERT_TRUE(theirs.ok());
  const LockRange head{0, 10, LockType::kWrite};

  auto a = client_->Lock(kRoot, *first, 5, head);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_FALSE(a->has_value());
  auto again = client_->Lock(kRoot, **second, 5, head);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->has_value()) << "one owner's locks through two opens conflicted";
  // Another owner of this client conflicts, through either open.
  auto other_owner = client_->Lock(kRoot, **second, 6, head);
  ASSERT_TRUE(other_owner.ok());
  EXPECT_TRUE(other_owner->has_value());
  auto tested = client_->TestLock(kRoot, **second, 6, head);
  ASSERT_TRUE(tested.ok());
  EXPECT_TRUE(tested->has_value());
  EXPECT_FALSE(client_->TestLock(kRoot, **second, 5, head)->has_value());

  // Unlocked through the second open, the lock taken through the first is gone.
  ASSERT_TRUE(client_->Unlock(kRoot, **second, 5, head).ok());
  auto b = other->Lock(kRoot, **theirs, 1, head);
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->has_value()) << "the unlock through the other open left the lock";
  ASSERT_TRUE(other->Unlock(kRoot, **theirs, 1, head).ok());

  // Locked again; closing the open it was first taken through ends it (closing any
  // descriptor does in POSIX), and the owner can lock through the open that is left.
  ASSERT_FALSE(client_->Lock(kRoot, *first, 5, head)->has_value());
  ASSERT_FALSE(client_->Lock(kRoot, **second, 5, LockRange{20, 5, LockType::kWrite})->has_value());
  ASSERT_TRUE(client_->Close(kRoot, *first).ok());
  b = other->Lock(kRoot, **theirs, 1, LockRange{0, 30, LockType::kWrite});
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->has_value()) << "closing the first open left its owner's locks";
  ASSERT_TRUE(other->Unlock(kRoot, **theirs, 1, LockRange{0, 30, LockType::kWrite}).ok());
  auto after = client_->Lock(kRoot, **second, 5, head);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_FALSE(after->has_value());
  b = other->Lock(kRoot, **theirs, 1, head);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->has_value());
  ASSERT_TRUE(client_->Close(kRoot, **second).ok());
  ASSERT_TRUE(other->Close(kRoot, **theirs).ok());
}

class ConcurrentClientTest : public ClientTest {
 protected:
  ConcurrentClientTest() : ClientTest(TestServer::Options{.delay = std::chrono::milliseconds(1)}) {}
};

TEST_F(ConcurrentClientTest, SixteenThreadsShareOneClient) {
  constexpr int kThreads = 16;
  constexpr int kCalls = 200;
  std::vector<std::shared_ptr<OpenFile>> files;
  for (int t = 0; t < kThreads; ++t) {
    files.push_back(Create("t" + std::to_string(t)));
    ASSERT_NE(files.back(), nullptr);
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string block(100, static_cast<char>('a' + t));
      for (int i = 0; i < kCalls; ++i) {
        bool ok = i % 2 == 0 ? client_->GetAttr(kRoot, files[t]->fh()).ok()
                             : client_
                                   ->Write(kRoot, *files[t], (i / 2) * block.size(), block,
                                           Stability::kUnstable)
                                   .ok();
        if (!ok) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(server_.fs().max_concurrent(), 1);  // calls overlapped on the server
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_TRUE(client_->Close(kRoot, *files[t]).ok());
    Result<Attrs> a = client_->GetAttr(kRoot, files[t]->fh());
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->size, kCalls / 2 * 100u);
  }
}

}  // namespace
}  // namespace efs::nfs4client
