#!/bin/sh
# The Linux kernel's NFSv4.1 client rides through efsd killed with -9 and started again: the
# guest (guest-restart.sh) holds an fcntl lock and runs a write loop; when the loop is under way
# this script kills efsd and starts it on the same state directory and port. While the guest is
# still cut off (its relay is down), a process on this host tries to take the same lock through
# an efs mount of its own: efsd's grace period makes it wait until the guest has reclaimed its
# open and lock, and then it is refused. The guest's loop finishes, every byte matches, and the
# lock is still its holder's. Exit status: non-zero when anything fails.
# Usage: tests/kclient/restart.sh BIN_DIR
set -eu
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
# A short lease bounds the grace period should the client not reclaim (the test then fails
# on the lock or the bytes, not on time).
EFSD_OPTIONS="--lease-time 20"
. "$here/common.sh"

mkdir "$work/extra" "$work/mnt"
cc -static -O2 -o "$work/extra/locktest" "$here/locktest.c"
"$bin/efs" mount "$fs" "$work/mnt" >/dev/null
unmount() { "$bin/efs" umount "$work/mnt" 2>/dev/null || fusermount3 -u "$work/mnt" 2>/dev/null || true; }
trap 'unmount; cleanup' EXIT

KCLIENT_EXTRA_DIR="$work/extra" KCLIENT_MOUNT_OPTS=vers=4.1 KCLIENT_TIMEOUT=${KCLIENT_TIMEOUT:-600} \
  "$here/run-vm.sh" "$relay_port" "$here/guest-restart.sh" "$work/vm.log" >"$work/run.log" 2>&1 &
vm_pid=$!
i=0
until grep -q LOAD-RUNNING "$work/vm.log" 2>/dev/null; do
  i=$((i + 1))
  if [ $i -gt 3000 ] || ! kill -0 $vm_pid 2>/dev/null; then
    echo "the guest's write loop never started" >&2; tail -20 "$work/run.log" "$work/vm.log" >&2
    exit 1
  fi
  sleep 0.1
done
kill "$relay_pid"
kill -9 "$efsd_pid"
wait "$efsd_pid" 2>/dev/null || true
echo "efsd killed with -9 while the guest's loop ran; starting it again" >>"$work/efsd.log"
start_efsd --lease-time 20
python3 -c '
import fcntl, sys
f = open(sys.argv[1], "r+")
try:
    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    print("got")
except OSError:
    print("refused")
' "$work/mnt/locked" >"$work/competitor.out" 2>&1 &
competitor=$!
sleep 2
if ! kill -0 $competitor 2>/dev/null; then
  echo "the competing lock did not wait for the grace period: $(cat "$work/competitor.out")" >&2
  exit 1
fi
socat "TCP-LISTEN:$relay_port,bind=127.0.0.1,reuseaddr,fork" "TCP:$ip:$nfs_port" 2>>"$work/relay.log" &
relay_pid=$!
wait $competitor || true
if [ "$(cat "$work/competitor.out")" != refused ]; then
  echo "a competing client got the guest's lock across the restart: $(cat "$work/competitor.out")" >&2
  exit 1
fi
status=0
wait $vm_pid || status=$?
check_guest "kernel client restart run" "$status"
grep -q "in grace" "$work/efsd.log" || { echo "the restarted efsd was not in grace" >&2; exit 1; }
grep -h -E "GUEST-|in grace|grace period over" "$work/vm.log" "$work/efsd.log" || true
echo "a competing lock from this host waited for the grace period and was refused"
echo "ok: the kernel client kept its open file, its lock and every byte across kill -9 of efsd"
