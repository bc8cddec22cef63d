#!/bin/bash
# Adapted from the shared kclient tool (../shared/tools/kclient); kept here so the test suite
# owns its harness.
# run-vm.sh — boot a Debian 6.1 kernel in qemu and use the real Linux NFSv4
# client against an NFS server listening on this host.
#
# usage: run-vm.sh PORT GUEST_SCRIPT LOGFILE
#   PORT          TCP port of the NFS server on the host (it must listen on
#                 127.0.0.1 or 0.0.0.0: qemu user networking turns the guest's
#                 10.0.2.2:PORT into a host connection to 127.0.0.1:PORT)
#   GUEST_SCRIPT  busybox-sh script run in the guest after the mount; it gets
#                 MNT=/mnt (the NFS mount) and PATH with busybox (+ fio if built
#                 with KCLIENT_FIO=1). Its exit status becomes ours.
#   LOGFILE       full serial console log (kernel + script output)
#
# env knobs (all optional):
#   KCLIENT_ACCEL    auto|kvm|tcg   (default auto: kvm only if it boots, see README)
#   KCLIENT_MOUNT_OPTS  extra mount options (default "vers=4.1")
#   KCLIENT_EXPORT   server path to mount (default "/")
#   KCLIENT_FIO      1 = add fio and its libraries to the guest (~84 MB, default 0)
#   KCLIENT_MEM      guest MiB (default 1024; 2048 when KCLIENT_FIO=1)
#   KCLIENT_SMP      guest vCPUs (default 1: under TCG on 2 host cores, 1 leaves a
#                    core to the server and was faster than 2)
#   KCLIENT_NIC      virtio-net-pci|e1000 (default virtio-net-pci)
#   KCLIENT_TIMEOUT  seconds before the VM is killed (default 900)
#   KCLIENT_MOUNT_TIMEOUT  seconds the guest waits for each mount try (default 60)
#   KCLIENT_CACHE    cache dir (default /tmp/kvm/cache)
#   KCLIENT_EXTRA_DIR  directory whose contents appear in the guest as /extra
#                    (static binaries, data files for the guest script)
#   KCLIENT_TAP      the guest's NIC is this tap device (made by qemu, then joined to a
#                    network by the caller) instead of qemu's user networking; with it:
#   KCLIENT_GUEST_IP the guest's address/prefix (default 10.0.2.15/24)
#   KCLIENT_GATEWAY  its default gateway (default 10.0.2.2)
#   KCLIENT_SERVER   the NFS server's address (default 10.0.2.2, slirp's view of the host)
#   KCLIENT_DNS      a nameserver for the guest's /etc/resolv.conf (default none)
#
# Exit status: the guest script's status; 124 on timeout; 125 when the guest
# never reported (boot/mount failure, see LOGFILE); 2 on usage errors.
# Only Debian packages are used (qemu-system-x86, busybox-static, cpio and the
# linux-image-*-amd64 .deb fetched with apt-get download, never installed).
set -euo pipefail

if [ $# -ne 3 ]; then
  sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0" >&2
  exit 2
fi
PORT=$1
GUEST_SCRIPT=$2
LOG=$3
[[ "$PORT" =~ ^[0-9]+$ ]] || { echo "bad port: $PORT" >&2; exit 2; }
[ -r "$GUEST_SCRIPT" ] || { echo "guest script not readable: $GUEST_SCRIPT" >&2; exit 2; }

ACCEL=${KCLIENT_ACCEL:-auto}
MOUNT_OPTS=${KCLIENT_MOUNT_OPTS:-vers=4.1}
EXPORT=${KCLIENT_EXPORT:-/}
FIO=${KCLIENT_FIO:-0}
if [ "$FIO" = 1 ]; then MEM=${KCLIENT_MEM:-2048}; else MEM=${KCLIENT_MEM:-1024}; fi
TAP=${KCLIENT_TAP:-}
GUEST_IP=${KCLIENT_GUEST_IP:-10.0.2.15/24}
GATEWAY=${KCLIENT_GATEWAY:-10.0.2.2}
SERVER=${KCLIENT_SERVER:-10.0.2.2}
DNS=${KCLIENT_DNS:-}
SMP=${KCLIENT_SMP:-1}
NIC=${KCLIENT_NIC:-virtio-net-pci}
TIMEOUT=${KCLIENT_TIMEOUT:-900}
MOUNT_TIMEOUT=${KCLIENT_MOUNT_TIMEOUT:-60}
CACHE=${KCLIENT_CACHE:-/tmp/kvm/cache}

log() { echo "[run-vm] $*" >&2; }

# ---------------------------------------------------------------- packages
need_pkgs=()
command -v qemu-system-x86_64 >/dev/null || need_pkgs+=(qemu-system-x86)
# a static busybox (busybox-static) is needed: it runs in the guest without libs
if ! [ -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then need_pkgs+=(busybox-static); fi
command -v cpio >/dev/null || need_pkgs+=(cpio)
command -v xz >/dev/null || need_pkgs+=(xz-utils)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_pkgs[@]}" >&2 \
    || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_pkgs[@]}" >&2; }
