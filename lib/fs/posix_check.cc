// PosixFs::Check: the consistency check of a file system and its repairs (what is checked and
// what a repair does: check.h). It reads every inode, entry and data copy once into a compact
// table (about 150 bytes an inode), recounts, compares, and repairs in one durable transaction.
#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "base/macros.h"
#include "fs/posix_fs.h"

namespace efs::fs {

namespace {

uint8_t Bit(StorageClass where) { return uint8_t{1} << static_cast<int>(where); }

// What the check keeps of one inode: the fields it checks, and their recount.
struct Node {
  FileType type = FileType::kRegular;
  StorageClass storage_class = StorageClass::kStandard;
  uint32_t nlink = 0;
  uint64_t parent = 0;
  uint64_t size = 0;
  uint64_t entry_bytes = 0;
  uint64_t next_cookie = 0;
  uint64_t metered = 0;
  uint64_t data_space = 0;
  // Recounted.
  uint32_t links = 0;          // entries naming it
  uint32_t subdirs = 0;        // directories: entries naming a directory
  uint64_t counted_bytes = 0;  // directories: EntryBytes over the entries
  uint64_t max_cookie = 0;     // directories: the highest cookie of an entry
  uint64_t holder = 0;         // the directory of one entry naming it (0: none)
  uint8_t copies = 0;          // Bit() of each class holding a copy in use or orphaned
  uint64_t length = 0;         // the Standard data file's length
  uint64_t space = 0;          // and its storage
  bool busy = false;           // moving, read or written now: data and metering not checked
  bool unlinked = false;       // nlink 0, waiting to be dropped: likewise
};

// A repair, applied after the whole check (Checker::Repair).
struct Fix {
  size_t finding = 0;  // index in CheckReport::findings
  uint64_t ino = 0;
  StorageClass where = StorageClass::kStandard;  // DataFileOrphaned, DataFileWrongTier
  uint64_t dir = 0;                              // DanglingEntry
  std::string name;                              // DanglingEntry
};

}  // namespace

// One run of PosixFs::Check, under the file system's mutex.
class Checker {
 public:
  Checker(PosixFs* fs, bool repair) : fs_(fs), repair_(repair) {}

  Result<CheckReport> Run() REQUIRES(fs_->mu_) {
    if (fs_->group_.lost(&fs_->mu_) != fs_->lost_seen_) fs_->AfterLoss();  // as Metered() does
    report_.metered = fs_->metered_;
    EFS_RETURN_IF_ERROR(LoadInodes());
    EFS_RETURN_IF_ERROR(LoadEntries());
    EFS_RETURN_IF_ERROR(LoadData());
    for (auto& [ino, node] : nodes_) CheckInode(ino, node);
    CheckTotal();
    if (repair_ && !fixes_.empty()) EFS_RETURN_IF_ERROR(Repair());
    if (!report_.findings.empty()) EFS_RETURN_IF_ERROR(FillPaths());
    // In inode order, the file system as a whole last.
    std::stable_sort(report_.findings.begin(), report_.findings.end(),
                     [](const CheckFinding& a, const CheckFinding& b) {
                       return a.ino - 1 < b.ino - 1;  // 0 wraps to the largest
                     });
    return std::move(report_);
  }

 private:
  Status LoadInodes() REQUIRES(fs_->mu_) {
    EFS_ASSIGN_OR_RETURN(uint64_t count, fs_->meta_->CountInodes());
    nodes_.reserve(count);
    return fs_->meta_->ScanInodes([&](const InodeRecord& rec) REQUIRES(fs_->mu_) -> Status {
      Node& n = nodes_[rec.ino()];
      n.type = rec.attrs.type;
      n.storage_class = rec.storage_class;
      n.nlink = rec.attrs.nlink;
      n.parent = rec.parent;
      n.size = rec.attrs.size;
      n.entry_bytes = rec.entry_bytes;
      n.next_cookie = rec.next_cookie;
      n.metered = rec.metered;
      n.data_space = rec.data_space;
      n.busy = fs_->moving_.count(rec.ino()) != 0 || fs_->InUse(rec.ino());
      // Unlinked and unpinned: its data and row go at the next open (a drop that failed).
      n.unlinked = rec.attrs.nlink == 0 && n.type != FileType::kDirectory;
      report_.checked.inodes++;
      if (n.type == FileType::kDirectory) report_.checked.directories++;
      if (n.type == FileType::kRegular) report_.checked.regular_files++;
      if (n.busy && n.type == FileType::kRegular) report_.skipped_busy++;
      return Status::Ok();
    });
  }

