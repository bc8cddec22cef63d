// Storage classes and lifecycle management (EFS-REFERENCE.md s2.4): the types PosixFs, its
// backends and the daemon's lifecycle worker share.
//
// A regular file's data lives in exactly one storage class at a time: Standard, Infrequent
// Access or Archive, each a tier of its own (DataBackend). Metadata (names, attributes, the
// directory tree) always stays in Standard. A lifecycle pass moves files whose last access (the
// server's record of data reads and writes, InodeRecord::last_access) is older than the
// policy's period; with recall_on_access the first read or write of a cold file brings it back
// to Standard, and a write to a cold file always lands in Standard first.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace efs::fs {

// The order is the order of coldness; values are stored (namespace.db keeps the names).
enum class StorageClass : uint8_t { kStandard = 0, kIA = 1, kArchive = 2 };
inline constexpr int kStorageClasses = 3;
inline constexpr std::array<StorageClass, kStorageClasses> kAllStorageClasses = {
    StorageClass::kStandard, StorageClass::kIA, StorageClass::kArchive};

// "STANDARD", "IA", "ARCHIVE" (as namespace.db and efsd --tier-dir spell them).
std::string_view StorageClassName(StorageClass c);
// The class a name (as above) names, or nullopt.
std::optional<StorageClass> ParseStorageClass(std::string_view name);

// What a file system's lifecycle configuration asks for, in seconds of idleness.
struct LifecyclePolicy {
  std::optional<int64_t> to_ia_after;       // TransitionToIA
  std::optional<int64_t> to_archive_after;  // TransitionToArchive
  bool recall_on_access = false;            // TransitionToPrimaryStorageClass AFTER_1_ACCESS
  friend bool operator==(const LifecyclePolicy&, const LifecyclePolicy&) = default;
};

// Metered bytes by class (EFS's SizeInBytes): Standard holds every inode's metadata.
struct StorageSizes {
  std::array<uint64_t, kStorageClasses> bytes{};
  uint64_t& operator[](StorageClass c) { return bytes[static_cast<int>(c)]; }
  uint64_t operator[](StorageClass c) const { return bytes[static_cast<int>(c)]; }
  uint64_t total() const { return bytes[0] + bytes[1] + bytes[2]; }
  friend bool operator==(const StorageSizes&, const StorageSizes&) = default;
};

// Where one file's data is and what it is metered at.
struct FileStorage {
  StorageClass storage_class = StorageClass::kStandard;
  StorageSizes metered;  // this inode's share of the file system's metered sizes
};

// What one lifecycle pass did.
struct TransitionReport {
  uint64_t files_moved = 0;
  uint64_t bytes_moved = 0;    // logical bytes of the files moved
  uint64_t files_skipped = 0;  // changed or in use while being copied; tried again next pass
  uint64_t files_failed = 0;   // a storage error (logged); tried again next pass
};

}  // namespace efs::fs