fi

# ---------------------------------------------------------------- kernel
mkdir -p "$CACHE"
# one builder at a time; released before boot so VMs may run side by side
exec 9>"$CACHE/.lock"
flock 9
KPKG=$(cat "$CACHE/kpkg" 2>/dev/null || true)
if [ -z "$KPKG" ] || [ ! -s "$CACHE/$KPKG/vmlinuz" ]; then
  KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
  if [ -z "$KPKG" ]; then apt-get update >&2; KPKG=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}'); fi
  [ -n "$KPKG" ] || { log "cannot resolve linux-image-amd64"; exit 2; }
  log "fetching $KPKG (apt-get download, not installed)"
  rm -rf "$CACHE/$KPKG"; mkdir -p "$CACHE/$KPKG/dl"
  (cd "$CACHE/$KPKG/dl" && apt-get download "$KPKG" >&2)
  dpkg -x "$CACHE/$KPKG"/dl/*.deb "$CACHE/$KPKG/root"
  cp "$CACHE/$KPKG"/root/boot/vmlinuz-* "$CACHE/$KPKG/vmlinuz"
  rm -rf "$CACHE/$KPKG/dl"
  echo "$KPKG" > "$CACHE/kpkg"
fi
KD=$CACHE/$KPKG
# Boot the uncompressed ELF vmlinux through PVH (qemu -kernel accepts it):
# skips the bzImage real-mode setup and the xz decompressor, which take
# seconds under TCG.
if [ ! -s "$KD/vmlinux" ]; then
  off=$(LC_ALL=C grep -m1 -obUaP '\xfd7zXZ\x00' "$KD/vmlinuz" | cut -d: -f1)
  xz -dc --single-stream < <(tail -c +$((off+1)) "$KD/vmlinuz") > "$KD/vmlinux.tmp"
  mv "$KD/vmlinux.tmp" "$KD/vmlinux"
fi
KVER=$(basename "$(ls -d "$KD"/root/lib/modules/*/)")

