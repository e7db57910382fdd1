"""The chief's data entry: effects, staff development talks, APV, budget, survey rounds.

Every change goes through kpi.services, which writes an audit entry; a view commits once
and redirects after a successful POST.
"""

import logging

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from admin import audit
from admin.auth import role_required
from admin.models import AuditEntry
from booking.forms import ActionForm
from kpi import evaluation, forms, queries, services
from kpi.models import BudgetActual, EfficiencyEffect, Employee
from kpi.views import bp
from kpi.views.common import actor_id, agreement_or_404, language, today
from pastid.errors import reshow_on_csrf_error
from pastid.extensions import db
from pastid.timeutil import MONTHS, now_utc

logger = logging.getLogger(__name__)

KPI_AUDIT_TYPES = ("agreement", "survey_round", "focus_area", "efficiency_effect", "employee",
                   "development_talk", "wellbeing_result", "budget_actual")
AUDIT_PAGE_SIZE = 100


def _submitted(form):
    return form.validate_on_submit() and not g.get("csrf_failed")


def _saved(message, endpoint, **values):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint, **values), code=303)


def _get_or_404(model, object_id, agreement=None):
    obj = db.session.get(model, object_id)
    if obj is None or (agreement is not None and obj.agreement_id != agreement.id):
        abort(404)
    return obj


# Efficiency effects and the analysis --------------------------------------------------

@bp.get("/personale/kpi/<int:year>/effekter")
@role_required("chief")
def effect_list(year):
    agreement = agreement_or_404(year)
    effects = queries.list_effects(agreement.id)
    return render_template("kpi/effect_list.html", agreement=agreement, effects=effects,
                           delete_form=ActionForm())


def _effect_input(form):
    return services.EffectInput(form.description.data, form.measure.data,
                                form.expected_value.data, form.realised_value.data,
                                form.documentation.data or "")


