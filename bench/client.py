"""A small HTTP client that walks the booking flow like a browser, on the standard library.

It keeps the session cookie, sends no redirects on its own and leaves status checks to
the caller. bench/run.py uses it to prepare sessions at the last booking step and for
the rush; the throughput runs themselves go through wrk.
"""

import html
import http.client
import json
import re
import urllib.parse
from dataclasses import dataclass
from http.cookies import SimpleCookie

import altcha

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SLOT_FIELD = re.compile(r'name="slot"[^>]*value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: list
    text: str


class Browser:
    """One citizen's browser: a cookie jar and a connection per request."""

    def __init__(self, base_url, timeout=120, on_response=None):
        """on_response, when given, is called with every Response."""
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.timeout = timeout
        self.on_response = on_response
        self.cookies = {}

    def cookie_header(self):
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method, path, form=None):
        headers = {}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            cookies = response.headers.get_all("Set-Cookie") or []
        finally:
            connection.close()
        for raw in cookies:
            for name, morsel in SimpleCookie(raw).items():
                self.cookies[name] = morsel.value
        result = Response(response.status, response.getheaders(), text)
        if self.on_response is not None:
            self.on_response(result)
        return result

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, form):
        return self.request("POST", path, form)


class FlowError(RuntimeError):
    """A step of the booking flow returned an unexpected status."""


def csrf_token(response):
    match = CSRF_FIELD.search(response.text)
    if match is None:
        raise FlowError(f"no CSRF token in a {response.status} response")
    return html.unescape(match.group(1))


def slot_values(response):
    """Return the slot choices (e.g. 'any|2027-04-05T09:00:00+02:00') on a page."""
    return [html.unescape(value) for value in SLOT_FIELD.findall(response.text)]


def expect(response, statuses, step):
    if response.status not in statuses:
        raise FlowError(f"{step}: expected {sorted(statuses)}, got {response.status}")
    return response


def solve_altcha(browser):
    """Fetch a proof-of-work challenge and solve it as the browser widget would."""
    response = expect(browser.get("/api/altcha/challenge"), {200}, "altcha challenge")
    challenge = altcha.Challenge.from_dict(json.loads(response.text))
    solution = altcha.solve_challenge(challenge)
    return altcha.Payload(challenge, solution).to_base64()


def choose_purpose(browser, unit="any"):
    """Walk step 1 (one person, own passport); return the CSRF token of the session."""
    page = expect(browser.get("/bestil"), {200}, "purpose page")
    token = csrf_token(page)
    expect(browser.post("/bestil", {"csrf_token": token, "purpose": "own", "unit": unit}),
           {302, 303}, "purpose")
    return token


def hold_time(browser, token, day, slot_value):
    """Post a time on step 3; return the response (302 held, 409 taken)."""
    return browser.post(f"/bestil/tid?dato={day.isoformat()}",
                        {"csrf_token": token, "slot": slot_value})


def enter_details(browser, token, email):
    expect(browser.post("/bestil/oplysninger", {
        "csrf_token": token, "name": "Bench Borger", "email": email, "phone": "",
        "consent": "y"}), {302, 303}, "details")


def confirm_form(browser, token):
    """Return the form of the final confirm POST, with a freshly solved proof of work."""
    return {"csrf_token": token, "altcha": solve_altcha(browser)}
