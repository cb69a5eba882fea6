from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.counter import Counter
from kiosk.storage.cases import ApplicantInfo

SOMSRI = ApplicantInfo(
    "1101700230708", "นางสมศรี ใจดี", "Mrs. Somsri Jaidee", "1980-05-01", "9 หมู่ที่ 4", "0812345678"
)


@pytest.fixture
def counter(tmp_path: Path) -> Iterator[Counter]:
    c = Counter.open(tmp_path)
    yield c
    c.close()
