"""Command-line commands shared by the whole application: `flask --app wsgi seed demo`.

Feature packages add their demo data by appending a function to
app.extensions["pastid.seeders"]; each returns the lines to print and commits its work.
"""

import click
from flask import current_app
from flask.cli import AppGroup

seed = AppGroup("seed", help="Load data into the database.")


@seed.command("demo")
def seed_demo():
    """Create the demo centre. Running it again adds nothing that is already there."""
    for seeder in current_app.extensions["pastid.seeders"]:
        for line in seeder():
            click.echo(line)


def register(app):
    app.cli.add_command(seed)
