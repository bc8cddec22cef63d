// The lifecycle suite (lifecycle_conformance.cc): FsConformance's helpers over a file system
// on a FakeClock, instantiated for MemFs and StoreFs as FsConformance is.
#pragma once

#include <optional>
#include <string>

#include "base/clock.h"
#include "fs/conformance.h"
#include "fs/lifecycle.h"

namespace efs::fs {

class LifecycleConformance : public FsConformance {
 protected:
  void SetUp() override;
  // Sets a policy of periods in days (nullopt: none), with AFTER_1_ACCESS if `recall`.
  void Policy(std::optional<int64_t> ia_days, std::optional<int64_t> archive_days = std::nullopt,
              bool recall = false);
  // One whole pass; fails the test on error.
  TransitionReport Pass();
  StorageClass ClassOf(FileId id);
  // Creates `name` in the root holding `data`.
  FileId File(const std::string& name, const std::string& data);

  FakeClock clock_;
};

}  // namespace efs::fs
