"""Create the survey and agreement tables

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 20:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

QUESTIONS = ('booking_overall', 'booking_ease', 'waiting_time', 'professional_quality',
             'general_service')
RULES = ('budget', 'efficiency', 'citizen_survey', 'competence', 'online_booking', 'wellbeing')


def _in_check(column, values):
    quoted = ', '.join(f"'{value}'" for value in values)
    return f'{column} IN ({quoted})'


def _create_survey_answer():
    op.create_table('survey_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('visit_date', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('purpose', sa.String(length=12), nullable=False),
    *[sa.Column(question, sa.SmallInteger(), nullable=True) for question in QUESTIONS],
    sa.Column('comment', sa.Text(), nullable=True),
    *[sa.CheckConstraint(f'{question} BETWEEN 1 AND 5', name=op.f(f'ck_survey_answer_{question}_range'))
      for question in QUESTIONS],
    sa.CheckConstraint("channel IN ('online', 'assisted')", name=op.f('ck_survey_answer_channel_known')),
    sa.CheckConstraint('length(comment) <= 1000', name=op.f('ck_survey_answer_comment_length')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_survey_answer_unit_id_unit'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answer'))
    )
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.create_index('ix_survey_answer_visit_date', ['visit_date', *QUESTIONS], unique=False)


def _create_agreement_and_goals():
    op.create_table('agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('grantor', sa.String(length=200), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('preamble', sa.Text(), nullable=False),
    sa.Column('budget_text', sa.Text(), nullable=False),
    sa.Column('salary_budget', sa.BigInteger(), nullable=False),
    sa.Column('operating_budget', sa.BigInteger(), nullable=False),
    sa.Column('efficiency_analysis_on', sa.Date(), nullable=True),
    sa.Column('efficiency_analysis_note', sa.Text(), nullable=False),
    sa.Column('competence_plan_on', sa.Date(), nullable=True),
    sa.Column('competence_plan_note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('salary_budget >= 0 AND operating_budget >= 0', name=op.f('ck_agreement_budget_not_negative')),
    sa.CheckConstraint('starts_on <= ends_on', name=op.f('ck_agreement_starts_before_ends')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement')),
    sa.UniqueConstraint('year', name=op.f('uq_agreement_year'))
    )
    op.create_table('goal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=20), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('objective', sa.Text(), nullable=False),
    sa.Column('background', sa.Text(), nullable=False),
    sa.Column('result_measures', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Text(), nullable=False),
    sa.Column('criteria_met', sa.Text(), nullable=False),
    sa.Column('criteria_partly_met', sa.Text(), nullable=False),
    sa.Column('criteria_not_met', sa.Text(), nullable=False),
    sa.Column('initiatives', sa.Text(), nullable=False),
    sa.Column('follow_up_method', sa.Text(), nullable=False),
    sa.Column('follow_up_times', sa.Text(), nullable=False),
    sa.Column('responsible', sa.String(length=200), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 3', name=op.f('ck_goal_level_range')),
    sa.CheckConstraint(_in_check('rule', RULES), name=op.f('ck_goal_rule_known')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_goal_agreement_id_agreement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal')),
    sa.UniqueConstraint('agreement_id', 'rule', name='uq_goal_agreement_rule')
    )
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_agreement_id'), ['agreement_id'], unique=False)


def _create_citizen_survey_tables():
    op.create_table('survey_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.CheckConstraint('number IN (1, 2)', name=op.f('ck_survey_round_number_known')),
    sa.CheckConstraint('starts_on <= ends_on', name=op.f('ck_survey_round_starts_before_ends')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_survey_round_agreement_id_agreement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_round')),
    sa.UniqueConstraint('agreement_id', 'number', name='uq_survey_round_agreement_number')
    )
    op.create_table('focus_area',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=30), nullable=False),
    sa.Column('actions', sa.Text(), nullable=False),
    sa.CheckConstraint(_in_check('question', QUESTIONS), name=op.f('ck_focus_area_question_known')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_focus_area_agreement_id_agreement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_focus_area')),
    sa.UniqueConstraint('agreement_id', 'question', name='uq_focus_area_agreement_question')
    )


def _create_entered_figures():
    op.create_table('efficiency_effect',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('measure', sa.String(length=60), nullable=False),
    sa.Column('expected_value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('realised_value', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('documentation', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('expected_value > 0', name=op.f('ck_efficiency_effect_expected_positive')),
    sa.CheckConstraint('realised_value >= 0', name=op.f('ck_efficiency_effect_realised_not_negative')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_efficiency_effect_agreement_id_agreement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_efficiency_effect'))
    )
    with op.batch_alter_table('efficiency_effect', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_efficiency_effect_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('employee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('job_title', sa.String(length=100), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employee'))
    )
    op.create_table('development_talk',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_development_talk_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_development_talk_employee_id_employee'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_development_talk')),
    sa.UniqueConstraint('employee_id', 'agreement_id', name='uq_development_talk_employee_agreement')
    )
    with op.batch_alter_table('development_talk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_development_talk_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('wellbeing_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('centre_score', sa.Numeric(precision=7, scale=3), nullable=False),
    sa.Column('centre_decimals', sa.SmallInteger(), nullable=False),
    sa.Column('town_hall_score', sa.Numeric(precision=7, scale=3), nullable=False),
    sa.Column('town_hall_decimals', sa.SmallInteger(), nullable=False),
    sa.Column('measured_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint('centre_decimals BETWEEN 0 AND 3 AND town_hall_decimals BETWEEN 0 AND 3', name=op.f('ck_wellbeing_result_decimals_range')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_wellbeing_result_agreement_id_agreement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wellbeing_result')),
    sa.UniqueConstraint('agreement_id', name=op.f('uq_wellbeing_result_agreement_id'))
    )
    op.create_table('budget_actual',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('salary_spent', sa.BigInteger(), nullable=False),
    sa.Column('operating_spent', sa.BigInteger(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint('month BETWEEN 1 AND 12', name=op.f('ck_budget_actual_month_range')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_budget_actual_agreement_id_agreement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_actual')),
    sa.UniqueConstraint('agreement_id', 'month', name='uq_budget_actual_agreement_month')
    )


def _create_booking_kpi_index():
    # A covering index for the dashboard's aggregates over bookings; see booking.models.
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.create_index('ix_booking_kpi', ['start_at', 'status', 'channel', 'unit_id', 'checked_in_at', 'called_at'], unique=False)


def upgrade():
    _create_booking_kpi_index()
    _create_survey_answer()
    _create_agreement_and_goals()
    _create_citizen_survey_tables()
    _create_entered_figures()


def downgrade():
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_index('ix_booking_kpi')
    with op.batch_alter_table('development_talk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_development_talk_agreement_id'))
    with op.batch_alter_table('efficiency_effect', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_efficiency_effect_agreement_id'))
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_agreement_id'))
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_answer_visit_date')
    for table in ('budget_actual', 'wellbeing_result', 'development_talk', 'employee',
                  'efficiency_effect', 'focus_area', 'survey_round', 'goal', 'agreement',
                  'survey_answer'):
        op.drop_table(table)
