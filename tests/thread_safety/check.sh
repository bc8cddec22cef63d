#!/bin/sh
# Runs clang's thread-safety analysis (-Wthread-safety, as errors) over every .cc in lib/ and
# daemon/, and fails if code there uses std::mutex & co., which the analysis cannot see.
# Usage: check.sh SOURCE_DIR CLANGXX [JOBS [FLAGS]]   (CLANGXX empty: clang++ was not found: fail)
# FLAGS: extra compiler flags, e.g. the include directory of generated headers.
set -u
src=$1
cxx=${2:-}
jobs=${3:-2}
extra=${4:-}

if [ -z "$cxx" ] || ! command -v "$cxx" >/dev/null 2>&1; then
  echo "FAIL: clang++ not found; the thread-safety analysis needs it." >&2
  echo "Install it with scripts/install-deps (Debian 12 package 'clang') and re-run cmake." >&2
  exit 1
fi
cd "$src" || exit 1

status=0
# Only lib/base/mutex.h may use the standard primitives; everything else uses efs::Mutex.
raw=$(grep -rnE 'std::(mutex|recursive_mutex|shared_mutex|timed_mutex|lock_guard|unique_lock|scoped_lock|condition_variable)\b' \
  lib daemon --include='*.cc' --include='*.h' | grep -v '^lib/base/mutex\.h:' |
  grep -vE '^[^:]+:[0-9]+:[[:space:]]*//')
if [ -n "$raw" ]; then
  echo "FAIL: use efs::Mutex, MutexLock and CondVar (lib/base/mutex.h) in lib/ and daemon/:" >&2
  echo "$raw" >&2
  status=1
fi

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
files=$(find lib daemon -name '*.cc' | sort)
count=$(echo "$files" | wc -l)
# One clang per file, $jobs at a time; a file's diagnostics go to its own log.
echo "$files" | xargs -P "$jobs" -n 1 sh -c '
  log="$1/$(echo "$3" | tr / _).log"
  # $2 (extra flags) is split into words on purpose.
  "$0" -std=c++20 -fsyntax-only -Wthread-safety -Werror=thread-safety -Ilib -I. $2 \
    -DEFS_VERSION=\"x\" "$3" >"$log" 2>&1 || echo "$3" >"$log.failed"' "$cxx" "$logs" "$extra"

failed=0
for f in $files; do
  log="$logs/$(echo "$f" | tr / _).log"
  if [ -e "$log.failed" ]; then
    failed=$((failed + 1))
    echo "FAIL: $f" >&2
    cat "$log" >&2
  fi
done
version=$("$cxx" --version | head -n 1)
if [ "$failed" -ne 0 ]; then
  echo "FAIL: $failed of $count files in lib/ and daemon/ do not pass $version -Wthread-safety" >&2
  exit 1
fi
[ "$status" -eq 0 ] && echo "ok: $count files in lib/ and daemon/ pass $version -Wthread-safety"
exit $status
