"""Site-wide behaviour: health check, security headers, language choice, error pages."""

import pytest

from support import csrf_token


def test_healthz_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_unavailable_when_database_does_not_answer(make_app, tmp_path):
    url = f"sqlite:///{tmp_path / 'missing' / 'no.sqlite3'}"
    app = make_app(DATABASE_URL=url, SQLALCHEMY_DATABASE_URI=url)

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


def test_security_headers(client):
    response = client.get("/")

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_over_https(client):
    response = client.get("/", base_url="https://pastid.test")

    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_inline_script_or_style_attribute(client, make_unit, clock):
    make_unit()
    for path in ["/", "/bestil", "/privatliv", "/tilgaengelighed", "/min-tid/ukendt"]:
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html
        assert " style=" not in html
        assert "onclick=" not in html


def test_language_switch_to_english_and_back(client):
    page = client.get("/")
    response = client.post("/sprog", data={"csrf_token": csrf_token(page), "lang": "en",
                                           "next": "/bestil"})

    assert response.status_code == 303
    assert response.headers["Location"] == "/bestil"
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Dansk" in html

    client.post("/sprog", data={"csrf_token": csrf_token(page), "lang": "da", "next": "/"})
    assert '<html lang="da">' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "\\\\evil"])
def test_language_switch_never_redirects_off_site(client, target):
    page = client.get("/")

    response = client.post("/sprog", data={"csrf_token": csrf_token(page), "lang": "en",
                                           "next": target})

    assert response.headers["Location"] == "/"


def test_post_without_csrf_token_is_refused_kindly(client):
    response = client.post("/sprog", data={"lang": "en", "next": "/"})

    assert response.status_code == 400
    assert "Siden er udløbet" in response.get_data(as_text=True)


def test_danish_404_page(client):
    response = client.get("/findes-ikke")

    assert response.status_code == 404
    assert "Siden findes ikke" in response.get_data(as_text=True)


def test_unhandled_error_log_hides_manage_token(app, client, monkeypatch, caplog):
    def explode(token):
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "booking.manage", explode)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    response = client.get("/min-tid/hemmelig-token-123")

    assert response.status_code == 500
    assert "Exception on /min-tid/<token> [GET]" in caplog.text
    assert "hemmelig-token-123" not in caplog.text


def test_rate_limits_survive_a_redis_outage(make_app):
    # Nothing listens on port 1: every storage call fails.
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1",
                   RATELIMIT_MANAGE="2 per minute")
    client = app.test_client()

    statuses = [client.get(f"/min-tid/guess-{n}").status_code for n in range(3)]

    assert statuses == [404, 404, 429]


def test_builtin_form_messages_are_danish(client, make_unit, clock):
    make_unit()
    page = client.get("/bestil")

    response = client.post("/bestil", data={"csrf_token": csrf_token(page), "purpose": "xyz",
                                            "unit": "any"})

    html = response.get_data(as_text=True)
    assert "Vælg en af mulighederne." in html
    assert "Not a valid choice" not in html
