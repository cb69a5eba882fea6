from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.counter import Counter
from kiosk.storage.cases import ApplicantInfo

SOMCHAI = ApplicantInfo(
    "1101700230708", "นายสมชาย ใจดี", "Mr. Somchai Jaidee", "1980-05-01", "99 หมู่ที่ 4 ตำบลบางแก้วฟ้า"
)


@pytest.fixture
def counter(tmp_path: Path) -> Iterator[Counter]:
    c = Counter.open(tmp_path)
    yield c
    c.close()
