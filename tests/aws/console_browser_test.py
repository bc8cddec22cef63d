#!/usr/bin/python3
"""The web console in headless Chromium, driven as a user would drive it.

Starts an efsd (efsd_fixture.py) and makes, through the HTTP API with boto3, a file system with
a Name tag and a mount target. Then Debian's chromium, headless and driven over the DevTools
protocol, loads http://127.0.0.1:PORT/, signs in by typing an access key into the form, and
the test checks that the file system's id and Name are listed; it selects it, runs `efs bench`
(a write workload) against its mount target, and checks that the Write throughput the page
shows beside its chart goes from 0 to more than 0. It creates a second file system with a
mount target through the console's form, and deletes it through the console: first as is
(the page must show FileSystemInUse), then with its mount targets, and checks with boto3 that
it is gone. Any console error fails the test: an exception, console.error or console.assert,
or a browser log entry of level error other than the one 409 the page was expected to show.

It saves a screenshot of the whole page as ARTIFACT_DIR/console.png and prints the page load's
figures: bytes transferred (with and without uPlot) and the DOMContentLoaded and load times.

Usage: console_browser_test.py BIN_DIR ARTIFACT_DIR   (exit 0: every check held)
"""
import base64
import contextlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
import botocore

from efsd_fixture import FAILURES, Efsd, check

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/bin"
ARTIFACTS = sys.argv[2] if len(sys.argv) > 2 else "build/test-artifacts"
CHROMIUM = "/usr/bin/chromium"
REGION = "local-1"
def wait(predicate, seconds, step=0.2):
    """predicate()'s first truthy value within `seconds`, else None."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


class Chromium:
    """A headless chromium with one page, spoken to over the DevTools protocol."""

    # Nothing but the page's own requests: no updates, no Google services, no names resolved.
    QUIET = ["--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-default-apps", "--disable-extensions", "--no-first-run", "--no-pings",
             "--no-default-browser-check", "--disable-domain-reliability",
             "--disable-client-side-phishing-detection", "--metrics-recording-only",
             "--disable-features=OptimizationHints,MediaRouter,Translate,"
             "AutofillServerCommunication,CertificateTransparencyComponentUpdater",
             "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]

    def __init__(self):
        import websocket  # python3-websocket
        self.dir = tempfile.mkdtemp(prefix="efs-chromium-")
        self.log = open(os.path.join(self.dir, "chromium.log"), "w")
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--remote-debugging-port=0", f"--user-data-dir={self.dir}/profile",
             "--window-size=1440,1000", *self.QUIET, "about:blank"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.next_id = 0
        self.events = []
        self.ws = None
        active = os.path.join(self.dir, "profile", "DevToolsActivePort")
        port = wait(lambda: os.path.exists(active) and open(active).read().split("\n")[0], 60)
        if not port:
            raise RuntimeError("chromium did not open its DevTools port; see " + self.log.name)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            page = next(t for t in json.load(r) if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30,
                                              suppress_origin=True)
        for domain in ("Runtime", "Log", "Network", "Page"):
            self.call(domain + ".enable")

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]
            if "method" in message:
                self.events.append(message)
        raise RuntimeError(f"{method}: no answer in 60 s")

    def pump(self):
        """Takes in the events sent so far."""
        self.call("Runtime.evaluate", expression="0")

    def js(self, expression):
        """The value of `expression` in the page (awaited if a promise)."""
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                      awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def until(self, expression, seconds, what):
        value = wait(lambda: self.js(expression), seconds, step=0.25)
        check(bool(value), what)
        return value

    # A user's actions: type into a field, choose an option, tick a box, click.
    def type(self, selector, text):
        self.js(f"(e => {{ e.focus(); e.value = {json.dumps(text)}; "
                f"e.dispatchEvent(new Event('input', {{bubbles: true}})); }})"
                f"(document.querySelector({json.dumps(selector)}))")

    def choose(self, selector, value):
        self.js(f"(e => {{ e.value = {json.dumps(value)}; "
                f"e.dispatchEvent(new Event('change', {{bubbles: true}})); }})"
                f"(document.querySelector({json.dumps(selector)}))")

    def click(self, selector):
        self.js(f"document.querySelector({json.dumps(selector)}).click()")

    def text(self, selector):
        return self.js(f"document.querySelector({json.dumps(selector)})?.textContent ?? ''")

    def screenshot(self, path):
        size = self.call("Page.getLayoutMetrics")["cssContentSize"]
        shot = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": size["width"],
                               "height": size["height"], "scale": 1})
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))

    def close(self, show_log=False):
        if self.ws:
            with contextlib.suppress(Exception):
                self.ws.close()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()
        if show_log:
            with open(self.log.name, errors="replace") as f:
                print("chromium's log:\n" + f.read()[-3000:])
        shutil.rmtree(self.dir, ignore_errors=True)


def load_page(browser, url):
    """Loads the console; prints and returns its bytes on the wire and its load times."""
    browser.call("Network.setCacheDisabled", cacheDisabled=True)
    browser.events.clear()
    browser.call("Page.navigate", url=url)
    loaded = wait(lambda: browser.pump() or
                  any(e["method"] == "Page.loadEventFired" for e in browser.events), 30)
    check(bool(loaded), "the console loads")
    timing = wait(lambda: browser.js(
        "(t => t && t.loadEventEnd > 0 && {dcl: t.domContentLoadedEventEnd, load: t.loadEventEnd})"
        "(performance.getEntriesByType('navigation')[0])"), 10)
    urls = {e["params"]["requestId"]: e["params"]["request"]["url"] for e in browser.events
            if e["method"] == "Network.requestWillBeSent"}
    sizes = {urls.get(e["params"]["requestId"], "?"): e["params"]["encodedDataLength"]
             for e in browser.events if e["method"] == "Network.loadingFinished"}
    total = sum(sizes.values())
    uplot = sum(n for u, n in sizes.items() if "/vendor/uplot/" in u)
    for u, n in sorted(sizes.items()):
        print(f"      {n:7d} bytes  {u}")
    print(f"figure: page load transferred {total} bytes in {len(sizes)} requests "
          f"({total - uplot} without uPlot's {uplot})")
    if timing:
        print(f"figure: DOMContentLoaded at {timing['dcl']:.0f} ms, load at {timing['load']:.0f} ms")
    check(len(sizes) == 5 and all(n > 0 for n in sizes.values()),
          "the page, its script and style and uPlot's, nothing else")
    check(total - uplot < 100_000, f"the console without uPlot is under 100 KB ({total - uplot})")
    return sizes, timing


def head_then_get(efsd):
    """A HEAD and a GET of / on one kept-alive connection: the HEAD must carry no body."""
    conn = http.client.HTTPConnection("127.0.0.1", efsd.port, timeout=10)
    try:
        conn.request("HEAD", "/")
        head = conn.getresponse()
        head.read()
        conn.request("GET", "/")
        get = conn.getresponse()
        body = get.read()
        check(head.status == 200 and get.status == 200 and
              head.getheader("Content-Length") == str(len(body)) and
              head.getheader("ETag") == get.getheader("ETag"),
              "HEAD / has GET's headers and no body (the next answer on the connection is whole)")
        check("script-src 'self'" in (get.getheader("Content-Security-Policy") or ""),
              "the page comes with its Content-Security-Policy")
    finally:
        conn.close()


def make_file_system(efsd, efs):
    """A file system with a Name tag and an available mount target, made with boto3."""
    fs = efs.create_file_system(CreationToken="console-test",
                                Tags=[{"Key": "Name", "Value": "console-test-data"}])
    fs_id = fs["FileSystemId"]
    wait(lambda: efs.describe_file_systems(FileSystemId=fs_id)["FileSystems"][0]
         ["LifeCycleState"] == "available", 30)
    subnet = efsd.efs("describe-subnets")["Subnets"][0]["SubnetId"]
    efs.create_mount_target(FileSystemId=fs_id, SubnetId=subnet)
    target = wait(lambda: next(
        (m for m in efsd.efs("describe-mount-targets", "--file-system-id", fs_id)["MountTargets"]
         if m["LifeCycleState"] == "available"), None), 30)
    check(target is not None, f"boto3 made {fs_id} with an available mount target")
    return fs_id, target


def sign_in(browser, efsd, key, expected):
    browser.until("!document.querySelector('#sign-in').hidden", 10, "the sign-in form is shown")
    browser.type("#key-id", key[0])
    browser.type("#key-secret", "not-" + key[1])
    browser.click("#sign-in-form button")
    browser.until("document.querySelector('#error').textContent.startsWith('SignatureDoesNotMatch')",
                  15, "a wrong secret is refused, and the page shows AWS's error code")
    expected.append((f"{efsd.url}/2015-02-01/file-systems", "403"))
    check(browser.js("sessionStorage.length === 0 && document.querySelector('#console').hidden"),
          "and stays signed out")
    browser.type("#key-secret", key[1])
    browser.click("#sign-in-form button")
    browser.until("!document.querySelector('#console').hidden", 15, "signing in shows the console")


def write_rate(browser):
    """The Write figure beside the throughput chart, in MiB/s (None if it shows none)."""
    text = browser.text("#latest-throughput")
    for part in text.split("·"):
        words = part.split()
        if len(words) == 3 and words[0] == "Write" and words[2] == "MiB/s":
            return float(words[1])
    return None


def watch_bench(browser, efsd, fs_id, target):
    browser.click(f"a[href='#{fs_id}']")
    browser.until("!document.querySelector('#detail').hidden", 15, "selecting it shows its detail")
    browser.until(f"document.querySelector('#mt-table').textContent.includes("
                  f"{json.dumps(target['MountTargetId'])})", 15, "its mount target is listed")
    check(browser.js("document.querySelectorAll('#charts canvas').length") >= 6,
          "the monitoring tab has its charts' canvases")
    idle = wait(lambda: write_rate(browser) is not None and write_rate(browser) == 0 and
                browser.js("document.querySelector('#latest-iops').textContent.includes('Write 0/s')"),
                20)
    check(bool(idle), f"before the bench the page shows no writes: {browser.text('#latest-throughput')}")
    bench = subprocess.Popen(
        [f"{BIN}/efs", "bench", "--target", f"{target['IpAddress']}:{target['Port']}",
         "--workload", "seq-write", "--duration", "15s", "--size", "64M", "--clients", "1",
         "--output", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        seen = []

        def busy():
            rate = write_rate(browser)
            seen.append(rate)
            return rate is not None and rate > 0
        wait(busy, 20, step=0.5)
        text = browser.text("#latest-throughput")
        check(any(r and r > 0 for r in seen), f"while efs bench writes, the page shows it: {text}")
        check(not browser.js("document.querySelector('#latest-iops').textContent"
                             ".includes('Write 0/s')"),
              f"and write IOPS: {browser.text('#latest-iops')}")
        out, err = bench.communicate(timeout=120)
    finally:
        if bench.poll() is None:
            os.killpg(bench.pid, signal.SIGKILL)
            bench.wait()
    result = json.loads(out) if bench.returncode == 0 and out.strip() else {}
    check(bench.returncode == 0 and result.get("Bytes", 0) > 0,
          f"efs bench wrote {result.get('MiBPerSecond', 0):.1f} MiB/s {err.strip()[-300:]}")


def create_through_console(browser, efs):
    browser.click("#create-open")
    browser.until("document.querySelector('#create-subnet').options.length > 1", 15,
                  "the create form lists the subnets (EC2 DescribeSubnets)")
    browser.type("#create-name", "made-in-console")
    browser.choose("#create-throughput", "bursting")
    subnet = browser.js("document.querySelector('#create-subnet').options[1].value")
    browser.choose("#create-subnet", subnet)
    browser.click("#create-submit")
    browser.until("document.querySelector('#fs-table').textContent.includes('made-in-console')",
                  15, "the console lists the file system it made")
    made = [f for f in efs.describe_file_systems()["FileSystems"] if f.get("Name") == "made-in-console"]
    check(len(made) == 1 and made[0]["ThroughputMode"] == "bursting",
          "boto3 sees it, with the throughput mode chosen")
    fs_id = made[0]["FileSystemId"] if made else ""
    has_target = wait(lambda: efs.describe_mount_targets(FileSystemId=fs_id)["MountTargets"], 60)
    check(bool(has_target) and has_target[0]["SubnetId"] == subnet,
          "and the mount target the form asked for")
    browser.until(f"location.hash === '#{fs_id}' && "
                  "document.querySelector('#mt-table tbody').rows.length === 1", 20,
                  "the console shows it selected, with its mount target")
    return fs_id


def delete_through_console(browser, efsd, efs, fs_id, expected):
    browser.click("#delete-open")
    browser.type("#delete-confirm", fs_id)
    browser.click("#delete-submit")
    shown = browser.until("document.querySelector('#delete-dialog .error').textContent"
                          ".startsWith('FileSystemInUse')", 15,
                          "deleting it with a mount target shows FileSystemInUse")
    if shown:
        print("      " + browser.text("#delete-dialog .error"))
        expected.append((f"{efsd.url}/2015-02-01/file-systems/{fs_id}", "409"))
    browser.click("#delete-mts")
    browser.click("#delete-submit")
    browser.until("!document.querySelector('#delete-dialog').open", 60,
                  "with 'delete its mount targets first' ticked, the console deletes it")

    def gone():
        try:
            return efs.describe_file_systems(FileSystemId=fs_id)["FileSystems"][0][
                "LifeCycleState"] == "deleted"
        except botocore.exceptions.ClientError as e:
            return e.response["Error"]["Code"] == "FileSystemNotFound"
    check(bool(wait(gone, 30)), f"boto3 finds {fs_id} gone")
    browser.until(f"!document.querySelector('#fs-table').textContent.includes('{fs_id}')", 20,
                  "and the console no longer lists it")


def console_errors(browser, expected):
    """The console errors seen, less Chrome's notes of the `expected` (url, status) answers that
    the page showed, each taken once."""
    browser.pump()
    errors = []
    for e in browser.events:
        p = e["params"]
        if e["method"] == "Runtime.exceptionThrown":
            errors.append(p["exceptionDetails"].get("exception", {}).get("description") or
                          p["exceptionDetails"]["text"])
        elif e["method"] == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
            errors.append(f"console.{p['type']}: {[a.get('value') for a in p['args']]}")
        elif e["method"] == "Log.entryAdded" and p["entry"]["level"] == "error":
            entry = p["entry"]
            shown = next((x for x in expected if entry.get("source") == "network" and
                          entry.get("url") == x[0] and f"status of {x[1]}" in entry["text"]), None)
            if shown:
                expected.remove(shown)
                print(f"      (shown by the page) {entry['text']} {entry['url']}")
                continue
            errors.append(f"log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}")
    return errors


def main():
    if not os.path.exists(CHROMIUM):
        print("FAIL: chromium not installed: run scripts/install-deps")
        return 1
    started = time.monotonic()
    os.makedirs(ARTIFACTS, exist_ok=True)
    efsd = Efsd(BIN, prefix="efs-console-")
    browser = None
    finished = False
    try:
        key = efsd.efs("create-access-key", "--user-name", "root")["AccessKey"]
        key = (key["AccessKeyId"], key["SecretAccessKey"])
        efs = boto3.client("efs", endpoint_url=efsd.url, region_name=REGION,
                           aws_access_key_id=key[0], aws_secret_access_key=key[1])
        fs_id, target = make_file_system(efsd, efs)
        head_then_get(efsd)
        browser = Chromium()
        load_page(browser, efsd.url + "/")
        expected = []  # the error answers the page is meant to get and show
        sign_in(browser, efsd, key, expected)
        browser.until(f"document.querySelector('#fs-table').textContent.includes('{fs_id}') && "
                      "document.querySelector('#fs-table').textContent.includes('console-test-data')",
                      15, "the file system boto3 made is listed with its id and Name")
        if target:
            watch_bench(browser, efsd, fs_id, target)
        browser.screenshot(os.path.join(ARTIFACTS, "console.png"))
        print(f"      screenshot: {os.path.join(ARTIFACTS, 'console.png')}")
        second = create_through_console(browser, efs)
        if second:
            delete_through_console(browser, efsd, efs, second, expected)
        errors = console_errors(browser, expected)
        for e in errors:
            print("      " + e)
        check(not errors, f"no console errors ({len(errors)})")
        browser.click("#sign-out")
        check(browser.js("sessionStorage.length === 0 && !document.querySelector('#sign-in').hidden"),
              "signing out forgets the key")
        finished = True
    finally:
        failed = bool(FAILURES) or not finished
        if browser:
            if failed:
                with contextlib.suppress(Exception):
                    browser.screenshot(os.path.join(ARTIFACTS, "console-failed.png"))
            browser.close(show_log=failed)
        efsd.stop(show_log=failed)
    print(f"figure: the test took {time.monotonic() - started:.1f} s")
    print(f"{len(FAILURES)} failed" if FAILURES else "all passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