# ---------------------------------------------------------------- initramfs
# copy a binary and its shared libraries (via ldd) into staging dir $1
copy_bin() {
  local dst=$1 bin=$2 lib
  install -D -m 0755 "$bin" "$dst$bin"
  for lib in $(ldd "$bin" | awk '/=> \//{print $3} /^\t\/lib/{print $1}'); do
    [ -e "$dst$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$dst$lib"
  done
}

if [ ! -s "$KD/base.cpio.gz" ] || [ "$0" -nt "$KD/base.cpio.gz" ]; then
  log "building base initramfs for $KVER"
  S=$KD/stage-base; rm -rf "$S"; mkdir -p "$S"/{bin,sbin,etc,proc,sys,dev,mnt,tmp,run,root,lib64}
  cp /bin/busybox "$S/bin/busybox"
  # kernel modules: NIC drivers + NFSv4 client, with their dependencies
  busybox depmod -b "$KD/root" "$KVER"
  M=$KD/root/lib/modules/$KVER
  want="virtio_net virtio_pci e1000 nfsv4 nfs_layout_nfsv41_files auth_rpcgss"
  mods=""
  for w in $want; do
    line=$(grep -E "/$w\.ko:" "$M/modules.dep") || { log "module $w not found"; exit 2; }
    mods="$mods ${line%%:*} ${line#*:}"
  done
  for m in $(echo $mods | tr ' ' '\n' | sort -u); do
    install -D -m 0644 "$M/$m" "$S/lib/modules/$KVER/$m"
  done
  cp "$M"/modules.builtin "$M"/modules.order "$S/lib/modules/$KVER/" 2>/dev/null || true
  busybox depmod -b "$S" "$KVER"
  # mount.nfs from nfs-common (busybox mount is used first; this is the fallback)
  if [ -x /sbin/mount.nfs ]; then
    copy_bin "$S" /sbin/mount.nfs
    ln -sf mount.nfs "$S/sbin/mount.nfs4"
    cp /etc/netconfig "$S/etc/" 2>/dev/null || true
  fi
  echo 'root:x:0:0:root:/root:/bin/sh' > "$S/etc/passwd"
  echo 'root:x:0:' > "$S/etc/group"
  echo 'kclient' > "$S/etc/hostname"
  ln -sf /proc/mounts "$S/etc/mtab"
  cat > "$S/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
hostname kclient
arg() { sed -n "s/.*kclient\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
PORT=$(arg port); OPTS=$(arg opts | tr '~' ' '); EXP=$(arg export)
IP=$(arg ip); GW=$(arg gw); SERVER=$(arg server); DNS=$(arg dns)
fail() { echo "KCLIENT_ERROR: $*"; echo "KCLIENT_EXIT=125"; sync; poweroff -f; }
echo "KCLIENT_BOOTED uptime=$(cut -d' ' -f1 /proc/uptime)"
modprobe -a virtio_pci virtio_net e1000 nfsv4 || fail "modprobe"
ip link set lo up
i=0; while ! ip link show eth0 >/dev/null 2>&1; do i=$((i+1)); [ $i -gt 100 ] && fail "no eth0"; sleep 0.1; done
ip link set eth0 up
ip addr add "$IP" dev eth0
ip route add default via "$GW"
[ -n "$DNS" ] && echo "nameserver $DNS" > /etc/resolv.conf
mkdir -p /mnt
MT=$(arg mount_timeout)
if timeout "$MT" mount -t nfs4 -o "$OPTS,port=$PORT,addr=$SERVER,clientaddr=${IP%/*}" "$SERVER:$EXP" /mnt 2>/tmp/mnt.err; then
  how=busybox
elif [ -x /sbin/mount.nfs ] && timeout "$MT" /sbin/mount.nfs "$SERVER:$EXP" /mnt -o "$OPTS,port=$PORT" 2>>/tmp/mnt.err; then
  how=mount.nfs
else
  cat /tmp/mnt.err; dmesg | tail -20; fail "mount"
fi
echo "KCLIENT_MOUNTED via=$how uptime=$(cut -d' ' -f1 /proc/uptime)"
grep ' /mnt ' /proc/mounts
export MNT=/mnt HOME=/root
# exec: only the script itself holds /mnt as cwd, so it may umount/remount
(cd /mnt && exec sh /guest.sh)
rc=$?
echo "KCLIENT_SCRIPT_DONE uptime=$(cut -d' ' -f1 /proc/uptime)"
sync
umount /mnt || umount -f /mnt || echo "KCLIENT_WARN: umount failed"
echo "KCLIENT_EXIT=$rc"
poweroff -f
EOF
  chmod 0755 "$S/init"
  (cd "$S" && find . | sort | cpio -o -H newc --quiet | gzip -1) > "$KD/base.cpio.gz.tmp"
  # the kernel only looks for the next concatenated archive at 4-byte aligned offsets
  truncate -s %512 "$KD/base.cpio.gz.tmp"
  mv "$KD/base.cpio.gz.tmp" "$KD/base.cpio.gz"
  rm -rf "$S"
fi

LAYERS=("$KD/base.cpio.gz")
if [ "$FIO" = 1 ]; then
  if [ ! -s "$KD/fio.cpio" ]; then
    [ -x /usr/bin/fio ] || DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fio >&2
    log "building fio layer"
    S=$KD/stage-fio; rm -rf "$S"; mkdir -p "$S"
    copy_bin "$S" /usr/bin/fio
    # uncompressed: it is big, and gzip/gunzip of it costs more than it saves
    (cd "$S" && find . | sort | cpio -o -H newc --quiet) > "$KD/fio.cpio.tmp"
    truncate -s %512 "$KD/fio.cpio.tmp"
    mv "$KD/fio.cpio.tmp" "$KD/fio.cpio"
    rm -rf "$S"
  fi
  LAYERS+=("$KD/fio.cpio")
fi

# per-run layer: the guest script
RUN=$(mktemp -d "${TMPDIR:-/tmp}/kclient-run.XXXXXX")
trap 'rm -rf "$RUN"' EXIT
mkdir -p "$RUN/g"
install -m 0755 "$GUEST_SCRIPT" "$RUN/g/guest.sh"
if [ -n "${KCLIENT_EXTRA_DIR:-}" ]; then
  mkdir -p "$RUN/g/extra"; cp -a "$KCLIENT_EXTRA_DIR"/. "$RUN/g/extra/"
fi
(cd "$RUN/g" && find . | cpio -o -H newc --quiet) > "$RUN/guest.cpio"
cat "${LAYERS[@]}" "$RUN/guest.cpio" > "$RUN/initrd"

# ---------------------------------------------------------------- accel
kvm_usable() {
  [ -w /dev/kvm ] || return 1
  # /dev/kvm may be a software KVM (e.g. "kvm-pvm" on cloud VMs without
  # hardware virtualization): there a stock kernel needs >30 s to print its
  # first line and then dies with "KVM internal error ... emulation failure".
  # Probe once (cached): a real KVM prints the banner in well under 15 s.
  if [ ! -f "$CACHE/kvm-probe" ]; then
    local out
    out=$(timeout 15 qemu-system-x86_64 -accel kvm -cpu host,-arch-capabilities -m 256 \
          -nodefaults -no-user-config -display none -serial stdio -no-reboot \
          -kernel "$KD/vmlinux" -append "console=ttyS0 panic=-1" </dev/null 2>&1 | head -c 20000 || true)
    if grep -q 'Linux version' <<<"$out"; then echo ok > "$CACHE/kvm-probe"; else echo no > "$CACHE/kvm-probe"; fi
  fi
  [ "$(cat "$CACHE/kvm-probe")" = ok ]
}
case $ACCEL in
  kvm) ACCEL_ARGS=(-accel kvm -cpu host,-arch-capabilities) ;;
  tcg) ACCEL_ARGS=(-accel tcg,thread=multi -cpu max) ;;
  auto) if kvm_usable; then ACCEL=kvm; ACCEL_ARGS=(-accel kvm -cpu host,-arch-capabilities)
        else ACCEL=tcg; ACCEL_ARGS=(-accel tcg,thread=multi -cpu max); fi ;;
  *) echo "bad KCLIENT_ACCEL=$ACCEL" >&2; exit 2 ;;
