"""Business-hours arithmetic at the edges: evenings, weekends, holidays, priorities."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tickets.models import Queue
from tickets.sla import BusinessCalendar, due_times

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


@pytest.fixture
def queue() -> Queue:
    # Unsaved: the calendar only reads fields. Monday-Friday 09:00-17:00 Paris, French holidays.
    return Queue(code="q", name="Q", first_response_hours=2, resolution_hours=16)


def test_within_the_day(queue: Queue) -> None:
    calendar = BusinessCalendar.for_queue(queue)
    assert calendar.add_business_time(paris(2026, 3, 10, 10), dt.timedelta(hours=2)) == paris(2026, 3, 10, 12)


def test_friday_evening_rolls_over_the_weekend(queue: Queue) -> None:
    calendar = BusinessCalendar.for_queue(queue)
    # Friday 16:00 + 2 h: one hour on Friday, one on Monday morning.
    assert calendar.add_business_time(paris(2026, 3, 13, 16), dt.timedelta(hours=2)) == paris(2026, 3, 16, 10)
    # Filed on Saturday: the clock starts on Monday at 09:00.
    assert calendar.add_business_time(paris(2026, 3, 14, 11), dt.timedelta(hours=1)) == paris(2026, 3, 16, 10)


def test_public_holidays_are_skipped(queue: Queue) -> None:
    calendar = BusinessCalendar.for_queue(queue)
    # 14 July 2026 is a Tuesday and a French public holiday.
    assert calendar.add_business_time(paris(2026, 7, 13, 16), dt.timedelta(hours=2)) == paris(2026, 7, 15, 10)
    queue.holiday_country = ""
    assert BusinessCalendar.for_queue(queue).add_business_time(paris(2026, 7, 13, 16), dt.timedelta(hours=2)) == paris(
        2026, 7, 14, 10
    )


def test_priority_scales_the_targets(queue: Queue) -> None:
    start = paris(2026, 3, 10, 9)
    urgent_first, urgent_resolution = due_times(queue, "urgent", start)
    low_first, _low_resolution = due_times(queue, "low", start)
    assert urgent_first == paris(2026, 3, 10, 9, 30)
    assert urgent_resolution == paris(2026, 3, 10, 13)
    assert low_first == paris(2026, 3, 10, 13)
    _normal_first, normal_resolution = due_times(queue, "normal", start)
    assert normal_resolution == paris(2026, 3, 11, 17)  # 16 business hours = two full days


def test_business_time_between(queue: Queue) -> None:
    calendar = BusinessCalendar.for_queue(queue)
    assert calendar.business_time_between(paris(2026, 3, 13, 16), paris(2026, 3, 16, 10)) == dt.timedelta(hours=2)


def test_a_calendar_without_open_hours_is_an_error(queue: Queue) -> None:
    queue.business_hours = {}
    with pytest.raises(ValueError, match="no open hours"):
        BusinessCalendar.for_queue(queue).add_business_time(paris(2026, 3, 10, 9), dt.timedelta(hours=1))
