#!/usr/bin/env python3
"""What the netns network backend costs (make bench-netns), as root.

Runs two efsd side by side, one with the loopback backend and one with netns, each with a file
system and one mount target, and measures with `efs bench` stat, create and seq-read at 1 and 16
clients against each in turn, alternating, for several rounds: against loopback from the host,
against netns from a client namespace of the VPC (`efs exec`), through the mount target's own
interface. Prints the median of each backend's rounds and the ratio netns/loopback.

Also measures, on the netns efsd:
  - how long a first start takes to make the default VPC (efsd started on an empty state
    directory until DescribeVpcs says available);
  - how long a start takes to make a VPC with 10 mount targets again after its network was
    removed (as after a reboot): efsd --remove-network, then efsd started until a client in the
    VPC has an NFS session with each of the 10.

Usage: bench/netns.py [--bin build/bin] [--duration 5s] [--rounds 3] [--json FILE]
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

WORKLOADS = ["stat", "create", "seq-read"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Efsd:
    """One efsd on a state directory of its own."""

    def __init__(self, bin_dir, work, name, backend):
        self.bin = bin_dir
        self.efs = os.path.join(bin_dir, "efs")
        self.state = os.path.join(work, name)
        self.sock = os.path.join(work, name + ".sock")
        self.log = open(os.path.join(work, name + ".log"), "a")
        self.backend = backend
        self.port = free_port()
        self.proc = None

    def env(self):
        return dict(os.environ, EFS_SOCKET=self.sock)

    def start(self):
        self.proc = subprocess.Popen(
            [os.path.join(self.bin, "efsd"), "--state-dir", self.state, "--socket", self.sock,
             "--nfs-port", str(self.port), "--network-backend", self.backend,
             "--log-level", "warn"],
            stdout=subprocess.DEVNULL, stderr=self.log)
        for _ in range(200):
            if self.run(["status"], check=False).returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError(f"efsd ({self.backend}) did not start; see {self.log.name}")

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            self.proc = None

    def remove_network(self):
        subprocess.run([os.path.join(self.bin, "efsd"), "--state-dir", self.state,
                        "--remove-network"], check=True, stderr=self.log)

    def run(self, args, check=True):
        return subprocess.run([self.efs] + args, capture_output=True, text=True,
                              env=self.env(), check=check)

    def json(self, args):
        return json.loads(self.run(args).stdout or "{}")

    def subnet(self, az="local-1a"):
        for s in self.json(["describe-subnets"])["Subnets"]:
            if s["AvailabilityZone"] == az and s["DefaultForAz"]:
                return s["SubnetId"]
        raise RuntimeError("no default subnet in " + az)

    def file_system(self, token):
        fs = self.json(["create-fs", "--creation-token", token, "--throughput-mode", "elastic",
                        "--wait"])["FileSystemId"]
        mt = self.json(["create-mount-target", "--file-system-id", fs, "--subnet-id",
                        self.subnet(), "--wait"])
        return fs, f'{mt["IpAddress"]}:{mt["Port"]}'

    def bench(self, target, workload, clients, duration):
        cmd = ["bench", "--output", "json", "--target", target, "--workload", workload,
               "--clients", str(clients), "--duration", duration]
        if self.backend == "netns":  # from inside the VPC
            cmd = ["exec", "--subnet-id", self.subnet(), "--", self.efs] + cmd
        out = self.run(cmd, check=False)
        if out.returncode != 0:
            return {"Failed": out.stderr.strip()}
        return json.loads(out.stdout)


def time_first_vpc(bin_dir, work):
    """Seconds from starting efsd on an empty state directory to an available default VPC."""
    efsd = Efsd(bin_dir, work, "first-start", "netns")
    start = time.monotonic()
    efsd.start()
    while efsd.json(["describe-vpcs"])["Vpcs"][0]["State"] != "available":
        time.sleep(0.005)
    seconds = time.monotonic() - start
    efsd.stop()
    efsd.remove_network()
    return seconds


def time_restore(bin_dir, work, count=10):
    """Seconds from starting efsd, its VPC's network removed, until a client of the VPC has an
    NFS session with each of `count` mount targets."""
    efsd = Efsd(bin_dir, work, "restore", "netns")
    efsd.start()
    targets = [efsd.file_system(f"restore-{i}")[1] for i in range(count)]
    efsd.stop()
    efsd.remove_network()
    probe = ("import socket,sys,time\n"
             "for t in sys.argv[1:]:\n"
             "  ip, port = t.split(':')\n"
             "  while True:\n"
             "    try:\n"
             "      socket.create_connection((ip, int(port)), timeout=1).close(); break\n"
             "    except OSError: time.sleep(0.005)\n")
    start = time.monotonic()
    efsd.start()
    out = efsd.run(["exec", "--subnet-id", efsd.subnet(), "--", sys.executable, "-c", probe] +
                   targets, check=False)
    seconds = time.monotonic() - start
    if out.returncode != 0:
        print(f"the probe failed ({out.returncode}): {out.stderr.strip()}", file=sys.stderr)
        seconds = float("nan")
    efsd.stop()
    efsd.remove_network()
    return seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="build/bin")
    ap.add_argument("--duration", default="5s")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--clients", default="1,16")
    ap.add_argument("--json", help="write every run to this file")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench/netns.py needs root: the netns backend makes network namespaces")
    bin_dir = os.path.abspath(args.bin)
    work = tempfile.mkdtemp(prefix="efs-netns-bench-", dir="/var/tmp")
    runs = []
    servers = {b: Efsd(bin_dir, work, b, b) for b in ("loopback", "netns")}
    try:
        targets = {}
        for backend, efsd in servers.items():
            efsd.start()
            targets[backend] = efsd.file_system("bench")[1]
        for rnd in range(args.rounds):
            order = ["loopback", "netns"] if rnd % 2 == 0 else ["netns", "loopback"]
            for workload in WORKLOADS:
                for clients in [int(c) for c in args.clients.split(",")]:
                    for backend in order:
                        r = servers[backend].bench(targets[backend], workload, clients,
                                                   args.duration)
                        runs.append({"Round": rnd, "Backend": backend, "Workload": workload,
                                     "Clients": clients, "Result": r})
                        print(f"round {rnd} {backend:8} {workload:8} x{clients:<2} "
                              f"{r.get('OperationsPerSecond', 0):10.0f} ops/s "
                              f"{r.get('MiBPerSecond', 0):8.1f} MiB/s "
                              f"{r.get('Failed', '')}", file=sys.stderr)
    finally:
        for efsd in servers.values():
            efsd.stop()
        servers["netns"].remove_network()
    first = time_first_vpc(bin_dir, work)
    restore = time_restore(bin_dir, work)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"Runs": runs, "FirstVpcSeconds": first, "Restore10Seconds": restore}, f,
                      indent=1)
    print("| workload | clients | loopback | netns | netns/loopback |")
    print("|---|---|---|---|---|")
    for workload in WORKLOADS:
        for clients in [int(c) for c in args.clients.split(",")]:
            unit = "MiB/s" if workload == "seq-read" else "ops/s"
            key = "MiBPerSecond" if unit == "MiB/s" else "OperationsPerSecond"
            med = {}
            for backend in ("loopback", "netns"):
                values = [r["Result"].get(key, 0) for r in runs
                          if r["Backend"] == backend and r["Workload"] == workload
                          and r["Clients"] == clients]
                med[backend] = statistics.median(values) if values else 0
            ratio = med["netns"] / med["loopback"] if med["loopback"] else 0
            print(f"| {workload} {unit} | {clients} | {med['loopback']:.0f} | {med['netns']:.0f} "
                  f"| {ratio:.2f}x |")
    print(f"\nfirst start, default VPC available: {first:.2f} s")
    print(f"restart after the network was removed, 10 mount targets answering: {restore:.2f} s")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
