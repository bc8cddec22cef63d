// The consistency check of one file system (efs fsck): what PosixFs::Check looks at, the kinds
// of findings it reports and what --repair does about each. The kind names are the API's
// "Kind" values: they are stable, and a new check gets a new name.
//
// ** What is checked **
//   namespace  every entry names an inode that exists, inside a directory; every directory's
//              parent is the directory holding its one entry; link counts match the entries
//              (a directory: 2 + its subdirectories); every inode is reachable from the root;
//              a directory's entry_bytes and next cookie agree with its entries.
//   data       every copy a tier holds belongs to a regular file in that class (or to a move
//              the strays table records); a file's class holds its data; the Standard data
//              file is not longer than the inode's size.
//   metering   each inode's metered size against a recount, and the file system's total.
//
// ** Repairs ** (only what cannot lose data a client was told is stored)
//   DataFileLonger       the data file is cut to the inode's size (those bytes were never
//                        acknowledged as part of the file: their size update was lost).
//   DataFileOrphaned     the copy is deleted.
//   DataFileWrongTier    the inode's class is set to the tier that holds its only copy.
//   DanglingEntry        the entry is deleted.
//   LinkCountWrong, ParentWrong, DirectorySizeWrong, DirectoryCookieBehind
//                        the inode's field is set to the recount.
//   Unreachable          an inode without any entry gets one in /lost+found, named #<ino>.
//   MeteredSizeWrong     the inode's metered size (and the total) is set to the recount.
//   Not repaired: DataFileMissing (the data is gone), EntryInNonDirectory,
//   DirectoryLinkedTwice, and directories unreachable through a cycle: each needs a person.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fs/lifecycle.h"

namespace efs::fs {

inline constexpr char kDanglingEntry[] = "DanglingEntry";
inline constexpr char kEntryInNonDirectory[] = "EntryInNonDirectory";
inline constexpr char kDirectoryLinkedTwice[] = "DirectoryLinkedTwice";
inline constexpr char kParentWrong[] = "ParentWrong";
inline constexpr char kLinkCountWrong[] = "LinkCountWrong";
inline constexpr char kUnreachable[] = "Unreachable";
inline constexpr char kDirectorySizeWrong[] = "DirectorySizeWrong";
inline constexpr char kDirectoryCookieBehind[] = "DirectoryCookieBehind";
inline constexpr char kDataFileMissing[] = "DataFileMissing";
inline constexpr char kDataFileOrphaned[] = "DataFileOrphaned";
inline constexpr char kDataFileLonger[] = "DataFileLonger";
inline constexpr char kDataFileWrongTier[] = "DataFileWrongTier";
inline constexpr char kMeteredSizeWrong[] = "MeteredSizeWrong";

// The directory in the root that repairs attach unreachable inodes to.
inline constexpr char kLostAndFound[] = "lost+found";

struct CheckFinding {
  std::string kind;    // one of the names above
  uint64_t ino = 0;    // 0: the file system as a whole
  std::string path;    // from the root ("/a/b"); "" when the inode has no path
  std::string detail;  // for people
  bool repaired = false;
};

struct CheckCounts {
  uint64_t inodes = 0;
  uint64_t directories = 0;
  uint64_t regular_files = 0;
  uint64_t entries = 0;
  uint64_t data_copies = 0;  // data files and cold objects
};

struct CheckReport {
  std::vector<CheckFinding> findings;
  CheckCounts checked;
  StorageSizes metered;  // the metered sizes the file system reported before the check
  StorageSizes counted;  // the recount
  uint64_t skipped_busy = 0;  // files whose data was in use (a write or a move in flight)
};

}  // namespace efs::fs
