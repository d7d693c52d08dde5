"""Fixtures of the console's browser tests: a local 3-node cluster on free ports (cluster/local
and cluster/seed, in a directory of its own), and headless Debian Chromium driven by Selenium.

Everything started here is stopped here, by PID (cluster/local down stops the nodes it
recorded), also when a test fails. Every wait is bounded.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHOTS = os.environ.get("CONSOLE_SCREENSHOTS") or os.path.join(ROOT, "artifacts", "console-screenshots")
WAIT = 20  # seconds: the longest any one condition is waited for


def _stop_on_sigterm(signum, frame):
    """SIGTERM (a CI runner's timeout) unwinds like Ctrl-C: the fixtures' `finally` blocks stop
    the cluster and the browser by PID, instead of the process dying with them still running."""
    raise SystemExit(f"stopped by signal {signum}")


signal.signal(signal.SIGTERM, _stop_on_sigterm)


def free_base_port():
    """A base port B with B..B+2 (HTTP) and B+1000..B+1002 (peers) free on 127.0.0.1."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + 1002 > 65535:
            continue
        ports = [base + i for i in range(3)] + [base + 1000 + i for i in range(3)]
        try:
            sockets = []
            for port in ports:
                s = socket.socket()
                s.bind(("127.0.0.1", port))
                sockets.append(s)
            for s in sockets:
                s.close()
            return base
        except OSError:
            for s in sockets:
                s.close()
    raise RuntimeError("no free ports for a 3-node cluster")


class Cluster:
    """A running local cluster: node URLs, the seed's tokens and keys, and API calls."""

    def __init__(self, base, seed, admin_token):
        self.base = base
        self.seed = seed
        self.admin_token = admin_token

    def url(self, node, path=""):
        return f"http://127.0.0.1:{self.base + node - 1}{path}"

    def token(self, who):
        return self.admin_token if who == "admin" else self.seed[who]["token"]

    def call(self, node, method, path, body=None, headers=None):
        """(status, JSON answer); a refused connection or a 503 is asked again, bounded."""
        deadline = time.monotonic() + WAIT
        while True:
            request = urllib.request.Request(
                self.url(node, path), method=method, headers={"Content-Type": "application/json", **(headers or {})},
                data=None if body is None else json.dumps(body).encode())
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:
                    return answer.status, json.loads(answer.read() or b"{}")
            except urllib.error.HTTPError as error:
                if error.code != 503 or time.monotonic() > deadline:
                    return error.code, json.loads(error.read() or b"{}")
            except (urllib.error.URLError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.2)

    def decide(self, node, request_id, tool, params):
        """The agent sales_assistant asks for a decision (its fixed dev key)."""
        key = next(a["api_key"] for a in self.seed["agents"] if a["agent_id"] == "sales_assistant")
        return self.call(node, "POST", "/v1/decisions", {"tool": tool, "params": params},
                         {"X-Agent-Key": key, "Idempotency-Key": request_id})


@pytest.fixture(scope="session")
def cluster():
    binary = os.environ.get("SANDBOXD") or os.path.join(ROOT, ".build", "debug", "sandboxd")
    if not os.access(binary, os.X_OK):
        pytest.fail(f"no sandboxd at {binary}: run `swift build --product sandboxd` first")
    directory = tempfile.mkdtemp(prefix="console-cluster-")
    env = dict(os.environ, CLUSTER_LOCAL_ROOT=directory)
    local = os.path.join(ROOT, "cluster", "local")
    base = free_base_port()
    try:
        subprocess.run([local, "up", "--base-port", str(base), "--binary", binary], env=env, check=True,
                       cwd=ROOT, stdout=subprocess.DEVNULL, timeout=60)
        subprocess.run([local, "ready", "60"], env=env, check=True, cwd=ROOT, timeout=90)
        seed_file = os.path.join(directory, "seed.json")
        subprocess.run([os.path.join(ROOT, "cluster", "seed"), "--url", f"http://127.0.0.1:{base}",
                        "--out", seed_file, "--quiet"], env=env, check=True, cwd=ROOT, timeout=120)
        with open(seed_file) as f:
            seed = json.load(f)
        with open(os.path.join(directory, "admin-token")) as f:
            admin = f.read().strip()
        yield Cluster(base, seed, admin)
    finally:
        subprocess.run([local, "down"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, timeout=60)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's, with its chromedriver: nothing is downloaded)."""
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--force-device-scale-factor=1"]:
        options.add_argument(argument)
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(WAIT)
    os.makedirs(SHOTS, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()  # stops chromedriver and its browser (their PIDs are the service's)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, the browser's page as it was: a screenshot and its HTML beside the others."""
    outcome = yield
    report = outcome.get_result()
    driver = item.funcargs.get("browser")
    if report.when == "call" and report.failed and driver is not None:
        driver.save_screenshot(os.path.join(SHOTS, f"FAILED-{item.name}.png"))
        with open(os.path.join(SHOTS, f"FAILED-{item.name}.html"), "w") as f:
            f.write(driver.page_source)