  Status LoadEntries() REQUIRES(fs_->mu_) {
    return fs_->meta_->ScanEntries([&](uint64_t dir, const EntryRecord& e) -> Status {
      report_.checked.entries++;
      auto d = nodes_.find(dir);
      if (d == nodes_.end() || d->second.type != FileType::kDirectory) {
        Find(kEntryInNonDirectory, dir,
             "entry '" + e.name + "' (inode " + std::to_string(e.ino) + ") is in inode " +
                 std::to_string(dir) + ", which is not a directory");
        return Status::Ok();
      }
      auto it = nodes_.find(e.ino);
      if (it == nodes_.end()) {
        Fixable(kDanglingEntry, dir,
                "entry '" + e.name + "' names inode " + std::to_string(e.ino) +
                    ", which does not exist",
                StorageClass::kStandard, dir, e.name);
        return Status::Ok();
      }
      Node& dn = d->second;
      Node& n = it->second;
      dn.counted_bytes += EntryBytes(e.name);
      dn.max_cookie = std::max(dn.max_cookie, e.cookie);
      n.links++;
      if (n.type == FileType::kDirectory) {
        dn.subdirs++;
        if (n.holder != 0) {
          Find(kDirectoryLinkedTwice, e.ino,
               "directory has entries in inodes " + std::to_string(n.holder) + " and " +
                   std::to_string(dir));
        }
      }
      if (n.holder == 0) n.holder = dir;
      return Status::Ok();
    });
  }

  Status LoadData() REQUIRES(fs_->mu_) {
    EFS_ASSIGN_OR_RETURN(auto strays, fs_->meta_->Strays());
    std::set<std::pair<uint64_t, StorageClass>> stray_set(strays.begin(), strays.end());
    return fs_->data_->ScanData([&](const DataCopy& copy) -> Status {
      report_.checked.data_copies++;
      if (stray_set.count({copy.ino, copy.where}) != 0) return Status::Ok();  // a move's
      auto it = nodes_.find(copy.ino);
      if (it == nodes_.end() || it->second.type != FileType::kRegular) {
        Fixable(kDataFileOrphaned, copy.ino,
                std::string(StorageClassName(copy.where)) + " holds data of " +
                    (it == nodes_.end() ? "an inode that does not exist" : "a non-regular file"),
                copy.where);
        return Status::Ok();
      }
      Node& n = it->second;
      n.copies |= Bit(copy.where);
      if (copy.where == StorageClass::kStandard) {
        n.length = copy.length;
        n.space = copy.space;
      }
      return Status::Ok();
    });
  }

  void CheckInode(uint64_t ino, Node& n) REQUIRES(fs_->mu_) {
    CheckLinks(ino, n);
    if (n.type == FileType::kDirectory) CheckDirectory(ino, n);
    if (n.busy || n.unlinked) return;
    if (n.type == FileType::kRegular) CheckData(ino, n);
    CheckMetered(ino, n);
  }

  void CheckLinks(uint64_t ino, const Node& n) {
    const bool dir = n.type == FileType::kDirectory;
    if (!dir && n.nlink == 0 && n.links == 0) return;  // unlinked while open: dropped at close
    if (ino != kRootIno && n.links == 0) {
      Fixable(kUnreachable, ino, "no directory entry names it");
      return;  // the repair sets its link count with its entry
    }
    const uint64_t want = dir ? 2 + n.subdirs : n.links;
    if (n.nlink != want) {
      Fixable(kLinkCountWrong, ino,
              "link count " + std::to_string(n.nlink) + ", entries say " + std::to_string(want));
    }
    if (dir && ino != kRootIno && !Reachable(ino)) {
      Find(kUnreachable, ino, "directory is not reachable from the root (a cycle)");
    }
  }

