"""/api/kpi/*: the documents of jiesu.kpi, the drill-down that adds up, scope and errors."""

from __future__ import annotations

import pytest

from jiesu.api.tests.conftest import ClientFor
from jiesu.kpi.models import AssessmentAdjustment
from jiesu.kpi.tests.support import build_march_ledger
from jiesu.orgs.choices import Role
from jiesu.orgs.services import user_create
from jiesu.orgs.testing import PASSWORD, World

pytestmark = pytest.mark.django_db
MARCH = {"scheme": "beijing-3rates", "from": "2024-03-01", "to": "2024-03-31"}


def test_evaluate_matches_the_cli_document(world: World, as_user: ClientFor) -> None:
    build_march_ledger(world)
    response = as_user(world.analyst).get("/api/kpi/evaluate", **MARCH)
    assert response.status_code == 200
    [group] = response.json()["groups"]
    assert group["score"] == 68.67
    assert group["indicators"]["resolution_rate"] == {"numerator": 2, "denominator": 3, "value": 0.666667}


def test_the_drill_down_adds_up_and_masks(world: World, as_user: ClientFor) -> None:
    build_march_ledger(world)
    client = as_user(world.leader)
    [group] = client.get("/api/kpi/evaluate", **MARCH, by="township").json()["groups"][:1]
    for code in ("response_rate", "resolution_rate", "volume"):
        cell = group["indicators"][code]
        parts = {"numerator": cell["numerator"], "denominator": cell["denominator"] or cell["value"]}
        for part, expected in parts.items():
            page = client.get(
                "/api/kpi/tickets", **MARCH, indicator=code, part=part, by="township", key=group["key"], limit=1
            ).json()
            assert page["count"] == expected, (code, part)
            assert len(page["items"]) == min(1, expected)
    listed = client.get("/api/kpi/tickets", **MARCH, indicator="volume", part="numerator").json()["items"]
    assert all("*" in t["requester_phone"] or not t["requester_phone"] for t in listed)


def test_a_district_leader_sees_only_the_district(world: World, as_user: ClientFor) -> None:
    build_march_ledger(world)
    leader = user_create(username="dl", password=PASSWORD, unit=world.district, roles=[Role.LEADER])
    client = as_user(leader)
    [group] = client.get("/api/kpi/evaluate", **MARCH).json()["groups"]
    assert group["indicators"]["volume"]["value"] == 6
    page = client.get("/api/kpi/tickets", **MARCH, indicator="volume", part="numerator").json()
    assert page["count"] == 6


@pytest.mark.parametrize("name", ["agent", "township_staff", "system_admin"])
def test_roles_without_kpis_get_403(world: World, as_user: ClientFor, name: str) -> None:
    response = as_user(getattr(world, name)).get("/api/kpi/evaluate", **MARCH)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_ranking_compare_trend_forecast(world: World, as_user: ClientFor) -> None:
    build_march_ledger(world)
    client = as_user(world.analyst)
    ranking = client.get("/api/kpi/ranking", **MARCH, by="township", min_volume=1).json()
    assert [e["key"] for e in ranking["ranked"]] == [world.township.code]
    compare = client.get("/api/kpi/compare", **MARCH).json()
    assert compare["changes"]["all"]["volume"]["mom"] == 6.0
    trend = client.get("/api/kpi/trend", scheme="beijing-3rates", on="2024-03-15", count=2, codes="volume").json()
    assert [(p["label"], p["indicators"]["volume"]["value"]) for p in trend] == [("2024年2月", 1), ("2024年3月", 7)]
    forecast = client.get("/api/kpi/forecast", **MARCH, today="2024-03-15").json()
    assert forecast["indicators"]["volume"]["current"] == 7
    schemes = client.get("/api/kpi/schemes").json()
    assert {s["code"] for s in schemes} >= {"beijing-3rates", "yanta-quarterly"}


def test_errors_are_structured_and_chinese(world: World, as_user: ClientFor) -> None:
    client = as_user(world.analyst)
    unknown = client.get("/api/kpi/evaluate", **{**MARCH, "scheme": "nope"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "kpi_unknown_scheme"
    backwards = client.get("/api/kpi/evaluate", **{**MARCH, "from": "2024-04-01"})
    assert backwards.status_code == 400 and "开始日期" in backwards.json()["message"]
    indicator = client.get("/api/kpi/tickets", **MARCH, indicator="beauty", part="numerator")
    assert indicator.status_code == 404 and indicator.json()["code"] == "kpi_unknown_indicator"
    bad_by = client.get("/api/kpi/evaluate", **MARCH, by="weather")
    assert bad_by.status_code == 422


def test_adjustments_record_list_revoke(world: World, as_user: ClientFor) -> None:
    client = as_user(world.analyst)
    body = {
        "scheme": "yanta-quarterly",
        "kind": "criticism",
        "occurred_on": "2024-03-10",
        "points": "5",
        "reason": "区政府通报批评",
        "unit": world.township.code,
    }
    created = client.post("/api/kpi/adjustments", body)
    assert created.status_code == 201, created.json()
    assert created.json()["points"] == "-5.00" or float(created.json()["points"]) == -5
    assert created.json()["unit"] == world.township.code
    listed = client.get("/api/kpi/adjustments", scheme="yanta-quarterly").json()
    assert [e["id"] for e in listed] == [created.json()["id"]]
    revoked = client.post(f"/api/kpi/adjustments/{created.json()['id']}/revoke", {"reason": "录入错误"})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    again = client.post(f"/api/kpi/adjustments/{created.json()['id']}/revoke", {"reason": "再次"})
    assert again.status_code == 409
    refused = as_user(world.agent).post("/api/kpi/adjustments", body)
    assert refused.status_code == 403
    no_unit = client.post("/api/kpi/adjustments", {**body, "unit": "NOPE"})
    assert no_unit.status_code == 400 and "单位不存在" in no_unit.json()["message"]
    assert AssessmentAdjustment.objects.count() == 1


def test_the_last_representable_day_is_refused_not_a_crash(world: World, as_user: ClientFor) -> None:
    response = as_user(world.analyst).get("/api/kpi/evaluate", **{**MARCH, "from": "9999-12-01", "to": "9999-12-31"})
    assert response.status_code == 400 and response.json()["code"] == "kpi_bad_window"


def test_a_unit_leader_lists_only_the_adjustments_of_its_subtree(world: World, as_user: ClientFor) -> None:
    body = {"scheme": "yanta-quarterly", "kind": "commendation", "occurred_on": "2024-03-10", "points": "2"}
    analyst = as_user(world.analyst)
    own = analyst.post("/api/kpi/adjustments", {**body, "reason": "街道表扬", "unit": world.township.code}).json()
    analyst.post("/api/kpi/adjustments", {**body, "reason": "中心表扬"})
    leader = user_create(username="tl", password=PASSWORD, unit=world.township, roles=[Role.LEADER])
    listed = as_user(leader).get("/api/kpi/adjustments").json()
    assert [e["id"] for e in listed] == [own["id"]]
    assert len(analyst.get("/api/kpi/adjustments").json()) == 2
    assert as_user(world.agent).get("/api/kpi/adjustments").status_code == 403
