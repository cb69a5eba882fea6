import datetime as dt

import pytest

from kiosk.domain.services import TimeLimit, TimeUnit
from kiosk.domain.sla import BANGKOK, SlaError, SlaStatus, WorkingCalendar, due_at, extend, national_holidays

NO_HOLIDAYS = WorkingCalendar()
# Friday 9 January 2026, 10:00 in Bangkok
FRIDAY = dt.datetime(2026, 1, 9, 10, 0, tzinfo=BANGKOK)


def limit(value: int, unit: TimeUnit, **kw: int) -> TimeLimit:
    return TimeLimit(value=value, unit=unit, **kw)


def test_calendar_days_end_at_the_close_of_the_last_day() -> None:
    due = due_at(FRIDAY, limit(45, TimeUnit.DAYS), NO_HOLIDAYS)
    assert due == dt.datetime(2026, 2, 23, 23, 59, 59, tzinfo=BANGKOK)


def test_working_days_skip_weekends_and_holidays() -> None:
    assert due_at(FRIDAY, limit(1, TimeUnit.WORKING_DAYS), NO_HOLIDAYS).date() == dt.date(2026, 1, 12)
    assert due_at(FRIDAY, limit(5, TimeUnit.WORKING_DAYS), NO_HOLIDAYS).date() == dt.date(2026, 1, 16)
    with_holiday = WorkingCalendar(frozenset({dt.date(2026, 1, 12), dt.date(2026, 1, 13)}))
    assert due_at(FRIDAY, limit(1, TimeUnit.WORKING_DAYS), with_holiday).date() == dt.date(2026, 1, 14)


def test_songkran_from_the_national_calendar() -> None:
    calendar = WorkingCalendar(national_holidays([2026]))
    assert not calendar.is_working_day(dt.date(2026, 4, 13))  # Songkran
    start = dt.datetime(2026, 4, 10, 9, 0, tzinfo=BANGKOK)  # Friday before Songkran
    # 13-15 April are holidays: the first working day after is Thursday 16 April.
    assert due_at(start, limit(1, TimeUnit.WORKING_DAYS), calendar).date() == dt.date(2026, 4, 16)


def test_minutes_run_on_the_clock() -> None:
    assert due_at(FRIDAY, limit(7, TimeUnit.MINUTES), NO_HOLIDAYS) == FRIDAY + dt.timedelta(minutes=7)


def test_building_act_extensions_45_45_45() -> None:
    rule = limit(45, TimeUnit.DAYS, max_extensions=2, extension_value=45)
    first = due_at(FRIDAY, rule, NO_HOLIDAYS)
    status = SlaStatus(FRIDAY, first, None)
    once = extend(status, rule, NO_HOLIDAYS)
    twice = extend(once, rule, NO_HOLIDAYS)
    assert (once.due_at - first).days == 45 and (twice.due_at - once.due_at).days == 45
    assert twice.extensions == 2
    with pytest.raises(SlaError):
        extend(twice, rule, NO_HOLIDAYS)


def test_no_extension_where_the_law_gives_none() -> None:
    rule = limit(15, TimeUnit.DAYS)
    with pytest.raises(SlaError):
        extend(SlaStatus(FRIDAY, due_at(FRIDAY, rule, NO_HOLIDAYS), None), rule, NO_HOLIDAYS)


def test_overdue_flag_and_stopped_clock() -> None:
    due = due_at(FRIDAY, limit(1, TimeUnit.DAYS), NO_HOLIDAYS)
    running = SlaStatus(FRIDAY, due, None)
    assert not running.overdue(due) and running.overdue(due + dt.timedelta(seconds=1))
    on_time = SlaStatus(FRIDAY, due, due - dt.timedelta(hours=1))
    assert not on_time.overdue(due + dt.timedelta(days=30)) and on_time.remaining(due) is None
    late = SlaStatus(FRIDAY, due, due + dt.timedelta(hours=1))
    assert late.overdue(due + dt.timedelta(days=30))
    assert not SlaStatus(None, None, None).overdue(FRIDAY)


def test_start_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        due_at(dt.datetime(2026, 1, 9), limit(1, TimeUnit.DAYS), NO_HOLIDAYS)