  // Whether directory `ino` leads up to the root through the directories holding its entries.
  bool Reachable(uint64_t ino) {
    std::vector<uint64_t> chain;
    bool found = false;
    for (uint64_t at = ino; chain.size() <= nodes_.size(); at = nodes_[at].holder) {
      if (at == kRootIno) {
        found = true;
        break;
      }
      if (auto known = reachable_.find(at); known != reachable_.end()) {
        found = known->second;
        break;
      }
      if (nodes_.count(at) == 0 || nodes_[at].holder == 0) break;
      chain.push_back(at);
    }
    for (uint64_t at : chain) reachable_[at] = found;
    return found;
  }

  void CheckDirectory(uint64_t ino, const Node& n) {
    const uint64_t parent = ino == kRootIno ? kRootIno : n.holder;
    if (parent != 0 && n.parent != parent) {
      Fixable(kParentWrong, ino,
              "parent " + std::to_string(n.parent) + ", but its entry is in " +
                  std::to_string(parent));
    }
    if (n.entry_bytes != n.counted_bytes) {
      Fixable(kDirectorySizeWrong, ino,
              "entry bytes " + std::to_string(n.entry_bytes) + ", entries add up to " +
                  std::to_string(n.counted_bytes));
    }
    if (n.next_cookie <= n.max_cookie) {
      Fixable(kDirectoryCookieBehind, ino,
              "next cookie " + std::to_string(n.next_cookie) + ", but an entry has cookie " +
                  std::to_string(n.max_cookie));
    }
  }

  void CheckData(uint64_t ino, const Node& n) {
    const uint8_t home = Bit(n.storage_class);
    const uint8_t elsewhere = n.copies & ~home;
    const std::string cls(StorageClassName(n.storage_class));
    if ((n.copies & home) == 0 && elsewhere != 0) {
      StorageClass other = StorageClass::kStandard;
      for (StorageClass c : {StorageClass::kStandard, StorageClass::kIA, StorageClass::kArchive}) {
        if (elsewhere & Bit(c)) other = c;
      }
      Fixable(kDataFileWrongTier, ino,
              "the inode says " + cls + ", its data is in " + std::string(StorageClassName(other)),
              other);
    } else if ((n.copies & home) == 0 && n.size > 0 && n.data_space > 0) {
      Find(kDataFileMissing, ino,
           "no data in " + cls + " for " + std::to_string(n.size) + " bytes (reads as zeros)");
    } else {
      for (StorageClass c : {StorageClass::kStandard, StorageClass::kIA, StorageClass::kArchive}) {
        if (!(elsewhere & Bit(c))) continue;
        Fixable(kDataFileOrphaned, ino,
                "a copy in " + std::string(StorageClassName(c)) + " while the inode says " + cls,
                c);
      }
    }
    if ((n.copies & Bit(StorageClass::kStandard)) && n.length > n.size &&
        n.storage_class == StorageClass::kStandard) {
      Fixable(kDataFileLonger, ino,
              "data file holds " + std::to_string(n.length) + " bytes, the inode's size is " +
                  std::to_string(n.size));
    }
  }

  // What the inode should be metered at now (MeteredBytes over the recounted data).
  uint64_t Recount(const Node& n) const {
    uint64_t data = n.counted_bytes;
    if (n.type == FileType::kRegular) {
      data = std::min(n.size, n.storage_class == StorageClass::kStandard ? n.space : n.data_space);
    }
    return MeteredBytes(n.type, data, n.storage_class);
  }

  void CheckMetered(uint64_t ino, const Node& n) {
    const uint64_t want = Recount(n);
    if (n.metered != want) {
      Fixable(kMeteredSizeWrong, ino,
              "metered at " + std::to_string(n.metered) + ", recount " + std::to_string(want));
    }
  }

  void CheckTotal() REQUIRES(fs_->mu_) {
    for (const auto& [ino, n] : nodes_) {
      InodeRecord share;
      share.storage_class = n.storage_class;
      share.metered = n.busy || n.unlinked ? n.metered : Recount(n);
      const StorageSizes s = MeteredShare(share);
      for (int i = 0; i < kStorageClasses; ++i) report_.counted.bytes[i] += s.bytes[i];
    }
    if (report_.counted != report_.metered) {
      Fixable(kMeteredSizeWrong, 0,
              "the file system reports " + std::to_string(report_.metered.total()) +
                  " bytes, its inodes add up to " + std::to_string(report_.counted.total()));
    }
  }

