// Clang thread-safety annotations; no-ops on other compilers.
#pragma once

#if defined(__clang__)
#define EFS_THREAD_ANNOTATION_(x) __attribute__((x))
#else
#define EFS_THREAD_ANNOTATION_(x)
#endif

#define GUARDED_BY(x) EFS_THREAD_ANNOTATION_(guarded_by(x))
#define PT_GUARDED_BY(x) EFS_THREAD_ANNOTATION_(pt_guarded_by(x))
#define EXCLUSIVE_LOCKS_REQUIRED(...) EFS_THREAD_ANNOTATION_(exclusive_locks_required(__VA_ARGS__))
#define LOCKS_EXCLUDED(...) EFS_THREAD_ANNOTATION_(locks_excluded(__VA_ARGS__))
