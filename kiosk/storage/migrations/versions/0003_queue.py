"""Queue: ticket projection columns, append-only queue events (the unit of queue sync), counters.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("queue_tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("service_code", sa.String(length=48), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("line_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("counter", sa.String(length=4), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("target_counter", sa.String(length=4), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("staff_id", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("first_called_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("called_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("started_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("finished_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("calls", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("misses", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
        batch_op.create_index("ix_queue_tickets_waiting", ["service_date", "state", "group"], unique=False)
        batch_op.create_index("ix_queue_tickets_line", ["service_date", "state", "line_at"], unique=False)
    # Server defaults only fill existing rows; the models give new rows their values.
    with op.batch_alter_table("queue_tickets", schema=None) as batch_op:
        for column in ("service_code", "counter", "target_counter", "staff_id", "calls", "misses"):
            batch_op.alter_column(column, server_default=None)

    op.create_table(
        "queue_events",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("ticket_id", sa.String(length=36), nullable=True),
        sa.Column("service_date", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("counter", sa.String(length=4), nullable=False),
        sa.Column("staff_id", sa.String(length=64), nullable=False),
        sa.Column("kiosk_id", sa.String(length=8), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("synced_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_queue_events")),
        sa.UniqueConstraint("id", name=op.f("uq_queue_events_id")),
    )
    with op.batch_alter_table("queue_events", schema=None) as batch_op:
        batch_op.create_index("ix_queue_events_day", ["service_date", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_queue_events_ticket_id"), ["ticket_id"], unique=False)
        batch_op.create_index("ix_queue_events_unsynced", ["synced_at", "seq"], unique=False)
    op.execute(
        "CREATE TRIGGER queue_events_no_delete BEFORE DELETE ON queue_events "
        "BEGIN SELECT RAISE(ABORT, 'queue events are append-only'); END"
    )
    op.execute(
        "CREATE TRIGGER queue_events_no_update BEFORE UPDATE OF id, ticket_id, service_date, kind, at, "
        "counter, staff_id, kiosk_id, data ON queue_events "
        "BEGIN SELECT RAISE(ABORT, 'queue events are append-only'); END"
    )

    op.create_table(
        "queue_counters",
        sa.Column("id", sa.String(length=4), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("staff_id", sa.String(length=64), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_counters")),
    )


def downgrade() -> None:
    op.drop_table("queue_counters")
    op.execute("DROP TRIGGER IF EXISTS queue_events_no_update")
    op.execute("DROP TRIGGER IF EXISTS queue_events_no_delete")
    with op.batch_alter_table("queue_events", schema=None) as batch_op:
        batch_op.drop_index("ix_queue_events_unsynced")
        batch_op.drop_index(batch_op.f("ix_queue_events_ticket_id"))
        batch_op.drop_index("ix_queue_events_day")
    op.drop_table("queue_events")
    with op.batch_alter_table("queue_tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_queue_tickets_line")
        batch_op.drop_index("ix_queue_tickets_waiting")
        for column in (
            "updated_at", "misses", "calls", "finished_at", "started_at", "called_at",
            "first_called_at", "staff_id", "target_counter", "counter", "line_at", "service_code",
        ):
            batch_op.drop_column(column)
