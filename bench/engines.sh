#!/bin/bash
# efs bench against one efsd with its metadata in SQLite files and one with it in PostgreSQL
# (efsd --postgres, on a private PostgreSQL 15 this script starts), one after the other on
# this machine: create, stat, rand-write-4k and seq-write, 4 clients, 10 s each.
# Usage: bench/engines.sh [BIN_DIR]   (as root; docs/BENCHMARKS.md records a run)
set -eu
B=${1:-build/bin}
PGB=/usr/lib/postgresql/15/bin
W=$(mktemp -d /tmp/efs-engines.XXXX)
chmod 755 "$W"
mkdir "$W/pg"
chown postgres "$W/pg"
as_postgres() { setpriv --reuid=postgres --regid=postgres --clear-groups -- "$@"; }
as_postgres "$PGB/initdb" -D "$W/pg/data" -A trust -U efsd >/dev/null
setsid setpriv --reuid=postgres --regid=postgres --clear-groups -- \
  "$PGB/postgres" -D "$W/pg/data" -k "$W/pg" -c listen_addresses= >"$W/pg/log" 2>&1 &
pg=$!
cleanup() { kill -QUIT -- -$pg 2>/dev/null || true; sleep 1; kill -9 -- -$pg 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
for _ in $(seq 100); do "$PGB/pg_isready" -q -h "$W/pg" -U efsd -d postgres && break; sleep 0.1; done

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

run() {  # NAME [EFSD-ARGS...]
  local name=$1; shift
  local sock=$W/$name.sock
  "$B/efsd" --state-dir "$W/$name" --socket "$sock" --network-backend loopback \
    --nfs-port $((20000 + RANDOM % 20000)) "$@" >"$W/$name.log" 2>&1 &
  local efsd=$!
  for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
  local efs="$B/efs --socket $sock --output json"
  local fs subnet target
  fs=$($efs create-fs --wait | json 'd["FileSystemId"]')
  subnet=$($efs describe-subnets | json 'd["Subnets"][0]["SubnetId"]')
  target=$($efs create-mount-target --file-system-id "$fs" --subnet-id "$subnet" --wait |
           json 'd["IpAddress"] + ":" + str(d["Port"])')
  for workload in create stat rand-write-4k seq-write; do
    "$B/efs" bench --target "$target" --workload "$workload" --clients 4 --duration 10s \
        --output json |
      json "'%-9s %-14s %8.0f ops/s %7.1f MiB/s  p50 %8.0f us' % ('$name', d['Workload'], d['OperationsPerSecond'], d['MiBPerSecond'], d['LatencyMicroseconds']['P50'])"
  done
  kill $efsd
  wait $efsd || true
}
run sqlite
run postgres --postgres "host=$W/pg user=efsd dbname=postgres"