esac

flock -u 9; exec 9>&-

# ---------------------------------------------------------------- boot
# a kernel NFS mount against a closed port retries forever: check first (with a tap the
# server is on the network the caller joins the tap to, which this host may not reach)
if [ -z "$TAP" ] && ! timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null; then
  log "nothing accepts TCP connections on 127.0.0.1:$PORT (slirp forwards the guest's 10.0.2.2:$PORT there)"
  exit 125
fi
if [ -n "$TAP" ]; then
  NETDEV=(-netdev "tap,id=n0,ifname=$TAP,script=no,downscript=no")
else
  NETDEV=(-netdev user,id=n0)
fi
mkdir -p "$(dirname "$LOG")"
: > "$LOG"
OPTS_ARG=$(echo "$MOUNT_OPTS" | tr ' ' '~')
log "booting $KVER accel=$ACCEL smp=$SMP mem=${MEM}M nic=$NIC${TAP:+ tap=$TAP} server=$SERVER port=$PORT opts=$MOUNT_OPTS"
T0=$(date +%s.%N)
elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}'; }
set +e
timeout -k 5 "$TIMEOUT" qemu-system-x86_64 "${ACCEL_ARGS[@]}" \
  -smp "$SMP" -m "$MEM" -nodefaults -no-user-config -display none -no-reboot \
  -serial stdio -monitor none \
  "${NETDEV[@]}" -device "$NIC,netdev=n0,romfile=" \
  -kernel "$KD/vmlinux" -initrd "$RUN/initrd" \
  -append "console=ttyS0 quiet loglevel=4 panic=-1 nokaslr kclient.port=$PORT kclient.opts=$OPTS_ARG kclient.export=$EXPORT kclient.mount_timeout=$MOUNT_TIMEOUT kclient.ip=$GUEST_IP kclient.gw=$GATEWAY kclient.server=$SERVER kclient.dns=$DNS" \
  </dev/null 2>&1 | while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}
    printf '%s\n' "$line" >> "$LOG"
    case $line in
      KCLIENT_BOOTED*|KCLIENT_MOUNTED*|KCLIENT_SCRIPT_DONE*|KCLIENT_ERROR*) log "$line host_elapsed=$(elapsed)s" ;;
    esac
  done
qrc=${PIPESTATUS[0]}
set -e
log "vm exited (qemu rc=$qrc) after $(elapsed)s; log: $LOG"
rc=$(sed -n 's/^KCLIENT_EXIT=\([0-9]*\).*/\1/p' "$LOG" | tail -1)
if [ -z "$rc" ]; then
  if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then log "timeout after ${TIMEOUT}s"; exit 124; fi
  log "guest never reported an exit status"; tail -30 "$LOG" >&2; exit 125
fi
exit "$rc"
