"""Personal data sealed at rest: per-applicant data keys, sealed fields, forms and event parts.

Adds `applicants.wrapped_key` and `.sealed`, `cases.sealed_form`, `case_events.sealed` and
`outbox.sealed`; seals what older versions kept in clear with a new data key per applicant (the
master key comes from `kiosk.storage.db`, through the Alembic config's `data_keys` attribute); then
drops the clear columns. Events stay append-only: their update trigger now names every column but
`sealed`, and a second trigger lets `sealed` change only to empty (erased at purge, the empty blob
saying a personal part was there) or NULL.

The rule for what is personal in event data is frozen here as it was at this revision: the `form`
and `applicant` keys of any event, everything but `field` in a `field_edited` event.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 09:00:00
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from kiosk.storage.crypto import MasterKey, applicant_aad, event_aad, form_aad, open_sealed, outbox_aad, seal

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

APPLICANT_FIELDS = ("citizen_id", "name_th", "name_en", "birth_date", "address", "phone")
EVENT_COLUMNS = (
    "id, case_id, seq, kind, from_state, to_state, actor_role, actor_id, kiosk_id, at, reason, data"
)

APPEND_ONLY = (
    f"CREATE TRIGGER case_events_no_update BEFORE UPDATE OF {EVENT_COLUMNS} ON case_events "
    "BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END"
)
ERASE_ONLY = (
    "CREATE TRIGGER case_events_sealed_erase_only BEFORE UPDATE OF sealed ON case_events "
    "WHEN length(NEW.sealed) > 0 "
    "BEGIN SELECT RAISE(ABORT, 'the sealed part of a case event can only be erased'); END"
)
APPEND_ONLY_0001 = (
    "CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events "
    "BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END"
)


def _master_key() -> MasterKey:
    config = op.get_context().config
    keys = config.attributes.get("data_keys") if config is not None else None
    if callable(keys) and not isinstance(keys, MasterKey):
        keys = keys()
    if not isinstance(keys, MasterKey):
        raise RuntimeError(
            "migration 0005 seals personal data and needs the kiosk's master key: "
            "run it through kiosk.storage.db (kiosk db upgrade), not the alembic command"
        )
    return keys


def _json(value: Any) -> Any:
    if value is None:
        return {}
    return json.loads(value) if isinstance(value, str | bytes) else value


def _split(kind: str, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    clear: dict[str, Any] = {}
    personal: dict[str, Any] = {}
    for key, value in data.items():
        if key in ("form", "applicant") or (kind == "field_edited" and key != "field"):
            personal[key] = value
        else:
            clear[key] = value
    return clear, personal


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def upgrade() -> None:
    master = _master_key()
    conn = op.get_bind()
    op.add_column("applicants", sa.Column("wrapped_key", sa.LargeBinary(), nullable=True))
    op.add_column("applicants", sa.Column("sealed", sa.LargeBinary(), nullable=True))
    op.add_column("cases", sa.Column("sealed_form", sa.LargeBinary(), nullable=True))
    op.add_column("case_events", sa.Column("sealed", sa.LargeBinary(), nullable=True))
    op.add_column("outbox", sa.Column("sealed", sa.LargeBinary(), nullable=True))
    op.execute("DROP TRIGGER IF EXISTS case_events_no_update")

    deks: dict[str, bytes | None] = {}
    people = conn.execute(
        sa.text(f"SELECT id, purged_at, {', '.join(APPLICANT_FIELDS)} FROM applicants")  # noqa: S608
    ).all()
    for row in people:
        applicant_id = row[0]
        if row[1] is not None:
            deks[applicant_id] = None  # purged before this revision: nothing to keep, nothing to seal
            conn.execute(
                sa.text("UPDATE applicants SET citizen_ref = '' WHERE id = :id"), {"id": applicant_id}
            )
            continue
        new_dek = master.new_dek()
        deks[applicant_id] = new_dek
        fields = {name: row[2 + i] or "" for i, name in enumerate(APPLICANT_FIELDS)}
        conn.execute(
            sa.text("UPDATE applicants SET wrapped_key = :key, sealed = :sealed WHERE id = :id"),
            {
                "key": master.wrap(new_dek, applicant_id),
                "sealed": seal(new_dek, fields, applicant_aad(applicant_id)),
                "id": applicant_id,
            },
        )

    owner: dict[str, str] = {r[0]: r[1] for r in conn.execute(sa.text("SELECT id, applicant_id FROM cases"))}
    for case_id, form in conn.execute(sa.text("SELECT id, form_data FROM cases")).all():
        dek = deks.get(owner[case_id])
        conn.execute(
            sa.text("UPDATE cases SET sealed_form = :sealed WHERE id = :id"),
            {"sealed": seal(dek, _json(form), form_aad(case_id)) if dek else None, "id": case_id},
        )

    for event_id, case_id, kind, data in conn.execute(
        sa.text("SELECT id, case_id, kind, data FROM case_events")
    ).all():
        clear, personal = _split(kind, _json(data))
        if not personal:
            continue
        dek = deks.get(owner.get(case_id, ""))
        conn.execute(
            sa.text("UPDATE case_events SET data = :data, sealed = :sealed WHERE id = :id"),
            {
                "data": _dump(clear),
                "sealed": seal(dek, personal, event_aad(event_id)) if dek else None,
                "id": event_id,
            },
        )

    for row_id, event_id, case_id, kind, payload, sent_at in conn.execute(
        sa.text("SELECT id, event_id, case_id, kind, payload, sent_at FROM outbox")
    ).all():
        body = _json(payload)
        clear, personal = _split(kind, _json(body.get("data")))
        if not personal:
            continue
        body["data"] = clear
        dek = deks.get(owner.get(case_id, ""))
        # A row the server already has needs no personal part any more.
        keep = dek is not None and sent_at is None
        conn.execute(
            sa.text("UPDATE outbox SET payload = :payload, sealed = :sealed WHERE id = :id"),
            {
                "payload": _dump(body),
                "sealed": seal(dek, personal, outbox_aad(event_id)) if keep and dek else None,
                "id": row_id,
            },
        )

    # Plain ALTER TABLE DROP COLUMN (SQLite 3.35+) rewrites the rows in place; unlike a batch
    # copy it keeps the foreign keys to `applicants` satisfied and the events' triggers in place.
    for column in APPLICANT_FIELDS:
        op.drop_column("applicants", column)
    op.drop_column("cases", "form_data")
    op.execute(APPEND_ONLY)
    op.execute(ERASE_ONLY)
    op.create_index("ix_applicants_held", "applicants", ["id"], sqlite_where=sa.text("purged_at IS NULL"))


def downgrade() -> None:
    master = _master_key()
    conn = op.get_bind()
    op.drop_index("ix_applicants_held", table_name="applicants")
    op.execute("DROP TRIGGER IF EXISTS case_events_sealed_erase_only")
    op.execute("DROP TRIGGER IF EXISTS case_events_no_update")
    op.add_column("applicants", sa.Column("citizen_id", sa.String(13), nullable=True))
    for column, kind in (
        ("name_th", sa.String(200)),
        ("name_en", sa.String(200)),
        ("birth_date", sa.String(10)),
        ("address", sa.Text()),
        ("phone", sa.String(40)),
    ):
        op.add_column("applicants", sa.Column(column, kind, nullable=False, server_default=""))
    op.add_column("cases", sa.Column("form_data", sa.JSON(), nullable=False, server_default="{}"))

    deks: dict[str, bytes | None] = {}
    for applicant_id, wrapped, sealed in conn.execute(
        sa.text("SELECT id, wrapped_key, sealed FROM applicants")
    ).all():
        dek = master.unwrap(wrapped, applicant_id) if wrapped is not None else None
        deks[applicant_id] = dek
        if dek is None or sealed is None:
            continue
        fields = open_sealed(dek, sealed, applicant_aad(applicant_id))
        conn.execute(
            sa.text(
                "UPDATE applicants SET citizen_id = :citizen_id, name_th = :name_th, name_en = :name_en, "
                "birth_date = :birth_date, address = :address, phone = :phone WHERE id = :id"
            ),
            {**{k: fields.get(k, "") for k in APPLICANT_FIELDS}, "id": applicant_id},
        )
    owner: dict[str, str] = {r[0]: r[1] for r in conn.execute(sa.text("SELECT id, applicant_id FROM cases"))}
    for case_id, sealed in conn.execute(sa.text("SELECT id, sealed_form FROM cases")).all():
        dek = deks.get(owner[case_id])
        if dek is not None and sealed is not None:
            conn.execute(
                sa.text("UPDATE cases SET form_data = :form WHERE id = :id"),
                {"form": _dump(open_sealed(dek, sealed, form_aad(case_id))), "id": case_id},
            )
    for event_id, case_id, data, sealed in conn.execute(
        sa.text("SELECT id, case_id, data, sealed FROM case_events WHERE sealed IS NOT NULL")
    ).all():
        dek = deks.get(owner.get(case_id, ""))
        if dek is not None:
            merged = {**_json(data), **open_sealed(dek, sealed, event_aad(event_id))}
            conn.execute(
                sa.text("UPDATE case_events SET data = :data WHERE id = :id"),
                {"data": _dump(merged), "id": event_id},
            )
    for row_id, event_id, case_id, payload, sealed in conn.execute(
        sa.text("SELECT id, event_id, case_id, payload, sealed FROM outbox WHERE sealed IS NOT NULL")
    ).all():
        dek = deks.get(owner.get(case_id, ""))
        if dek is not None:
            body = _json(payload)
            body["data"] = {**_json(body.get("data")), **open_sealed(dek, sealed, outbox_aad(event_id))}
            conn.execute(
                sa.text("UPDATE outbox SET payload = :payload WHERE id = :id"),
                {"payload": _dump(body), "id": row_id},
            )
    op.drop_column("outbox", "sealed")
    op.drop_column("case_events", "sealed")
    op.drop_column("cases", "sealed_form")
    op.drop_column("applicants", "sealed")
    op.drop_column("applicants", "wrapped_key")
    op.execute(APPEND_ONLY_0001)
