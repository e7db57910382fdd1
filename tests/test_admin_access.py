"""Role checks on every staff route, built from the URL map so that no route slips through.

A route is checked when its endpoint belongs to the staff blueprints or its path starts
with /personale (the KPI pages live there too). Each must redirect an anonymous visitor
to the login page, return 403 to every role ranked below the one it requires, and let
that role in. Only the routes in PUBLIC_ENDPOINTS are exempt, each for a stated reason.
"""

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from admin.models import ROLE_RANK, Role

STAFF_BLUEPRINTS = ("admin.", "public.")
STAFF_PREFIX = "/personale"

PUBLIC_ENDPOINTS = {
    "admin.login": "the login page itself",
    "public.screen": "the info screen in the waiting room shows no personal data",
    "public.screen_data": "the info screen's JSON, the same data",
    "public.self_checkin": "needs a self check-in device cookie instead (test_admin_kiosk)",
}


def _is_staff_rule(rule):
    return rule.endpoint.startswith(STAFF_BLUEPRINTS) or rule.rule.startswith(STAFF_PREFIX)


def _url(rule):
    """Build a URL for rule with placeholder values: an unused id, the first option of any().

    The id matches no row, so that no request changes the logged-in account itself.
    """
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 999999
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = "x"
    return rule.build(values, append_unknown=False)[1]


def staff_routes(app):
    routes = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not _is_staff_rule(rule) or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, _url(rule)))
    return routes


def _minimum_role(view):
    roles = getattr(view, "required_roles", None)
    assert roles, f"{view.__name__} has no role_required decorator"
    return min((Role(role) for role in roles), key=ROLE_RANK.get)


@pytest.fixture
def no_csrf(app, monkeypatch):
    """Let POST requests reach the role check without a form token."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)


def test_route_table_is_not_empty(app):
    routes = staff_routes(app)

    assert len(routes) >= 40
    assert ("admin.checkin", "POST", "/personale/ankomst") in routes


def test_public_endpoints_exist(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}

    assert set(PUBLIC_ENDPOINTS) <= endpoints


def test_every_staff_route_requires_a_role(app):
    missing = [endpoint for endpoint, _method, _url in staff_routes(app)
               if not getattr(app.view_functions[endpoint], "required_roles", None)]

    assert missing == []


def test_anonymous_is_sent_to_login(app, client, no_csrf, clock):
    wrong = []
    for endpoint, method, url in staff_routes(app):
        response = client.open(url, method=method)
        location = response.headers.get("Location", "")
        if response.status_code != 302 or not location.startswith("/personale/login?next="):
            wrong.append((endpoint, method, response.status_code, location))

    assert wrong == []


@pytest.mark.parametrize("role", [Role.FRONTDESK, Role.STAFF, Role.CHIEF])
def test_lower_roles_get_403(app, staff_client, no_csrf, clock, role):
    client = staff_client(role)
    wrong = []
    for endpoint, method, url in staff_routes(app):
        required = _minimum_role(app.view_functions[endpoint])
        if ROLE_RANK[role] >= ROLE_RANK[required]:
            continue
        response = client.open(url, method=method)
        if response.status_code != 403:
            wrong.append((endpoint, method, response.status_code))

    assert wrong == []


@pytest.mark.parametrize("role", list(Role))
def test_required_role_is_let_in(app, staff_client, no_csrf, clock, role):
    client = staff_client(role)
    wrong = []
    for endpoint, method, url in staff_routes(app):
        if endpoint == "admin.logout":
            continue  # It ends the session the remaining requests need.
        if not endpoint.startswith(STAFF_BLUEPRINTS):
            continue  # Other packages test their own views with real data.
        if _minimum_role(app.view_functions[endpoint]) != role:
            continue
        response = client.open(url, method=method)
        location = response.headers.get("Location", "")
        if response.status_code == 403 or location.startswith("/personale/login"):
            wrong.append((endpoint, method, response.status_code))

    assert wrong == []


@pytest.mark.parametrize("endpoint, role", [
    # The roles the product decisions give each area; a change here is a decision.
    ("admin.checkin", Role.FRONTDESK),
    ("admin.day_view", Role.FRONTDESK),
    ("admin.walk_in_new", Role.FRONTDESK),
    ("admin.booking_new", Role.FRONTDESK),
    ("admin.kiosk_list", Role.FRONTDESK),
    ("admin.queue", Role.STAFF),
    ("admin.queue_action", Role.STAFF),
    ("admin.closure_new", Role.CHIEF),
    ("admin.audit_log", Role.CHIEF),
    ("admin.unit_edit", Role.ADMIN),
    ("admin.unit_hours", Role.ADMIN),
    ("admin.holiday_rules", Role.ADMIN),
    ("admin.staff_list", Role.ADMIN),
])
def test_area_requires_role(app, endpoint, role):
    assert _minimum_role(app.view_functions[endpoint]) == role


def test_admin_implies_every_role(make_staff):
    admin = make_staff("admin")

    assert all(admin.has_role(role) for role in Role)


def test_frontdesk_has_no_higher_role(make_staff):
    frontdesk = make_staff("frontdesk")

    assert frontdesk.has_role(Role.FRONTDESK)
    assert not frontdesk.has_role(Role.STAFF)
    assert not frontdesk.has_role(Role.CHIEF)
    assert not frontdesk.has_role(Role.ADMIN)
