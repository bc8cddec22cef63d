#!/usr/bin/env python3
"""efsd against nfs-ganesha, side by side, with `efs bench` (make bench).

Installs nfs-ganesha and its VFS back end from Debian if missing, starts ganesha (a VFS export of
a directory on the same disk as efsd's state, NFSv4.1 only, loopback) and efsd (a file system
with one mount target), and runs every workload at 1 and 16 clients against each in turn,
alternating, for several rounds. Prints, per workload and client count, the median of each
server's rounds and the ratio efsd/ganesha; --json writes every run.

Also measures the latency of one call alone: stat with 1 client and 1 call in flight
("stat-alone" in the table).

Usage: bench/compare.py [--bin build/bin] [--duration 5s] [--rounds 3] [--workloads a,b]
                        [--clients 1,16] [--json FILE]
       bench/compare.py --table-from FILE
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

WORKLOADS = ["seq-write", "seq-read", "rand-read-4k", "rand-write-4k", "create", "stat",
             "readdir", "mixed"]
GANESHA_CONF = """NFS_CORE_PARAM {{
  Protocols = 4;
  NFS_Port = {port};
  Bind_addr = 127.0.0.1;
  Enable_NLM = false;
  Enable_RQUOTA = false;
}}
NFSV4 {{
  Minor_Versions = 1;
  Graceless = true;
  RecoveryBackend = fs;
}}
EXPORT {{
  Export_Id = 1;
  Path = {export};
  Pseudo = /;
  Access_Type = RW;
  Squash = No_Root_Squash;
  Protocols = 4;
  SecType = sys;
  FSAL {{ Name = VFS; }}
}}
LOG {{ Default_Log_Level = WARN; }}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(host, port, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"nothing listens on {host}:{port} after {seconds} s")


def ensure_ganesha():
    if shutil.which("ganesha.nfsd") and os.path.isdir("/usr/lib/x86_64-linux-gnu/ganesha"):
        return
    print("installing nfs-ganesha and nfs-ganesha-vfs (apt-get)", file=sys.stderr)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", "nfs-ganesha", "nfs-ganesha-vfs"]
    if subprocess.run(cmd, env=env).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, check=True)
        subprocess.run(cmd, env=env, check=True)


