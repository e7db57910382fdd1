"""Exports for Danish Excel: CSV with BOM, ';' and decimal comma, and XLSX; no personal data."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction

from openpyxl import load_workbook

from kpi import exports
from support import CPH, local

BOM = b"\xef\xbb\xbf"


def read_csv(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_field_case_csv_row_for_danish_excel():
    header = ["Navn", "Andel", "Tidspunkt"]
    rows = [("Åse Øby; jr.", 87.5, datetime(2027, 2, 15, 9, 0, tzinfo=UTC))]

    data = exports.csv_bytes(header, rows, CPH)

    assert data.startswith(BOM)
    assert b"sep=" not in data
    lines = data[len(BOM):].decode("utf-8").split("\r\n")
    assert lines[0] == "Navn;Andel;Tidspunkt"
    assert lines[1] == '"Åse Øby; jr.";87,5;2027-02-15 10:00'
    assert read_csv(data) == [header, ["Åse Øby; jr.", "87,5", "2027-02-15 10:00"]]


def test_csv_cells_in_local_time_and_decimal_comma():
    assert exports.csv_cell(datetime(2027, 7, 1, 8, 0, tzinfo=UTC), CPH) == "2027-07-01 10:00"
    assert exports.csv_cell(date(2027, 7, 1), CPH) == "2027-07-01"
    assert exports.csv_cell(Fraction(1600, 17), CPH) == "94,1176"
    assert exports.csv_cell(Decimal("4.20"), CPH) == "4,20"  # the decimals it was entered with
    assert exports.csv_cell(1234567, CPH) == "1234567"
    assert exports.csv_cell(None, CPH) == ""
    assert exports.csv_cell('Sagde "hej"', CPH) == 'Sagde "hej"'


def test_answers_csv_from_the_dashboard(staff_client, make_agreement, make_answers, make_unit,
                                        clock):
    make_agreement(2027)
    unit = make_unit("PAS 1")
    make_answers(date(2027, 2, 1), {5: 2, 4: 1}, unit=unit)
    client = staff_client("chief")

    response = client.get("/personale/kpi/eksport/besvarelser.csv?fra=2027-01-01&til=2027-02-15")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="pastid-besvarelser-2027-01-01-2027-02-15.csv"')
    assert response.data.startswith(BOM)
    table = read_csv(response.data)
    assert table[0][:4] == ["Besøgsdag", "PAS-enhed", "Kanal", "Formål"]
    assert table[0][4] == "Tidsbestilling online, samlet"
    assert [row[:5] for row in table[1:]] == [["2027-02-01", "PAS 1", "online", "own", "5"]] * 2 \
        + [["2027-02-01", "PAS 1", "online", "own", "4"]]
    assert len(table) == 4


def test_bookings_csv_has_no_personal_data(staff_client, make_agreement, make_unit, make_booking,
                                           clock):
    make_agreement(2027)
    unit = make_unit("PAS 1")
    make_booking(unit, local(2027, 2, 1, 9, 0), status="served", name="Åse Øby; jr.",
                 email="aase@example.com", phone="20123456", checked_in_at=local(2027, 2, 1, 8, 55),
                 called_at=local(2027, 2, 1, 9, 2, ), served_at=local(2027, 2, 1, 9, 12))
    client = staff_client("chief")

    response = client.get("/personale/kpi/eksport/tidsbestillinger.csv?fra=2027-02-01&til=2027-02-01")
    text = response.data.decode("utf-8-sig")

    assert "Åse" not in text
    assert "aase@example.com" not in text
    assert "20123456" not in text
    assert "T00001" not in text  # the booking code
    table = read_csv(response.data)
    assert table[0][6:10] == ["Bestilt tid", "Ankommet", "Kaldt", "Betjent"]
    row = table[1]
    assert row[1:7] == ["PAS 1", "online", "own", "1", "served", "2027-02-01 09:00"]
    assert row[7:10] == ["2027-02-01 08:55", "2027-02-01 09:02", "2027-02-01 09:12"]
    assert row[12] == "2"  # minutes from the booked time to the call


def test_goal_statuses_csv(staff_client, make_agreement, make_answers, make_unit, make_booking,
                           clock):
    make_agreement(2027)
    make_booking(make_unit(), local(2027, 2, 1, 9, 0), status="served")
    make_answers(date(2027, 2, 1), {5: 12, 4: 4, 2: 1})
    client = staff_client("chief")

    table = read_csv(client.get("/personale/kpi/eksport/maal.csv").data)

    assert table[0] == ["Mål-id", "Niveau", "Mål", "Status", "Tal", "Mangler"]
    online = next(row for row in table if row[2] == "Tidsbestilling til pas")
    assert online[1] == "3"
    assert online[3] == "Opfyldt"
    assert "Andel tilfredse: 94,1 %" in online[4]
    assert "Besvarelser (n): 17" in online[4]


def test_xlsx_workbook_reads_back(staff_client, make_agreement, make_answers, make_unit,
                                  make_booking, clock):
    make_agreement(2027)
    unit = make_unit("PAS 1")
    make_booking(unit, local(2027, 2, 1, 9, 0), status="served", name="Åse Øby; jr.",
                 called_at=local(2027, 2, 1, 9, 1))
    make_answers(date(2027, 2, 1), {5: 1}, unit=unit)
    client = staff_client("chief")

    response = client.get("/personale/kpi/eksport/kpi.xlsx?fra=2027-01-01&til=2027-02-15")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="pastid-kpi-2027-01-01-2027-02-15.xlsx"')
    workbook = load_workbook(io.BytesIO(response.data))

    assert workbook.sheetnames == ["Mål", "Besvarelser", "Tidsbestillinger", "Uden tid", "Uger",
                                   "Måneder", "Budget"]
    bookings = list(workbook["Tidsbestillinger"].iter_rows(values_only=True))
    assert bookings[1][1:6] == ("PAS 1", "online", "own", 1, "served")
    assert bookings[1][6] == datetime(2027, 2, 1, 9, 0)  # local time, as Excel has no zones
    answers = list(workbook["Besvarelser"].iter_rows(values_only=True))
    assert answers[1][:5] == (datetime(2027, 2, 1, 0, 0), "PAS 1", "online", "own", 5)
    text = repr([list(sheet.iter_rows(values_only=True)) for sheet in workbook])
    assert "Åse" not in text
    weeks = list(workbook["Uger"].iter_rows(values_only=True))
    assert weeks[0][0] == "Uge"
    # Row 6 is week 5 (1-7 February), after the header and 1-3 January of week 53.
    assert weeks[6][:6] == (5, datetime(2027, 2, 1), datetime(2027, 2, 7), 1, 1, 100.0)
