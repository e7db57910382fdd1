"""Run wrk against one URL and return its figures.

wrk (the Debian package, 4.1) is the load generator: it is written in C and spends far
less CPU per request than the server does, which matters on a two-core machine where
client and server share the cores. Its Lua script bench/wrk/measure.lua counts response
statuses, replays prepared POSTs and prints the figures as JSON.
"""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "wrk" / "measure.lua"
RESULT_PREFIX = "BENCH-RESULT "


class WrkMissing(RuntimeError):
    pass


@dataclass
class Result:
    """The figures of one wrk run; latencies in milliseconds."""

    name: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict = field(default_factory=dict)
    socket_errors: int = 0
    timeouts: int = 0
    exhausted: bool = False
    load_before: float | None = None  # 1-minute load average when the run started
    rss_after_mb: float | None = None  # largest worker peak RSS after the run
    cpu_ms: float | None = None  # worker CPU time per request, in milliseconds

    @property
    def rate(self):
        return self.requests / self.seconds if self.seconds else 0.0

    def count(self, predicate):
        return sum(n for status, n in self.statuses.items() if predicate(int(status)))

    @property
    def server_errors(self):
        return self.count(lambda status: status >= 500)


def wrk_path():
    path = shutil.which("wrk")
    if path is None:
        raise WrkMissing("wrk is not installed; install it with `apt-get install -y wrk` "
                         "(Debian package wrk 4.1)")
    return path


def run_wrk(name, url, *, seconds, connections, threads=1, requests_file=None, cycle=False,
            headers=None, method="GET"):
    """Load url for `seconds` with wrk and return a Result.

    With requests_file, wrk replays the prepared requests of that file (see measure.lua)
    against url's host instead of sending GETs to url: each once, or round and round
    with cycle. headers go with every request of the URL, sent with method.
    """
    command = [wrk_path(), f"--threads={threads}", f"--connections={connections}",
               f"--duration={seconds}s", "--timeout=30s", f"--script={SCRIPT}"]
    for header, value in (headers or {}).items():
        command += ["--header", f"{header}: {value}"]
    command += [url, "--", f"method={method}"]
    if requests_file is not None:
        command += [f"requests={requests_file}"] + (["cycle"] if cycle else [])
    completed = subprocess.run(
        command, capture_output=True, text=True, check=True,
        env={**os.environ, "BENCH_WRK_THREADS": str(threads)})
    lines = [line for line in completed.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if not lines:
        raise RuntimeError(f"wrk printed no result for {name}:\n{completed.stdout}\n"
                           f"{completed.stderr}")
    figures = json.loads(lines[-1][len(RESULT_PREFIX):])
    return Result(
        name=name, requests=figures["requests"], seconds=figures["duration_us"] / 1e6,
        p50_ms=figures["p50_us"] / 1000, p95_ms=figures["p95_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000, max_ms=figures["max_us"] / 1000,
        statuses=figures["statuses"], socket_errors=figures["socket_errors"],
        timeouts=figures["timeouts"], exhausted=figures["exhausted"])