  void Find(const char* kind, uint64_t ino, std::string detail) {
    report_.findings.push_back(CheckFinding{kind, ino, "", std::move(detail), false});
  }
  // A finding Repair knows how to fix (`where`, `dir` and `name` as in Fix).
  void Fixable(const char* kind, uint64_t ino, std::string detail,
               StorageClass where = StorageClass::kStandard, uint64_t dir = 0,
               std::string name = "") {
    fixes_.push_back(Fix{report_.findings.size(), ino, where, dir, std::move(name)});
    Find(kind, ino, std::move(detail));
  }

  // --------------------------------------------------------------------------- repairs

  Status Repair() REQUIRES(fs_->mu_) {
    // Data first: no write can start while the mutex is held, and busy files were skipped.
    for (const Fix& fix : fixes_) {
      const std::string& kind = report_.findings[fix.finding].kind;
      Status done = Status::Ok();
      if (kind == kDataFileLonger) {
        done = fs_->data_->Truncate(fix.ino, nodes_[fix.ino].size);
      } else if (kind == kDataFileOrphaned) {
        done = fs_->data_->Drop(fix.ino, fix.where);
      } else {
        continue;
      }
      fs_->space_.erase(fix.ino);
      EFS_RETURN_IF_ERROR(done);
      report_.findings[fix.finding].repaired = true;
    }
    std::vector<size_t> repaired;
    EFS_RETURN_IF_ERROR(
        fs_->InDurableTxn([&]() REQUIRES(fs_->mu_) { return RepairRows(&repaired); }));
    for (size_t i : repaired) report_.findings[i].repaired = true;
    // The metered sizes, as the repaired rows now add up.
    EFS_ASSIGN_OR_RETURN(fs_->metered_, fs_->meta_->SumMetered());
    return Status::Ok();
  }

  // The metadata repairs, in the open transaction; notes the findings they repair.
  Status RepairRows(std::vector<size_t>* repaired) REQUIRES(fs_->mu_) {
    std::unordered_map<uint64_t, InodeRecord> rows;  // changed rows, saved at the end
    auto row = [&](uint64_t ino) REQUIRES(fs_->mu_) -> Result<InodeRecord*> {
      auto it = rows.find(ino);
      if (it != rows.end()) return &it->second;
      EFS_ASSIGN_OR_RETURN(InodeRecord rec, fs_->Load(ino));
      return &rows.emplace(ino, std::move(rec)).first->second;
    };
    for (const Fix& fix : fixes_) {
      const std::string& kind = report_.findings[fix.finding].kind;
      const Node& n = nodes_[fix.ino];
      if (kind == kDanglingEntry) {
        EFS_RETURN_IF_ERROR(fs_->meta_->DeleteEntry(fix.dir, fix.name));
      } else if (kind == kUnreachable) {
        EFS_RETURN_IF_ERROR(Reattach(fix.ino, row));
      } else if (kind == kDataFileWrongTier || kind == kLinkCountWrong || kind == kParentWrong ||
                 kind == kDirectorySizeWrong || kind == kDirectoryCookieBehind ||
                 (kind == kMeteredSizeWrong && fix.ino != 0)) {
        EFS_ASSIGN_OR_RETURN(InodeRecord * rec, row(fix.ino));
        if (kind == kDataFileWrongTier) rec->storage_class = fix.where;
        if (kind == kLinkCountWrong) {
          rec->attrs.nlink = n.type == FileType::kDirectory ? 2 + n.subdirs : n.links;
        }
        if (kind == kParentWrong) rec->parent = n.holder;
        if (kind == kDirectorySizeWrong) rec->entry_bytes = n.counted_bytes;
        if (kind == kDirectoryCookieBehind) rec->next_cookie = n.max_cookie + 1;
      } else if (kind != kMeteredSizeWrong) {
        continue;  // data repairs are done; ino 0's metering is recounted after the rows
      }
      repaired->push_back(fix.finding);
    }
    for (auto& [ino, rec] : rows) {
      EFS_RETURN_IF_ERROR(fs_->SaveInode(&rec, rec.attrs.type == FileType::kRegular));
    }
    return Status::Ok();
  }

