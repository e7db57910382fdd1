"""Every route that accepts a state-changing method refuses a request without a CSRF token.

The routes come from the URL map, so a new route is checked without editing this test.
"""

import logging

import pytest
import sqlalchemy as sa
from werkzeug.routing import BuildError

from pastid.extensions import db

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
SAMPLE_VALUES = {"integer": 1, "string": "x", "default": "x", "path": "x", "uuid": "0" * 32}


def _sample_arguments(rule):
    return {name: SAMPLE_VALUES.get(type(converter).__name__.replace("Converter", "").lower(),
                                    "1" if "id" in name else "x")
            for name, converter in rule._converters.items()}


def state_changing_rules(app):
    return sorted((rule for rule in app.url_map.iter_rules()
                   if rule.methods & STATE_CHANGING), key=lambda rule: rule.rule)


def row_counts():
    return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_there_are_state_changing_routes(app):
    assert len(state_changing_rules(app)) >= 8


def test_every_state_changing_route_needs_csrf(app, client, make_unit, clock, caplog):
    make_unit()
    before = row_counts()
    accepted = []
    caplog.set_level(logging.WARNING, logger="pastid.errors")
    for rule in state_changing_rules(app):
        try:
            with app.test_request_context():
                from flask import url_for
                url = url_for(rule.endpoint, **_sample_arguments(rule))
        except BuildError as error:
            pytest.fail(f"cannot build {rule.endpoint}: {error}")
        for method in sorted(rule.methods & STATE_CHANGING):
            caplog.clear()
            response = client.open(url, method=method, data={"anything": "1"})
            # The CSRF error handler logs one warning for each request it turns away,
            # whether it shows an error page or the form again.
            refused = any(record.name == "pastid.errors" for record in caplog.records)
            if not refused or response.status_code >= 500:
                accepted.append((method, rule.rule, response.status_code))

    assert accepted == []
    assert row_counts() == before
