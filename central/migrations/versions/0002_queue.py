"""Office queue: every kiosk's queue events (idempotent by id, `n` is the pull cursor), the ticket and
counter projections folded from them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "queue_events",
        sa.Column("n", BigId, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("ticket_id", sa.String(length=36), nullable=True),
        sa.Column("service_date", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("counter", sa.String(length=4), nullable=False),
        sa.Column("staff_id", sa.String(length=64), nullable=False),
        sa.Column("kiosk_id", sa.String(length=8), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("pushed_by", sa.String(length=4), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("n", name=op.f("pk_queue_events")),
        sa.UniqueConstraint("id", name=op.f("uq_queue_events_id")),
    )
    with op.batch_alter_table("queue_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_queue_events_ticket_id"), ["ticket_id"], unique=False)
        batch_op.create_index("ix_queue_events_day", ["service_date", "at"], unique=False)

    op.create_table(
        "queue_tickets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("service_date", sa.String(length=10), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("group", sa.String(length=4), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("kiosk_id", sa.String(length=8), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=True),
        sa.Column("service_code", sa.String(length=48), nullable=False),
        sa.Column("line_at", sa.DateTime(), nullable=True),
        sa.Column("counter", sa.String(length=4), nullable=False),
        sa.Column("target_counter", sa.String(length=4), nullable=False),
        sa.Column("staff_id", sa.String(length=64), nullable=False),
        sa.Column("first_called_at", sa.DateTime(), nullable=True),
        sa.Column("called_at", sa.DateTime(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("misses", sa.Integer(), nullable=False),
        sa.Column("ignored_calls", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_tickets")),
    )
    with op.batch_alter_table("queue_tickets", schema=None) as batch_op:
        batch_op.create_index("ix_queue_tickets_number", ["service_date", "number"], unique=False)
        batch_op.create_index("ix_queue_tickets_state", ["service_date", "state"], unique=False)

    op.create_table(
        "queue_counters",
        sa.Column("id", sa.String(length=4), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("staff_id", sa.String(length=64), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_counters")),
    )


def downgrade() -> None:
    op.drop_table("queue_counters")
    with op.batch_alter_table("queue_tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_queue_tickets_state")
        batch_op.drop_index("ix_queue_tickets_number")

    op.drop_table("queue_tickets")
    with op.batch_alter_table("queue_events", schema=None) as batch_op:
        batch_op.drop_index("ix_queue_events_day")
        batch_op.drop_index(batch_op.f("ix_queue_events_ticket_id"))

    op.drop_table("queue_events")
