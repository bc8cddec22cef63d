#!/bin/sh
# Builds the libFuzzer targets with clang, ASan and UBSan in BUILD_DIR/fuzz and runs each for a
# bounded number of inputs (FUZZ_RUNS, default 200000) from its seed corpus. Exit 0 iff no
# target crashed, leaked or hit undefined behaviour.
# Usage: fuzz/run.sh SOURCE_DIR BUILD_DIR
set -eu
src=$1
out=$2/fuzz
runs=${FUZZ_RUNS:-200000}
command -v clang++ >/dev/null || { echo "FAIL: clang++ not found (scripts/install-deps installs it)" >&2; exit 1; }
if [ ! -f "$out/CMakeCache.txt" ]; then
  cmake -S "$src" -B "$out" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEFS_FUZZ=ON -DEFS_BUILD_TESTS=OFF >"$out.configure.log" 2>&1 ||
    { cat "$out.configure.log" >&2; exit 1; }
fi
cmake --build "$out" --target efs_rpc_fuzz -j 2 >"$out.build.log" 2>&1 || { tail -50 "$out.build.log" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for target in rpc; do
  cp -r "$src/fuzz/corpus/$target" "$work/$target"
  # New inputs go to the scratch copy; the committed seeds stay as they are.
  "$out/bin/efs_${target}_fuzz" -runs="$runs" -max_total_time=120 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "$work/$target" >"$work/$target.log" 2>&1 ||
    { tail -60 "$work/$target.log" >&2; echo "FAIL: efs_${target}_fuzz" >&2; exit 1; }
  grep -E '^(Done|stat::number_of_executed_units)' "$work/$target.log" | sed "s/^/$target: /"
done
