# Runs in the qemu guest (busybox sh) for restart.sh: a write loop and an fcntl lock that must
# survive efsd killed with -9 and started again while the loop runs.
set -eu
fail() { echo "GUEST-FAIL: $*"; exit 1; }

# 600 distinct 16 KiB blocks, written one by one, each synced to the server.
dd if=/dev/urandom of=/tmp/blocks bs=16k count=600 2>/dev/null
: > $MNT/data
: > $MNT/locked
/extra/locktest fcntl-hold $MNT/locked /tmp/release > /tmp/held &
holder=$!
i=0
until grep -q held /tmp/held; do i=$((i + 1)); [ $i -lt 100 ] || fail "lock not taken"; sleep 0.1; done
i=0
while [ $i -lt 600 ]; do
  dd if=/tmp/blocks of=$MNT/data bs=16k skip=$i seek=$i count=1 conv=notrunc,fsync 2>/dev/null ||
    fail "write of block $i"
  [ $i -eq 40 ] && echo LOAD-RUNNING
  i=$((i + 1))
  sleep 0.02
done
echo "GUEST-LOOP-DONE"

# Every byte as written, read back from the server.
echo 3 > /proc/sys/vm/drop_caches
[ "$(md5sum < $MNT/data)" = "$(md5sum < /tmp/blocks)" ] || fail "the data differs after the restart"
# The lock is still its holder's: another process cannot take it, until the holder lets go.
rc=0
/extra/locktest fcntl-try $MNT/locked || rc=$?
[ $rc -eq 3 ] || fail "another process took the lock after the restart (exit $rc)"
touch /tmp/release
wait $holder
/extra/locktest fcntl-try $MNT/locked || fail "the lock was not released"
cd /
umount $MNT || fail umount
echo GUEST-OK
