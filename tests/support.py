"""Helpers shared by the tests: local times, form tokens, and the booking flow."""

import re
from datetime import datetime

import altcha

from pastid import timeutil

CPH = timeutil.zone("Europe/Copenhagen")
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def local(year, month, day, hour=0, minute=0):
    """Return an aware datetime in Copenhagen wall time."""
    return datetime(year, month, day, hour, minute, tzinfo=CPH)


def csrf_token(response):
    match = CSRF_FIELD.search(response.get_data(as_text=True))
    assert match, "page has no CSRF token field"
    return match.group(1)


def solve_altcha(client):
    """Fetch a challenge from the app and solve it as the browser widget would."""
    challenge = altcha.Challenge.from_dict(client.get("/api/altcha/challenge").get_json())
    solution = altcha.solve_challenge(challenge)
    return altcha.Payload(challenge, solution).to_base64()


STAFF_PASSWORD = "korrekt hest batteri"


def login(client, staff, password=STAFF_PASSWORD):
    """Log staff in through the login form; return the response to the login POST."""
    page = client.get("/personale/login")
    response = client.post("/personale/login", data={
        "csrf_token": csrf_token(page), "username": staff.username, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


def slot_value(start, unit_id=None):
    return f"{'any' if unit_id is None else unit_id}|{start.isoformat()}"


def book_through_flow(client, start, *, purpose="own", persons=None, unit="any",
                      name="Åse Øby", email="aase@example.com", phone="20 12 34 56"):
    """Walk the five booking steps in the test client; return the final response."""
    page = client.get("/bestil")
    data = {"csrf_token": csrf_token(page), "purpose": purpose, "unit": unit}
    if persons:
        data["persons"] = str(persons)
    response = client.post("/bestil", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)

    day = start.astimezone(CPH).date().isoformat()
    page = client.get(f"/bestil/tid?dato={day}")
    unit_id = None if unit == "any" else int(unit)
    response = client.post(f"/bestil/tid?dato={day}", data={
        "csrf_token": csrf_token(page), "slot": slot_value(start, unit_id)})
    assert response.status_code == 302, response.get_data(as_text=True)

    page = client.get("/bestil/oplysninger")
    response = client.post("/bestil/oplysninger", data={
        "csrf_token": csrf_token(page), "name": name, "email": email, "phone": phone,
        "consent": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)

    page = client.get("/bestil/bekraeft")
    return client.post("/bestil/bekraeft", data={
        "csrf_token": csrf_token(page), "altcha": solve_altcha(client)})
