# Runs in the qemu guest (busybox sh) against efsd mounted at $MNT by the real Linux NFSv4.1
# client. Exits non-zero at the first thing that does not hold.
set -eu
fail() { echo "GUEST-FAIL: $*"; exit 1; }

grep -q " $MNT nfs4 .*vers=4.1" /proc/mounts || fail "not an NFSv4.1 mount"

# 64 MiB written and read back with matching checksums (after dropping the page cache).
dd if=/dev/urandom of=/tmp/big bs=1M count=64 2>/dev/null
want=$(md5sum /tmp/big | cut -d' ' -f1)
cp /tmp/big $MNT/big
sync
echo 3 > /proc/sys/vm/drop_caches
got=$(md5sum $MNT/big | cut -d' ' -f1)
[ "$want" = "$got" ] || fail "64 MiB read back as $got, wrote $want"
rm $MNT/big

# 1000 files created, listed and removed.
mkdir $MNT/many
i=0
while [ $i -lt 1000 ]; do : > $MNT/many/f$i; i=$((i + 1)); done
[ "$(ls $MNT/many | wc -l)" -eq 1000 ] || fail "ls shows $(ls $MNT/many | wc -l) of 1000 files"
rm -r $MNT/many
[ ! -e $MNT/many ] || fail "rm -r left the directory"

# rename, hard link, symlink.
echo payload > $MNT/a
mv $MNT/a $MNT/b
[ ! -e $MNT/a ] && [ "$(cat $MNT/b)" = payload ] || fail rename
ln $MNT/b $MNT/c
[ "$(stat -c %h $MNT/b)" -eq 2 ] || fail "hard link count $(stat -c %h $MNT/b)"
ln -s b $MNT/d
[ "$(readlink $MNT/d)" = b ] && [ "$(cat $MNT/d)" = payload ] || fail symlink

# chmod and chown, and numeric owners in ls -l.
chmod 640 $MNT/b
[ "$(stat -c %a $MNT/b)" = 640 ] || fail "chmod gave $(stat -c %a $MNT/b)"
chown 1234:5678 $MNT/b
set -- $(ls -ln $MNT/b)
[ "$3" = 1234 ] && [ "$4" = 5678 ] || fail "ls -ln shows owner $3:$4"

# flock from one process and a conflicting fcntl lock from another (/extra/locktest, built by
# run.sh): refused while the first holds it, granted after.
: > $MNT/lock
/extra/locktest flock-hold $MNT/lock 4 > /tmp/held &
holder=$!
i=0
until grep -q held /tmp/held; do i=$((i + 1)); [ $i -lt 50 ] || fail "flock not taken"; sleep 0.1; done
rc=0
/extra/locktest fcntl-try $MNT/lock || rc=$?
[ $rc -eq 3 ] || fail "a conflicting fcntl lock answered $rc while flock was held"
wait $holder
/extra/locktest fcntl-try $MNT/lock || fail "the lock was not released"

# Unmount cleanly.
cd /
umount $MNT || fail umount
grep -q " $MNT nfs4 " /proc/mounts && fail "still mounted"
echo GUEST-OK
