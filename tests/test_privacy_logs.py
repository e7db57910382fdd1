"""No personal data in the logs: a whole booking's life leaves no e-mail or phone behind."""

import logging
import re

from support import book_through_flow, csrf_token, local

EMAIL = "privat.person@example.com"
PHONE_DIGITS = "20123456"


def test_log_of_whole_flow_has_no_contact_details(client, make_unit, clock, smtp, caplog):
    make_unit()
    caplog.set_level(logging.DEBUG)

    book_through_flow(client, local(2027, 4, 5, 9, 0), name="Åse Øby", email=EMAIL,
                      phone="20 12 34 56")
    smtp.wait_for(1)
    body = smtp.messages[0].get_body(("plain",)).get_content()
    token = re.search(r"/min-tid/([A-Za-z0-9_-]+)", body).group(1)
    page = client.get(f"/min-tid/{token}/aflys")
    client.post(f"/min-tid/{token}/aflys", data={"csrf_token": csrf_token(page)})
    smtp.wait_for(2)

    # aiosmtpd, the test's own mail server, logs as "mail.log"; that is not the app's log.
    lines = [record.getMessage() for record in caplog.records if record.name != "mail.log"]
    assert len(lines) > 5
    assert [line for line in lines if EMAIL in line] == []
    assert [line for line in lines if PHONE_DIGITS in re.sub(r"[\s+-]", "", line)] == []
    assert [line for line in lines if "Åse" in line or "Øby" in line] == []
    assert [line for line in lines if token in line] == []
