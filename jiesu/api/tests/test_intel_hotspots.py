"""GET /api/intel/hotspots, GET /api/intel/alerts, POST /api/intel/alerts/{id}/acknowledge|dismiss."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from jiesu.api.tests.conftest import ClientFor
from jiesu.intel.bursts.services import bursts_run
from jiesu.intel.bursts.testing import categories_make, tickets_on, week_of
from jiesu.intel.hotspots.snapshots import snapshot_refresh
from jiesu.intel.models import BurstAlert
from jiesu.orgs.testing import World

YEAR = 364


def an_alert(world: World, tmp_path: Path) -> BurstAlert:
    categories = categories_make(tmp_path)
    on = timezone.localdate() - timedelta(days=1)
    tickets_on(on - timedelta(days=YEAR + 30), 1, category=categories["路面破损"], township=world.township)
    week_of(on, 2, category=categories["停暖"], township=world.township, title="小区突然停暖")
    return bursts_run(on=on).created[0]


@pytest.mark.django_db
def test_hotspots_of_a_range(as_user: ClientFor, world: World, tmp_path: Path) -> None:
    categories = categories_make(tmp_path)
    today = timezone.localdate()
    made = tickets_on(today, 4, category=categories["停暖"], township=world.township, title="望京小区停暖")
    body = as_user(world.leader).get("/api/intel/hotspots", **{"from": str(today - timedelta(days=6)), "top": 5}).json()
    assert body["from"] == str(today - timedelta(days=6)) and body["to"] == str(today)
    assert len(body["hotspots"]) == 1 and sorted(body["hotspots"][0]["tickets"]) == sorted(t.number for t in made)
    assert body["hotspots"][0]["size"] == 4 and body["hotspots"][0]["requesters"] == 4
    asked = timezone.now()
    assert abs((datetime.fromisoformat(body["as_of"]) - asked).total_seconds()) < 60  # detected now
    snapshot = snapshot_refresh(asked - timedelta(minutes=5), workers=1)
    assert snapshot is not None and snapshot.first_day == today - timedelta(days=6)
    stored = as_user(world.leader).get("/api/intel/hotspots", **{"from": str(today - timedelta(days=6))}).json()
    assert abs((datetime.fromisoformat(stored["as_of"]) - snapshot.computed_at).total_seconds()) < 0.001  # ms in JSON
    assert stored["hotspots"] == body["hotspots"]
    bad = as_user(world.analyst).get(
        "/api/intel/hotspots", **{"from": str(today), "to": str(today - timedelta(days=1))}
    )
    assert bad.status_code == 400 and bad.json()["message"] == "开始日期不能晚于结束日期"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "township_staff", "outsider"])
def test_others_get_403(as_user: ClientFor, world: World, role: str) -> None:
    client = as_user(getattr(world, role))
    for response in (client.get("/api/intel/hotspots"), client.get("/api/intel/alerts")):
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert client.post("/api/intel/alerts/1/dismiss").status_code == 403


@pytest.mark.django_db
def test_alerts_list_and_handling(as_user: ClientFor, world: World, tmp_path: Path) -> None:
    alert = an_alert(world, tmp_path)
    rows = as_user(world.leader).get("/api/intel/alerts").json()
    assert rows[0]["id"] == alert.pk and rows[0]["count"] == 14 and rows[0]["status"] == "new"
    assert rows[0]["expected"] == 0.5 and len(rows[0]["tickets"]) == 14
    assert as_user(world.leader).post(f"/api/intel/alerts/{alert.pk}/acknowledge").status_code == 403
    analyst = as_user(world.analyst)
    done = analyst.post(f"/api/intel/alerts/{alert.pk}/acknowledge").json()
    assert done["status"] == "acknowledged" and done["handled_by"] == world.analyst.display_name
    assert analyst.post(f"/api/intel/alerts/{alert.pk}/dismiss").json()["status"] == "dismissed"
    conflict = analyst.post(f"/api/intel/alerts/{alert.pk}/acknowledge")
    assert conflict.status_code == 409 and conflict.json()["message"] == "该预警已排除，不能再处理"
    assert analyst.post("/api/intel/alerts/99999/dismiss").status_code == 404
    assert analyst.get("/api/intel/alerts", status="new").json() != rows  # the dismissed one is gone
    assert analyst.get("/api/intel/alerts", status="new").json() == [r for r in rows if r["id"] != alert.pk]
