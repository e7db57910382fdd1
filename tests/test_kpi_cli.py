"""`flask kpi evaluate`: each goal's id, title, status and figures, as JSON or text."""

import json
from datetime import date

from support import local


def evaluate(app, *args):
    return app.test_cli_runner().invoke(args=["kpi", "evaluate", *args])


def seed_field_case(make_agreement, make_answers, make_unit, make_booking):
    agreement = make_agreement(2027)
    make_booking(make_unit(), local(2027, 2, 1, 9, 0), status="served")
    make_answers(date(2027, 2, 1), {5: 12, 4: 4, 2: 1})
    return agreement


def test_json_output(app, make_agreement, make_answers, make_unit, make_booking, clock):
    agreement = seed_field_case(make_agreement, make_answers, make_unit, make_booking)

    result = evaluate(app, "--agreement", "2027", "--from", "2027-01-01", "--to", "2027-02-15",
                      "--format", "json")

    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    assert output["agreement"] == {"year": 2027, "title": "Aftale for Borgerservicecenteret"}
    assert output["period"] == {"from": "2027-01-01", "to": "2027-02-15"}
    assert [goal["rule"] for goal in output["goals"]] == [
        "budget", "efficiency", "citizen_survey", "competence", "online_booking", "wellbeing"]
    online = output["goals"][4]
    assert online["id"] == next(g.id for g in agreement.goals if g.rule == "online_booking")
    assert online["title"] == "Tidsbestilling til pas"
    assert online["level"] == 3
    assert online["status"] == "met"
    assert online["figures"]["answers"] == 17
    assert online["figures"]["satisfied"] == 16
    assert online["figures"]["share"] == 0.941176
    assert online["figures"]["interval"] == [0.73018, 0.98954]
    assert online["notes"] == ["interval_spans_threshold"]
    assert {goal["status"] for goal in output["goals"][:4]} == {"not_measured"}


def test_text_output(app, make_agreement, make_answers, make_unit, make_booking, clock):
    agreement = seed_field_case(make_agreement, make_answers, make_unit, make_booking)
    goal_id = next(g.id for g in agreement.goals if g.rule == "online_booking")

    result = evaluate(app, "--from", "2027-01-01", "--to", "2027-02-15")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Aftale for Borgerservicecenteret 2027: 2027-01-01 to 2027-02-15"
    start = lines.index(f"[{goal_id}] Tidsbestilling til pas (online_booking, level 3)")
    assert lines[start + 1:start + 7] == [
        "  status: met (Opfyldt)",
        "  Tidsbestillinger online: 1",
        "  Besvarelser (n): 17",
        "  Tilfredse (4 eller 5): 16",
        "  Andel tilfredse: 94,1 %",
        "  95 %-konfidensinterval (Wilson): 73,0–99,0 %",
    ]
    assert "  status: not_measured (Ikke målt)" in lines


def test_period_without_answers_prints_a_dash(app, make_agreement, make_unit, make_booking,
                                              clock):
    make_agreement(2027)
    make_booking(make_unit(), local(2027, 2, 1, 9, 0), status="served")

    result = evaluate(app, "--agreement", "2027", "--from", "2027-02-01", "--to", "2027-02-07")

    assert result.exit_code == 0, result.output
    assert "  Andel tilfredse: –" in result.output
    assert "  missing: Der er ingen besvarelser af tilfredshedsmålingen i perioden." in \
        result.output
    json_result = json.loads(evaluate(app, "--agreement", "2027", "--from", "2027-02-01",
                                      "--to", "2027-02-07", "--format", "json").output)
    online = json_result["goals"][4]
    assert online["status"] == "not_measured"
    assert online["figures"]["share"] is None


def test_unknown_agreement_year_fails(app, make_agreement, clock):
    make_agreement(2027)

    result = evaluate(app, "--agreement", "2031")

    assert result.exit_code == 1
    assert "no agreement for year 2031; years with an agreement: 2027" in result.output


def test_period_ending_before_it_starts_fails(app, make_agreement, clock):
    make_agreement(2027)

    result = evaluate(app, "--from", "2027-02-10", "--to", "2027-02-01")

    assert result.exit_code == 2
    assert "period starts 2027-02-10 after it ends 2027-02-01" in result.output
