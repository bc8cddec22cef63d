// Storage class names (see lifecycle.h).
#include "fs/lifecycle.h"

namespace efs::fs {

std::string_view StorageClassName(StorageClass c) {
  switch (c) {
    case StorageClass::kStandard:
      return "STANDARD";
    case StorageClass::kIA:
      return "IA";
    case StorageClass::kArchive:
      return "ARCHIVE";
  }
  return "STANDARD";
}

std::optional<StorageClass> ParseStorageClass(std::string_view name) {
  for (StorageClass c : kAllStorageClasses) {
    if (StorageClassName(c) == name) return c;
  }
  return std::nullopt;
}

}  // namespace efs::fs
