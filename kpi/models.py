"""Survey answers, the performance agreement and its goals, and the figures the chief enters.

Survey answers are kept apart from bookings: no foreign key, no name, e-mail or phone,
only what the statistics need (unit, visit day, channel, purpose and the scores).
"""

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pastid.database import UTCDateTime, db
from pastid.timeutil import now_utc

SCORE_MIN = 1
SCORE_MAX = 5
# A score of 4 (tilfreds) or 5 (meget tilfreds) counts as satisfied.
SATISFIED_MIN = 4
COMMENT_MAX_LENGTH = 1000


class Question(enum.StrEnum):
    """The post-visit survey's questions; each value is also the answer column's name."""

    BOOKING_OVERALL = "booking_overall"
    BOOKING_EASE = "booking_ease"
    WAITING_TIME = "waiting_time"
    PROFESSIONAL_QUALITY = "professional_quality"
    GENERAL_SERVICE = "general_service"


# Questions about booking online; a visit booked by staff (channel assisted) skips them.
BOOKING_QUESTIONS = (Question.BOOKING_OVERALL, Question.BOOKING_EASE)


class GoalRule(enum.StrEnum):
    """The rule that evaluates a goal; one goal per rule in each agreement."""

    BUDGET = "budget"
    EFFICIENCY = "efficiency"
    CITIZEN_SURVEY = "citizen_survey"
    COMPETENCE = "competence"
    ONLINE_BOOKING = "online_booking"
    WELLBEING = "wellbeing"


def _in_check(column, values):
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


def _score_column():
    return mapped_column(sa.SmallInteger, nullable=True)


class SurveyAnswer(db.Model):
    """One answer to the post-visit survey, unlinked from the booking it came from.

    A score is 1 (meget utilfreds) to 5 (meget tilfreds); null means "ved ikke" or a
    question the citizen was not asked.
    NOTE: ids grow in answer order, like Booking.survey_answered_at, so the two can be
    matched by someone with database access until the booking's personal data is erased.
    """

    __tablename__ = "survey_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="SET NULL"))
    visit_date: Mapped[date] = mapped_column(sa.Date)
    channel: Mapped[str] = mapped_column(sa.String(10))
    purpose: Mapped[str] = mapped_column(sa.String(12))
    booking_overall: Mapped[int | None] = _score_column()
    booking_ease: Mapped[int | None] = _score_column()
    waiting_time: Mapped[int | None] = _score_column()
    professional_quality: Mapped[int | None] = _score_column()
    general_service: Mapped[int | None] = _score_column()
    comment: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = tuple(
        sa.CheckConstraint(f"{question.value} BETWEEN {SCORE_MIN} AND {SCORE_MAX}",
                           name=f"{question.value}_range")
        for question in Question
    ) + (
        sa.CheckConstraint("channel IN ('online', 'assisted')", name="channel_known"),
        sa.CheckConstraint(f"length(comment) <= {COMMENT_MAX_LENGTH}", name="comment_length"),
        # The KPI queries select answers by visit day and read only the scores, so this
        # index holds them all and a period's statistics scan one range of it.
        sa.Index("ix_survey_answer_visit_date", "visit_date",
                 *[question.value for question in Question]),
    )


class Agreement(db.Model):
    """A yearly performance agreement between the grantor and the centre, with its budget."""

    __tablename__ = "agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    grantor: Mapped[str] = mapped_column(sa.String(200))
    holder: Mapped[str] = mapped_column(sa.String(200))
    preamble: Mapped[str] = mapped_column(sa.Text, default="")
    budget_text: Mapped[str] = mapped_column(sa.Text, default="")
    # Whole kroner. Salary and operating sums together make the frame.
    salary_budget: Mapped[int] = mapped_column(sa.BigInteger)
    operating_budget: Mapped[int] = mapped_column(sa.BigInteger)
    # Milestones of the efficiency and competence goals, entered by the chief.
    efficiency_analysis_on: Mapped[date | None] = mapped_column(sa.Date)
    efficiency_analysis_note: Mapped[str] = mapped_column(sa.Text, default="")
    competence_plan_on: Mapped[date | None] = mapped_column(sa.Date)
    competence_plan_note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    goals: Mapped[list["Goal"]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan",
        order_by="(Goal.level, Goal.position)")

    __table_args__ = (
        sa.CheckConstraint("starts_on <= ends_on", name="starts_before_ends"),
        sa.CheckConstraint("salary_budget >= 0 AND operating_budget >= 0",
                           name="budget_not_negative"),
    )

    @property
    def total_budget(self):
        return self.salary_budget + self.operating_budget


