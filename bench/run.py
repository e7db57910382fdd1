"""Benchmark Pastid under gunicorn on SQLite and PostgreSQL and print the figures.

    .venv/bin/python bench/run.py [--backends sqlite,postgresql] [--seconds 10]

For each backend the script seeds a scratch database (see bench/dataset.py), starts
gunicorn on 127.0.0.1 with two sync workers, and loads each endpoint with wrk for a
fixed time, beside the bare /bench/ endpoints of pastid/bench.py on the same server:

- hello (no database) and insert (one committed row) are the ceilings of the stack;
- the availability API for one day and for 60 days, compared with hello;
- the final booking POST, replaying sessions prepared through the real flow, compared
  with insert;
- check-in and the KPI dashboard, compared with hello, when those pages exist;
- a rush of 300 clients for 30 free times, counting bookings and server errors;
- list_free_slots for 60 days in-process, and the peak RSS of each worker.

Rate limits stay on, with limits no run reaches, and count in Redis as in a production
with several workers (memory:// when Redis does not respond). The proof of work has
cost 1. Nothing is sent to any host but 127.0.0.1. The scratch databases are dropped at
the end unless --keep is given.
"""

import argparse
import os
import secrets
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import dataset, load, report, scenarios  # noqa: E402
from bench.server import (  # noqa: E402
    Gunicorn, app_with_overrides, bench_environment, delete_redis_keys, redis_reachable,
)

DEFAULT_POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379"
RUSH_CLIENTS = 300
# The servers run with the default TIMEZONE setting.
TIMEZONE = "Europe/Copenhagen"


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql (default: both)")
    parser.add_argument("--postgresql-url", default=os.environ.get(
        "BENCH_POSTGRESQL_URL", DEFAULT_POSTGRESQL_URL),
        help="scratch PostgreSQL database, dropped and created again "
             f"(default: {DEFAULT_POSTGRESQL_URL})")
    parser.add_argument("--seconds", type=int, default=10,
                        help="duration of each wrk run in seconds (default: 10)")
    parser.add_argument("--connections", type=int, default=8,
                        help="wrk connections kept open at once (default: 8)")
    parser.add_argument("--workers", type=int, default=2,
                        help="gunicorn sync workers (default: 2)")
    parser.add_argument("--ratelimit-storage", default=DEFAULT_REDIS_URL,
                        help="RATELIMIT_STORAGE_URI of the servers; memory:// when this Redis "
                             f"does not answer (default: {DEFAULT_REDIS_URL})")
    parser.add_argument("--keep", action="store_true",
                        help="keep the scratch databases and logs for inspection")
    return parser.parse_args(argv)


def seed_database(url, label, log):
    """Migrate and seed url; return the DataSet and the in-process availability timings."""
    from pastid import create_app
    from pastid.extensions import db
    from pastid.timeutil import local_today, now_utc, zone

    log(f"{label}: migrating")
    dataset.migrate(url)
    app = create_app({"DATABASE_URL": url, "SQLALCHEMY_DATABASE_URI": url,
                      "SECRET_KEY": "bench-seeding"})
    log(f"{label}: seeding")
    with app.app_context():
        data = dataset.seed(app)
    log(f"{label}: timing list_free_slots in-process")
    tz = zone(TIMEZONE)
    today = local_today(tz, now_utc())
    timings = {1: scenarios.time_free_slots(app, busiest_day(data.free_slots, tz), 1),
               60: scenarios.time_free_slots(app, today, 60)}
    with app.app_context():
        db.engine.dispose()
    return data, timings


def busiest_day(free_slots, tz):
    counts = {}
    for _, start in free_slots:
        day = start.astimezone(tz).date()
        counts[day] = counts.get(day, 0) + 1
    return max(counts, key=lambda day: (counts[day], day))


def measure(server, data, args, scratch, log):
    """Run every load against server; return (results, extra figures)."""
    from pastid.timeutil import local_today, now_utc, zone

    tz = zone(TIMEZONE)
    results = {}

    def run(name, path, **options):
        server.wait_until_idle()
        log(f"  wrk: {name}")
        load_before = os.getloadavg()[0]
        cpu_before = server.worker_cpu_seconds()
        options.setdefault("seconds", args.seconds)
        options.setdefault("connections", args.connections)
        result = load.run_wrk(name, server.url + path, **options)
        server.wait_until_idle()
        result.load_before = load_before
        result.cpu_ms = (server.worker_cpu_seconds() - cpu_before) * 1000 / max(
            result.requests, 1)
        result.rss_after_mb = max(server.worker_peak_rss_mb())
        results[name] = result
        return result

    run("hello", "/bench/hello")
    run("read", f"/bench/read?id={data.bench_row_id}")
    insert = run("insert", "/bench/insert", method="POST")

    today = local_today(tz, now_utc())
    one_day = busiest_day(data.free_slots, tz)
    run("availability, 1 day",
        f"/api/v1/availability?from={one_day.isoformat()}&to={one_day.isoformat()}")
    last_day = today + timedelta(days=59)
    run("availability, 60 days",
        f"/api/v1/availability?from={today.isoformat()}&to={last_day.isoformat()}")

    log("  preparing booking sessions through the flow")
    lines = scenarios.prepare_booking_requests(server.url, data.free_slots, tz)
    extras = {"prepared_sessions": len(lines), "one_day": one_day}
    run_booking_posts(run, lines, scratch, args.seconds, insert.rate)
    measure_staff_pages(server, scratch, run, extras)
    run("hello (again)", "/bench/hello")

    server.wait_until_idle()
    log(f"  rush: {RUSH_CLIENTS} clients for the free times of {data.rush_day}")
    extras["rush"] = scenarios.run_rush(server.url, data.rush_day, clients=RUSH_CLIENTS)
    extras["rss"] = server.worker_peak_rss_mb()
    return results, extras