  // Gives unreachable `ino` the entry /lost+found/#<ino> (creating lost+found, root 0700).
  template <class RowFn>
  Status Reattach(uint64_t ino, RowFn& row) REQUIRES(fs_->mu_) {
    EFS_ASSIGN_OR_RETURN(InodeRecord * root, row(kRootIno));
    EFS_ASSIGN_OR_RETURN(std::optional<EntryRecord> found,
                         fs_->meta_->LookupEntry(kRootIno, kLostAndFound));
    uint64_t lost = found ? found->ino : 0;
    if (!found) {
      CreateArgs args;
      args.type = FileType::kDirectory;
      args.mode = 0700;
      EFS_ASSIGN_OR_RETURN(InodeRecord dir, fs_->NewInode(Credentials::Root(), *root, args));
      EFS_ASSIGN_OR_RETURN(lost, fs_->InsertInode(&dir));
      EFS_RETURN_IF_ERROR(fs_->AddEntry(root, kLostAndFound, lost));
      root->attrs.nlink++;
    }
    EFS_ASSIGN_OR_RETURN(InodeRecord * dir, row(lost));
    EFS_ASSIGN_OR_RETURN(InodeRecord * rec, row(ino));
    EFS_RETURN_IF_ERROR(fs_->AddEntry(dir, "#" + std::to_string(ino), ino));
    if (rec->attrs.type == FileType::kDirectory) {
      rec->parent = lost;
      dir->attrs.nlink++;
    } else {
      rec->attrs.nlink = 1;
    }
    return Status::Ok();
  }

  // --------------------------------------------------------------------------- paths

  // Fills in the path of each finding's inode, from one more pass over the entries that keeps
  // the names on the way from those inodes up to the root.
  Status FillPaths() REQUIRES(fs_->mu_) {
    std::unordered_set<uint64_t> wanted;
    for (const CheckFinding& f : report_.findings) {
      for (uint64_t at = f.ino; at != 0 && at != kRootIno && wanted.size() <= nodes_.size();
           at = nodes_[at].holder) {
        if (!wanted.insert(at).second) break;
      }
    }
    std::unordered_map<uint64_t, std::string> names;
    EFS_RETURN_IF_ERROR(fs_->meta_->ScanEntries([&](uint64_t dir, const EntryRecord& e) {
      auto it = nodes_.find(e.ino);
      if (wanted.count(e.ino) != 0 && it != nodes_.end() && it->second.holder == dir) {
        names.emplace(e.ino, e.name);
      }
      return Status::Ok();
    }));
    for (CheckFinding& f : report_.findings) f.path = PathOf(f.ino, names);
    return Status::Ok();
  }

  std::string PathOf(uint64_t ino, const std::unordered_map<uint64_t, std::string>& names) {
    if (ino == kRootIno) return "/";
    std::string path;
    for (uint64_t at = ino, depth = 0; at != kRootIno; at = nodes_[at].holder, ++depth) {
      auto name = names.find(at);
      if (name == names.end() || depth > nodes_.size()) return "";  // unreachable
      path = "/" + name->second + path;
    }
    return path;
  }

  PosixFs* const fs_;
  const bool repair_;
  CheckReport report_;
  std::vector<Fix> fixes_;
  std::unordered_map<uint64_t, Node> nodes_;
  std::unordered_map<uint64_t, bool> reachable_;  // directories, once known
};

// The checker's fs_->mu_ is this->mu_, which clang's analysis cannot tell.
Result<CheckReport> PosixFs::RunCheck(bool repair) NO_THREAD_SAFETY_ANALYSIS {
  return Checker(this, repair).Run();
}

// The backends' defaults: a backend that cannot list what it holds cannot be checked.
Status MetadataBackend::ScanInodes(const InodeVisitor&) {
  return Status(Code::kFailedPrecondition, "NotSupported", "this store cannot list its inodes");
}
Status MetadataBackend::ScanEntries(const EntryVisitor&) {
  return Status(Code::kFailedPrecondition, "NotSupported", "this store cannot list its entries");
}
Status DataBackend::ScanData(const std::function<Status(const DataCopy&)>&) {
  return Status(Code::kFailedPrecondition, "NotSupported", "this store cannot list its data");
}

}  // namespace efs::fs