class Goal(db.Model):
    """One goal of an agreement, with the agreement's own wording in each field.

    Level 1 is political, level 2 administrative and level 3 the unit's own goal.
    """

    __tablename__ = "goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(sa.String(20))
    level: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(200))
    objective: Mapped[str] = mapped_column(sa.Text, default="")
    background: Mapped[str] = mapped_column(sa.Text, default="")
    result_measures: Mapped[str] = mapped_column(sa.Text, default="")
    deadline: Mapped[str] = mapped_column(sa.Text, default="")
    criteria_met: Mapped[str] = mapped_column(sa.Text, default="")
    criteria_partly_met: Mapped[str] = mapped_column(sa.Text, default="")
    criteria_not_met: Mapped[str] = mapped_column(sa.Text, default="")
    initiatives: Mapped[str] = mapped_column(sa.Text, default="")
    follow_up_method: Mapped[str] = mapped_column(sa.Text, default="")
    follow_up_times: Mapped[str] = mapped_column(sa.Text, default="")
    responsible: Mapped[str] = mapped_column(sa.String(200), default="")

    agreement: Mapped[Agreement] = relationship(back_populates="goals")

    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "rule", name="uq_goal_agreement_rule"),
        sa.CheckConstraint("level BETWEEN 1 AND 3", name="level_range"),
        sa.CheckConstraint(_in_check("rule", [rule.value for rule in GoalRule]),
                           name="rule_known"),
    )


class SurveyRound(db.Model):
    """A measurement round of the citizen survey: the post-visit answers of a period."""

    __tablename__ = "survey_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreement.id", ondelete="CASCADE"))
    number: Mapped[int]
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)

    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "number", name="uq_survey_round_agreement_number"),
        sa.CheckConstraint("number IN (1, 2)", name="number_known"),
        sa.CheckConstraint("starts_on <= ends_on", name="starts_before_ends"),
    )


class FocusArea(db.Model):
    """A survey question chosen after the first round as an area to improve."""

    __tablename__ = "focus_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreement.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(sa.String(30))
    actions: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "question", name="uq_focus_area_agreement_question"),
        sa.CheckConstraint(_in_check("question", [question.value for question in Question]),
                           name="question_known"),
    )


class EfficiencyEffect(db.Model):
    """An expected effect of streamlining or digitalisation, and what was realised.

    A larger value is better: an effect is realised when realised_value reaches
    expected_value.
    """

    __tablename__ = "efficiency_effect"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(sa.String(300))
    measure: Mapped[str] = mapped_column(sa.String(60))
    expected_value: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2))
    realised_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    documentation: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    __table_args__ = (
        sa.CheckConstraint("expected_value > 0", name="expected_positive"),
        sa.CheckConstraint("realised_value >= 0", name="realised_not_negative"),
    )


class Employee(db.Model):
    """A member of the centre's staff, for the competence goal; not a login."""

    __tablename__ = "employee"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    job_title: Mapped[str] = mapped_column(sa.String(100), default="")
    # An employee who has left no longer needs a staff development talk.
    left_on: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class DevelopmentTalk(db.Model):
    """The staff development talk (MUS) an employee had in an agreement's year."""

    __tablename__ = "development_talk"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employee.id", ondelete="CASCADE"))
    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(sa.Date)

    __table_args__ = (
        sa.UniqueConstraint("employee_id", "agreement_id",
                            name="uq_development_talk_employee_agreement"),
    )


class WellbeingResult(db.Model):
    """The centre's APV score and the town hall's average for an agreement's year.

    Each score keeps the number of decimals it was reported with, because the goal
    compares the two at the reported precision.
    """

    __tablename__ = "wellbeing_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreement.id", ondelete="CASCADE"), unique=True)
    centre_score: Mapped[Decimal] = mapped_column(sa.Numeric(7, 3))
    centre_decimals: Mapped[int] = mapped_column(sa.SmallInteger)
    town_hall_score: Mapped[Decimal] = mapped_column(sa.Numeric(7, 3))
    town_hall_decimals: Mapped[int] = mapped_column(sa.SmallInteger)
    measured_on: Mapped[date | None] = mapped_column(sa.Date)
    note: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (
        sa.CheckConstraint("centre_decimals BETWEEN 0 AND 3 AND town_hall_decimals BETWEEN 0 AND 3",
                           name="decimals_range"),
    )


class BudgetActual(db.Model):
    """The salary and operating sums spent in one month of an agreement, in whole kroner."""

    __tablename__ = "budget_actual"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreement.id", ondelete="CASCADE"))
    month: Mapped[int]
    salary_spent: Mapped[int] = mapped_column(sa.BigInteger)
    operating_spent: Mapped[int] = mapped_column(sa.BigInteger)
    note: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "month", name="uq_budget_actual_agreement_month"),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
    )
