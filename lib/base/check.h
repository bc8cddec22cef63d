// EFS_CHECK: abort on a programmer error (git's BUG()). Never for client or user input.
#pragma once

#include <cstdio>
#include <cstdlib>

#define EFS_CHECK(cond)                                                              \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)