@bp.route("/personale/kpi/<int:year>/effekter/ny", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required("chief")
def effect_new(year):
    agreement = agreement_or_404(year)
    form = forms.EffectForm()

    if _submitted(form):
        services.create_effect(agreement, _effect_input(form), actor_id=actor_id(), now=now_utc())
        return _saved(gettext("Effekten er registreret."), "kpi.effect_list", year=year)
    return render_template("kpi/effect_form.html", agreement=agreement, form=form, effect=None)


@bp.route("/personale/kpi/<int:year>/effekter/<int:effect_id>", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required("chief")
def effect_edit(year, effect_id):
    agreement = agreement_or_404(year)
    effect = _get_or_404(EfficiencyEffect, effect_id, agreement)
    form = forms.EffectForm(obj=effect)

    if _submitted(form):
        services.update_effect(effect, _effect_input(form), actor_id=actor_id(), now=now_utc())
        return _saved(gettext("Effekten er gemt."), "kpi.effect_list", year=year)
    return render_template("kpi/effect_form.html", agreement=agreement, form=form, effect=effect)


@bp.post("/personale/kpi/<int:year>/effekter/<int:effect_id>/slet")
@role_required("chief")
def effect_delete(year, effect_id):
    agreement = agreement_or_404(year)
    effect = _get_or_404(EfficiencyEffect, effect_id, agreement)
    if not ActionForm().validate_on_submit():
        abort(400)

    services.delete_effect(effect, actor_id=actor_id(), now=now_utc())
    return _saved(gettext("Effekten er slettet."), "kpi.effect_list", year=year)


@bp.route("/personale/kpi/<int:year>/analyse", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required("chief")
def analysis_edit(year):
    agreement = agreement_or_404(year)
    form = forms.AnalysisForm(data={"analysis_on": agreement.efficiency_analysis_on,
                                    "note": agreement.efficiency_analysis_note})

    if _submitted(form):
        services.update_agreement(agreement, {
            "efficiency_analysis_on": form.analysis_on.data,
            "efficiency_analysis_note": form.note.data or ""}, actor_id=actor_id(), now=now_utc())
        return _saved(gettext("Analysen er gemt."), "kpi.effect_list", year=year)
    return render_template("kpi/simple_form.html", agreement=agreement, form=form,
                           title=gettext("Analyse af boligstøtteområdet"),
                           back=url_for("kpi.effect_list", year=year))


# Employees, staff development talks and the competence plan ---------------------------

@bp.get("/personale/kpi/<int:year>/mus")
@role_required("chief")
def talk_list(year):
    agreement = agreement_or_404(year)
    day = min(today(), agreement.ends_on)
    talks = queries.list_employee_talks(agreement.id, day)
    employees, held = queries.count_development_talks(agreement.id, day)
    result = evaluation.evaluate_competence(employees, held, agreement.competence_plan_on)
    former = [employee for employee in queries.list_employees()
              if employee.left_on is not None and employee.left_on <= day]
    return render_template("kpi/talk_list.html", agreement=agreement, talks=talks,
                           result=result, former=former)


@bp.route("/personale/kpi/<int:year>/mus/<int:employee_id>", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required("chief")
def talk_edit(year, employee_id):
    agreement = agreement_or_404(year)
    employee = _get_or_404(Employee, employee_id)
    talk = queries.get_development_talk(agreement.id, employee.id)
    form = forms.TalkForm(agreement=agreement, data={"held_on": talk.held_on if talk else None})

    if _submitted(form):
        services.set_development_talk(agreement, employee, form.held_on.data,
                                      actor_id=actor_id(), now=now_utc())
        return _saved(gettext("MUS-datoen er gemt."), "kpi.talk_list", year=year)
    return render_template("kpi/simple_form.html", agreement=agreement, form=form,
                           title=gettext("MUS for %(name)s", name=employee.name),
                           hint=gettext("Lad feltet stå tomt for at fjerne datoen."),
                           back=url_for("kpi.talk_list", year=year))


@bp.route("/personale/kpi/<int:year>/medarbejdere/ny", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required("chief")
def employee_new(year):
    agreement = agreement_or_404(year)
    form = forms.EmployeeForm()

    if _submitted(form):
        services.create_employee(form.name.data, form.job_title.data or "", form.left_on.data,
                                 actor_id=actor_id(), now=now_utc())
        return _saved(gettext("Medarbejderen er oprettet."), "kpi.talk_list", year=year)
    return render_template("kpi/simple_form.html", agreement=agreement, form=form,
                           title=gettext("Ny medarbejder"),
                           back=url_for("kpi.talk_list", year=year))


@bp.route("/personale/kpi/<int:year>/medarbejdere/<int:employee_id>", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required("chief")
def employee_edit(year, employee_id):
    agreement = agreement_or_404(year)
    employee = _get_or_404(Employee, employee_id)
    form = forms.EmployeeForm(obj=employee)

    if _submitted(form):
        services.update_employee(employee, form.name.data, form.job_title.data or "",
                                 form.left_on.data, actor_id=actor_id(), now=now_utc())
        return _saved(gettext("Medarbejderen er gemt."), "kpi.talk_list", year=year)
    return render_template("kpi/simple_form.html", agreement=agreement, form=form,
                           title=gettext("Ret medarbejder"),
                           hint=gettext("En fratrådt medarbejder tæller ikke med i målet."),
                           back=url_for("kpi.talk_list", year=year))


@bp.route("/personale/kpi/<int:year>/kompetenceplan", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required("chief")
def competence_plan_edit(year):
    agreement = agreement_or_404(year)
    form = forms.CompetencePlanForm(data={"plan_on": agreement.competence_plan_on,
                                          "note": agreement.competence_plan_note})

    if _submitted(form):
        services.update_agreement(agreement, {
            "competence_plan_on": form.plan_on.data,
            "competence_plan_note": form.note.data or ""}, actor_id=actor_id(), now=now_utc())
        return _saved(gettext("Kompetenceplanen er gemt."), "kpi.talk_list", year=year)
    return render_template("kpi/simple_form.html", agreement=agreement, form=form,
                           title=gettext("Samlet kompetenceplan"),
                           hint=gettext("Skriv datoen, hvor planen blev færdig. Lad feltet "
                                        "stå tomt, hvis planen ikke er færdig."),
                           back=url_for("kpi.talk_list", year=year))


# Wellbeing (APV) -----------------------------------------------------------------------

@bp.route("/personale/kpi/<int:year>/apv", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required("chief")
def wellbeing_edit(year):
    agreement = agreement_or_404(year)
    current = queries.get_wellbeing(agreement.id)
    form = forms.WellbeingForm(obj=current)

    if _submitted(form):
        services.save_wellbeing(agreement, form.centre_score.data, form.town_hall_score.data,
                                form.measured_on.data, form.note.data or "",
                                actor_id=actor_id(), now=now_utc())
        return _saved(gettext("APV-resultatet er gemt."), "kpi.dashboard", aftale=year)
    return render_template("kpi/simple_form.html", agreement=agreement, form=form,
                           title=gettext("APV og trivsel %(year)s", year=year),
                           hint=gettext("Skriv tallene med de decimaler, de er oplyst med i "
                                        "APV-rapporten, fx 4,2. Tallene sammenlignes med det "
                                        "mindste antal decimaler af de to."),
                           back=url_for("kpi.dashboard", aftale=year))


# Budget ---------------------------------------------------------------------------------

@bp.get("/personale/kpi/<int:year>/budget")
@role_required("chief")
def budget_list(year):
    agreement = agreement_or_404(year)
    actuals = queries.list_budget_actuals(agreement.id)
    months = evaluation.budget_months(
        agreement.salary_budget, agreement.operating_budget,
        {row.month: (row.salary_spent, row.operating_spent) for row in actuals})
    return render_template("kpi/budget_list.html", agreement=agreement, months=months,
                           notes={row.month: row.note for row in actuals},
                           delete_form=ActionForm())


def _month_or_404(month):
    if not 1 <= month <= 12:
        abort(404)
    return month


@bp.route("/personale/kpi/<int:year>/budget/<int:month>", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required("chief")
def budget_month_edit(year, month):
    agreement = agreement_or_404(year)
    _month_or_404(month)
    current = db.session.scalar(sa.select(BudgetActual).where(
        BudgetActual.agreement_id == agreement.id, BudgetActual.month == month))
    form = forms.BudgetActualForm(obj=current)

    if _submitted(form):
        try:
            services.save_budget_actual(agreement, month, form.salary_spent.data,
                                        form.operating_spent.data, form.note.data or "",
                                        actor_id=actor_id(), now=now_utc())
        except services.DuplicateRecord:
            db.session.rollback()
            flash(gettext("Måneden blev gemt af en anden samtidig. Tjek tallene, og gem "
                          "igen."), "error")
            return redirect(url_for("kpi.budget_month_edit", year=year, month=month))
        return _saved(gettext("Forbruget er gemt."), "kpi.budget_list", year=year)
    return render_template("kpi/simple_form.html", agreement=agreement, form=form,
                           title=gettext("Forbrug i %(month)s %(year)s",
                                         month=_month_name(month), year=year),
                           back=url_for("kpi.budget_list", year=year))


def _month_name(month):
    return MONTHS[language()][month - 1]


@bp.post("/personale/kpi/<int:year>/budget/<int:month>/slet")
@role_required("chief")
def budget_month_delete(year, month):
    agreement = agreement_or_404(year)
    _month_or_404(month)
    actual = db.session.scalar(sa.select(BudgetActual).where(
        BudgetActual.agreement_id == agreement.id, BudgetActual.month == month))
    if actual is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)

    services.delete_budget_actual(actual, actor_id=actor_id(), now=now_utc())
    return _saved(gettext("Forbruget for måneden er slettet."), "kpi.budget_list", year=year)


@bp.route("/personale/kpi/<int:year>/budget/ramme", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required("chief")
def budget_frame_edit(year):
    agreement = agreement_or_404(year)
    form = forms.BudgetFrameForm(obj=agreement)

    if _submitted(form):
        services.update_agreement(agreement, {
            "salary_budget": form.salary_budget.data,
            "operating_budget": form.operating_budget.data}, actor_id=actor_id(), now=now_utc())
        return _saved(gettext("Budgetrammen er gemt."), "kpi.budget_list", year=year)
    return render_template("kpi/simple_form.html", agreement=agreement, form=form,
                           title=gettext("Budgetramme %(year)s", year=year),
                           hint=gettext("Ret rammen, når den justeres i løbet af året, fx "
                                        "efter en politisk beslutning."),
                           back=url_for("kpi.budget_list", year=year))


# Citizen survey rounds and focus areas -----------------------------------------------

@bp.route("/personale/kpi/<int:year>/borgerundersoegelse", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required("chief")
def survey_rounds(year):
    agreement = agreement_or_404(year)
    rounds = {r.number: r for r in queries.list_survey_rounds(agreement.id)}
    areas = queries.list_focus_areas(agreement.id)
    form = forms.SurveyRoundsForm(data=_rounds_data(rounds))
    focus_form = forms.FocusAreasForm(formdata=None, data={
        "questions": [area.question for area in areas],
        "actions": areas[0].actions if areas else ""})

    if _submitted(form):
        try:
            services.save_survey_rounds(agreement, form.period("first"), form.period("second"),
                                        actor_id=actor_id(), now=now_utc())
        except services.RoundsOverlap:
            db.session.rollback()
            form.second_starts_on.errors.append(
                gettext("Anden måling skal begynde efter, at første måling er slut"))
        else:
            return _saved(gettext("Målingerne er gemt."), "kpi.survey_rounds", year=year)
    return _render_survey_rounds(agreement, rounds, form, focus_form)


def _rounds_data(rounds):
    data = {}
    for number, prefix in ((1, "first"), (2, "second")):
        if number in rounds:
            data[f"{prefix}_starts_on"] = rounds[number].starts_on
            data[f"{prefix}_ends_on"] = rounds[number].ends_on
    return data


def _render_survey_rounds(agreement, rounds, form, focus_form):
    first = rounds.get(1)
    can_choose = first is not None and first.ends_on < today()
    return render_template("kpi/survey_rounds.html", agreement=agreement, form=form,
                           focus_form=focus_form, can_choose_focus=can_choose)


@bp.post("/personale/kpi/<int:year>/borgerundersoegelse/indsatsomraader")
@reshow_on_csrf_error
@role_required("chief")
def focus_areas(year):
    agreement = agreement_or_404(year)
    rounds = {r.number: r for r in queries.list_survey_rounds(agreement.id)}
    focus_form = forms.FocusAreasForm()

    if _submitted(focus_form):
        try:
            services.save_focus_areas(agreement, focus_form.questions.data,
                                      focus_form.actions.data or "", actor_id=actor_id(),
                                      today=today(), now=now_utc())
        except services.FocusAreasTooEarly:
            db.session.rollback()
            focus_form.questions.errors.append(
                gettext("Vælg indsatsområder, når første måling er slut"))
        else:
            return _saved(gettext("Indsatsområderne er gemt."), "kpi.survey_rounds", year=year)
    form = forms.SurveyRoundsForm(formdata=None, data=_rounds_data(rounds))
    return _render_survey_rounds(agreement, rounds, form, focus_form)


# Audit trail -----------------------------------------------------------------------------

@bp.get("/personale/kpi/aendringer")
@role_required("chief")
def audit_log():
    page = max(1, request.args.get("side", 1, type=int))
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.object_type.in_(KPI_AUDIT_TYPES))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * AUDIT_PAGE_SIZE).limit(AUDIT_PAGE_SIZE + 1)).all()
    return render_template("kpi/audit_log.html", entries=entries[:AUDIT_PAGE_SIZE],
                           has_more=len(entries) > AUDIT_PAGE_SIZE, page=page,
                           load=audit.load)
