"""Command-line commands: `flask --app wsgi seed demo` and friends."""

import click
from flask.cli import AppGroup

seed = AppGroup("seed", help="Load data into the database.")


@seed.command("demo")
def seed_demo():
    """Create the demo centre: two PAS units, opening hours and closures."""
    from booking.seed import seed_demo_centre

    for line in seed_demo_centre():
        click.echo(line)


def register(app):
    app.cli.add_command(seed)
