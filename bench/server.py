"""Start and stop gunicorn serving Pastid on 127.0.0.1, and read its workers' memory."""

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
# Every limit far above what one benchmark run sends from its single client address,
# so that the limiter still does its bookkeeping on each request but never answers 429.
UNREACHABLE_LIMIT = "1000000 per minute"
RATE_LIMIT_SETTINGS = ("RATELIMIT_BOOKING", "RATELIMIT_MANAGE", "RATELIMIT_API",
                       "RATELIMIT_LOGIN", "RATELIMIT_SELF_CHECKIN")


def free_port():
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """A gunicorn master with its workers, started by start() and ended by stop()."""

    def __init__(self, environment, log_path, workers=2, worker_class="sync", app="wsgi:app",
                 timeout=60):
        """Prepare a server; app is gunicorn's APP_MODULE, see app_with_overrides."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.environment = environment
        self.log_path = Path(log_path)
        self.command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
            "--worker-class", worker_class, "--timeout", str(timeout),
            "--chdir", str(ROOT), app,
        ]
        self.process = None

    def start(self, wait_seconds=30):
        """Start the server and return once /healthz answers 200."""
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command, env={**os.environ, **self.environment}, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode} before "
                                   f"answering; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn on {self.url} did not answer /healthz within "
                           f"{wait_seconds} s; see {self.log_path}")

    def worker_pids(self):
        """Return the pids of the master's child processes, read from /proc."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # The process ended while the list was read.
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def worker_peak_rss_mb(self):
        """Return each worker's peak resident set size so far (VmHWM) in MB (10^6 bytes)."""
        peaks = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) * 1024 / 1e6)
        return peaks

    def worker_cpu_seconds(self):
        """Return the CPU time (user + system) all workers have used so far, in seconds."""
        ticks = 0
        for pid in self.worker_pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15
        return ticks / os.sysconf("SC_CLK_TCK")

    def wait_until_idle(self, timeout=300):
        """Return once a request to /bench/hello is answered.

        A sync worker takes queued connections in order, so the answer comes only after
        every request a finished load left in the listen queue.
        """
        with urllib.request.urlopen(self.url + "/bench/hello", timeout=timeout) as response:
            response.read()

    def stop(self):
        """Stop the master (which stops its workers) and wait for it to exit."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            logger.warning("gunicorn %s did not stop within 30 s; killing it", self.process.pid)
            self.process.kill()
            self.process.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


def app_with_overrides(overrides):
    """Return gunicorn's APP_MODULE calling create_app with these literal settings.

    For settings that create_app does not read from the environment, such as Flask-
    Limiter's RATELIMIT_KEY_PREFIX.
    """
    return f"pastid:create_app({overrides!r})"


def redis_reachable(uri, timeout=1.0):
    """Whether a Redis server answers PING at uri (redis://host:port[/db])."""
    import redis

    try:
        return redis.Redis.from_url(uri, socket_timeout=timeout).ping()
    except redis.RedisError:
        return False


def delete_redis_keys(uri, prefix):
    """Delete the keys under prefix (Flask-Limiter's key prefix); return how many."""
    import redis

    client = redis.Redis.from_url(uri)
    keys = list(client.scan_iter(match=f"*{prefix}*"))
    if keys:
        client.delete(*keys)
    return len(keys)


def bench_environment(database_url, secret_key, outbox_dir):
    """Return the settings of the server under test, as environment variables."""
    environment = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret_key,
        "BENCH_ENDPOINTS": "1",
        "MAIL_TRANSPORT": "outbox",
        "MAIL_OUTBOX_DIR": str(outbox_dir),
        # The cheapest proof of work, so that preparing a session costs the client little.
        # The server re-derives the key to verify, which costs about 1.3 ms more per
        # booking at the default cost of 5000 (measured in-process; see docs/benchmarks.md).
        "ALTCHA_COST": "1",
        "PASTID_ENV": "development",
    }
    environment.update({name: UNREACHABLE_LIMIT for name in RATE_LIMIT_SETTINGS})
    return environment
