# Shared by the kclient scripts (sourced, POSIX sh): efsd on a temporary state directory with a
# file system and a mount target, and (loopback backend) a relay from 127.0.0.1 to the mount
# target's address (qemu's user networking turns the guest's 10.0.2.2:PORT into the host's
# 127.0.0.1:PORT). With EFSD_BACKEND=netns there is no relay: the VPC is private, and a guest
# joins it by its tap device (vpc.sh).
# Sets work, nfs_port, efsd_pid, fs, subnet, ip, relay_port; cleanup() undoes it all, the
# network efsd made included. The caller sets bin (the directory of efs and efsd) first, and
# EFSD_OPTIONS and EFSD_BACKEND (default loopback) if it wants.
work=$(mktemp -d)
efsd_pid="" relay_pid=""
backend=${EFSD_BACKEND:-loopback}
cleanup() {
  [ -n "$relay_pid" ] && kill "$relay_pid" 2>/dev/null || true
  [ -n "$efsd_pid" ] && kill "$efsd_pid" 2>/dev/null && wait "$efsd_pid" 2>/dev/null || true
  [ "$backend" = netns ] && "$bin/efsd" --state-dir "$work/state" --remove-network 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# start_efsd [OPTIONS...]: efsd on $work/state with the NFS port $nfs_port; waits until it answers.
start_efsd() {
  "$bin/efsd" --state-dir "$work/state" --socket "$work/efsd.sock" --nfs-port "$nfs_port" \
    --network-backend "$backend" \
    --log-level info "$@" >>"$work/efsd.log" 2>&1 &
  efsd_pid=$!
  i=0
  until "$bin/efs" status >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -le 100 ] || { cat "$work/efsd.log" >&2; exit 1; }; sleep 0.1
  done
}

nfs_port=$(free_port)
export EFS_SOCKET="$work/efsd.sock"
start_efsd ${EFSD_OPTIONS:-}
fs=$("$bin/efs" create-fs --creation-token kclient --wait | json '["FileSystemId"]')
subnet=$("$bin/efs" describe-subnets | json '["Subnets"][0]["SubnetId"]')
ip=$("$bin/efs" create-mount-target --file-system-id "$fs" --subnet-id "$subnet" --wait |
  json '["IpAddress"]')
if [ "$backend" = loopback ]; then
  relay_port=$(free_port)
  socat "TCP-LISTEN:$relay_port,bind=127.0.0.1,reuseaddr,fork" "TCP:$ip:$nfs_port" 2>>"$work/relay.log" &
  relay_pid=$!
  sleep 0.3
fi

# stage BINARY DEST: a stripped copy at $work/extra/root/DEST, its libraries beside (the guest
# sees /extra/root).
stage() {
  root=$work/extra/root
  install -D -m 0755 "$1" "$root$2"
  strip "$root$2"
  for lib in $(ldd "$1" | awk '/=> \//{print $3} /^\t\/lib/{print $1}'); do
    [ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
  done
}

# check_guest WHAT STATUS: fails with the logs unless run-vm.sh exited STATUS 0 and the guest
# printed GUEST-OK.
check_guest() {
  if [ "$2" -ne 0 ] || ! grep -q GUEST-OK "$work/vm.log"; then
    echo "$1 failed (status $2)" >&2
    tail -20 "$work/run.log" >&2
    grep -E "GUEST-|KCLIENT|nfs|NFS" "$work/vm.log" | tail -40 >&2 || true
    tail -40 "$work/efsd.log" >&2
    exit 1
  fi
}
