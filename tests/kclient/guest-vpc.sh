# Runs in the qemu guest (busybox sh) of vpc.sh: /mnt is the kernel's NFSv4.1 mount of the mount
# target's own address ($IP, port 2049), made from the guest's address in the VPC. Then mounts
# by the file system's DNS name with mount.efs, which resolves it through the VPC's resolver.
set -eu
fail() { echo "GUEST-FAIL: $*"; exit 1; }
. /extra/env

grep -q " $MNT nfs4 .*addr=$IP" /proc/mounts || fail "/mnt is not an NFSv4 mount of $IP"
grep " $MNT nfs4 " /proc/mounts | grep -q "port=" && fail "/mnt is not on the default port, 2049"
dd if=/dev/urandom of=/tmp/data bs=1M count=8 2>/dev/null
want=$(md5sum /tmp/data | cut -d' ' -f1)
cp /tmp/data $MNT/data
sync
echo 3 > /proc/sys/vm/drop_caches
[ "$(md5sum $MNT/data | cut -d' ' -f1)" = "$want" ] || fail "8 MiB did not read back"
cd /
umount $MNT || fail "umount $MNT"

# By name: FS-ID.efs.local-1.amazonaws.com resolves, inside the VPC, to this zone's mount target.
cp -a /extra/root/. /
name=$FS.efs.local-1.amazonaws.com
answer=$(nslookup "$name" 2>&1) || fail "nslookup $name: $answer"
echo "$answer" | grep -q "$IP" || fail "$name did not resolve to $IP: $answer"
mkdir -p /byname
mount.efs -v "$FS:/" /byname -o region=local-1 2>/tmp/err || fail "mount.efs: $(cat /tmp/err)"
grep -q "resolved $name" /tmp/err || fail "mount.efs did not resolve the name: $(cat /tmp/err)"
grep -q " /byname nfs4 .*addr=$IP" /proc/mounts || fail "/byname is not a mount of $IP"
[ "$(md5sum /byname/data | cut -d' ' -f1)" = "$want" ] || fail "/byname does not show the data"
rm /byname/data
umount /byname || fail "umount /byname"

echo GUEST-OK