def version(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "?"


def machine():
    """The facts a table of figures needs beside it."""
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_gib = int(f.readline().split()[1]) / (1 << 20)
    fs = subprocess.run(["df", "-T", "/var/tmp"], capture_output=True, text=True).stdout
    fs_type = fs.splitlines()[1].split()[1] if len(fs.splitlines()) > 1 else "?"
    return (f"{os.cpu_count()} x {cpu}, {mem_gib:.0f} GiB, Linux {os.uname().release}, "
            f"/var/tmp on {fs_type}")


class Servers:
    def __init__(self, bin_dir, work):
        self.bin = bin_dir
        self.work = work
        self.procs = []

    def start_ganesha(self):
        export = os.path.join(self.work, "ganesha-export")
        os.makedirs(export)
        port = free_port()
        conf = os.path.join(self.work, "ganesha.conf")
        with open(conf, "w") as f:
            f.write(GANESHA_CONF.format(port=port, export=export))
        log = os.path.join(self.work, "ganesha.log")
        p = subprocess.Popen(["ganesha.nfsd", "-F", "-f", conf, "-L", log,
                              "-p", os.path.join(self.work, "ganesha.pid"), "-N", "NIV_WARN"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(p)
        wait_for_port("127.0.0.1", port)
        return f"127.0.0.1:{port}/"

    def start_efsd(self):
        state = os.path.join(self.work, "efsd-state")
        sock = os.path.join(self.work, "efsd.sock")
        os.environ["EFS_SOCKET"] = sock
        port = free_port()
        p = subprocess.Popen([os.path.join(self.bin, "efsd"), "--state-dir", state, "--socket",
                              sock, "--nfs-port", str(port), "--network-backend", "loopback"],
                             stdout=subprocess.DEVNULL,
                             stderr=open(os.path.join(self.work, "efsd.log"), "w"))
        self.procs.append(p)
        for _ in range(100):
            if subprocess.run([self.efs(), "status"], capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        # elastic: no throughput limit, so the figures are the server's, not a mode's cap
        fs = self.efs_json("create-fs", "--creation-token", "bench", "--throughput-mode", "elastic",
                           "--wait")["FileSystemId"]
        subnet = self.efs_json("describe-subnets")["Subnets"][0]["SubnetId"]
        mt = self.efs_json("create-mount-target", "--file-system-id", fs, "--subnet-id", subnet,
                           "--wait")
        return f"{mt['IpAddress']}:{mt['Port']}/"

    def efs(self):
        return os.path.join(self.bin, "efs")

    def efs_json(self, *args):
        out = subprocess.run([self.efs(), *args], capture_output=True, text=True, check=True)
        return json.loads(out.stdout)

    def stop(self):
        for p in self.procs:
            p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def run_bench(efs, target, workload, clients, duration, depth=None, tries=3):
    """One efs bench run; a run that fails is tried again (up to `tries` in all) and noted.
    Returns the result, or {"Failed": the last error} when every try failed."""
    cmd = [efs, "bench", "--output", "json", "--target", target, "--workload", workload,
           "--clients", str(clients), "--duration", duration]
    if depth:
        cmd += ["--depth", str(depth)]
    for attempt in range(1, tries + 1):
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode == 0:
            result = json.loads(out.stdout)
            result["Attempts"] = attempt
            return result
        print(f"  failed ({out.returncode}), attempt {attempt} of {tries}: {out.stderr.strip()}",
              file=sys.stderr)
    return {"Failed": out.stderr.strip(), "Attempts": tries}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="build/bin")
    ap.add_argument("--duration", default="5s")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--clients", default="1,16")
    ap.add_argument("--json", help="write every run to this file, as the runs go")
    ap.add_argument("--table-from", metavar="JSON",
                    help="print the table of a --json file written before, and run nothing")
    args = ap.parse_args()
    if args.table_from:
        with open(args.table_from) as f:
            print(table(json.load(f)))
        return
    ensure_ganesha()
    work = tempfile.mkdtemp(prefix="efs-compare-", dir="/var/tmp")
    servers = Servers(os.path.abspath(args.bin), work)
    runs = []
    try:
        targets = {"ganesha": servers.start_ganesha(), "efsd": servers.start_efsd()}
        header = (f"ganesha: {version(['ganesha.nfsd', '-v'])}; efsd: "
                  f"{version([servers.efs(), '--version'])}; machine: {machine()}; "
                  f"{args.rounds} rounds of {args.duration}, medians")
        print(header, file=sys.stderr)
        cases = [(w, int(c), None) for w in args.workloads.split(",")
                 for c in args.clients.split(",")]
        if "stat" in args.workloads.split(","):
            cases.append(("stat", 1, 1))  # one call alone: the latency of a round trip
        for workload, clients, depth in cases:
            for rnd in range(args.rounds):
                # Alternate which server goes first, so that neither always runs warm.
                order = ["ganesha", "efsd"] if rnd % 2 == 0 else ["efsd", "ganesha"]
                for server in order:
                    r = run_bench(servers.efs(), targets[server], workload, clients,
                                  args.duration, depth)
                    name = workload if depth is None else f"{workload}-alone"
                    runs.append({"server": server, "workload": name, "clients": clients,
                                 "round": rnd, "result": r})
                    if args.json:  # as it goes: a long run that stops keeps what it measured
                        with open(args.json, "w") as f:
                            json.dump(runs, f, indent=2)
                    if "Failed" in r:
                        print(f"  {name} x{clients} round {rnd + 1} {server}: failed",
                              file=sys.stderr)
                        continue
                    print(f"  {name} x{clients} round {rnd + 1} {server}: "
                          f"{r['OperationsPerSecond']:.0f} ops/s, {r['MiBPerSecond']:.1f} MiB/s, "
                          f"p50 {r['LatencyMicroseconds']['P50']:.0f} us", file=sys.stderr)
    finally:
        servers.stop()
    print(header + "\n")
    print(table(runs))
    shutil.rmtree(work, ignore_errors=True)


def median_of(runs, server, workload, clients, key):
    """The median over the rounds that completed (NaN when none did)."""
    vals = [r["result"][key] if not isinstance(key, tuple) else r["result"][key[0]][key[1]]
            for r in runs
            if r["server"] == server and r["workload"] == workload and r["clients"] == clients
            and "Failed" not in r["result"]]
    return statistics.median(vals) if vals else float("nan")


def failures(runs, server, workload, clients):
    return sum(1 for r in runs if r["server"] == server and r["workload"] == workload
               and r["clients"] == clients and "Failed" in r["result"])


def cell(value, decimals):
    """A median for the table; a case with no completed round shows as failed."""
    return "failed" if value != value else f"{value:.{decimals}f}"


def table(runs):
    lines = ["| workload | clients | ganesha ops/s | efsd ops/s | efsd/ganesha | ganesha MiB/s | "
             "efsd MiB/s | ganesha p50 us | efsd p50 us | ganesha p99 us | efsd p99 us |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    seen = []
    for r in runs:
        k = (r["workload"], r["clients"])
        if k not in seen:
            seen.append(k)
    for workload, clients in seen:
        g = lambda key: median_of(runs, "ganesha", workload, clients, key)
        e = lambda key: median_of(runs, "efsd", workload, clients, key)
        ops_g, ops_e = g("OperationsPerSecond"), e("OperationsPerSecond")
        ratio = f"{ops_e / ops_g:.2f}x" if ops_g > 0 and ops_e == ops_e else "-"
        lat = "LatencyMicroseconds"
        cells = [cell(ops_g, 0), cell(ops_e, 0), ratio, cell(g("MiBPerSecond"), 1),
                 cell(e("MiBPerSecond"), 1), cell(g((lat, "P50")), 0), cell(e((lat, "P50")), 0),
                 cell(g((lat, "P99")), 0), cell(e((lat, "P99")), 0)]
        lines.append(f"| {workload} | {clients} | " + " | ".join(cells) + " |")
    notes = []
    for workload, clients in seen:
        for server in ("ganesha", "efsd"):
            n = failures(runs, server, workload, clients)
            if n:
                notes.append(f"- {server}, {workload} at {clients} client(s): {n} round(s) failed "
                             f"every try and are left out of the medians.")
    return "\n".join(lines + ([""] + notes if notes else []))


if __name__ == "__main__":
    main()
