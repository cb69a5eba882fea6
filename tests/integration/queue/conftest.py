"""The office queue over real processes: a PostgreSQL database per session, a real central server."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# This folder has no __init__.py (tests/integration is not a package), so make sure the real
# `central` package and `tests.integration.central.harness` resolve from the repository root.
ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.integration.central.harness import Server, fresh_postgres  # noqa: E402

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    with fresh_postgres("kc_queue") as url:
        yield url


@pytest.fixture(scope="session")
def server(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(pg_url, log_dir=tmp_path_factory.mktemp("central-logs")).start()
    yield running
    running.stop()
