"""Command-line commands shared by the whole application: `flask --app wsgi seed demo`,
`flask --app wsgi jobs run` and `flask --app wsgi jobs run-due`.

Feature packages add their demo data by appending a function to
app.extensions["pastid.seeders"]; each returns the lines to print and commits its work.
They add scheduled work by appending pastid.scheduler.Job values to
app.extensions["pastid.jobs"].
"""

import click
from flask import current_app
from flask.cli import AppGroup

from pastid import scheduler

seed = AppGroup("seed", help="Load data into the database.")
jobs = AppGroup("jobs", help="Run the scheduled work: reminders, surveys, no-shows, retention.")


@seed.command("demo")
def seed_demo():
    """Create the demo centre. Running it again adds nothing that is already there."""
    for seeder in current_app.extensions["pastid.seeders"]:
        for line in seeder():
            click.echo(line)


@jobs.command("run")
def jobs_run():
    """Run the scheduler until stopped (SIGTERM or Ctrl-C), after catching up on due work."""
    scheduler.run_scheduler(current_app._get_current_object())


@jobs.command("run-due")
def jobs_run_due():
    """Run every job that is due once and exit; the exit status is 1 if any job failed."""
    failed = scheduler.run_due()
    if failed:
        raise click.ClickException(f"jobs failed: {', '.join(failed)}; see the log")


def register(app):
    app.cli.add_command(seed)
    app.cli.add_command(jobs)
