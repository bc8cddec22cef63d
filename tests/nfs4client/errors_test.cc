// ToStatus and ToErrno: the client's NFS status -> Status -> errno table.
#include <gtest/gtest.h>

#include <cerrno>

#include "nfs4client/client.h"

namespace efs::nfs4client {
namespace {

TEST(Errors, ToStatusNamesTheStatusAndTheOp) {
  EXPECT_TRUE(ToStatus(NFS4_OK, "lookup").ok());
  Status s = ToStatus(NFS4ERR_NOENT, "lookup 'x'");
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.reason(), "NFS4ERR_NOENT");
  EXPECT_EQ(s.message(), "lookup 'x': NFS4ERR_NOENT");
  Status odd = ToStatus(static_cast<nfsstat4>(99999), "read");
  EXPECT_EQ(odd.code(), Code::kIOError);
  EXPECT_NE(odd.message().find("99999"), std::string::npos);
}

TEST(Errors, ToErrnoTable) {
  struct Row {
    nfsstat4 status;
    int errno_value;
  };
  const Row kRows[] = {
      {NFS4_OK, 0},
      {NFS4ERR_NOENT, ENOENT},
      {NFS4ERR_ACCESS, EACCES},
      {NFS4ERR_PERM, EPERM},
      {NFS4ERR_EXIST, EEXIST},
      {NFS4ERR_NOTDIR, ENOTDIR},
      {NFS4ERR_ISDIR, EISDIR},
      {NFS4ERR_NOTEMPTY, ENOTEMPTY},
      {NFS4ERR_NAMETOOLONG, ENAMETOOLONG},
      {NFS4ERR_STALE, ESTALE},
      {NFS4ERR_BADHANDLE, ESTALE},
      {NFS4ERR_NOSPC, ENOSPC},
      {NFS4ERR_DQUOT, ENOSPC},
      {NFS4ERR_FBIG, EFBIG},
      {NFS4ERR_MLINK, EMLINK},
      {NFS4ERR_INVAL, EINVAL},
      {NFS4ERR_BADNAME, EINVAL},
      {NFS4ERR_ROFS, EROFS},
      {NFS4ERR_DENIED, EAGAIN},
      {NFS4ERR_LOCKED, EAGAIN},
      {NFS4ERR_DELAY, EAGAIN},
      {NFS4ERR_NOTSUPP, ENOTSUP},
      {NFS4ERR_BADTYPE, ENOTSUP},
      {NFS4ERR_IO, EIO},
      {NFS4ERR_SERVERFAULT, EIO},
      {NFS4ERR_BAD_STATEID, EIO},
  };
  for (const Row& row : kRows) {
    EXPECT_EQ(ToErrno(ToStatus(row.status, "op")), row.errno_value) << row.status;
  }
  // Errors that never were NFS statuses: a lost server is EIO.
  EXPECT_EQ(ToErrno(Error(Code::kUnavailable, "RecoveryFailed", "gone")), EIO);
}

}  // namespace
}  // namespace efs::nfs4client
