"""Rate limits on booking and manage-link requests, per client address."""

import pytest

from support import csrf_token


@pytest.fixture
def limited_app(make_app):
    """A second application on the same database with small limits kept in memory."""
    return make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                    RATELIMIT_MANAGE="3 per minute", RATELIMIT_BOOKING="2 per minute",
                    RATELIMIT_API="2 per minute")


def test_manage_links_are_limited(limited_app):
    client = limited_app.test_client()

    statuses = [client.get(f"/min-tid/guess-{n}").status_code for n in range(4)]

    assert statuses == [404, 404, 404, 429]
    page = client.get("/min-tid/guess-5")
    assert "For mange forsøg" in page.get_data(as_text=True)


def test_limit_is_per_client_address(limited_app):
    client = limited_app.test_client()
    for n in range(3):
        client.get(f"/min-tid/guess-{n}", environ_base={"REMOTE_ADDR": "10.0.0.1"})

    blocked = client.get("/min-tid/x", environ_base={"REMOTE_ADDR": "10.0.0.1"})
    other = client.get("/min-tid/x", environ_base={"REMOTE_ADDR": "10.0.0.2"})

    assert blocked.status_code == 429
    assert other.status_code == 404


def test_booking_posts_are_limited(limited_app, make_unit, clock):
    make_unit()
    client = limited_app.test_client()
    page = client.get("/bestil")
    client.post("/bestil", data={"csrf_token": csrf_token(page), "purpose": "own",
                                 "unit": "any"})
    page = client.get("/bestil/tid?dato=2027-04-05")

    statuses = [client.post("/bestil/tid?dato=2027-04-05",
                            data={"csrf_token": csrf_token(page), "slot": "bad"}).status_code
                for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_api_is_limited_as_json(limited_app):
    client = limited_app.test_client()

    responses = [client.get("/api/v1/availability?from=2027-04-05&to=2027-04-05")
                 for _ in range(3)]

    assert [response.status_code for response in responses] == [200, 200, 429]
    assert "error" in responses[2].get_json()
