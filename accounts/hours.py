"""Support hours: when a route is staffed, and how to say so in the reader's own time zone.

All arithmetic happens on aware datetimes in the route's time zone, so daylight-saving changes
on either side (the route's or the reader's) need no special cases: 06:00 in Los Angeles is
always 06:00 there, whatever it is in Paris that week.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

import holidays
from django.utils import formats
from django.utils.translation import gettext

# Long enough to cross any run of weekends and holidays (the longest US run is four days).
_SEARCH_DAYS = 31


def valid_time_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone this machine knows."""
    return bool(name) and name in _time_zone_names()


@lru_cache(maxsize=1)
def _time_zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def time_zone_choices() -> list[tuple[str, str]]:
    """Every known time zone, sorted, for a select box."""
    return [(name, name.replace("_", " ")) for name in sorted(_time_zone_names())]


def parse_weekdays(value: str) -> frozenset[int]:
    """``"0,1,2,3,4"`` → {0..4}; raises ValueError on anything but numbers 0-6."""
    days = set()
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        day = int(part)
        if not 0 <= day <= 6:
            raise ValueError(f"weekday out of range: {day}")
        days.add(day)
    return frozenset(days)


@lru_cache(maxsize=64)
def _holiday_dates(country: str, subdivision: str, year: int) -> frozenset[dt.date]:
    calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    return frozenset(calendar.keys())


@dataclass(frozen=True)
class HoursStatus:
    is_open: bool
    label: str  # translated: "Open now" or "Opens Monday at 6 a.m."
    next_open: dt.datetime | None  # in the reader's time zone; None while open or if never open


@dataclass(frozen=True)
class SupportHours:
    """Daily opening window on some weekdays, in one time zone, closed on public holidays."""

    time_zone: str
    opens_at: dt.time
    closes_at: dt.time
    weekdays: frozenset[int]
    holiday_country: str = ""
    holiday_subdivision: str = ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_holiday(self, day: dt.date) -> bool:
        if not self.holiday_country:
            return False
        return day in _holiday_dates(self.holiday_country.upper(), self.holiday_subdivision, day.year)

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() in self.weekdays and not self.is_holiday(day)

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """Opening and closing instants of ``day`` (a date in the route's time zone)."""
        zone = self.zone
        return dt.datetime.combine(day, self.opens_at, zone), dt.datetime.combine(day, self.closes_at, zone)

    def is_open_at(self, moment: dt.datetime) -> bool:
        day = moment.astimezone(self.zone).date()
        if not self.is_working_day(day):
            return False
        opens, closes = self.window(day)
        return opens <= moment < closes

    def next_opening(self, moment: dt.datetime) -> dt.datetime | None:
        """The first opening instant strictly after ``moment`` (an aware datetime), or None."""
        day = moment.astimezone(self.zone).date()
        for offset in range(_SEARCH_DAYS):
            candidate = day + dt.timedelta(days=offset)
            if not self.is_working_day(candidate):
                continue
            opens, _closes = self.window(candidate)
            if opens > moment:
                return opens
        return None

    def status_at(self, moment: dt.datetime, tz: ZoneInfo) -> HoursStatus:
        """Open or closed at ``moment``, worded for a reader in ``tz``."""
        if moment.tzinfo is None:
            raise ValueError("moment must be an aware datetime")
        if self.is_open_at(moment):
            return HoursStatus(is_open=True, label=gettext("Open now"), next_open=None)
        opening = self.next_opening(moment)
        if opening is None:
            return HoursStatus(is_open=False, label=gettext("Closed"), next_open=None)
        local = opening.astimezone(tz)
        return HoursStatus(is_open=False, label=opening_label(local, moment.astimezone(tz)), next_open=local)


def opening_label(opening: dt.datetime, now: dt.datetime) -> str:
    """ "Opens today/tomorrow/Monday at 3 p.m." for an opening and the current time, both local."""
    time = formats.time_format(opening.time())
    days_ahead = (opening.date() - now.date()).days
    if days_ahead == 0:
        return gettext("Opens today at %(time)s") % {"time": time}
    if days_ahead == 1:
        return gettext("Opens tomorrow at %(time)s") % {"time": time}
    day = formats.date_format(opening, "l")
    if days_ahead > 6:
        day = f"{day} {formats.date_format(opening, 'MONTH_DAY_FORMAT')}"
    return gettext("Opens %(day)s at %(time)s") % {"day": day, "time": time}
