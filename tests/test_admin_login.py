"""Staff login: credentials, lockout, session lifetime, logout everywhere, the users command."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from admin import accounts
from admin.models import AuditEntry, Staff
from pastid.extensions import db
from support import STAFF_PASSWORD, csrf_token, local, login

WRONG_CREDENTIALS = "Brugernavnet eller adgangskoden er forkert, eller kontoen er spærret."


def text_of(response):
    return response.get_data(as_text=True)


def post_login(client, username, password, next_url=None):
    page = client.get("/personale/login")
    url = "/personale/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"csrf_token": csrf_token(page), "username": username,
                                  "password": password})


def test_login_redirects_to_next_page(client, make_staff, clock):
    staff = make_staff("frontdesk", username="bente")

    response = post_login(client, "Bente ", STAFF_PASSWORD, next_url="/personale/")

    assert response.status_code == 303
    assert response.headers["Location"] == "/personale/"
    assert "Goddag, Bente" in text_of(client.get("/personale/"))
    db.session.refresh(staff)
    assert staff.last_login_at == clock()


def test_login_refuses_next_to_other_site(client, make_staff, clock):
    make_staff("frontdesk", username="bente")

    response = post_login(client, "bente", STAFF_PASSWORD, next_url="//evil.example/")

    assert response.headers["Location"] == "/personale/"


@pytest.mark.parametrize("username, password", [
    ("bente", "forkert adgangskode"),  # known user, wrong password
    ("ukendt", STAFF_PASSWORD),        # unknown user
])
def test_wrong_credentials_give_one_message(client, make_staff, clock, username, password):
    make_staff("frontdesk", username="bente")

    response = post_login(client, username, password)

    assert response.status_code == 200
    assert WRONG_CREDENTIALS in text_of(response)
    assert client.get("/personale/").status_code == 302


def test_inactive_account_cannot_log_in(client, make_staff, clock):
    make_staff("frontdesk", username="bente", is_active=False)

    response = post_login(client, "bente", STAFF_PASSWORD)

    assert WRONG_CREDENTIALS in text_of(response)


def test_five_failures_lock_for_fifteen_minutes(client, make_staff, clock):
    staff = make_staff("staff", username="bo")
    for attempt in range(4):
        post_login(client, "bo", "forkert adgangskode")
    db.session.refresh(staff)
    assert staff.failed_logins == 4
    assert staff.locked_until is None

    post_login(client, "bo", "forkert adgangskode")

    db.session.refresh(staff)
    assert staff.locked_until == local(2027, 2, 15, 10, 15)
    locked = post_login(client, "bo", STAFF_PASSWORD)
    assert WRONG_CREDENTIALS in text_of(locked)
    assert client.get("/personale/").status_code == 302

    clock.advance(minutes=14, seconds=59)
    assert WRONG_CREDENTIALS in text_of(post_login(client, "bo", STAFF_PASSWORD))
    clock.advance(seconds=1)
    assert post_login(client, "bo", STAFF_PASSWORD).status_code == 303
    db.session.refresh(staff)
    assert staff.failed_logins == 0
    assert staff.locked_until is None


def test_success_resets_failure_count(client, make_staff, clock):
    staff = make_staff("staff", username="bo")
    for attempt in range(4):
        post_login(client, "bo", "forkert adgangskode")

    post_login(client, "bo", STAFF_PASSWORD)
    client.post("/personale/logout", data={"csrf_token": csrf_token(client.get("/personale/"))})
    post_login(client, "bo", "forkert adgangskode")

    db.session.refresh(staff)
    assert staff.failed_logins == 1
    assert staff.locked_until is None


def test_session_ends_after_a_working_day(client, make_staff, clock):
    staff = make_staff("frontdesk")
    login(client, staff)

    clock.advance(hours=9, minutes=59)
    assert client.get("/personale/").status_code == 200
    clock.advance(minutes=1)
    response = client.get("/personale/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/personale/login?next=")


def test_deactivation_logs_out_everywhere(app, make_staff, clock):
    staff = make_staff("staff")
    desk, tablet = app.test_client(), app.test_client()
    login(desk, staff)
    login(tablet, staff)

    accounts.deactivate_staff(db.session.get(Staff, staff.id), actor_id=None, now=clock())
    db.session.commit()

    assert desk.get("/personale/").status_code == 302
    assert tablet.get("/personale/").status_code == 302


def test_new_password_logs_out_everywhere(app, make_staff, clock):
    staff = make_staff("staff")
    desk = app.test_client()
    login(desk, staff)

    accounts.set_password(db.session.get(Staff, staff.id), "et helt nyt kodeord",
                          actor_id=None, now=clock())
    db.session.commit()

    assert desk.get("/personale/").status_code == 302


def test_logout_ends_session(client, make_staff, clock):
    login(client, make_staff("frontdesk"))

    response = client.post("/personale/logout",
                           data={"csrf_token": csrf_token(client.get("/personale/"))})

    assert response.status_code == 303
    assert client.get("/personale/").status_code == 302


def test_password_hash_is_argon2id(make_staff):
    staff = make_staff("staff")

    assert staff.password_hash.startswith("$argon2id$")


def test_cli_creates_account_from_stdin(app, clock):
    runner = app.test_cli_runner()

    result = runner.invoke(args=["users", "create", "--username", "Mette", "--role", "chief",
                                 "--display-name", "Mette Holm", "--password-stdin"],
                           input="en lang adgangskode\n")

    assert result.exit_code == 0, result.output
    staff = db.session.scalar(sa.select(Staff))
    assert staff.username == "mette"
    assert staff.display_name == "Mette Holm"
    assert staff.role == "chief"
    assert staff.password_hash.startswith("$argon2id$")
    assert "en lang adgangskode" not in result.output
    entry = db.session.scalar(sa.select(AuditEntry))
    assert entry.action == "staff.create"
    assert entry.staff_id is None
    assert "argon2" not in (entry.after or "")


def test_cli_prompts_for_password(app, clock):
    runner = app.test_cli_runner()

    result = runner.invoke(args=["users", "create", "--username", "ole", "--role", "staff"],
                           input="en lang adgangskode\nen lang adgangskode\n")

    assert result.exit_code == 0, result.output
    assert accounts.get_staff_by_username("ole").display_name == "ole"


def test_cli_rejects_short_password(app, clock):
    runner = app.test_cli_runner()

    result = runner.invoke(args=["users", "create", "--username", "ole", "--role", "staff",
                                 "--password-stdin"], input="kort\n")

    assert result.exit_code == 1
    assert "password must be 12-256 characters" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Staff)) == 0


def test_cli_set_password_and_deactivate(app, client, make_staff, clock):
    staff = make_staff("staff", username="ole")
    runner = app.test_cli_runner()

    result = runner.invoke(args=["users", "set-password", "--username", "ole",
                                 "--password-stdin"], input="endnu en adgangskode\n")
    assert result.exit_code == 0, result.output
    assert post_login(client, "ole", "endnu en adgangskode").status_code == 303

    result = runner.invoke(args=["users", "deactivate", "--username", "ole"])
    assert result.exit_code == 0, result.output
    db.session.refresh(staff)
    assert staff.is_active is False
    assert client.get("/personale/").status_code == 302


def test_cli_unknown_username(app):
    result = app.test_cli_runner().invoke(args=["users", "deactivate", "--username", "nobody"])

    assert result.exit_code == 1
    assert "no staff account with username 'nobody'" in result.output


def test_demo_seed_prints_each_password_once(app, clock):
    from admin.seed import seed_demo_staff

    lines = seed_demo_staff()
    again = seed_demo_staff()

    assert [line.split(":")[0] for line in lines] == [
        "staff skranke (frontdesk)", "staff pas (staff)", "staff leder (chief)",
        "staff admin (admin)"]
    assert again == ["staff skranke: already there", "staff pas: already there",
                     "staff leder: already there", "staff admin: already there"]
    passwords = [line.rsplit(" ", 1)[1] for line in lines]
    stored = " ".join(db.session.scalars(sa.select(Staff.password_hash)))
    assert all(password not in stored for password in passwords)
    assert all(len(password) >= 12 for password in passwords)


def test_lock_time_uses_the_aware_clock(make_staff, clock, app):
    staff = make_staff("staff", username="bo")
    for attempt in range(5):
        with pytest.raises(accounts.LoginFailed):
            accounts.authenticate("bo", "forkert", now=clock(), config=app.config)
    db.session.commit()

    db.session.refresh(staff)
    assert staff.locked_until - clock() == timedelta(minutes=15)


def test_login_is_rate_limited(make_app, make_staff, clock):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                       RATELIMIT_LOGIN="3 per minute")
    make_staff("staff", username="bo")
    client = limited.test_client()
    token = csrf_token(client.get("/personale/login"))

    statuses = [client.post("/personale/login", data={
        "csrf_token": token, "username": "bo", "password": "forkert"}).status_code
        for attempt in range(4)]

    assert statuses == [200, 200, 200, 429]
