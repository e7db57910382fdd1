"""The public availability API: format, filters and errors."""

from datetime import time

import pytest

from booking import services
from pastid.extensions import db
from support import CPH, local


def test_lists_free_slots_sorted_with_offsets(client, make_unit, clock):
    first = make_unit("PAS 1", position=1, hours={0: [(time(9, 0), time(10, 0))]})
    second = make_unit("PAS 2", position=2, hours={0: [(time(9, 30), time(10, 0))]})

    response = client.get("/api/v1/availability?from=2027-04-05&to=2027-04-05")

    assert response.status_code == 200
    body = response.get_json()
    assert body["timezone"] == "Europe/Copenhagen"
    assert body["slots"] == [
        {"unit": first.id, "start": "2027-04-05T09:00:00+02:00", "end": "2027-04-05T09:15:00+02:00"},
        {"unit": first.id, "start": "2027-04-05T09:15:00+02:00", "end": "2027-04-05T09:30:00+02:00"},
        {"unit": first.id, "start": "2027-04-05T09:30:00+02:00", "end": "2027-04-05T09:45:00+02:00"},
        {"unit": second.id, "start": "2027-04-05T09:30:00+02:00", "end": "2027-04-05T09:45:00+02:00"},
        {"unit": first.id, "start": "2027-04-05T09:45:00+02:00", "end": "2027-04-05T10:00:00+02:00"},
        {"unit": second.id, "start": "2027-04-05T09:45:00+02:00", "end": "2027-04-05T10:00:00+02:00"},
    ]


def test_winter_offsets(client, make_unit, clock):
    make_unit(hours={1: [(time(8, 0), time(8, 30))]})
    clock.set(local(2027, 9, 15, 10, 0))

    body = client.get("/api/v1/availability?from=2027-11-02&to=2027-11-02").get_json()

    assert [slot["start"] for slot in body["slots"]] == [
        "2027-11-02T08:00:00+01:00", "2027-11-02T08:15:00+01:00"]


def test_unit_and_persons_filters(client, make_unit, clock):
    make_unit("PAS 1", position=1, hours={0: [(time(9, 0), time(10, 0))]})
    second = make_unit("PAS 2", position=2, hours={0: [(time(9, 0), time(10, 0))]})
    services.create_booking(
        services.SlotChoice(local(2027, 4, 5, 9, 15), 1, second.id), "own",
        services.ContactDetails("Bo", "bo@example.com", None), now=clock(), tz=CPH,
        settings=services.BookingSettings())
    db.session.commit()

    body = client.get(
        f"/api/v1/availability?from=2027-04-05&to=2027-04-05&unit={second.id}&persons=2"
    ).get_json()

    assert body["slots"] == [
        {"unit": second.id, "start": "2027-04-05T09:30:00+02:00",
         "end": "2027-04-05T10:00:00+02:00"},
    ]


def test_range_beyond_horizon_is_empty_not_an_error(client, make_unit, clock):
    make_unit()

    body = client.get("/api/v1/availability?from=2027-06-01&to=2027-06-30").get_json()

    assert body["slots"] == []


@pytest.mark.parametrize("query, parameter", [
    ("to=2027-04-05", "from"),
    ("from=2027-04-05", "to"),
    ("from=05-04-2027&to=2027-04-05", "from"),
    ("from=2027-02-30&to=2027-03-01", "from"),
    ("from=20270405&to=2027-04-05", "from"),
    ("from=2027-04-05&to=2027-04-04", "to"),
    ("from=2027-01-01&to=2027-04-03", "to"),     # 93 days
    ("from=2027-04-05&to=2027-04-05&unit=abc", "unit"),
    ("from=2027-04-05&to=2027-04-05&unit=999", "unit"),
    ("from=2027-04-05&to=2027-04-05&persons=0", "persons"),
    ("from=2027-04-05&to=2027-04-05&persons=6", "persons"),
    ("from=2027-04-05&to=2027-04-05&persons=-1", "persons"),
])
def test_invalid_parameters_name_the_parameter(client, make_unit, clock, query, parameter):
    make_unit()

    response = client.get(f"/api/v1/availability?{query}")

    assert response.status_code == 400
    assert response.get_json()["parameter"] == parameter
    assert parameter in response.get_json()["error"]


def test_ninety_two_days_is_allowed(client, make_unit, clock):
    make_unit()

    response = client.get("/api/v1/availability?from=2027-01-01&to=2027-04-02")

    assert response.status_code == 200


def test_unknown_api_path_answers_json_in_english(client):
    response = client.get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert response.get_json() == {"error": "Not Found"}
