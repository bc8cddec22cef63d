// NFSv4 file handles: the opaque bytes a client holds for a file (RFC 5661 s4.2).
//
// The format
// ----------
// A handle is 28 bytes, all integers big-endian:
//
//   byte  0       version, 1; anything else is not ours
//   bytes 1..3    reserved, zero
//   bytes 4..11   export id: which efsd file system (ExportIdFor(file system id))
//   bytes 12..19  inode number (fs::FileId::ino, also the NFS fileid)
//   bytes 20..27  generation (fs::FileId::generation)
//
// The handle holds no server state, so handles survive a daemon restart (DESIGN.md) and stay
// well below NFS4_FHSIZE (128). A later version may grow the handle; its first byte then says so.
//
// Validity
// --------
// - Bytes that do not parse (wrong length, version or reserved bytes) answer
//   NFS4ERR_BADHANDLE (RFC 5661 s15.1.2.1).
// - A handle of another file system than the one the connection's mount target serves answers
//   NFS4ERR_STALE, as does one whose inode is gone or whose generation differs (a removed file,
//   or a forged handle): the file system answers kStale (fs/filesystem.h) and that maps to
//   NFS4ERR_STALE (RFC 5661 s15.1.2.7). PUTFH checks only the bytes and the export; staleness
//   shows at the first op that touches the file.
// - Handles are persistent: fh_expire_type is FH4_PERSISTENT.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fs/filesystem.h"
#include "xdr/nfs4_prot.h"

namespace efs::nfs4 {

inline constexpr uint8_t kFileHandleVersion = 1;
inline constexpr size_t kFileHandleSize = 28;

struct FileHandle {
  uint64_t export_id = 0;
  fs::FileId id;
  friend bool operator==(const FileHandle&, const FileHandle&) = default;
};

// The handle's bytes.
std::string EncodeFileHandle(const FileHandle& fh);

// Parses handle bytes; NFS4_OK or NFS4ERR_BADHANDLE.
nfsstat4 DecodeFileHandle(std::string_view bytes, FileHandle* out);

// The export id of an efsd file system id such as "fs-0123456789abcdef": a stable 64-bit hash
// (FNV-1a), so handles and fsid stay the same across restarts.
uint64_t ExportIdFor(std::string_view file_system_id);

}  // namespace efs::nfs4
