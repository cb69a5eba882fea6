"""Writes cases one by one, as the counter does, and reports each after its commit returned.

Run by test_durability.py, which kills this process with SIGKILL at random moments.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.counter import Counter
from kiosk.domain.workflow import Actor, CaseState, Role
from kiosk.storage.cases import ApplicantInfo

APPLICANT, STAFF = Actor(Role.APPLICANT), Actor(Role.STAFF, "s1")


def main() -> None:
    counter = Counter.open(Path(sys.argv[1]))
    person = ApplicantInfo("1101700230708", "นายสมชาย ใจดี", address="99 หมู่ที่ 4")
    i = 0
    while True:
        i += 1
        case = counter.cases.submit("signboard-tax", person, {"owner_name": f"ผู้ยื่น {i}"}, APPLICANT)
        print(f"committed {case.number} 2", flush=True)
        if i % 3 == 0:
            counter.cases.transition(case.number, CaseState.COMPLETE, STAFF)
            print(f"committed {case.number} 3", flush=True)


if __name__ == "__main__":
    main()
