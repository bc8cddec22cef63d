# Runs in the qemu guest (busybox sh) against efsd mounted at $MNT by the real Linux NFSv4
# client, of the minor version run.sh put in /extra/env (VERS=4.1 or 4.0). Exits non-zero at
# the first thing that does not hold.
set -eu
fail() { echo "GUEST-FAIL: $*"; exit 1; }
. /extra/env

grep -q " $MNT nfs4 .*vers=$VERS" /proc/mounts || fail "not an NFSv$VERS mount"

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

# What follows mounts with efs's own defaults (NFSv4.1): once, in the 4.1 run.
if [ "$VERS" != 4.1 ]; then
  echo GUEST-OK
  exit 0
fi

# `efs mount`, `mount -t efs` (mount.efs) and an fstab line, through this kernel's NFSv4.1 client,
# after the harness's mount is gone (the kernel would otherwise share that mount's superblock).
# run.sh put efs, mount.efs and socat with their libraries in /extra/root and relays TCP
# 127.0.0.1:$API_PORT on the host to efsd's API socket. The mount target's own address
# (127.80.x.y) is loopback here too: give lo only 127.0.0.1 and route the mount targets' VPC
# through qemu's user network, which connects to that address on the host.
cp -a /extra/root/. /
ip addr del 127.0.0.1/8 dev lo
ip addr add 127.0.0.1/32 dev lo
echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet
echo 1 > /proc/sys/net/ipv4/conf/eth0/route_localnet
ip route add 127.80.0.0/16 via 10.0.2.2 dev eth0
mkdir -p /run/efsd
socat UNIX-LISTEN:/run/efsd/efsd.sock,fork TCP:10.0.2.2:$API_PORT &
relay=$!
i=0
until efs status >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -lt 50 ] || fail "efs status through the API relay"; sleep 0.1
done

mkdir /e1 /e2 /e3 /e4
efs mount $FS /e1 > /tmp/mount.json || fail "efs mount $FS /e1 exited $?"
grep -q '"Client": "kernel"' /tmp/mount.json || fail "efs mount did not use the kernel: $(cat /tmp/mount.json)"
line=$(grep " /e1 nfs4 " /proc/mounts) || fail "efs mount made no nfs4 mount on /e1"
for want in vers=4.1 rsize=1048576 wsize=1048576 hard timeo=600 retrans=2 noresvport addr=$IP; do
  case ",$(echo "$line" | cut -d' ' -f4)," in *,$want,*) ;; *) fail "/e1 lacks $want: $line" ;; esac
done
echo through-efs-mount > /e1/from-e1
efs mounts | grep -q '"MountPoint": "/e1"' || fail "efs mounts does not list /e1: $(efs mounts)"
rc=0; efs mount $FS /e1 2>/dev/null || rc=$?
[ $rc -eq 8 ] || fail "mounting on a busy /e1 exited $rc, not 8"
rc=0; efs mount $FS /nowhere 2>/dev/null || rc=$?
[ $rc -eq 7 ] || fail "mounting on a missing directory exited $rc, not 7"
rc=0; efs mount $FS:/no/such/dir /e2 2>/dev/null || rc=$?
[ $rc -eq 6 ] || fail "mounting a missing path exited $rc, not 6"

mkdir /e1/sub
echo inside > /e1/sub/f
efs mount $FS:/sub /e2 -o ro >/dev/null || fail "efs mount $FS:/sub /e2 -o ro"
[ "$(cat /e2/f)" = inside ] || fail "/e2 does not show /sub"
grep " /e2 nfs4 " /proc/mounts | grep -q " ro," || fail "/e2 is not read-only"
touch /e2/new 2>/dev/null && fail "a read-only mount accepted a create"
efs umount /e1 || fail "efs umount /e1"
efs umount /e2 || fail "efs umount /e2"
grep -qE " /e[12] " /proc/mounts && fail "efs umount left a mount: $(grep -E ' /e[12] ' /proc/mounts)"

mount -t efs $FS:/ /e3 || fail "mount -t efs exited $?"
grep -q " /e3 nfs4 .*vers=4.1" /proc/mounts || fail "mount -t efs made no NFSv4.1 mount"
[ "$(cat /e3/from-e1)" = through-efs-mount ] || fail "/e3 does not show the file system"
umount /e3 || fail "umount /e3"
echo "$FS:/sub /e4 efs _netdev,noresvport 0 0" >> /etc/fstab
mount /e4 || fail "mount /e4 from fstab exited $?"
[ "$(cat /e4/f)" = inside ] || fail "the fstab mount does not show /sub"
efs umount /e4 2>/tmp/err || fail "efs umount /e4: $(cat /tmp/err)"
kill $relay

echo GUEST-OK
