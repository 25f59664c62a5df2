"""Problem reports: what people report from any page (with an optional screenshot), until an admin
closes them.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.models.base

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "problem_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("screenshot", sa.LargeBinary(), nullable=True),
        sa.Column("screenshot_type", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("closed_at", core.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.String(length=1000), nullable=True),
        sa.Column("created_at", core.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["closed_by_id"], ["users.id"], name=op.f("fk_problem_reports_closed_by_id_users")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_problem_reports_created_by_id_users")),
        sa.ForeignKeyConstraint(["reporter_id"], ["users.id"], name=op.f("fk_problem_reports_reporter_id_users")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_problem_reports_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_reports")),
    )
    with op.batch_alter_table("problem_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_reports_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_problem_reports_updated_at"), ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("problem_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_reports_updated_at"))
        batch_op.drop_index(batch_op.f("ix_problem_reports_status"))

    op.drop_table("problem_reports")
