#!/bin/sh
# The real Linux NFSv4 client against efsd: starts efsd on a temporary state directory, makes a
# file system with a mount target, relays 127.0.0.1:PORT to the mount target's own address (qemu's
# user networking reaches only the host's 127.0.0.1), boots Debian's kernel in qemu with
# run-vm.sh, mounts with vers=VERS (4.1 unless given) and runs guest.sh; with 4.1 it also mounts
# with efs mount, mount -t efs and an fstab line (efs reaches efsd's API through a relay to its
# socket). Exit status: guest.sh's, or non-zero when anything on the way fails.
# Usage: tests/kclient/run.sh BIN_DIR [VERS]
set -eu
bin=$1
vers=${2:-4.1}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
api_relay_pid=""
trap '[ -n "$api_relay_pid" ] && kill "$api_relay_pid" 2>/dev/null; cleanup' EXIT

api_port=$(free_port)
socat "TCP-LISTEN:$api_port,bind=127.0.0.1,reuseaddr,fork" "UNIX-CONNECT:$work/efsd.sock" &
api_relay_pid=$!

# The guest gets locktest, and efs, mount.efs and socat with their libraries under /extra/root.
mkdir "$work/extra"
cc -static -O2 -o "$work/extra/locktest" "$here/locktest.c"
stage "$bin/efs" /usr/bin/efs
stage "$bin/mount.efs" /sbin/mount.efs
stage "$(command -v socat)" /usr/bin/socat
printf 'FS=%s\nIP=%s\nAPI_PORT=%s\nVERS=%s\n' "$fs" "$ip" "$api_port" "$vers" > "$work/extra/env"

status=0
KCLIENT_EXTRA_DIR="$work/extra" KCLIENT_MOUNT_OPTS=vers=$vers KCLIENT_TIMEOUT=${KCLIENT_TIMEOUT:-600} \
  "$here/run-vm.sh" "$relay_port" "$here/guest.sh" "$work/vm.log" >"$work/run.log" 2>&1 || status=$?
check_guest "kernel client run" "$status"
grep -E "KCLIENT_(BOOTED|MOUNTED|SCRIPT_DONE)|vm exited" "$work/run.log" || true
echo "ok: the Linux kernel's NFSv$vers client mounted efsd and passed guest.sh"
