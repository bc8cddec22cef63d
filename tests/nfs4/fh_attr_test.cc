// File-handle ops (PUTFH, PUTROOTFH, GETFH, SAVEFH, RESTOREFH, LOOKUP, LOOKUPP), attribute ops
// (GETATTR, SETATTR, VERIFY, NVERIFY, ACCESS) and SECINFO.
#include "nfs4/attrs.h"
#include "nfs4/filehandle.h"
#include "nfs4/nfs4_test_env.h"

namespace efs::nfs4::testing {
namespace {

class FhAttr : public Nfs4TestEnv {
 protected:
  void SetUp() override { Connect(); }

  const fattr4& Attrs(const Reply& r, uint32_t i) {
    return r.u(i).opgetattr.GETATTR4res_u.resok4.obj_attributes;
  }
  std::string Values(const fattr4& f) {
    return std::string(f.attr_vals.attrlist4_val, f.attr_vals.attrlist4_len);
  }
  std::vector<uint32_t> Mask(const fattr4& f) {
    return std::vector<uint32_t>(f.attrmask.bitmap4_val,
                                 f.attrmask.bitmap4_val + f.attrmask.bitmap4_len);
  }
};

TEST_P(FhAttr, GetFhReturnsAHandleThatPutFhAccepts) {
  std::string root = Handle("");
  EXPECT_EQ(root.size(), kFileHandleSize);
  CompoundBuilder b = Seq();
  b.PutFh(root).GetAttr({FATTR4_TYPE});
  Reply r = Ok(b);
  EXPECT_EQ(Values(Attrs(r, 2)), XdrU32(NF4DIR));
}

TEST_P(FhAttr, GarbageHandleIsBadHandle) {
  CompoundBuilder b = Seq();
  b.PutFh("not a handle");
  EXPECT_EQ(Run(b).last(), NFS4ERR_BADHANDLE);
}

TEST_P(FhAttr, AHandleOfAnotherFileSystemIsStale) {
  std::string fh = EncodeFileHandle({ExportIdFor("fs-other"), fs_->Root()});
  CompoundBuilder b = Seq();
  b.PutFh(fh);
  EXPECT_EQ(Run(b).last(), NFS4ERR_STALE);
}

TEST_P(FhAttr, AHandleOfARemovedFileIsStale) {
  CompoundBuilder mk = Seq();
  mk.PutRootFh().Create(NF4DIR, "d");
  Ok(mk);
  std::string fh = Handle("d");
  CompoundBuilder rm = Seq();
  rm.PutRootFh().Remove("d");
  Ok(rm);
  CompoundBuilder b = Seq();
  b.PutFh(fh).GetAttr({FATTR4_SIZE});
  EXPECT_EQ(Run(b).last(), NFS4ERR_STALE);
}

TEST_P(FhAttr, AForgedGenerationIsStale) {
  CompoundBuilder mk = Seq();
  mk.PutRootFh().Create(NF4DIR, "d").GetAttr({FATTR4_FILEID});
  Ok(mk);
  std::string fh = Handle("d");
  FileHandle h;
  ASSERT_EQ(DecodeFileHandle(fh, &h), NFS4_OK);
  h.id.generation += 1;
  CompoundBuilder b = Seq();
  b.PutFh(EncodeFileHandle(h)).GetAttr({FATTR4_SIZE});
  EXPECT_EQ(Run(b).last(), NFS4ERR_STALE);
}

TEST_P(FhAttr, LookupOfAMissingNameIsNoent) {
  CompoundBuilder b = Seq();
  b.PutRootFh().Lookup("nope");
  EXPECT_EQ(Run(b).last(), NFS4ERR_NOENT);
}

TEST_P(FhAttr, LookupOfAnEmptyNameIsInval) {
  CompoundBuilder b = Seq();
  b.PutRootFh().Lookup("");
  EXPECT_EQ(Run(b).last(), NFS4ERR_INVAL);
}

TEST_P(FhAttr, LookupThroughAFileIsNotDir) {
  CreateFile("f");
  CompoundBuilder b = Seq();
  b.PutRootFh().Lookup("f").Lookup("x");
  EXPECT_EQ(Run(b).last(), NFS4ERR_NOTDIR);
}

TEST_P(FhAttr, LookupIntoAPrivateDirectoryIsDeniedToOthers) {
  CompoundBuilder mk = Seq();
  mk.PutRootFh().Create(NF4DIR, "private", ModeAttr(0700)).Create(NF4DIR, "inner");
  Ok(mk);
  CompoundBuilder b = Seq();
  b.PutRootFh().Lookup("private").Lookup("inner");
  EXPECT_EQ(Run(b, Cred(1000, 1000)).last(), NFS4ERR_ACCESS);
}

TEST_P(FhAttr, LookuppWalksUpAndStopsAtTheRoot) {
  CompoundBuilder mk = Seq();
  mk.PutRootFh().Create(NF4DIR, "d");
  Ok(mk);
  CompoundBuilder b = Seq();
  b.PutRootFh().Lookup("d").LookupP().GetFh();
  Reply r = Ok(b);
  const nfs_fh4& fh = r.u(4).opgetfh.GETFH4res_u.resok4.object;
  EXPECT_EQ(std::string(fh.nfs_fh4_val, fh.nfs_fh4_len), Handle(""));
  CompoundBuilder top = Seq();
  top.PutRootFh().LookupP();
  EXPECT_EQ(Run(top).last(), NFS4ERR_NOENT);
}

TEST_P(FhAttr, SaveAndRestoreSwapTheCurrentHandle) {
  CompoundBuilder mk = Seq();
  mk.PutRootFh().Create(NF4DIR, "d");
  Ok(mk);
  CompoundBuilder b = Seq();
  b.PutRootFh().SaveFh().Lookup("d").RestoreFh().GetFh();
  Reply r = Ok(b);
  const nfs_fh4& fh = r.u(5).opgetfh.GETFH4res_u.resok4.object;
  EXPECT_EQ(std::string(fh.nfs_fh4_val, fh.nfs_fh4_len), Handle(""));
  CompoundBuilder none = Seq();
  none.PutRootFh().RestoreFh();
  EXPECT_EQ(Run(none).last(), NFS4ERR_RESTOREFH);
}

TEST_P(FhAttr, GetattrEncodesTypeSizeModeAndNumericOwnersByteForByte) {
  CompoundBuilder pub = Seq();
  pub.PutRootFh().Create(NF4DIR, "pub", ModeAttr(0777));
  Ok(pub);
  CompoundBuilder b = Seq();
  b.PutRootFh()
      .Lookup("pub")
      .Open("o", "f", UNCHECKED4, OPEN4_SHARE_ACCESS_BOTH, OPEN4_SHARE_DENY_NONE, ModeAttr(0640))
      .Write(CurrentStateid(), 0, "hello", FILE_SYNC4)
      .GetAttr({FATTR4_TYPE, FATTR4_SIZE, FATTR4_MODE, FATTR4_OWNER, FATTR4_OWNER_GROUP});
  Reply r = Ok(b, Cred(1000, 100));
  ASSERT_EQ(r.count(), 6u);
  const fattr4& f = Attrs(r, 5);
  EXPECT_EQ(Mask(f), (std::vector<uint32_t>{0x12, 0x32}));
  EXPECT_EQ(Values(f),
            XdrU32(NF4REG) + XdrU64(5) + XdrU32(0640) + XdrString("1000") + XdrString("100"));
}

TEST_P(FhAttr, GetattrOfServerConstantsIsExact) {
  CompoundBuilder b = Seq();
  b.PutRootFh().GetAttr({FATTR4_FH_EXPIRE_TYPE, FATTR4_LEASE_TIME, FATTR4_MAXNAME, FATTR4_MAXREAD,
                         FATTR4_MAXLINK, FATTR4_MAXWRITE});
  Reply r = Ok(b);
  EXPECT_EQ(Values(Attrs(r, 2)), XdrU32(FH4_PERSISTENT) + XdrU32(90) + XdrU32(177) + XdrU32(255) +
                                     XdrU64(1 << 20) + XdrU64(1 << 20));
}

TEST_P(FhAttr, GetattrLeavesOutUnsupportedAttributes) {
  CompoundBuilder b = Seq();
  b.PutRootFh().GetAttr({FATTR4_ACL, FATTR4_TYPE, FATTR4_QUOTA_USED, FATTR4_QUOTA_AVAIL_HARD});
  Reply r = Ok(b);
  EXPECT_EQ(Mask(Attrs(r, 2)), (std::vector<uint32_t>{1u << FATTR4_TYPE}));
}

// df -i through any client: files_total, files_free and files_avail.
TEST_P(FhAttr, FileCountsAreServed) {
  CreateFile("counted");
  CompoundBuilder b = Seq();
  b.PutRootFh().GetAttr({FATTR4_FILES_AVAIL, FATTR4_FILES_FREE, FATTR4_FILES_TOTAL});
  Reply r = Ok(b);
  std::string v = Values(Attrs(r, 2));
  ASSERT_EQ(v.size(), 24u);
  auto u64 = [&v](size_t at) {
    uint64_t n = 0;
    for (size_t i = 0; i < 8; ++i) n = n << 8 | static_cast<unsigned char>(v[at + i]);
    return n;
  };
  EXPECT_EQ(u64(0), u64(8));                // avail = free
  EXPECT_EQ(u64(8) + 2, u64(16));           // two inodes used: the root and "counted"
}

TEST_P(FhAttr, SupportedAttrsListsTheMandatoryOnes) {
  CompoundBuilder b = Seq();
  b.PutRootFh().GetAttr({FATTR4_SUPPORTED_ATTRS});
  Reply r = Ok(b);
  std::string v = Values(Attrs(r, 2));
  ASSERT_GE(v.size(), 16u);
  EXPECT_EQ(v.substr(0, 4), XdrU32(3));  // three words: suppattr_exclcreat is attribute 75
  uint32_t w0 = static_cast<uint32_t>(
      static_cast<unsigned char>(v[4]) << 24 | static_cast<unsigned char>(v[5]) << 16 |
      static_cast<unsigned char>(v[6]) << 8 | static_cast<unsigned char>(v[7]));
  for (uint32_t a : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 19, 20}) {
    EXPECT_TRUE(w0 & (1u << a)) << "attribute " << a;
  }
}

TEST_P(FhAttr, SetattrChangesTheModeAndReportsWhatItSet) {
  CreateFile("f");
  CompoundBuilder b = Seq();
  b.PutRootFh().Lookup("f").SetAttr(ModeAttr(0600)).GetAttr({FATTR4_MODE});
  Reply r = Ok(b);
  const bitmap4& set = r.u(3).opsetattr.attrsset;
  ASSERT_EQ(set.bitmap4_len, 2u);
  EXPECT_EQ(set.bitmap4_val[1], 1u << (FATTR4_MODE - 32));
  EXPECT_EQ(Values(Attrs(r, 4)), XdrU32(0600));
}

TEST_P(FhAttr, SetattrRefusesUnsupportedReadOnlyAndNamedOwners) {
  CreateFile("f");
  CompoundBuilder acl = Seq();
  acl.PutRootFh().Lookup("f").SetAttr({Bitmap({FATTR4_ACL}), XdrU32(0)});
  EXPECT_EQ(Run(acl).last(), NFS4ERR_ATTRNOTSUPP);
  CompoundBuilder type = Seq();
  type.PutRootFh().Lookup("f").SetAttr({Bitmap({FATTR4_TYPE}), XdrU32(NF4DIR)});
  EXPECT_EQ(Run(type).last(), NFS4ERR_INVAL);
  CompoundBuilder owner = Seq();
  owner.PutRootFh().Lookup("f").SetAttr({Bitmap({FATTR4_OWNER}), XdrString("alice@example")});
  EXPECT_EQ(Run(owner).last(), NFS4ERR_BADOWNER);
}

TEST_P(FhAttr, SetattrSizeTruncates) {
  CreateFile("f", "0123456789");
  CompoundBuilder b = Seq();
  b.PutRootFh().Lookup("f").SetAttr({Bitmap({FATTR4_SIZE}), XdrU64(3)}).GetAttr({FATTR4_SIZE});
  EXPECT_EQ(Values(Attrs(Ok(b), 4)), XdrU64(3));
}

TEST_P(FhAttr, ChmodByAnotherUserIsPerm) {
  CreateFile("f");
  CompoundBuilder b = Seq();
  b.PutRootFh().Lookup("f").SetAttr(ModeAttr(0777));
  EXPECT_EQ(Run(b, Cred(1000, 1000)).last(), NFS4ERR_PERM);
}

TEST_P(FhAttr, VerifyAndNverifyCompareEncodings) {
  CreateFile("f", "abc");
  CompoundBuilder same = Seq();
  same.PutRootFh().Lookup("f").Verify({Bitmap({FATTR4_SIZE}), XdrU64(3)});
  EXPECT_EQ(Run(same).status(), NFS4_OK);
  CompoundBuilder differ = Seq();
  differ.PutRootFh().Lookup("f").Verify({Bitmap({FATTR4_SIZE}), XdrU64(4)});
  EXPECT_EQ(Run(differ).last(), NFS4ERR_NOT_SAME);
  CompoundBuilder nsame = Seq();
  nsame.PutRootFh().Lookup("f").Verify({Bitmap({FATTR4_SIZE}), XdrU64(3)}, /*negate=*/true);
  EXPECT_EQ(Run(nsame).last(), NFS4ERR_SAME);
  CompoundBuilder unsupported = Seq();
  unsupported.PutRootFh().Verify({Bitmap({FATTR4_ACL}), XdrU32(0)});
  EXPECT_EQ(Run(unsupported).last(), NFS4ERR_ATTRNOTSUPP);
}

TEST_P(FhAttr, AccessReportsWhatTheCallerMayDo) {
  CompoundBuilder b = Seq();
  b.PutRootFh().Access(ACCESS4_READ | ACCESS4_LOOKUP | ACCESS4_MODIFY | ACCESS4_EXECUTE);
  Reply r = Ok(b, Cred(1000, 1000));
  const ACCESS4resok& ok = r.u(2).opaccess.ACCESS4res_u.resok4;
  EXPECT_EQ(ok.supported, ACCESS4_READ | ACCESS4_LOOKUP | ACCESS4_MODIFY);
  EXPECT_EQ(ok.access, ACCESS4_READ | ACCESS4_LOOKUP);
  CompoundBuilder c = Seq();
  c.PutRootFh().Access(ACCESS4_MODIFY);
  Reply root = Ok(c);
  EXPECT_EQ(root.u(2).opaccess.ACCESS4res_u.resok4.access, ACCESS4_MODIFY);
}

TEST_P(FhAttr, SecinfoOffersAuthSysAndConsumesTheHandle) {
  CreateFile("f");
  CompoundBuilder b = Seq();
  b.PutRootFh().SecInfo("f");
  Reply r = Ok(b);
  const SECINFO4resok& ok = r.u(2).opsecinfo.SECINFO4res_u.resok4;
  ASSERT_EQ(ok.SECINFO4resok_len, 2u);
  EXPECT_EQ(ok.SECINFO4resok_val[0].flavor, 1u);  // AUTH_SYS
  EXPECT_EQ(ok.SECINFO4resok_val[1].flavor, 0u);  // AUTH_NONE
  CompoundBuilder after = Seq();
  after.PutRootFh().SecInfoNoName(SECINFO_STYLE4_CURRENT_FH).GetFh();
  EXPECT_EQ(Run(after).last(), NFS4ERR_NOFILEHANDLE);
  CompoundBuilder missing = Seq();
  missing.PutRootFh().SecInfo("nope");
  EXPECT_EQ(Run(missing).last(), NFS4ERR_NOENT);
}

INSTANTIATE_TEST_SUITE_P(Backends, FhAttr, AllBackends(), BackendName);

}  // namespace
}  // namespace efs::nfs4::testing
