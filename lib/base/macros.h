// Early-return helpers for Status and Result<T>.
#pragma once

#include "base/status.h"

#define EFS_CONCAT_INNER_(a, b) a##b
#define EFS_CONCAT_(a, b) EFS_CONCAT_INNER_(a, b)

// Returns the Status of `expr` from the enclosing function if it is not ok.
#define EFS_RETURN_IF_ERROR(expr)          \
  do {                                     \
    ::efs::Status efs_status_ = (expr);    \
    if (!efs_status_.ok()) return efs_status_; \
  } while (0)

// `EFS_ASSIGN_OR_RETURN(auto x, F());` declares x from a Result, or returns its Status.
#define EFS_ASSIGN_OR_RETURN(lhs, expr) \
  EFS_ASSIGN_OR_RETURN_IMPL_(EFS_CONCAT_(efs_result_, __LINE__), lhs, expr)
#define EFS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
