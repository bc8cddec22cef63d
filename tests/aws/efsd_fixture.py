"""A real efsd for the Python tests of tests/aws.

Efsd(BIN_DIR) starts build/bin/efsd with the loopback network backend (mount targets get
addresses in 127.0.0.0/8), free 127.0.0.1 ports for NFS, --http-listen and --metrics-listen
(metrics_port), and a temporary state directory; efs() runs `efs` against its socket and
returns the JSON it prints; stop() stops it and removes the directory. check() prints a check's outcome and keeps the failures in
FAILURES.
"""
import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

FAILURES = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    if not ok:
        FAILURES.append(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Efsd:
    def __init__(self, bin_dir, prefix="efs-aws-"):
        self.bin = bin_dir
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.sock = os.path.join(self.dir, "efsd.sock")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.metrics_port = free_port()
        self.log = open(os.path.join(self.dir, "efsd.log"), "w")
        self.proc = subprocess.Popen(
            [f"{bin_dir}/efsd", "--state-dir", f"{self.dir}/state", "--socket", self.sock,
             "--network-backend", "loopback", "--nfs-port", str(free_port()),
             "--http-listen", f"127.0.0.1:{self.port}",
             "--metrics-listen", f"127.0.0.1:{self.metrics_port}"],
            stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(200):  # 10 s
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                if os.path.exists(self.sock):
                    return
            time.sleep(0.05)
        self.stop(show_log=True)
        raise RuntimeError("efsd did not start")

    def efs(self, *args):
        out = subprocess.run([f"{self.bin}/efs", "--socket", self.sock, "--output", "json", *args],
                             capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise RuntimeError(f"efs {' '.join(args)}: {out.stderr}")
        return json.loads(out.stdout) if out.stdout.strip() else {}

    def stop(self, show_log=False):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        if show_log:
            with open(self.log.name) as f:
                print("efsd's log:\n" + f.read()[-3000:])
        shutil.rmtree(self.dir, ignore_errors=True)
