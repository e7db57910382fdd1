"""Benchmarks of Pastid under gunicorn: `make bench` runs bench/run.py."""
