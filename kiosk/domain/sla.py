"""The legal time limit of a case (SLA).

The clock starts when the documents are verified complete and stops at rejection, withdrawal or
pickup. The due date comes from the service's legal limit: minutes and hours run on the clock;
days are calendar days; working days skip weekends and the office's holidays. As in Thai
administrative practice the starting day is not counted, and a limit in days ends at the close of
its last day. Some laws allow extensions (ข.3: 45 days, then twice 45 more); each extension is an
officer's decision with a reason, counted from the previous due date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from kiosk.domain.services import TimeLimit, TimeUnit
from kiosk.errors import KnownError

BANGKOK = ZoneInfo("Asia/Bangkok")


class SlaError(KnownError):
    pass


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days the office works: Monday to Friday less its holidays."""

    holidays: frozenset[dt.date] = frozenset()
    weekend: frozenset[int] = frozenset({5, 6})

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() not in self.weekend and day not in self.holidays

    def add_working_days(self, start: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `start` (start itself not counted)."""
        day = start
        left = count
        while left > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, first: dt.date, last: dt.date) -> int:
        """Working days after `first` up to and including `last`."""
        count = 0
        day = first
        while day < last:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count


def national_holidays(years: Iterable[int]) -> frozenset[dt.date]:
    """Thailand's public holidays (Buddhist lunar days included) from the `holidays` package.

    Cabinet-declared extra days are not known in advance: offices add them in their configuration.
    """
    import holidays

    return frozenset(holidays.country_holidays("TH", years=list(years)).keys())


def _end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), BANGKOK)


def end_of_day_after(moment: dt.datetime, days: int) -> dt.datetime:
    """The close of the `days`-th calendar day after `moment` in Bangkok: deadlines on paper."""
    return _end_of_day(moment.astimezone(BANGKOK).date() + dt.timedelta(days=days))


def _advance(moment: dt.datetime, value: int, unit: TimeUnit, calendar: WorkingCalendar) -> dt.datetime:
    local = moment.astimezone(BANGKOK)
    if unit is TimeUnit.MINUTES:
        return local + dt.timedelta(minutes=value)
    if unit is TimeUnit.HOURS:
        return local + dt.timedelta(hours=value)
    if unit is TimeUnit.DAYS:
        return end_of_day_after(local, value)
    return _end_of_day(calendar.add_working_days(local.date(), value))


def due_at(
    started: dt.datetime, limit: TimeLimit, calendar: WorkingCalendar, extensions: int = 0
) -> dt.datetime:
    """When the decision is due, with `extensions` granted so far."""
    if started.tzinfo is None:
        raise ValueError("the SLA start must be an aware datetime")
    if extensions > limit.max_extensions:
        raise SlaError(
            "ขยายระยะเวลาเกินกว่าที่กฎหมายกำหนดไม่ได้",
            f"The law allows at most {limit.max_extensions} extension(s) for this service",
        )
    due = _advance(started, limit.value, limit.unit, calendar)
    for _ in range(extensions):
        assert limit.extension_value is not None
        due = _advance(due, limit.extension_value, limit.unit, calendar)
    return due


@dataclass(frozen=True)
class SlaStatus:
    started_at: dt.datetime | None
    due_at: dt.datetime | None
    stopped_at: dt.datetime | None
    extensions: int = 0

    @property
    def running(self) -> bool:
        return self.started_at is not None and self.stopped_at is None

    def overdue(self, now: dt.datetime) -> bool:
        """Past the due date and not finished, or finished after it."""
        if self.due_at is None:
            return False
        end = self.stopped_at or now
        return end > self.due_at

    def remaining(self, now: dt.datetime) -> dt.timedelta | None:
        if self.due_at is None or not self.running:
            return None
        return self.due_at - now


def extend(status: SlaStatus, limit: TimeLimit, calendar: WorkingCalendar) -> SlaStatus:
    """Grant one more extension, if the law allows one and the clock is running."""
    if not status.running or status.started_at is None:
        raise SlaError("ขยายระยะเวลาได้เฉพาะคำขอที่อยู่ระหว่างดำเนินการ", "Only a running case can be extended")
    if status.extensions >= limit.max_extensions:
        raise SlaError(
            "ขยายระยะเวลาเกินกว่าที่กฎหมายกำหนดไม่ได้",
            f"The law allows at most {limit.max_extensions} extension(s) for this service",
        )
    n = status.extensions + 1
    return SlaStatus(status.started_at, due_at(status.started_at, limit, calendar, n), None, n)
