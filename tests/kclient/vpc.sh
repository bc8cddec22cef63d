#!/bin/sh
# The Linux kernel's NFSv4.1 client in a VM that joins a VPC subnet by its tap device (netns
# backend): efsd makes the default VPC of network namespaces, the VM's tap becomes a network
# interface of subnet local-1a (efs attach-network-interface --device), and the guest, with
# that interface's address, mounts the mount target's own address on port 2049 (no relay: the
# host cannot reach the VPC), then mounts once more by the file system's DNS name with
# mount.efs, which resolves it through the VPC's resolver as efs-utils would.
# Exit status: the guest's, or non-zero when anything on the way fails.
# Usage: tests/kclient/vpc.sh BIN_DIR
set -eu
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then
  echo "SKIPPED: the netns backend (and a tap device) need root" >&2
  exit 0
fi
EFSD_BACKEND=netns
. "$here/common.sh"

# The guest's interface in subnet local-1a; its tap is made by qemu, then attached.
eni=$("$bin/efs" create-network-interface --subnet-id "$subnet" \
        --description "kclient VM" | json '["NetworkInterface"]["NetworkInterfaceId"]')
guest_ip=$("$bin/efs" describe-network-interfaces --network-interface-ids "$eni" |
  json '["NetworkInterfaces"][0]["PrivateIpAddress"]')
tap="tapk$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"

mkdir "$work/extra"
stage "$bin/mount.efs" /sbin/mount.efs
printf 'FS=%s\nIP=%s\n' "$fs" "$ip" > "$work/extra/env"

status=0
KCLIENT_EXTRA_DIR="$work/extra" KCLIENT_TAP="$tap" KCLIENT_GUEST_IP="$guest_ip/20" \
  KCLIENT_GATEWAY=172.31.0.1 KCLIENT_SERVER="$ip" KCLIENT_DNS=172.31.0.2 \
  KCLIENT_MOUNT_OPTS=vers=4.1 KCLIENT_TIMEOUT=${KCLIENT_TIMEOUT:-600} \
  "$here/run-vm.sh" 2049 "$here/guest-vpc.sh" "$work/vm.log" >"$work/run.log" 2>&1 &
vm=$!
# qemu makes the tap before the guest boots; join it to the subnet then.
i=0
until ip link show "$tap" >/dev/null 2>&1; do
  i=$((i + 1))
  if [ $i -gt 1200 ] || ! kill -0 "$vm" 2>/dev/null; then
    echo "qemu never made tap $tap" >&2; cat "$work/run.log" >&2; exit 1
  fi
  sleep 0.1
done
"$bin/efs" attach-network-interface --network-interface-id "$eni" --device "$tap" --wait >/dev/null
wait "$vm" || status=$?
check_guest "kernel client through a tap in the VPC" "$status"
grep -E "KCLIENT_(BOOTED|MOUNTED|SCRIPT_DONE)|GUEST-" "$work/vm.log" || true
echo "ok: the Linux kernel's NFSv4.1 client in a VM on a VPC subnet mounted by address and by name"
