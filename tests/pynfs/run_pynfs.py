#!/usr/bin/env python3
"""pynfs, the NFSv4 server conformance suite, against a real efsd.

Starts efsd (loopback backend, short lease) on a temporary state directory, makes a file system
with a mount target, runs every pynfs test of one minor version (4.1 or 4.0) against it, and
compares the failures with the expected ones in this directory (expected-4.1.txt,
expected-4.0.txt: each a test code and the EFS rule that makes it expected). Any other failure
fails this test, and so does an expected one that now passes (the list must stay true).

pynfs is not part of the project: it is looked for in $EFS_PYNFS_DIR, else in
../shared/tools/pynfs beside the repository (where this project's CI keeps it). Where it is absent the test says so and exits 77,
which CTest reports as skipped. It needs Debian's /usr/bin/python3 with python3-ply and
python3-setuptools (scripts/install-deps installs them).

Usage: run_pynfs.py --bin BUILD/bin --version 4.1|4.0 [--keep DIR] [TEST_CODES...]
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SKIP = 77
# A short lease makes the suite's many waits for a lease to expire short (README.efs.md of
# pynfs: 90 s leases take 4.1 to about 6.5 min and 4.0 to about 20).
LEASE_SECONDS = 10


def find_pynfs():
    explicit = os.environ.get("EFS_PYNFS_DIR")
    if explicit:
        return explicit if os.path.isdir(explicit) else None
    beside = os.path.join(os.path.dirname(REPO), "shared", "tools", "pynfs")
    return beside if os.path.isdir(beside) else None


def prepare(source, work):
    """A writable copy of pynfs with its symbolic links and generated XDR code in place.

    Some copies carry each symbolic link as a small file holding its target (a checkout that
    kept no links); those are made links again. The XDR code is generated when missing.
    """
    tree = os.path.join(work, "pynfs")
    shutil.copytree(source, tree, symlinks=True)
    for root, dirs, files in os.walk(tree):
        for name in files + dirs:
            path = os.path.join(root, name)
            if os.path.islink(path) or not os.path.isfile(path) or os.path.getsize(path) > 200:
                continue
            with open(path, "rb") as f:
                text = f.read().decode("utf-8", "replace").strip()
            if text.startswith("../") and "\n" not in text and \
                    os.path.exists(os.path.join(root, text)):
                os.chmod(path, 0o644)
                os.remove(path)
                os.symlink(text, path)
    for root, _, files in os.walk(tree):
        os.chmod(root, 0o755)
        for name in files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, os.stat(path).st_mode | 0o200)
    if not os.path.exists(os.path.join(tree, "rpc", "rpc_pack.py")):
        env = dict(os.environ, PATH="/usr/bin:" + os.environ.get("PATH", ""))
        build = subprocess.run(["/usr/bin/python3", "setup.py", "build"], cwd=tree, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
        if not os.path.exists(os.path.join(tree, "rpc", "rpc_pack.py")):
            sys.stdout.write(build.stdout.decode("utf-8", "replace")[-3000:])
            raise SystemExit("pynfs: generating its XDR code failed")
    return tree


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Efsd:
    """efsd on a temporary state directory, stopped (and its children with it) on close."""

    def __init__(self, bin_dir, work):
        self.bin_dir = bin_dir
        self.work = work
        self.socket = os.path.join(work, "efsd.sock")
        self.log = open(os.path.join(work, "efsd.log"), "wb")
        self.port = free_port()
        self.proc = subprocess.Popen(
            [os.path.join(bin_dir, "efsd"), "--state-dir", os.path.join(work, "state"),
             "--socket", self.socket, "--network-backend", "loopback",
             "--nfs-port", str(self.port), "--lease-time", str(LEASE_SECONDS)],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        for _ in range(100):
            if self.efs("status", check=False).returncode == 0:
                return
            time.sleep(0.1)
        self.close()
        raise SystemExit("efsd did not answer; its log is " + self.log.name)

    def efs(self, *args, check=True):
        r = subprocess.run([os.path.join(self.bin_dir, "efs"), "--socket", self.socket] +
                           list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=120)
        if check and r.returncode != 0:
            raise SystemExit("efs %s: %s" % (" ".join(args), r.stderr.decode()))
        return r

    def efs_json(self, *args):
        return json.loads(self.efs(*args).stdout)

    def close(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def load_expected(version):
    """{code: reason} from expected-VERSION.txt: `CODE  reason`, # comments."""
    expected = {}
    with open(os.path.join(HERE, "expected-%s.txt" % version)) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                code, _, reason = line.partition(" ")
                expected[code] = reason.strip()
    return expected


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True, help="the directory of efs and efsd")
    ap.add_argument("--version", required=True, choices=["4.1", "4.0"])
    ap.add_argument("--keep", help="keep efsd's log and pynfs's results in this directory")
    ap.add_argument("codes", nargs="*", help="run only these tests (with their dependencies)")
    args = ap.parse_args()

    source = find_pynfs()
    if source is None:
        print("SKIPPED: pynfs is not here (set EFS_PYNFS_DIR, or put it at "
              "../shared/tools/pynfs beside the repository); no conformance test ran")
        return SKIP
    if subprocess.run(["/usr/bin/python3", "-c", "import ply"],
                      stderr=subprocess.DEVNULL).returncode != 0:
        raise SystemExit("pynfs needs Debian's python3-ply (scripts/install-deps installs it)")

    work = tempfile.mkdtemp(prefix="efs-pynfs-")
    efsd = None
    try:
        tree = prepare(source, work)
        efsd = Efsd(os.path.abspath(args.bin), work)
        fs = efsd.efs_json("create-fs", "--creation-token", "pynfs", "--wait")["FileSystemId"]
        subnet = efsd.efs_json("describe-subnets")["Subnets"][0]["SubnetId"]
        ip = efsd.efs_json("create-mount-target", "--file-system-id", fs, "--subnet-id", subnet,
                           "--wait")["IpAddress"]
        out = os.path.join(work, "results.json")
        suite = os.path.join(tree, "nfs4.1" if args.version == "4.1" else "nfs4.0")
        cmd = ["/usr/bin/python3", "./testserver.py", "%s:%d/pynfs" % (ip, efsd.port),
               "--json=" + out]
        if args.version == "4.1":
            cmd.append("--minorversion=1")
        cmd += ["--maketree", "--rundeps"] + (args.codes or ["all"])
        started = time.time()
        env = dict(os.environ, PATH="/usr/bin:" + os.environ.get("PATH", ""))
        with open(os.path.join(work, "pynfs.log"), "wb") as log:
            run = subprocess.run(cmd, cwd=suite, env=env, stdout=log, stderr=subprocess.STDOUT,
                                 timeout=1800)
        took = time.time() - started
        if not os.path.exists(out):
            with open(os.path.join(work, "pynfs.log")) as log:
                sys.stdout.write(log.read()[-4000:])
            raise SystemExit("pynfs wrote no results (exit status %d)" % run.returncode)
        with open(out) as f:
            cases = json.load(f)["testcase"]
        return report(args, cases, took)
    finally:
        if efsd:
            efsd.close()
        if args.keep:
            shutil.rmtree(args.keep, ignore_errors=True)
            shutil.copytree(work, args.keep, symlinks=True,
                            ignore=shutil.ignore_patterns("pynfs", "state"))
        shutil.rmtree(work, ignore_errors=True)


