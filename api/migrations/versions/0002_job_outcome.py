"""Jobs say how they ended: ``outcome`` (the solve's status, cancelled or failed) and ``explanation``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the columns, and fill them in for the jobs that are already over."""
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("explanation", sa.Text(), nullable=True))
    jobs = sa.table(
        "jobs",
        sa.column("status", sa.String),
        sa.column("outcome", sa.String),
        sa.column("schedule_id", sa.String),
    )
    schedules = sa.table("schedules", sa.column("id", sa.String), sa.column("status", sa.String))
    solved = sa.select(schedules.c.status).where(schedules.c.id == jobs.c.schedule_id).scalar_subquery()
    op.execute(jobs.update().where(jobs.c.status == "done").values(outcome=solved))
    for status in ("failed", "cancelled"):
        op.execute(jobs.update().where(jobs.c.status == status).values(outcome=status))


def downgrade() -> None:
    """Drop the columns."""
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("explanation")
        batch_op.drop_column("outcome")
