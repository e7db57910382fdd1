"""`flask --app wsgi users ...`: create staff accounts, set passwords, deactivate."""

import sys

import click
from flask.cli import AppGroup

from admin import accounts
from admin.models import Role
from pastid.extensions import db
from pastid.timeutil import now_utc

users = AppGroup("users", help="Manage staff accounts.")

ERROR_TEXTS = {
    accounts.InvalidUsername: "username must be 2-40 characters: a-z, 0-9, '.', '_' or '-', "
                              "starting with a letter or digit",
    accounts.InvalidPassword: f"password must be {accounts.MIN_PASSWORD_LENGTH}-"
                              f"{accounts.MAX_PASSWORD_LENGTH} characters and differ from "
                              "the username",
    accounts.UsernameTaken: "username is already taken",
    accounts.LastAdmin: "this is the last active admin account; create another admin first",
}

password_stdin_option = click.option(
    "--password-stdin", is_flag=True,
    help="Read the password from the first line of standard input instead of prompting.")


def _read_password(from_stdin):
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _fail(error):
    raise click.ClickException(ERROR_TEXTS.get(type(error), type(error).__name__))


def _load(username):
    staff = accounts.get_staff_by_username(username)
    if staff is None:
        raise click.ClickException(f"no staff account with username {username!r}")
    return staff


@users.command("create")
@click.option("--username", required=True, help="Login name; stored in lower case.")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]),
              help="frontdesk, staff, chief or admin; each includes the ones before it.")
@click.option("--display-name", help="Name shown to colleagues. Default: the username.")
@password_stdin_option
def create_command(username, role, display_name, password_stdin):
    """Create an active staff account."""
    password = _read_password(password_stdin)
    try:
        staff = accounts.create_staff(username, display_name or username, role, password,
                                      actor_id=None, now=now_utc())
    except accounts.AccountError as error:
        db.session.rollback()
        _fail(error)
    db.session.commit()
    click.echo(f"created staff account {staff.id}: {staff.username} ({staff.role})")


@users.command("set-password")
@click.option("--username", required=True)
@password_stdin_option
def set_password_command(username, password_stdin):
    """Set a new password; every session of the account ends."""
    staff = _load(username)
    password = _read_password(password_stdin)
    try:
        accounts.set_password(staff, password, actor_id=None, now=now_utc())
    except accounts.AccountError as error:
        db.session.rollback()
        _fail(error)
    db.session.commit()
    click.echo(f"password of staff account {staff.id} set; its sessions have ended")


@users.command("deactivate")
@click.option("--username", required=True)
def deactivate_command(username):
    """Deactivate an account; every session of it ends at once."""
    staff = _load(username)
    try:
        accounts.deactivate_staff(staff, actor_id=None, now=now_utc())
    except accounts.AccountError as error:
        db.session.rollback()
        _fail(error)
    db.session.commit()
    click.echo(f"staff account {staff.id} deactivated; its sessions have ended")


@users.command("list")
def list_command():
    """List the accounts: username, role, active or not."""
    for staff in accounts.list_staff():
        state = "active" if staff.is_active else "inactive"
        click.echo(f"{staff.username}\t{staff.role}\t{state}")