def report(args, cases, took):
    expected = load_expected(args.version)
    counts = {}
    failed = {}
    for case in cases:
        if "failure" in case:
            result = "FAIL"
            failed[case["code"]] = (case.get("name", ""), case["failure"].get("message") or "")
        elif "skipped" in case:
            result = "SKIP"
        else:
            result = "PASS"
        counts[result] = counts.get(result, 0) + 1
    ran = {case["code"] for case in cases}
    unexpected = sorted(code for code in failed if code not in expected)
    now_pass = sorted(code for code in expected if code in ran and code not in failed)
    print("pynfs NFSv%s: %d tests in %.0f s: %d passed, %d failed (%d expected), %d skipped" %
          (args.version, len(cases), took, counts.get("PASS", 0), counts.get("FAIL", 0),
           len(failed) - len(unexpected), counts.get("SKIP", 0)))
    for code in sorted(failed):
        mark = "expected" if code in expected else "UNEXPECTED"
        name, message = failed[code]
        print("  %-10s %-10s %s: %s" % (mark, code, name, message.strip().splitlines()[0][:160]
                                        if message.strip() else ""))
        if code in expected:
            print("  %-10s %-10s because %s" % ("", "", expected[code]))
    for code in now_pass:
        print("  NOW PASSES %-10s take it off expected-%s.txt" % (code, args.version))
    if unexpected or now_pass:
        print("FAILED: %d unexpected failures, %d expected failures that pass" %
              (len(unexpected), len(now_pass)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
