"""Turn the figures of bench/run.py into the Markdown that docs/benchmarks.md records."""

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

# (measured row, reference row, minimum share of the reference's requests/s)
RATIO_TARGETS = {
    "availability, 1 day": ("hello", 0.30),
    "availability, 60 days": ("hello", None),
    "booking POST": ("insert", 0.40),
    "check-in POST": ("hello", None),
    "KPI dashboard": ("hello", None),
    "KPI dashboard, 1 client": ("hello", None),
    "booking POST (pilot)": ("insert", None),
    "read": ("hello", None),
    "insert": ("hello", None),
}
FREE_SLOTS_TARGET_MS = 15
DASHBOARD_P95_TARGET_MS = 100
RSS_TARGET_MB = 120
RUSH_FREE_SLOTS = 30


def cpu_model():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def _reference_rate(results, name):
    """Return the reference's requests/s; hello is the mean of its two runs."""
    if name == "hello" and "hello (again)" in results:
        return (results["hello"].rate + results["hello (again)"].rate) / 2
    return results[name].rate


def _ratio_cell(results, name):
    reference, minimum = RATIO_TARGETS.get(name, (None, None))
    if reference is None:
        return "", ""
    share = results[name].rate / _reference_rate(results, reference)
    verdict = ""
    if minimum is not None:
        verdict = f"≥ {minimum:.0%}: {'met' if share >= minimum else 'MISSED'}"
    if name == "KPI dashboard, 1 client":
        p95 = results[name].p95_ms
        verdict = (f"p95 < {DASHBOARD_P95_TARGET_MS} ms: "
                   f"{'met' if p95 < DASHBOARD_P95_TARGET_MS else 'MISSED'}")
    return f"{share:.0%} of {reference}", verdict


def _status_summary(result):
    return ", ".join(f"{status}: {count}" for status, count in sorted(result.statuses.items()))


def result_table(results):
    lines = [
        "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | compared with | target | "
        "statuses | CPU ms | load | RSS MB |",
        "|---|---:|---:|---:|---:|---:|---|---|---|---:|---:|---:|",
    ]
    for name, result in results.items():
        ratio, verdict = _ratio_cell(results, name)
        rate = f"{result.rate:,.0f}"
        if result.exhausted:
            rate += " (sessions ran out: lower bound)"
        lines.append(
            f"| {name} | {result.requests:,} | {rate} | {result.p50_ms:.1f} | "
            f"{result.p95_ms:.1f} | {result.p99_ms:.1f} | {ratio} | {verdict} | "
            f"{_status_summary(result)} | {result.cpu_ms:.2f} | {result.load_before:.1f} | "
            f"{result.rss_after_mb:.0f} |")
    return "\n".join(lines)


def _verdict(ok):
    return "met" if ok else "MISSED"


def backend_section(label, data, timings, results, extras):
    median_60, max_60, count_60 = timings[60]
    median_1, max_1, count_1 = timings[1]
    rss_mb = extras["rss"]
    rush = extras["rush"]
    checks = extras["checks"]
    lines = [
        f"### {label}",
        "",
        f"Data set: {data.bookings:,} bookings ({data.future_bookings:,} of them seeded in "
        f"the 60-day horizon), "
        + (f"{data.survey_answers:,} survey answers" if data.survey_answers is not None
           else "no survey answers (table missing)")
        + f"; {len(data.free_slots):,} free times outside the rush day, "
          f"{extras['prepared_sessions']:,} of them held in prepared booking sessions. "
          f"One day's availability was asked for {extras['one_day']}, the day with the "
          f"most free times.",
        "",
        result_table(results),
        "",
        f"- `list_free_slots` in-process, 60 days ({count_60:,} free times): median "
        f"{median_60:.1f} ms, max {max_60:.1f} ms of 50 calls; target < "
        f"{FREE_SLOTS_TARGET_MS} ms: {_verdict(median_60 < FREE_SLOTS_TARGET_MS)}. "
        f"One day, {extras['one_day']} ({count_1} free times): median {median_1:.2f} ms.",
        f"- Peak RSS per worker (VmHWM): {', '.join(f'{v:.1f} MB' for v in rss_mb)}; "
        f"target ≤ {RSS_TARGET_MB} MB: {_verdict(max(rss_mb) <= RSS_TARGET_MB)}.",
        f"- Rush: {rush.clients} clients for {RUSH_FREE_SLOTS} free times on "
        f"{data.rush_day} took {rush.seconds:.1f} s and {rush.requests:,} requests: "
        f"{rush.booked} bookings made, {rush.taken_answers} \"just booked\" answers, "
        f"{rush.gave_up} clients found the day full, {rush.server_errors} server errors, "
        f"{len(rush.other_errors)} client errors; target exactly {RUSH_FREE_SLOTS} "
        f"bookings and no server error: "
        f"{_verdict(rush.booked == RUSH_FREE_SLOTS and rush.server_errors == 0)}.",
        "- Database after the run: " + ", ".join(
            f"{name}: {value}" for name, value in checks.items()) + ".",
    ]
    if "checkin_codes" in extras:
        lines.append(
            f"- Check-in cycled through {extras['checkin_codes']} codes of today's bookings; "
            f"the first {extras['checkin_real']} checked a booking in, every later request "
            f"was answered \"already checked in\" (303 in both cases).")
    for note in extras.get("notes", []) + data.notes:
        lines.append(f"- Note: {note}.")
    for error in rush.other_errors[:5]:
        lines.append(f"- Rush client error: {error}")
    return "\n".join(lines)


def uname():
    return subprocess.run(["uname", "-a"], capture_output=True, text=True).stdout.strip()


def render(backends, args):
    header = [
        f"## Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"- Machine: {os.cpu_count()} cores, {cpu_model()}; `{uname()}`",
        f"- Command: `.venv/bin/python bench/run.py --backends {args.backends} "
        f"--seconds {args.seconds} --connections {args.connections} "
        f"--workers {args.workers}`",
        f"- Server: gunicorn, {args.workers} sync workers, on 127.0.0.1, rate limits in "
        f"{args.storage}; load: wrk 4.1, 1 thread, {args.connections} connections (1 where "
        f"the row says so), {args.seconds} s per row (the booking rows are shorter, so that "
        "every request takes a fresh session).",
        "",
    ]
    sections = [backend_section(label, *figures) for label, figures in backends.items()]
    return "\n".join(header) + "\n" + "\n\n".join(sections) + "\n"

