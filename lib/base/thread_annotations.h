// Clang thread-safety annotations (-Wthread-safety); no-ops on other compilers. Use them with
// efs::Mutex (base/mutex.h): std::mutex carries no annotations, so clang cannot check it.
#pragma once

#if defined(__clang__)
#define EFS_THREAD_ANNOTATION_(x) __attribute__((x))
#else
#define EFS_THREAD_ANNOTATION_(x)
#endif

// On a class: its objects are locks ("mutex" names the kind in diagnostics).
#define CAPABILITY(x) EFS_THREAD_ANNOTATION_(capability(x))
// On an RAII class: it holds the locks its constructor acquires until its destructor.
#define SCOPED_CAPABILITY EFS_THREAD_ANNOTATION_(scoped_lockable)

// On a member or global: reading it needs `x` held, writing needs it held exclusively.
#define GUARDED_BY(x) EFS_THREAD_ANNOTATION_(guarded_by(x))
// On a pointer: the same for what it points to.
#define PT_GUARDED_BY(x) EFS_THREAD_ANNOTATION_(pt_guarded_by(x))

// On a function: it acquires / releases the locks (no argument: `this`, for lock classes).
#define ACQUIRE(...) EFS_THREAD_ANNOTATION_(acquire_capability(__VA_ARGS__))
#define RELEASE(...) EFS_THREAD_ANNOTATION_(release_capability(__VA_ARGS__))
// It acquires the locks iff it returns `result` (the first argument).
#define TRY_ACQUIRE(...) EFS_THREAD_ANNOTATION_(try_acquire_capability(__VA_ARGS__))
// Callers must hold the locks (exclusively) / must not hold them.
#define REQUIRES(...) EFS_THREAD_ANNOTATION_(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) EFS_THREAD_ANNOTATION_(locks_excluded(__VA_ARGS__))
// It returns a reference to the lock `x`.
#define RETURN_CAPABILITY(x) EFS_THREAD_ANNOTATION_(lock_returned(x))
// Turns the analysis off for one function. Only on small functions, with a comment saying why.
#define NO_THREAD_SAFETY_ANALYSIS EFS_THREAD_ANNOTATION_(no_thread_safety_analysis)

// Older spellings, kept for existing code.
#define EXCLUSIVE_LOCKS_REQUIRED(...) REQUIRES(__VA_ARGS__)
#define LOCKS_EXCLUDED(...) EXCLUDES(__VA_ARGS__)
