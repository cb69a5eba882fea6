from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.counter import Counter
from kiosk.demo import seed
from kiosk.domain.workflow import CaseState
from kiosk.storage.cases import CaseView

NOW = dt.datetime(2026, 7, 15, 2, 5, tzinfo=dt.UTC)  # 09:05 in Bangkok, 15 July 2569


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Counter]:
    """One demo office for the whole session: cases in every state, invoices with Ref.1/Ref.2."""
    counter = Counter.open(tmp_path_factory.mktemp("demo-office"))
    seed(counter, now=NOW)
    yield counter
    counter.close()


@pytest.fixture(scope="session")
def case_in(demo: Counter) -> object:
    def pick(state: CaseState) -> CaseView:
        return demo.cases.get(demo.cases.find(state=state)[0].number)

    return pick


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path
