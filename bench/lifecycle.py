#!/usr/bin/env python3
"""Figures of lifecycle management: how fast efsd's mover moves files to Infrequent Access,
what client reads get while it runs, and how long the first byte of a cold file takes.

Runs its own efsd --test-clock in a temporary directory (under /var/tmp), mounts the file system
with efs mount (FUSE here), writes the files through the mount, and moves the clock instead of
waiting. Needs root (FUSE, dropping the page cache). Prints a Markdown report; --json for the
raw figures.

  bench/lifecycle.py --bin build/bin [--small 2000] [--large-mib 2048] [--duration 10s]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import free_port, machine  # noqa: E402

MIB = 1 << 20


class Efsd:
    def __init__(self, bin_dir, work):
        self.bin = bin_dir
        self.work = work
        self.log_path = os.path.join(work, "efsd.log")
        self.sock = os.path.join(work, "efsd.sock")
        os.environ["EFS_SOCKET"] = self.sock
        self.proc = subprocess.Popen(
            [os.path.join(bin_dir, "efsd"), "--state-dir", os.path.join(work, "state"),
             "--socket", self.sock, "--nfs-port", str(free_port()), "--network-backend", "loopback",
             "--test-clock",
             "--lifecycle-interval", "86400"],
            stdout=subprocess.DEVNULL, stderr=open(self.log_path, "w"))
        for _ in range(100):
            if subprocess.run([self.efs_path(), "status"], capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        self.fs = self.json("create-fs", "--creation-token", "lifecycle", "--throughput-mode",
                            "elastic", "--wait")["FileSystemId"]
        subnet = self.json("describe-subnets")["Subnets"][0]["SubnetId"]
        mt = self.json("create-mount-target", "--file-system-id", self.fs, "--subnet-id", subnet,
                       "--wait")
        self.target = f"{mt['IpAddress']}:{mt['Port']}"
        self.mnt = os.path.join(work, "mnt")
        os.makedirs(self.mnt)
        self.json("mount", self.fs, self.mnt)

    def efs_path(self):
        return os.path.join(self.bin, "efs")

    def json(self, *args):
        out = subprocess.run([self.efs_path(), "--output", "json", *args], capture_output=True,
                             text=True)
        if out.returncode != 0:
            raise RuntimeError(f"efs {' '.join(args)}: {out.stderr.strip()}")
        return json.loads(out.stdout) if out.stdout.strip() else {}

    def advance(self, days):
        self.json("debug", "advance-clock", "--days", str(days))

    def policy(self, after):
        self.json("set-lifecycle", "--file-system-id", self.fs, "--transition-to-ia", after,
                  "--transition-to-primary-storage-class", "AFTER_1_ACCESS")

    def passes(self):
        """The mover's passes so far, from its log: (files, bytes, seconds)."""
        pattern = re.compile(r"moved (\d+) files \((\d+) bytes\).* in ([0-9.e+-]+) s")
        with open(self.log_path) as f:
            return [tuple(float(x) for x in m.groups()) for m in pattern.finditer(f.read())]

    def wait_pass(self, before, seconds=600):
        """Waits for the pass after the `before` passes already logged; returns it."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            done = self.passes()
            if len(done) > before:
                return done[before]
            time.sleep(0.05)
        raise RuntimeError("the mover logged no pass")

    def stop(self):
        subprocess.run([self.efs_path(), "umount", self.mnt], capture_output=True)
        self.proc.terminate()
        self.proc.wait(timeout=30)


def write_files(directory, count, size, make):
    os.makedirs(directory, exist_ok=True)
    for i in range(count):
        with open(os.path.join(directory, f"f{i}"), "wb") as f:
            f.write(make(size, i))


def random_bytes(size, _):
    return os.urandom(size)


def text_bytes(size, i):
    line = f"file {i}: the same line again, as logs and CSV exports are\n".encode()
    return (line * (size // len(line) + 1))[:size]


def drop_caches():
    subprocess.run(["sync"])
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")


def first_byte_ms(path):
    drop_caches()
    start = time.perf_counter()
    with open(path, "rb") as f:
        f.read(4096)
    return (time.perf_counter() - start) * 1000


def seq_read(efsd, duration, clients):
    out = subprocess.run([efsd.efs_path(), "bench", "--output", "json", "--target",
                          efsd.target + "/", "--workload", "seq-read", "--clients", str(clients),
                          "--duration", duration], capture_output=True, text=True, check=True)
    return round(json.loads(out.stdout)["MiBPerSecond"], 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default="build/bin")
    parser.add_argument("--small", type=int, default=2000, help="64 KiB files to move")
    parser.add_argument("--large-mib", type=int, default=2048, help="MiB of 64 MiB files")
    parser.add_argument("--duration", default="10s", help="each seq-read run")
    parser.add_argument("--clients", type=int, default=4, help="seq-read clients")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="efs-lifecycle-", dir="/var/tmp")
    efsd = Efsd(os.path.abspath(args.bin), work)
    figures = {"Machine": machine()}
    try:
        large = args.large_mib // 64
        # Ages: small files 26 days, random large 10, text large 2; each policy below makes
        # one set idle enough, so each pass moves one set.
        write_files(os.path.join(efsd.mnt, "small"), args.small, 64 * 1024, random_bytes)
        efsd.advance(16)
        write_files(os.path.join(efsd.mnt, "random"), large, 64 * MIB, random_bytes)
        efsd.advance(8)
        write_files(os.path.join(efsd.mnt, "text"), large, 64 * MIB, text_bytes)
        write_files(os.path.join(efsd.mnt, "probe"), 3, 256 * MIB, random_bytes)
        efsd.advance(2)
        passes = []
        for after in ("AFTER_14_DAYS", "AFTER_7_DAYS", "AFTER_1_DAY"):
            before = len(efsd.passes())
            efsd.policy(after)
            passes.append(efsd.wait_pass(before))
        for name, (files, size, seconds) in zip(
                ("64 KiB random", "64 MiB random", "64 MiB text (and 3 x 256 MiB random)"),
                passes):
            figures[f"Move {name}"] = {"Files": int(files), "MiB": round(size / MIB, 1),
                                       "Seconds": round(seconds, 2),
                                       "FilesPerSecond": round(files / seconds, 1),
                                       "MiBPerSecond": round(size / MIB / seconds, 1)}

        # First byte of a cold file, through the mount, page cache dropped: Standard, IA read
        # in place (over 8 MiB), IA brought back first (up to 8 MiB).
        efsd.advance(2)
        efsd.json("debug", "run-lifecycle", "--file-system-id", efsd.fs)
        probe = os.path.join(efsd.mnt, "probe")
        figures["First byte, ms"] = {
            "IA, 64 KiB, brought back first": round(statistics.median(
                first_byte_ms(os.path.join(efsd.mnt, "small", f"f{i}")) for i in range(5)), 1),
            "IA, 256 MiB, read in place": round(statistics.median(
                first_byte_ms(os.path.join(probe, f"f{i}")) for i in range(3)), 1),
            "Standard, 64 KiB (the same files, now back)": round(statistics.median(
                first_byte_ms(os.path.join(efsd.mnt, "small", f"f{i}")) for i in range(5)), 1),
        }

        # Client reads with and without the mover: efs bench seq-read while a pass moves
        # --large-mib of fresh random files.
        quiet = seq_read(efsd, args.duration, args.clients)
        write_files(os.path.join(efsd.mnt, "busy"), large, 64 * MIB, random_bytes)
        before = len(efsd.passes())
        efsd.advance(2)  # wakes the mover: the busy files are idle now
        busy = seq_read(efsd, args.duration, args.clients)
        moving = efsd.wait_pass(before)
        quiet_after = seq_read(efsd, args.duration, args.clients)
        figures["seq-read MiB/s"] = {"without the mover": quiet,
                                     "while the mover ran": busy,
                                     "without the mover, after": quiet_after,
                                     "the pass meanwhile": {"Files": int(moving[0]),
                                                            "MiB": round(moving[1] / MIB, 1),
                                                            "Seconds": round(moving[2], 2)}}
    finally:
        efsd.stop()
        shutil.rmtree(work, ignore_errors=True)

    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"Machine: {figures.pop('Machine')}\n")
    for key, value in figures.items():
        print(f"- {key}: {json.dumps(value)}")


if __name__ == "__main__":
    main()
