"""The hotspot and burst-alert pages: who sees them, what they show, handling an alert, and the
one-click special-report draft (real generation of a small pack)."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from jiesu.intel.bursts.services import bursts_run
from jiesu.intel.bursts.testing import categories_make, tickets_on, week_of
from jiesu.intel.choices import AlertStatus
from jiesu.intel.hotspots.snapshots import snapshot_refresh
from jiesu.intel.models import BurstAlert
from jiesu.orgs.testing import World
from jiesu.reports.models import GeneratedReport
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text
from jiesu.web.views.reports_jobs import report_job_wait

YEAR = 364


def text_of(response: Any) -> str:
    return html.unescape(page_text(response))


def an_alert(world: World, tmp_path: Path) -> BurstAlert:
    """One burst of 停暖 in 望京街道 in the week ending yesterday, against a quiet year before."""
    categories = categories_make(tmp_path)
    on = timezone.localdate() - timedelta(days=1)
    tickets_on(on - timedelta(days=YEAR + 30), 1, category=categories["路面破损"], township=world.township)
    week_of(
        on, 2, category=categories["停暖"], township=world.township, title="小区突然停暖", content="整栋楼停暖没有暖气"
    )
    return bursts_run(on=on).created[0]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "township_staff", "district_staff", "outsider", "callback_agent"])
@pytest.mark.parametrize("url", ["/intel/hotspots/", "/intel/alerts/"])
def test_others_get_a_403(login_as: LoginAs, world: World, role: str, url: str) -> None:
    assert login_as(getattr(world, role)).get(url).status_code == 403


@pytest.mark.django_db
def test_hotspots_of_the_last_days_link_their_tickets(login_as: LoginAs, world: World, tmp_path: Path) -> None:
    categories = categories_make(tmp_path)
    made = tickets_on(
        timezone.localdate(), 4, category=categories["停暖"], township=world.township, title="望京小区停暖"
    )
    page = text_of(login_as(world.leader).get("/intel/hotspots/", {"days": 7}))
    assert "最近 7 天的热点" in page
    assert all(f'href="/tickets/{t.number}/"' in page for t in made)
    assert 'href="/intel/hotspots/">热点</a>' in text_of(login_as(world.shift_lead).get("/"))
    assert "数据截至" in page and "后台定时计算" not in page  # detected for this request


@pytest.mark.django_db
def test_the_page_shows_the_workers_snapshot_and_when_it_was_computed(
    login_as: LoginAs, world: World, tmp_path: Path
) -> None:
    categories = categories_make(tmp_path)
    tickets_on(timezone.localdate(), 4, category=categories["停暖"], township=world.township, title="望京小区停暖")
    computed = timezone.now() - timedelta(minutes=20)
    snapshot = snapshot_refresh(computed, workers=1)
    assert snapshot is not None and (snapshot.last_day - snapshot.first_day).days == 6  # the 7-day window first
    page = text_of(login_as(world.leader).get("/intel/hotspots/", {"days": 7}))
    as_of = re.search(r'id="hotspots-as-of">(.*?)</p>', page, re.S)
    assert as_of is not None
    assert as_of.group(1) == f"数据截至 {timezone.localtime(computed):%Y-%m-%d %H:%M}（后台定时计算，约每小时更新）"
    assert "望京小区" in page


@pytest.mark.django_db
def test_alerts_page_shows_observed_and_expected_and_handles(login_as: LoginAs, world: World, tmp_path: Path) -> None:
    alert = an_alert(world, tmp_path)
    leader_page = text_of(login_as(world.leader).get("/intel/alerts/"))
    assert (
        alert.label in leader_page and "受理 <strong>14</strong> 件" in leader_page and "季节基线 0.5 件" in leader_page
    )
    assert ">已知悉</button>" not in leader_page and "生成专报草稿" not in leader_page  # leaders read only
    assert 'id="burst-chart-data"' in leader_page and f'href="/tickets/{alert.ticket_numbers[0]}/"' in leader_page
    assert "预警规则 默认：最近 7 天与往年同期（3 年）比较，至少 5 件、达到基线的 2.0 倍" in leader_page

    analyst = login_as(world.analyst)
    assert ">已知悉</button>" in text_of(analyst.get("/intel/alerts/"))
    response = analyst.post(f"/intel/alerts/{alert.pk}/acknowledge")
    assert response.status_code == 302 and response["Location"].endswith(f"#alert-{alert.pk}")
    assert BurstAlert.objects.get(pk=alert.pk).status == AlertStatus.ACKNOWLEDGED
    assert login_as(world.leader).post(f"/intel/alerts/{alert.pk}/dismiss").status_code == 403
    analyst.post(f"/intel/alerts/{alert.pk}/dismiss")
    conflict = analyst.post(f"/intel/alerts/{alert.pk}/acknowledge")
    assert conflict.status_code == 409 and "该预警已排除" in text_of(conflict)
    assert analyst.post("/intel/alerts/999999/dismiss").status_code == 404


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_draft_button_generates_a_special_report(
    login_as: LoginAs, world: World, tmp_path: Path, settings: Any
) -> None:
    settings.REPORT_ROOT = tmp_path / "reports"
    alert = an_alert(world, tmp_path)
    analyst = login_as(world.analyst)
    response = analyst.post(f"/intel/alerts/{alert.pk}/draft")
    assert response.status_code == 302
    job_id = str(response["Location"]).rstrip("/").rsplit("/", 1)[-1]
    report_job_wait(job_id, timeout=120)
    assert BurstAlert.objects.get(pk=alert.pk).draft_reference == f"job:{job_id}"
    report = GeneratedReport.objects.get()
    assert report.kind == "special" and report.topic == "停暖" and report.summary["received"] == 14
    assert report.district == world.township and report.subject == "望京街道·停暖"  # the alert's cell
    assert report.period_key == f"{alert.window_start}_{alert.window_end}"
    page = text_of(analyst.get("/intel/alerts/"))
    assert f'href="/reports/{report.pk}/docx"' in page
    assert BurstAlert.objects.get(pk=alert.pk).draft_reference == f"report:{report.pk}"
    assert login_as(world.leader).post(f"/intel/alerts/{alert.pk}/draft").status_code == 403
