import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from kiosk.counter import Counter
from kiosk.domain.workflow import CaseState
from kiosk.storage.db import Database, current_revision, head_revision, make_engine
from kiosk.storage.models import Base

SAVED = sorted((Path(__file__).parent.parent / "fixtures" / "schemas").glob("*.sqlite"))


def test_an_empty_database_upgrades_to_head(tmp_path: Path) -> None:
    db = Database(tmp_path)
    assert current_revision(db.engine) == head_revision()
    db.close()


def test_the_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    db = Database(tmp_path)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    db.close()
    assert diff == []


def test_there_is_a_saved_database_for_every_released_revision() -> None:
    # 0001 and 0002 shipped; later revisions get a saved database before the one after them lands.
    assert [p.stem for p in SAVED][:2] == ["0001", "0002"]


@pytest.mark.parametrize("saved", SAVED, ids=[p.stem for p in SAVED])
def test_saved_databases_upgrade_and_keep_their_cases(tmp_path: Path, saved: Path) -> None:
    shutil.copy(saved, tmp_path / "kiosk.sqlite")
    engine = make_engine(tmp_path / "kiosk.sqlite")
    assert current_revision(engine) == saved.stem
    engine.dispose()
    counter = Counter.open(tmp_path)
    try:
        assert current_revision(counter.db.engine) == head_revision()
        case = counter.cases.get("K01-2569-00001")
        assert case.state is CaseState.COMPLETE and case.applicant_name == "นายสมชาย ใจดี"
        assert [e.to_state for e in case.events] == ["draft", "submitted", "complete"]
        assert counter.cases.pending_outbox() == 3
    finally:
        counter.close()