def run_booking_posts(run, lines, scratch, seconds, insert_rate):
    """Replay the prepared confirm POSTs: a one-second pilot, then a run the rest can fill.

    Every session books once, so the main run must end before the sessions run out. Its
    length comes from the pilot's rate, or from the insert ceiling's if the pilot ran out.
    """
    pilot_count = max(1, len(lines) // 5)
    pilot_file = scratch / "booking-pilot.tsv"
    main_file = scratch / "booking-requests.tsv"
    pilot_file.write_text("\n".join(lines[:pilot_count]) + "\n")
    main_file.write_text("\n".join(lines[pilot_count:]) + "\n")
    pilot = run("booking POST (pilot)", "/bestil/bekraeft", requests_file=pilot_file, seconds=1)
    rate = insert_rate if pilot.exhausted else pilot.rate
    main_seconds = max(2, min(seconds, int(0.8 * (len(lines) - pilot_count) / max(rate, 1))))
    run("booking POST", "/bestil/bekraeft", requests_file=main_file, seconds=main_seconds)


def measure_staff_pages(server, scratch, run, extras):
    """Measure check-in and the KPI dashboard where the application has them."""
    from pastid.timeutil import zone

    routes = scenarios.staff_routes(server.url)
    if routes.checkin:
        codes, real = scenarios.checkin_codes(server.environment["DATABASE_URL"], zone(TIMEZONE))
        extras["checkin_real"] = real
        extras["checkin_codes"] = len(codes)
        requests_file = scratch / "checkin-requests.tsv"
        scenarios.prepare_checkin_requests(server.url, codes, requests_file)
        run("check-in POST", "/personale/ankomst", requests_file=requests_file, cycle=True)
    else:
        extras.setdefault("notes", []).append("check-in: the page does not exist yet")
    if routes.dashboard:
        cookie = {"Cookie": scenarios.staff_browser(server.url, "chief").cookie_header()}
        run("KPI dashboard", "/personale/kpi", headers=cookie)
        # One chief at a time is how the dashboard is used; its p95 target applies here.
        run("KPI dashboard, 1 client", "/personale/kpi", headers=cookie, connections=1)
    else:
        extras.setdefault("notes", []).append("KPI dashboard: the page does not exist yet")


def run_backend(label, url, args, scratch, log):
    from pastid.timeutil import zone

    data, timings = seed_database(url, label, log)
    environment = bench_environment(url, secrets.token_hex(32), scratch / f"outbox-{label}")
    key_prefix = f"pastid-bench-{secrets.token_hex(6)}"
    environment["RATELIMIT_STORAGE_URI"] = args.storage
    server = Gunicorn(environment, scratch / f"gunicorn-{label}.log", workers=args.workers,
                      app=app_with_overrides({"RATELIMIT_KEY_PREFIX": key_prefix}))
    log(f"{label}: serving on {server.url}, rate limits in {args.storage}")
    try:
        with server:
            results, extras = measure(server, data, args, scratch, log)
    finally:
        if args.storage.startswith("redis"):
            delete_redis_keys(args.storage, key_prefix)
    extras["checks"] = scenarios.check_database(url, data.rush_day, zone(TIMEZONE))
    return data, timings, results, extras


def main(argv=None):
    args = parse_arguments(argv)
    load.wrk_path()  # Fail before seeding when wrk is missing.
    args.storage = args.ratelimit_storage
    if args.storage.startswith("redis") and not redis_reachable(args.storage):
        print(f"Redis at {args.storage} does not respond; rate limits count in memory://",
              file=sys.stderr)
        args.storage = "memory://"

    def log(message):
        print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)

    scratch = Path(tempfile.mkdtemp(prefix="pastid-bench-"))
    backends = {}
    try:
        for label in args.backends.split(","):
            if label == "sqlite":
                url = dataset.create_sqlite_database(scratch)
            elif label == "postgresql":
                try:
                    url = dataset.create_postgresql_database(args.postgresql_url)
                except sqlalchemy.exc.OperationalError as error:
                    raise SystemExit(
                        f"PostgreSQL for {args.postgresql_url} is not reachable: {error.orig}\n"
                        "Start it, set --postgresql-url, or run --backends sqlite.") from None
            else:
                raise SystemExit(f"unknown backend {label!r}; use sqlite or postgresql")
            try:
                backends[label] = run_backend(label, url, args, scratch, log)
            finally:
                if label == "postgresql" and not args.keep:
                    dataset.drop_postgresql_database(url)
    finally:
        if args.keep:
            log(f"kept scratch files in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print(report.render(backends, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
