"""Staff: profile fields (email, birth and hire dates, team, hourly cost, leaving date),
certificates with expiry, trainings, the shift's role, attendance, leave requests and
performance reviews (a trigger refuses any change to a final review).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.models.base

SQLITE_GUARDS = [
    "CREATE TRIGGER reviews_final_no_update BEFORE UPDATE ON reviews WHEN OLD.status = 'final' "
    "BEGIN SELECT RAISE(ABORT, 'a final review never changes'); END",
    "CREATE TRIGGER reviews_final_no_delete BEFORE DELETE ON reviews WHEN OLD.status = 'final' "
    "BEGIN SELECT RAISE(ABORT, 'a final review never changes'); END",
]
POSTGRES_GUARDS = [
    "CREATE FUNCTION reviews_final_unchanged() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN IF OLD.status = 'final' THEN RAISE EXCEPTION 'a final review never changes'; END IF; "
    "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER reviews_final_no_change BEFORE UPDATE OR DELETE ON reviews "
    "FOR EACH ROW EXECUTE FUNCTION reviews_final_unchanged()",
]

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("clock_in", core.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("clock_out", core.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("correction_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", core.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_attendance_created_by_id_users")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_attendance_staff_id_staff")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_attendance_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index("ix_attendance_staff_in", ["staff_id", "clock_in"], unique=False)

    op.create_table(
        "leave_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", core.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column("created_at", core.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_leave_requests_created_by_id_users")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_leave_requests_decided_by_id_users")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_leave_requests_staff_id_staff")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_leave_requests_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leave_requests")),
    )
    with op.batch_alter_table("leave_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leave_requests_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "qualifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("skill", sa.String(length=30), nullable=True),
        sa.Column("obtained_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("created_at", core.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_qualifications_created_by_id_users")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_qualifications_staff_id_staff")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_qualifications_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualifications")),
    )
    with op.batch_alter_table("qualifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qualifications_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("score", core.models.base.Fixed(), nullable=False),
        sa.Column("comments", sa.String(length=2000), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("finalised_by_id", sa.Integer(), nullable=True),
        sa.Column("finalised_at", core.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", core.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_reviews_created_by_id_users")),
        sa.ForeignKeyConstraint(["finalised_by_id"], ["users.id"], name=op.f("fk_reviews_finalised_by_id_users")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_reviews_staff_id_staff")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_reviews_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("staff_id", "period_from", "period_to", name=op.f("uq_reviews_staff_id")),
    )
    op.create_table(
        "trainings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(length=100), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("result", sa.String(length=10), nullable=False),
        sa.Column("notes", sa.String(length=500), nullable=True),
        sa.Column("created_at", core.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_trainings_created_by_id_users")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_trainings_staff_id_staff")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_trainings_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trainings")),
    )
    with op.batch_alter_table("trainings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trainings_staff_id"), ["staff_id"], unique=False)

    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=20), nullable=False, server_default="technician"))

    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("birth_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("hire_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("team", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("hourly_cost", core.models.base.Fixed(), nullable=True))
        batch_op.add_column(sa.Column("left_on", sa.Date(), nullable=True))

    for statement in POSTGRES_GUARDS if op.get_bind().dialect.name == "postgresql" else SQLITE_GUARDS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER reviews_final_no_change ON reviews")
        op.execute("DROP FUNCTION reviews_final_unchanged()")
    else:
        op.execute("DROP TRIGGER reviews_final_no_update")
        op.execute("DROP TRIGGER reviews_final_no_delete")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("left_on")
        batch_op.drop_column("hourly_cost")
        batch_op.drop_column("team")
        batch_op.drop_column("hire_date")
        batch_op.drop_column("birth_date")
        batch_op.drop_column("email")

    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.drop_column("role")

    with op.batch_alter_table("trainings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trainings_staff_id"))

    op.drop_table("trainings")
    op.drop_table("reviews")
    with op.batch_alter_table("qualifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qualifications_staff_id"))

    op.drop_table("qualifications")
    with op.batch_alter_table("leave_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leave_requests_staff_id"))

    op.drop_table("leave_requests")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index("ix_attendance_staff_in")

    op.drop_table("attendance")
