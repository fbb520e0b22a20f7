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
from babel.core import get_global
from babel.dates import format_date, format_skeleton, format_time, format_timedelta, get_day_names, get_timezone_name
from babel.lists import format_list
from django.utils import formats
from django.utils.translation import get_language, gettext, to_locale

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


# Names of days, time zones and durations come from Babel (CLDR data), in the reader's language:
# "Pacific Time", "heure du Pacifique nord-américain", "アメリカ太平洋時間".


@dataclass(frozen=True)
class HoursDisplay:
    """A route's hours as one reader sees them, every part in their language."""

    schedule: str  # "Monday–Friday, 06:00–18:00 Pacific Time" (the route's own zone)
    is_open: bool
    status: str  # "Open now, until …" / "Opens in 5 hours: Monday 3:00 PM, your time (Central European Time)"


def _babel_locale(language: str | None) -> str:
    return to_locale(language or get_language() or "en")


def zone_display_name(zone: str, language: str | None = None) -> str:
    """A time zone's everyday name ("Pacific Time"), not its IANA key, in ``language``."""
    locale = _babel_locale(language)
    canonical = get_timezone_name(ZoneInfo(zone), return_zone=True)
    # CLDR names the zones of a metazone generically ("Pacific Time", whatever the season); a
    # zone outside any metazone (UTC) only has a standard name ("Coordinated Universal Time").
    variant = "generic" if canonical in get_global("meta_zones") else "standard"
    return get_timezone_name(ZoneInfo(zone), width="long", locale=locale, zone_variant=variant)


def weekdays_label(weekdays: frozenset[int], language: str | None = None) -> str:
    """Open days as ranges of consecutive days: "Monday–Friday", "Monday–Wednesday and Saturday"."""
    names = get_day_names("wide", locale=_babel_locale(language))
    runs: list[list[int]] = []
    for day in sorted(weekdays):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = [names[run[0]] if len(run) == 1 else f"{names[run[0]]}–{names[run[-1]]}" for run in runs]
    return format_list(parts, locale=_babel_locale(language)) if parts else ""


def hours_display(hours: SupportHours, moment: dt.datetime, reader_tz: ZoneInfo) -> HoursDisplay:
    """Which days and hours the route is staffed, and whether it is open, for a reader in ``reader_tz``.

    The schedule is stated in the route's zone (that is how the team's hours are defined); when it
    opens or closes next is stated in the reader's own zone, named so there is no doubt.
    """
    language = get_language()
    locale = _babel_locale(language)
    schedule = gettext("%(days)s, %(start)s–%(end)s %(zone)s") % {
        "days": weekdays_label(hours.weekdays, language),
        "start": hours.opens_at.strftime("%H:%M"),
        "end": hours.closes_at.strftime("%H:%M"),
        "zone": zone_display_name(hours.time_zone, language),
    }
    status = hours.status_at(moment, reader_tz)
    reader_zone = zone_display_name(reader_tz.key, language)
    if status.is_open:
        _opens, closes = hours.window(moment.astimezone(hours.zone).date())
        text = gettext("Open now, until %(time)s your time (%(zone)s)") % {
            "time": format_time(closes.astimezone(reader_tz), "short", locale=locale),
            "zone": reader_zone,
        }
    elif status.next_open is None:
        text = status.label
    else:
        opening = status.next_open
        day = format_date(opening, "EEEE", locale=locale)
        if opening - moment >= dt.timedelta(days=6):
            day = format_skeleton("MMMMEd", opening, locale=locale)  # "Monday, June 22"
        text = gettext("Opens in %(delay)s: %(when)s, your time (%(zone)s)") % {
            "delay": format_timedelta(opening - moment, locale=locale),
            "when": f"{day} {format_time(opening, 'short', locale=locale)}",
            "zone": reader_zone,
        }
    return HoursDisplay(schedule=schedule, is_open=status.is_open, status=text)
