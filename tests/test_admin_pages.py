"""Every staff page renders for a role that may see it, with data on it."""

from datetime import time

import pytest

from admin import services
from admin.models import Counter
from admin_support import book
from booking.models import Closure
from pastid.extensions import db
from support import CPH, local

OPEN_ALL_DAY = {weekday: [(time(9, 0), time(12, 0)), (time(12, 30), time(15, 0))]
                for weekday in range(5)}


@pytest.fixture
def centre(make_unit, clock):
    unit = make_unit("PAS 1", hours=OPEN_ALL_DAY, lead_minutes=0)
    booking = book(unit, local(2027, 2, 15, 10, 15), purpose="child")
    db.session.add(Counter(name="Skranke 5", unit_id=unit.id))
    db.session.add(Closure(unit_id=unit.id, starts_at=local(2027, 2, 16, 9, 0),
                           ends_at=local(2027, 2, 16, 10, 0), reason="Service"))
    services.register_walk_in("own", 1, now=clock(), tz=CPH, actor_id=None)
    db.session.commit()
    return unit, booking


@pytest.mark.parametrize("path", [
    "/personale/",
    "/personale/ankomst",
    "/personale/dag",
    "/personale/dag?enhed={unit}&dato=2027-02-15",
    "/personale/dag/data.json",
    "/personale/uden-tid",
    "/personale/bookinger",
    "/personale/bookinger?q=%C3%85se",
    "/personale/bookinger/{booking}",
    "/personale/bookinger/{booking}/flyt",
    "/personale/bookinger/{booking}/aflys",
    "/personale/bookinger/ny",
    "/personale/bookinger/ny?purpose=own&persons=1&unit=any&day=2027-02-16",
    "/personale/bookinger/ny?purpose=own&persons=1&unit=any&day=2027-02-20",
    "/personale/selvbetjening",
    "/personale/pas",
    "/personale/pas/{unit}",
    "/personale/pas/{unit}/data.json",
    "/personale/lukninger",
    "/personale/lukninger/ny",
    "/personale/lukninger/ny?enhed={unit}&dato=2027-02-16&fra=10:00&til=10:15",
    "/personale/log",
    "/personale/log?day=2027-02-15&code=xxx",
    "/personale/enheder",
    "/personale/enheder/ny",
    "/personale/enheder/{unit}",
    "/personale/enheder/{unit}/aabningstider",
    "/personale/skranker/ny",
    "/personale/helligdage",
    "/personale/medarbejdere",
    "/personale/medarbejdere/ny",
    "/personale/adgangskode",
    "/screen",
    "/screen/data.json",
])
def test_page_renders_for_admin(staff_client, centre, path):
    unit, booking = centre
    client = staff_client("admin")

    response = client.get(path.format(unit=unit.id, booking=booking.id))

    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
