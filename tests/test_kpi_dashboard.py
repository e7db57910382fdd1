"""The chief's dashboard and reports: role check, statuses in words, charts with tables."""

import re
from datetime import date

import pytest

from support import local


def seed_field_case(make_agreement, make_answers, make_unit, make_booking):
    agreement = make_agreement(2027)
    make_booking(make_unit(), local(2027, 2, 1, 9, 0), status="served")
    make_answers(date(2027, 2, 1), {5: 12, 4: 4, 2: 1})
    return agreement


def card(html, title):
    """Return the dashboard card of the goal with this title."""
    match = re.search(r'<section class="card kpi-card[^"]*"[^>]*>(?:(?!</section>).)*?'
                      + re.escape(title) + r".*?</section>", html, re.S)
    assert match, f"no card for {title}"
    return match.group(0)


def test_anonymous_visitor_is_sent_to_login(client, make_agreement, clock):
    make_agreement(2027)

    response = client.get("/personale/kpi")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/personale/login?next=")


@pytest.mark.parametrize("role", ["frontdesk", "staff"])
def test_staff_below_chief_are_refused(staff_client, make_agreement, clock, role):
    make_agreement(2027)
    client = staff_client(role)

    for path in ("/personale/kpi", "/personale/kpi/rapport", "/personale/kpi/eksport/maal.csv",
                 "/personale/kpi/eksport/kpi.xlsx", "/personale/kpi/2027/budget",
                 "/personale/kpi/aendringer"):
        assert client.get(path).status_code == 403, path


@pytest.mark.parametrize("role", ["chief", "admin"])
def test_chief_and_admin_see_the_dashboard(staff_client, make_agreement, clock, role):
    make_agreement(2027)
    assert staff_client(role).get("/personale/kpi").status_code == 200


