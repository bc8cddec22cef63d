#!/usr/bin/env python3
"""Figures of the performance modes: efs bench --workload create on a generalPurpose and a
maxIO file system, with 1 and with 16 clients, in alternating rounds.

generalPurpose should have the lower median latency (p50) at one client; maxIO should do more
operations per second at 16 clients (no operation budget, and durable changes that share their
disk syncs). Runs its own efsd in a temporary directory (under /var/tmp); both file systems are
in bursting mode, EFS's default. Prints a Markdown report; --json for the raw figures.

  bench/modes.py --bin build/bin [--rounds 3] [--duration 5s]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import free_port, machine  # noqa: E402

MODES = ("generalPurpose", "maxIO")


class Efsd:
    def __init__(self, bin_dir, work):
        self.efs = os.path.join(bin_dir, "efs")
        sock = os.path.join(work, "efsd.sock")
        os.environ["EFS_SOCKET"] = sock
        self.proc = subprocess.Popen(
            [os.path.join(bin_dir, "efsd"), "--state-dir", os.path.join(work, "state"),
             "--socket", sock, "--nfs-port", str(free_port()), "--network-backend", "loopback"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "efsd.log"), "w"))
        for _ in range(100):
            if subprocess.run([self.efs, "status"], capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        subnet = self.json("describe-subnets")["Subnets"][0]["SubnetId"]
        self.targets = {}
        for mode in MODES:
            fs = self.json("create-fs", "--creation-token", mode, "--performance-mode", mode,
                           "--wait")["FileSystemId"]
            mt = self.json("create-mount-target", "--file-system-id", fs, "--subnet-id", subnet,
                           "--wait")
            self.targets[mode] = f"{mt['IpAddress']}:{mt['Port']}"

    def json(self, *args):
        out = subprocess.run([self.efs, "--output", "json", *args], capture_output=True,
                             text=True)
        if out.returncode != 0:
            raise RuntimeError(f"efs {' '.join(args)}: {out.stderr.strip()}")
        return json.loads(out.stdout) if out.stdout.strip() else {}

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default="build/bin")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", default="5s")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="efs-modes-", dir="/var/tmp")
    efsd = Efsd(args.bin, work)
    runs = {(mode, clients): [] for mode in MODES for clients in (1, 16)}
    try:
        for _ in range(args.rounds):
            for clients in (1, 16):
                for mode in MODES:
                    r = efsd.json("bench", "--target", efsd.targets[mode], "--workload", "create",
                                  "--clients", str(clients), "--duration", args.duration)
                    runs[(mode, clients)].append(r)
    finally:
        efsd.stop()
        shutil.rmtree(work, ignore_errors=True)

    figures = []
    for (mode, clients), rs in runs.items():
        figures.append({
            "Mode": mode, "Clients": clients,
            "OpsPerSecond": statistics.median(r["OperationsPerSecond"] for r in rs),
            "P50Microseconds": statistics.median(r["LatencyMicroseconds"]["P50"] for r in rs),
            "P99Microseconds": statistics.median(r["LatencyMicroseconds"]["P99"] for r in rs),
            "Rounds": [round(r["OperationsPerSecond"]) for r in rs],
        })
    if args.json:
        print(json.dumps({"Machine": machine(), "Figures": figures}, indent=2))
        return
    print(f"Machine: {machine()}; efs bench --workload create, depth 8, {args.duration} a run, "
          f"median of {args.rounds} alternating rounds.\n")
    print("| mode | clients | creates/s | p50 us | p99 us | rounds (creates/s) |")
    print("|---|---|---|---|---|---|")
    for f in figures:
        print(f"| {f['Mode']} | {f['Clients']} | {f['OpsPerSecond']:.0f} | "
              f"{f['P50Microseconds']:.0f} | {f['P99Microseconds']:.0f} | "
              f"{', '.join(map(str, f['Rounds']))} |")


if __name__ == "__main__":
    main()
