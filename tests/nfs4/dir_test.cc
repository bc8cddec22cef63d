// Directory ops: CREATE, REMOVE, RENAME, LINK, READLINK and READDIR paging.
#include <set>

#include "nfs4/nfs4_test_env.h"

namespace efs::nfs4::testing {
namespace {

class Dir : public Nfs4TestEnv {
 protected:
  void SetUp() override { Connect(); }
};

TEST_P(Dir, CreateMakesDirectoriesSymlinksFifosAndSockets) {
  CompoundBuilder b = Seq();
  b.PutRootFh()
      .Create(NF4DIR, "d", ModeAttr(0750))
      .GetAttr({FATTR4_TYPE, FATTR4_MODE})
      .PutRootFh()
      .Create(NF4LNK, "l", {}, "target/path")
      .ReadLink()
      .PutRootFh()
      .Create(NF4FIFO, "p")
      .PutRootFh()
      .Create(NF4SOCK, "s");
  Reply r = Ok(b);
  const fattr4& f = r.u(3).opgetattr.GETATTR4res_u.resok4.obj_attributes;
  EXPECT_EQ(std::string(f.attr_vals.attrlist4_val, f.attr_vals.attrlist4_len),
            XdrU32(NF4DIR) + XdrU32(0750));
  const linktext4& l = r.u(6).opreadlink.READLINK4res_u.resok4.link;
  EXPECT_EQ(std::string(l.utf8string_val, l.utf8string_len), "target/path");
  const change_info4& ci = r.u(2).opcreate.CREATE4res_u.resok4.cinfo;
  EXPECT_TRUE(ci.atomic);
  EXPECT_LT(ci.before, ci.after);
}

TEST_P(Dir, CreateRefusesDevicesAndRegularFiles) {
  for (nfs_ftype4 t : {NF4BLK, NF4CHR, NF4REG}) {
    CompoundBuilder b = Seq();
    b.PutRootFh().Create(t, "x");
    EXPECT_EQ(Run(b).last(), NFS4ERR_BADTYPE) << t;
  }
}

TEST_P(Dir, CreateOfAnExistingNameIsExist) {
  CompoundBuilder a = Seq();
  a.PutRootFh().Create(NF4DIR, "d");
  Ok(a);
  CompoundBuilder b = Seq();
  b.PutRootFh().Create(NF4DIR, "d");
  EXPECT_EQ(Run(b).last(), NFS4ERR_EXIST);
}

TEST_P(Dir, CreateInAnotherUsersDirectoryIsAccess) {
  CompoundBuilder b = Seq();
  b.PutRootFh().Create(NF4DIR, "d");
  EXPECT_EQ(Run(b, Cred(1000, 1000)).last(), NFS4ERR_ACCESS);
}

TEST_P(Dir, ReadlinkOfADirectoryIsInval) {
  CompoundBuilder b = Seq();
  b.PutRootFh().ReadLink();
  EXPECT_EQ(Run(b).last(), NFS4ERR_INVAL);
}

TEST_P(Dir, RemoveDeletesAndRefusesNonEmptyDirectories) {
  CompoundBuilder mk = Seq();
  mk.PutRootFh().Create(NF4DIR, "d").Create(NF4DIR, "sub");
  Ok(mk);
  CompoundBuilder full = Seq();
  full.PutRootFh().Remove("d");
  EXPECT_EQ(Run(full).last(), NFS4ERR_NOTEMPTY);
  CompoundBuilder b = Seq();
  b.PutRootFh().Lookup("d").Remove("sub").LookupP().Remove("d").Lookup("d");
  Reply r = Run(b);
  EXPECT_EQ(r.count(), 7u);
  EXPECT_EQ(r.last(), NFS4ERR_NOENT);
  CompoundBuilder missing = Seq();
  missing.PutRootFh().Remove("d");
  EXPECT_EQ(Run(missing).last(), NFS4ERR_NOENT);
}

TEST_P(Dir, RenameMovesFromTheSavedToTheCurrentDirectory) {
  CreateFile("f", "x");
  CompoundBuilder b = Seq();
  b.PutRootFh().Create(NF4DIR, "d").PutRootFh().SaveFh().Lookup("d").Rename("f", "g").Lookup("g");
  Reply r = Ok(b);
  const RENAME4resok& ok = r.u(6).oprename.RENAME4res_u.resok4;
  EXPECT_LT(ok.source_cinfo.before, ok.source_cinfo.after);
  CompoundBuilder gone = Seq();
  gone.PutRootFh().Lookup("f");
  EXPECT_EQ(Run(gone).last(), NFS4ERR_NOENT);
}

TEST_P(Dir, LinkAddsANameAndCountsIt) {
  CreateFile("f", "x");
  CompoundBuilder b = Seq();
  b.PutRootFh().Lookup("f").SaveFh().PutRootFh().Link("g").Lookup("g").GetAttr({FATTR4_NUMLINKS});
  Reply r = Ok(b);
  const fattr4& f = r.u(7).opgetattr.GETATTR4res_u.resok4.obj_attributes;
  EXPECT_EQ(std::string(f.attr_vals.attrlist4_val, f.attr_vals.attrlist4_len), XdrU32(2));
  CompoundBuilder dir = Seq();
  dir.PutRootFh().Create(NF4DIR, "d").SaveFh().PutRootFh().Link("d2");
  EXPECT_EQ(Run(dir).last(), NFS4ERR_ISDIR);
}

TEST_P(Dir, ReaddirPagesThroughEveryEntryByCookie) {
  std::set<std::string> want;
  for (int i = 0; i < 12; ++i) {
    std::string name = "entry-" + std::to_string(i);
    want.insert(name);
    CompoundBuilder mk = Seq();
    mk.PutRootFh().Create(NF4DIR, name);
    Ok(mk);
  }
  std::set<std::string> seen;
  uint64_t cookie = 0;
  int pages = 0;
  for (bool eof = false; !eof && pages < 50; ++pages) {
    CompoundBuilder b = Seq();
    b.PutRootFh().ReadDir(cookie, 300, {FATTR4_TYPE, FATTR4_FILEID});
    Reply r = Ok(b);
    ASSERT_EQ(r.count(), 3u);
    const READDIR4resok& ok = r.u(2).opreaddir.READDIR4res_u.resok4;
    for (const entry4* e = ok.reply.entries; e != nullptr; e = e->nextentry) {
      seen.insert(std::string(e->name.utf8string_val, e->name.utf8string_len));
      EXPECT_EQ(e->attrs.attrmask.bitmap4_len, 1u);
      cookie = e->cookie;
    }
    eof = ok.reply.eof;
  }
  EXPECT_EQ(seen, want);
  EXPECT_GT(pages, 2);  // 300 bytes hold a few entries only
}

TEST_P(Dir, ReaddirRefusesReservedCookiesAndTinyBuffers) {
  CompoundBuilder mk = Seq();
  mk.PutRootFh().Create(NF4DIR, "d");
  Ok(mk);
  CompoundBuilder reserved = Seq();
  reserved.PutRootFh().ReadDir(1, 4096);
  EXPECT_EQ(Run(reserved).last(), NFS4ERR_BAD_COOKIE);
  CompoundBuilder tiny = Seq();
  tiny.PutRootFh().ReadDir(0, 30);
  EXPECT_EQ(Run(tiny).last(), NFS4ERR_TOOSMALL);
  CompoundBuilder file = Seq();
  file.PutRootFh().Lookup("d").ReadDir(0, 4096);
  Reply r = Ok(file);
  EXPECT_EQ(r.u(3).opreaddir.READDIR4res_u.resok4.reply.entries, nullptr);
  EXPECT_TRUE(r.u(3).opreaddir.READDIR4res_u.resok4.reply.eof);
}

INSTANTIATE_TEST_SUITE_P(Backends, Dir, AllBackends(), BackendName);

}  // namespace
}  // namespace efs::nfs4::testing
