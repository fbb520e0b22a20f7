"""Gov support hours: boundary minutes, daylight-saving changes on both sides, US federal holidays."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone, translation

from accounts.entitlements import entitlement_for, route_hours
from accounts.hours import SupportHours, hours_display, parse_weekdays, weekdays_label, zone_display_name
from accounts.models import RouteHours, SupportProfile
from tests.accounts.factories import member

LA = ZoneInfo("America/Los_Angeles")
PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")

GOV = SupportHours(
    time_zone="America/Los_Angeles",
    opens_at=dt.time(6),
    closes_at=dt.time(18),
    weekdays=frozenset(range(5)),
    holiday_country="US",
)


def la(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LA)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (la(2026, 6, 10, 5, 59), False),
        (la(2026, 6, 10, 6, 0), True),
        (la(2026, 6, 10, 17, 59), True),
        (la(2026, 6, 10, 18, 0), False),
        (la(2026, 6, 13, 12, 0), False),  # Saturday
        (la(2026, 6, 14, 12, 0), False),  # Sunday
    ],
)
def test_boundary_minutes(moment: dt.datetime, is_open: bool) -> None:
    assert GOV.status_at(moment, LA).is_open is is_open


def test_before_opening_says_today_in_the_readers_zone() -> None:
    status = GOV.status_at(la(2026, 6, 10, 5, 59), LA)
    assert status.label == "Opens today at 6 a.m."
    assert status.next_open == la(2026, 6, 10, 6, 0)
    # The same moment seen from Paris (9 hours ahead in June): 14:59 there, opens at 15:00.
    status = GOV.status_at(la(2026, 6, 10, 5, 59), PARIS)
    assert status.label == "Opens today at 3 p.m."
    assert status.next_open.tzinfo == PARIS
    assert (status.next_open.hour, status.next_open.minute) == (15, 0)


def test_after_closing_says_tomorrow() -> None:
    assert GOV.status_at(la(2026, 6, 10, 18, 0), LA).label == "Opens tomorrow at 6 a.m."


def test_friday_evening_says_monday() -> None:
    status = GOV.status_at(la(2026, 6, 12, 18, 0), LA)
    assert status.label == "Opens Monday at 6 a.m."
    assert status.next_open == la(2026, 6, 15, 6, 0)


def test_friday_evening_in_paris_is_already_saturday() -> None:
    # Friday 18:00 in LA is Saturday 03:00 in Paris: Monday 06:00 LA is Monday 15:00 Paris.
    status = GOV.status_at(la(2026, 6, 12, 18, 0), PARIS)
    assert status.label == "Opens Monday at 3 p.m."


def test_french_wording() -> None:
    with translation.override("fr"):
        status = GOV.status_at(la(2026, 6, 12, 18, 0), PARIS)
    assert status.label == "Ouvre lundi à 15:00"


class TestDaylightSaving:
    """The US and the EU change clocks on different dates: the LA-Paris gap is 8 h, not 9 h, between them."""

    def test_spring_us_changed_paris_not_yet(self) -> None:
        # 2026-03-08: LA moves to PDT. Paris stays on CET until 2026-03-29.
        status = GOV.status_at(la(2026, 3, 9, 5, 30), PARIS)
        assert status.label == "Opens today at 2 p.m."
        assert GOV.status_at(dt.datetime(2026, 3, 9, 14, 0, tzinfo=PARIS), PARIS).is_open
        assert not GOV.status_at(dt.datetime(2026, 3, 9, 13, 59, tzinfo=PARIS), PARIS).is_open

    def test_spring_both_changed(self) -> None:
        assert GOV.status_at(la(2026, 3, 30, 5, 30), PARIS).label == "Opens today at 3 p.m."

    def test_spring_before_either_change(self) -> None:
        assert GOV.status_at(la(2026, 3, 6, 5, 30), PARIS).label == "Opens today at 3 p.m."

    def test_autumn_paris_changed_us_not_yet(self) -> None:
        # 2026-10-25: Paris back to CET; LA stays on PDT until 2026-11-01.
        assert GOV.status_at(la(2026, 10, 27, 5, 0), PARIS).label == "Opens today at 2 p.m."

    def test_autumn_both_changed(self) -> None:
        assert GOV.status_at(la(2026, 11, 2, 5, 0), PARIS).label == "Opens today at 3 p.m."

    def test_opening_on_the_us_change_weekend(self) -> None:
        # Saturday 2026-10-31 noon LA (PDT); next opening Monday 2026-11-02 06:00 PST = 14:00 UTC.
        status = GOV.status_at(la(2026, 10, 31, 12, 0), UTC)
        assert status.next_open == dt.datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
        assert status.label == "Opens Monday at 2 p.m."
        # And in spring: Saturday 2026-03-07 (PST) → Monday 2026-03-09 06:00 PDT = 13:00 UTC.
        assert GOV.status_at(la(2026, 3, 7, 12, 0), UTC).next_open == dt.datetime(2026, 3, 9, 13, 0, tzinfo=UTC)

    def test_boundaries_hold_in_utc_across_the_change(self) -> None:
        assert GOV.is_open_at(dt.datetime(2026, 11, 2, 14, 0, tzinfo=UTC))
        assert not GOV.is_open_at(dt.datetime(2026, 11, 2, 13, 59, tzinfo=UTC))
        assert GOV.is_open_at(dt.datetime(2026, 10, 30, 13, 0, tzinfo=UTC))  # PDT: 06:00 LA
        assert not GOV.is_open_at(dt.datetime(2026, 10, 30, 12, 59, tzinfo=UTC))


class TestHolidays:
    def test_thanksgiving_is_closed(self) -> None:
        status = GOV.status_at(la(2026, 11, 26, 10, 0), LA)
        assert not status.is_open
        assert status.label == "Opens tomorrow at 6 a.m."
        assert status.next_open == la(2026, 11, 27, 6, 0)

    def test_independence_day_observed_on_friday(self) -> None:
        # July 4th 2026 is a Saturday: the observed holiday is Friday July 3rd.
        status = GOV.status_at(la(2026, 7, 2, 18, 0), LA)
        assert status.next_open == la(2026, 7, 6, 6, 0)
        assert status.label == "Opens Monday at 6 a.m."
        assert not GOV.is_open_at(la(2026, 7, 3, 12, 0))

    def test_christmas_and_new_year(self) -> None:
        assert not GOV.is_open_at(la(2026, 12, 25, 9, 0))
        assert GOV.is_open_at(la(2026, 12, 24, 9, 0))
        assert not GOV.is_open_at(la(2027, 1, 1, 9, 0))

    def test_holiday_is_judged_in_the_routes_zone(self) -> None:
        # Thanksgiving 00:30 in Paris is still Wednesday afternoon in LA: open.
        assert GOV.is_open_at(dt.datetime(2026, 11, 26, 0, 30, tzinfo=PARIS))

    def test_far_opening_names_the_date(self) -> None:
        hours = SupportHours("America/Los_Angeles", dt.time(6), dt.time(18), frozenset({0}), "US")
        # Friday 2026-05-22; Monday 25 is Memorial Day, so the next Monday opening is June 1st.
        status = hours.status_at(la(2026, 5, 22, 12, 0), LA)
        assert status.next_open == la(2026, 6, 1, 6, 0)
        assert status.label == "Opens Monday June 1 at 6 a.m."


def test_no_open_day_means_closed() -> None:
    hours = SupportHours("UTC", dt.time(9), dt.time(17), frozenset())
    status = hours.status_at(dt.datetime(2026, 6, 1, tzinfo=UTC), UTC)
    assert (status.is_open, status.label, status.next_open) == (False, "Closed", None)


def test_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        GOV.status_at(dt.datetime(2026, 6, 1, 12), UTC)


@pytest.mark.parametrize("value", ["7", "a", "-1", "1,,9"])
def test_parse_weekdays_refuses_nonsense(value: str) -> None:
    with pytest.raises(ValueError):
        parse_weekdays(value)


@pytest.mark.django_db
class TestConfiguredRoutes:
    def test_gov_route_ships_configured(self) -> None:
        assert route_hours()["gov"] == GOV

    def test_hours_are_data(self) -> None:
        RouteHours.objects.filter(route="gov").update(opens_at=dt.time(7), holiday_country="")
        RouteHours.objects.create(
            route="standard",
            time_zone="Europe/Paris",
            opens_at=dt.time(8),
            closes_at=dt.time(20),
            weekdays="0,1,2,3,4,5",
        )
        hours = route_hours()
        assert hours["gov"].opens_at == dt.time(7)
        assert hours["gov"].is_open_at(la(2026, 11, 26, 7, 0))  # holidays switched off
        assert hours["standard"].is_open_at(dt.datetime(2026, 6, 13, 8, 0, tzinfo=PARIS))  # Saturday

    def test_inactive_row_means_always_open(self) -> None:
        RouteHours.objects.filter(route="gov").update(active=False)
        assert entitlement_for(member("pro", "licensed", gov=True)).route("gov").hours is None

    def test_invalid_row_is_refused_by_clean(self) -> None:
        from django.core.exceptions import ValidationError

        row = RouteHours(route="billing", time_zone="Mars/Olympus", opens_at=dt.time(18), closes_at=dt.time(6))
        row.weekdays, row.holiday_country = "0,9", "XX"
        with pytest.raises(ValidationError) as error:
            row.full_clean()
        assert set(error.value.message_dict) == {"time_zone", "closes_at", "weekdays", "holiday_country"}

    @time_machine.travel(dt.datetime(2026, 11, 26, 17, 0, tzinfo=UTC), tick=False)
    def test_gov_member_sees_status_for_now(self) -> None:
        route = entitlement_for(member("enterprise", "licensed", gov=True)).route("gov")
        status = route.hours.status_at(timezone.now(), PARIS)
        assert not status.is_open  # Thanksgiving, 09:00 in LA
        assert status.label == "Opens tomorrow at 3 p.m."


class TestHoursDisplay:
    """The Gov form says which days and hours, with the zone's everyday name, and when it opens for the reader."""

    def test_schedule_names_the_days_and_the_zone_in_english(self) -> None:
        shown = hours_display(GOV, la(2026, 6, 12, 18, 0), PARIS)
        assert shown.schedule == "Monday–Friday, 06:00–18:00 Pacific Time"
        assert not shown.is_open
        # Friday 18:00 in LA: Monday 06:00 there is Monday 15:00 in Paris, 2.5 days later.
        assert shown.status == "Opens in 2 days: Monday 3:00\u202fPM, your time (Central European Time)"

    def test_french_reader(self) -> None:
        with translation.override("fr"):
            shown = hours_display(GOV, la(2026, 6, 10, 5, 0), PARIS)
        assert shown.schedule == "lundi–vendredi, 06:00–18:00, heure du Pacifique nord-américain"
        assert shown.status == "Ouvre dans 1\u00a0heure : mercredi 15:00, à votre heure (heure d’Europe centrale)"

    def test_open_says_until_when_in_the_readers_zone(self) -> None:
        shown = hours_display(GOV, la(2026, 6, 10, 12, 0), UTC)
        assert shown.is_open
        assert shown.status == "Open now, until 1:00\u202fAM your time (Coordinated Universal Time)"

    def test_days_that_do_not_follow_each_other(self) -> None:
        assert weekdays_label(frozenset({0, 1, 2, 5})) == "Monday–Wednesday and Saturday"
        assert weekdays_label(frozenset({3})) == "Thursday"

    def test_zone_names_are_everyday_names(self) -> None:
        assert zone_display_name("America/Los_Angeles", "en") == "Pacific Time"
        assert zone_display_name("America/Los_Angeles", "ja") == "アメリカ太平洋時間"
        assert zone_display_name("UTC", "de") == "Koordinierte Weltzeit"


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 6, 12, 18, 0, tzinfo=LA), tick=False)
@pytest.mark.parametrize(
    ("language", "schedule", "status"),
    [
        ("en", "Monday–Friday, 06:00–18:00 Pacific Time", "Opens in 2 days: Monday 3:00\u202fPM, your time"),
        (
            "fr",
            "lundi–vendredi, 06:00–18:00, heure du Pacifique nord-américain",
            "Ouvre dans 2\u00a0jours : lundi 15:00",
        ),
    ],
)
def test_the_gov_ticket_form_shows_days_hours_and_the_next_opening(language: str, schedule: str, status: str) -> None:
    user = member("enterprise", "licensed", gov=True)
    SupportProfile.objects.update_or_create(user=user, defaults={"time_zone": "Europe/Paris"})
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    page = client.get("/requests/new/ticket").content.decode()
    assert schedule in page
    assert status in page
    assert "America/Los_Angeles" not in page