def test_every_kpi_page_requires_the_chief_role(app):
    public = {"kpi.survey"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("kpi.") and rule.endpoint not in public:
            view = app.view_functions[rule.endpoint]
            assert getattr(view, "required_roles", None) == ("chief",), rule.rule


def test_cards_show_status_in_words_and_figures(staff_client, make_agreement, make_answers,
                                                make_unit, make_booking, clock):
    seed_field_case(make_agreement, make_answers, make_unit, make_booking)

    html = staff_client("chief").get("/personale/kpi").get_data(as_text=True)

    online = card(html, "Tidsbestilling til pas")
    assert "kpi-card-met" in online
    assert "badge-success" in online
    assert "<span>Opfyldt</span>" in online
    assert "<td class=\"kpi-number\">94,1 %</td>" in online
    assert "<td class=\"kpi-number\">17</td>" in online
    assert "73,0–99,0 %" in online
    assert "Der er for få besvarelser til, at konfidensintervallet kan skelne" in online
    wellbeing = card(html, "Trivsel")
    assert "<span>Ikke målt</span>" in wellbeing
    assert "Centerets APV-resultat og rådhusets gennemsnit er ikke indtastet." in wellbeing
    assert html.count('<section class="card kpi-card') == 6


def test_period_without_answers_shows_dash_and_not_measured(staff_client, make_agreement,
                                                            make_unit, make_booking, clock):
    make_agreement(2027)
    make_booking(make_unit(), local(2027, 2, 1, 9, 0), status="served")

    html = staff_client("chief").get(
        "/personale/kpi?fra=01.02.2027&til=07.02.2027").get_data(as_text=True)

    online = card(html, "Tidsbestilling til pas")
    assert "<span>Ikke målt</span>" in online
    assert "<td class=\"kpi-number\">–</td>" in online
    assert "0,0 %" not in online
    assert ">0 %<" not in online
    assert "Der er ingen besvarelser af tilfredshedsmålingen i perioden." in online


def test_charts_come_with_tables_of_the_same_numbers(staff_client, make_agreement, make_answers,
                                                     make_unit, make_booking, clock):
    seed_field_case(make_agreement, make_answers, make_unit, make_booking)

    html = staff_client("chief").get("/personale/kpi").get_data(as_text=True)

    for chart_id in ("chart-satisfaction", "chart-waiting", "chart-no-show", "chart-units",
                     "chart-digital"):
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in html
        assert f'id="{chart_id}-figure"' in html
    assert "90 %: opfyldt" in html
    assert "80 %: delvist" in html
    # Week 5 (1-7 February 2027) in the satisfaction table: 17 answers, 16 satisfied.
    assert re.search(r"Uge 5 \(01\.02\.–07\.02\.2027\)</th><td class=\"kpi-number\">17</td>"
                     r"<td class=\"kpi-number\">16</td><td class=\"kpi-number\">94,1 %</td>",
                     html)
    # The point of week 5 sits at 16 + 200 * (1 - 16/17) = 27.8: the plot is 200 pixels
    # high below a 16-pixel margin, and 100 % is at the top.
    assert re.search(r'<circle class="kpi-marker kpi-series-1" cx="[0-9.]+" cy="27\.8" r="4"/>',
                     html)


def test_dashboard_uses_no_inline_style_or_script(staff_client, make_agreement, clock):
    make_agreement(2027)

    html = staff_client("chief").get("/personale/kpi").get_data(as_text=True)

    assert " style=" not in html
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_invalid_period_shows_an_error(staff_client, make_agreement, clock):
    make_agreement(2027)

    html = staff_client("chief").get(
        "/personale/kpi?fra=10.02.2027&til=01.02.2027").get_data(as_text=True)

    assert "Der er problemer" in html
    assert "Slutdatoen skal ligge på eller efter startdatoen" in html
    assert "Perioden 01.01.2027–15.02.2027" in html


def test_unknown_agreement_or_goal_is_not_found(staff_client, make_agreement, clock):
    make_agreement(2027)
    client = staff_client("chief")

    assert client.get("/personale/kpi?aftale=2031").status_code == 404
    assert client.get("/personale/kpi/rapport/unknown").status_code == 404
    assert client.get("/personale/kpi/eksport/personer.csv").status_code == 404


def test_without_agreement_the_dashboard_says_so(staff_client, clock):
    html = staff_client("chief").get("/personale/kpi").get_data(as_text=True)
    assert "Der er ingen aftale endnu" in html


def test_report_prints_the_agreement_and_every_goal(staff_client, make_agreement, make_answers,
                                                    make_unit, make_booking, clock):
    seed_field_case(make_agreement, make_answers, make_unit, make_booking)

    response = staff_client("chief").get("/personale/kpi/rapport?fra=2027-01-01&til=2027-02-15")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "css/kpi.css" in html
    assert "Ved indgåelse af denne aftale forpligter aftalegiveren" in html
    assert "21.596.900 kr." in html
    assert "21.120.200 kr." in html
    assert "476.700 kr." in html
    assert html.count('class="kpi-report-section kpi-goal-report"') == 6
    assert "Løsningen er etableret og mindst 90% af brugerne er tilfredse med løsningen" in html
    # The answers of the overall question, with shares that add up to 100,0 %.
    for label, count, share in (("Meget tilfreds", 12, "70,6 %"), ("Tilfreds", 4, "23,5 %"),
                                ("Utilfreds", 1, "5,9 %")):
        assert (f'<th scope="row">{label}</th><td class="kpi-number">{count}</td>'
                f'<td class="kpi-number">{share}</td>') in html


def test_goal_report_compares_the_rounds_side_by_side(staff_client, make_agreement, make_answers,
                                                      clock):
    from kpi.models import FocusArea, SurveyRound
    from pastid.extensions import db

    agreement = make_agreement(2027)
    db.session.add_all([
        SurveyRound(agreement_id=agreement.id, number=1, starts_on=date(2027, 1, 4),
                    ends_on=date(2027, 1, 10)),
        SurveyRound(agreement_id=agreement.id, number=2, starts_on=date(2027, 2, 1),
                    ends_on=date(2027, 2, 7)),
        FocusArea(agreement_id=agreement.id, question="waiting_time", actions="Flere i skranken")])
    db.session.commit()
    make_answers(date(2027, 1, 5), {5: 3, 4: 3, 2: 4}, question="waiting_time")
    make_answers(date(2027, 2, 2), {5: 8, 4: 1, 3: 1}, question="waiting_time")

    html = staff_client("chief").get("/personale/kpi/rapport/citizen_survey").get_data(
        as_text=True)

    assert "<h1>Borgerundersøgelse</h1>" in html
    assert "<caption>Ventetid i centret</caption>" in html
    # Meget tilfreds: 3 of 10 (30,0 %) in round 1 and 8 of 10 (80,0 %) in round 2.
    assert ('<th scope="row">Meget tilfreds</th><td class="kpi-number">3</td>'
            '<td class="kpi-number">30,0 %</td><td class="kpi-number">8</td>'
            '<td class="kpi-number">80,0 %</td>') in html
    assert "+30,0 procentpoint" in html
    # Fisher: P(X >= 9), X hypergeometric with 10 draws from 20 holding 15 satisfied,
    # is (C(15,9)*C(5,1) + C(15,10)) / C(20,10) = 28028 / 184756 = 0.1517.
    assert "Fishers eksakte test (små tal), ensidet p: 0,152" in html
    assert "<span>Delvist opfyldt</span>" in html
