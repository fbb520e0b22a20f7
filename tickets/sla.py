"""Business-hours arithmetic for SLA due times: a queue's weekly hours, time zone and public holidays.

Targets are counted in hours the queue is open: a ticket filed on Friday at 16:00 with a
2-hour target in a 09:00-17:00 Monday-Friday queue is due on Monday at 10:00.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from tickets.models import Priority, Queue

# A target in hours is scaled by the ticket's priority.
PRIORITY_FACTOR: dict[str, float] = {
    Priority.URGENT: 0.25,
    Priority.HIGH: 0.5,
    Priority.NORMAL: 1.0,
    Priority.LOW: 2.0,
}

_MAX_DAYS_SCANNED = 366 * 2  # a calendar with no open hour must not loop forever


@dataclass(frozen=True)
class BusinessCalendar:
    """When a queue is open: ``hours`` maps weekday (0 = Monday) to (opens, closes) local times."""

    hours: dict[int, tuple[dt.time, dt.time]]
    tz: ZoneInfo
    holiday_country: str = ""

    @classmethod
    def for_queue(cls, queue: Queue) -> BusinessCalendar:
        hours: dict[int, tuple[dt.time, dt.time]] = {}
        for day, span in (queue.business_hours or {}).items():
            opens, closes = (dt.time.fromisoformat(value) for value in span)
            if opens < closes:
                hours[int(day)] = (opens, closes)
        return cls(hours=hours, tz=ZoneInfo(queue.time_zone), holiday_country=queue.holiday_country)

    def is_holiday(self, day: dt.date) -> bool:
        return bool(self.holiday_country) and day in _holidays(self.holiday_country, day.year)

    def open_span(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The aware (opens, closes) datetimes of ``day``, or None when closed all day."""
        span = self.hours.get(day.weekday())
        if span is None or self.is_holiday(day):
            return None
        return (dt.datetime.combine(day, span[0], tzinfo=self.tz), dt.datetime.combine(day, span[1], tzinfo=self.tz))

    def add_business_time(self, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        """The moment ``amount`` of open time after ``start`` (aware; returned in UTC)."""
        remaining = amount
        moment = start.astimezone(self.tz)
        day = moment.date()
        for _ in range(_MAX_DAYS_SCANNED):
            span = self.open_span(day)
            if span is not None:
                opens, closes = span
                begin = max(moment, opens)
                if begin < closes:
                    available = closes - begin
                    if remaining <= available:
                        return (begin + remaining).astimezone(dt.UTC)
                    remaining -= available
            day += dt.timedelta(days=1)
            moment = dt.datetime.combine(day, dt.time.min, tzinfo=self.tz)
        raise ValueError("The queue's calendar has no open hours.")

    def business_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Open time elapsed from ``start`` to ``end`` (zero when end is before start)."""
        total = dt.timedelta()
        if end <= start:
            return total
        day = start.astimezone(self.tz).date()
        last = end.astimezone(self.tz).date()
        while day <= last:
            span = self.open_span(day)
            if span is not None:
                begin, finish = max(span[0], start), min(span[1], end)
                if begin < finish:
                    total += finish - begin
            day += dt.timedelta(days=1)
        return total


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=year)


def due_times(queue: Queue, priority: str, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(first response due, resolution due) for a ticket of ``priority`` filed at ``start``."""
    calendar = BusinessCalendar.for_queue(queue)
    factor = PRIORITY_FACTOR.get(priority, 1.0)
    first = calendar.add_business_time(start, dt.timedelta(hours=queue.first_response_hours * factor))
    resolution = calendar.add_business_time(start, dt.timedelta(hours=queue.resolution_hours * factor))
    return first, resolution
