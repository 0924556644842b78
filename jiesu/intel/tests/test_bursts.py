"""Burst detection against the same weeks of earlier years, alerts, notices and the worker job."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from jiesu.core.errors import Conflict, PermissionDenied
from jiesu.intel.bursts import baseline
from jiesu.intel.bursts.config import BurstSettings
from jiesu.intel.bursts.detect import bursts_detect
from jiesu.intel.bursts.selectors import alert_area
from jiesu.intel.bursts.services import alert_acknowledge, alert_dismiss, bursts_run
from jiesu.intel.bursts.testing import categories_make, tickets_on, week_of
from jiesu.intel.choices import AlertStatus
from jiesu.intel.jobs_bursts import bursts_job
from jiesu.intel.models import BurstAlert
from jiesu.notify.models import Notification
from jiesu.orgs.models import Unit
from jiesu.orgs.testing import World
from jiesu.tickets.models import Category

ON = date(2026, 1, 14)  # a winter Wednesday
YEAR = 364


@pytest.fixture
def categories(db: None, tmp_path: Path) -> dict[str, Category]:
    return categories_make(tmp_path)


def winters(world: World, categories: dict[str, Category], per_day: int, years: int = 3) -> None:
    """The same three weeks around ON in each earlier year: a heating season."""
    for year in range(1, years + 1):
        for weeks in (-1, 0, 1):
            week_of(
                ON - timedelta(days=YEAR * year + 7 * weeks),
                per_day,
                category=categories["室温不达标"],
                township=world.township,
            )


def test_poisson_tail_and_the_thresholds() -> None:
    settings = BurstSettings()
    assert baseline.tail_probability(0, 3.0) == 1.0
    assert baseline.tail_probability(20, 20.0) > 0.4
    p = baseline.tail_probability(15, 2.0)
    assert p < 1e-8 and baseline.improbability(p) > 8
    assert baseline.is_burst(15, 2.0, p, settings)
    assert not baseline.is_burst(4, 0.5, baseline.tail_probability(4, 0.5), settings)  # below the minimum count
    assert not baseline.is_burst(140, 100.0, baseline.tail_probability(140, 100.0), settings)  # improbable, ratio < 2


def test_spans_cover_the_same_weeks_of_covered_years_only() -> None:
    settings = BurstSettings()
    span = baseline.observed_span(ON, settings)
    assert (span.start, span.end) == (date(2026, 1, 8), ON)
    years = baseline.seasonal_spans(span, settings, first_day=span.start - timedelta(days=YEAR + 7))
    assert len(years) == 1 and [s.start for s in years[0]] == [
        span.start - timedelta(days=YEAR + d) for d in (7, 0, -7)
    ]
    assert baseline.seasonal_spans(span, settings, first_day=span.start - timedelta(days=YEAR)) == []


@pytest.mark.django_db
def test_winter_heating_every_year_does_not_alert(world: World, categories: dict[str, Category]) -> None:
    winters(world, categories, per_day=3)
    week_of(ON, 3, category=categories["室温不达标"], township=world.township)
    # Against the autumn weeks just before, this winter would be a burst: the season explains it.
    assert bursts_detect(ON) == []


@pytest.mark.django_db
def test_a_rise_against_last_years_same_weeks_alerts(world: World, categories: dict[str, Category]) -> None:
    winters(world, categories, per_day=0, years=1)
    tickets_on(ON - timedelta(days=YEAR + 30), 1, category=categories["路面破损"], township=world.township)
    tickets_on(ON - timedelta(days=YEAR), 1, category=categories["停暖"], township=world.township)
    made = week_of(
        ON, 2, category=categories["停暖"], township=world.township, title="小区突然停暖", content="整栋楼停暖"
    )
    found = bursts_detect(ON)
    assert [(b.unit, b.category.name) for b in found] == [(world.township, "供暖"), (world.district, "供暖")]
    burst = found[0]
    assert burst.count == 14 and burst.expected.source == "seasonal" and burst.expected.years == 1
    assert burst.expected.value == pytest.approx(0.5)  # one ticket in three windows → floor 0.5
    assert burst.label.startswith("望京街道·供暖") and sorted(burst.ticket_numbers) == sorted(t.number for t in made)
    assert burst.key == f"cat:{categories['供暖'].code}|township:{world.township.code}"


@pytest.mark.django_db
def test_the_minimum_count_holds_even_without_any_baseline(world: World, categories: dict[str, Category]) -> None:
    tickets_on(ON - timedelta(days=YEAR + 30), 1, category=categories["路面破损"], township=world.township)
    tickets_on(ON, 4, category=categories["停暖"], township=world.township)
    lenient = BurstSettings(max_p=0.01)  # P(X ≥ 4 | 0.5) ≈ 0.0018: improbable enough here
    assert bursts_detect(ON, lenient) == []  # but four tickets are fewer than the minimum of five
    assert len(bursts_detect(ON, BurstSettings(max_p=0.01, min_count=4))) == 2


@pytest.mark.django_db
def test_without_earlier_years_the_recent_level_is_the_baseline(world: World, categories: dict[str, Category]) -> None:
    for weeks in range(1, 5):
        week_of(ON - timedelta(days=7 * weeks), 1, category=categories["路面破损"], township=world.township)
    week_of(ON, 1, category=categories["路面破损"], township=world.township)
    assert bursts_detect(ON) == []  # steady
    week_of(ON, 3, category=categories["路面破损"], township=world.township)
    found = bursts_detect(ON)
    assert found and found[0].expected.source == "recent" and found[0].expected.value == 7 and found[0].count == 28


@pytest.mark.django_db
def test_the_job_is_idempotent_and_tells_the_analysts_only(world: World, categories: dict[str, Category]) -> None:
    winters(world, categories, per_day=0, years=1)
    tickets_on(ON - timedelta(days=YEAR + 30), 1, category=categories["路面破损"], township=world.township)
    week_of(ON, 2, category=categories["停暖"], township=world.township)
    from datetime import datetime, time

    from django.utils import timezone

    now = timezone.make_aware(datetime.combine(ON + timedelta(days=1), time(3)))
    assert bursts_job(now) == 2
    assert bursts_job(now) == 0 and bursts_job(now + timedelta(hours=6)) == 0
    assert bursts_run(on=ON + timedelta(days=1)).created == []  # an overlapping window: the same burst
    assert BurstAlert.objects.count() == 2
    told = Notification.objects.values_list("recipient__username", flat=True)
    assert sorted(set(told)) == [world.analyst.username] and len(told) == 2


@pytest.mark.django_db
def test_a_dry_run_stores_nothing(world: World, categories: dict[str, Category]) -> None:
    tickets_on(ON - timedelta(days=YEAR + 30), 1, category=categories["路面破损"], township=world.township)
    week_of(ON, 2, category=categories["停暖"], township=world.township)
    run = bursts_run(on=ON, dry_run=True)
    assert len(run.bursts) == 2 and run.created == [] and not BurstAlert.objects.exists()


@pytest.mark.django_db
def test_acknowledge_then_dismiss_and_who_may(world: World, categories: dict[str, Category]) -> None:
    tickets_on(ON - timedelta(days=YEAR + 30), 1, category=categories["路面破损"], township=world.township)
    week_of(ON, 2, category=categories["停暖"], township=world.township)
    alert = bursts_run(on=ON).created[0]
    with pytest.raises(PermissionDenied):
        alert_acknowledge(alert_id=alert.pk, actor=world.leader)
    acknowledged = alert_acknowledge(alert_id=alert.pk, actor=world.analyst)
    assert acknowledged.status == AlertStatus.ACKNOWLEDGED and acknowledged.handled_by == world.analyst
    assert alert_dismiss(alert_id=alert.pk, actor=world.shift_lead).status == AlertStatus.DISMISSED
    with pytest.raises(Conflict):
        alert_acknowledge(alert_id=alert.pk, actor=world.analyst)


@pytest.mark.django_db
def test_an_alerts_area_is_the_unit_of_its_cell_by_code_or_by_id(world: World) -> None:
    def alert(key: str) -> BurstAlert:
        return BurstAlert(key=key, label="", window_start=ON, window_end=ON, count=1, expected=0.5, score=1.0)

    assert alert_area(alert(f"cat:01|township:{world.township.code}")) == world.township
    assert alert_area(alert(f"cat:01|district:{world.district.code}")) == world.district
    Unit.objects.filter(pk=world.township.pk).update(code="")
    assert alert_area(alert(f"cat:01|township:{world.township.pk}")) == world.township
    assert alert_area(alert("cat:01|township:no-such-unit")) is None
    assert alert_area(alert(f"cat:01|district:{world.township.pk}")) is None  # the kind must match
    assert alert_area(alert("cat:01")) is None
