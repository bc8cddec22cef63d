#!/bin/sh
# Builds the libFuzzer targets with clang, ASan and UBSan in BUILD_DIR/fuzz and runs each for a
# bounded number of inputs (FUZZ_RUNS, default 30000; at most FUZZ_SECONDS, default 25, per
# target) from its seed corpus, fuzz/corpus/<target>/. Exit 0 iff no target crashed, leaked or
# hit undefined behaviour. FUZZ_TARGETS picks some of them (default: all).
# Usage: fuzz/run.sh SOURCE_DIR BUILD_DIR
set -eu
src=$1
out=$2/fuzz
runs=${FUZZ_RUNS:-30000}
seconds=${FUZZ_SECONDS:-25}
targets=${FUZZ_TARGETS:-"api record_marking rpc_header nfs4_args rpc nfs4client_reply mount_options"}
command -v clang++ >/dev/null || { echo "FAIL: clang++ not found (scripts/install-deps installs it)" >&2; exit 1; }
if [ ! -f "$out/CMakeCache.txt" ]; then
  cmake -S "$src" -B "$out" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEFS_FUZZ=ON -DEFS_BUILD_TESTS=OFF >"$out.configure.log" 2>&1 ||
    { cat "$out.configure.log" >&2; exit 1; }
fi
binaries=$(for t in $targets; do printf 'efs_%s_fuzz ' "$t"; done)
# shellcheck disable=SC2086
cmake --build "$out" --target $binaries -j 2 >"$out.build.log" 2>&1 || { tail -50 "$out.build.log" >&2; exit 1; }
# UBSan reports are failures, not warnings.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for target in $targets; do
  cp -r "$src/fuzz/corpus/$target" "$work/$target"
  # New inputs go to the scratch copy; the committed seeds stay as they are.
  "$out/bin/efs_${target}_fuzz" -runs="$runs" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 "$work/$target" >"$work/$target.log" 2>&1 ||
    { tail -60 "$work/$target.log" >&2; echo "FAIL: efs_${target}_fuzz" >&2; exit 1; }
  grep -E '^(Done|stat::number_of_executed_units)' "$work/$target.log" | sed "s/^/$target: /"
done
