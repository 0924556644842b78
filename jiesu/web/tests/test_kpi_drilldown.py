"""Every KPI number leads to its tickets, and the list holds exactly that many (the weighted
satisfaction numerator says how its tickets add up); every table exports the rows it shows."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from jiesu.core.spreadsheet import XLSX_CONTENT_TYPE
from jiesu.kpi.tests.support import build_march_ledger
from jiesu.orgs.choices import Role
from jiesu.orgs.services import user_create
from jiesu.orgs.testing import PASSWORD, World
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text

pytestmark = pytest.mark.django_db
MARCH = "scheme=beijing-3rates&from=2024-03-01&to=2024-03-31"
LINK = re.compile(r'<a (?:class="[^"]*" )?(?:id="[^"]*" )?href="(/kpi/tickets/[^"]+)">([^<]+)</a>')
DRILL = "/kpi/tickets/?" + MARCH


def numeric_links(html: str) -> list[tuple[str, str]]:
    """(url, number) of every drill-down link whose text is a count or a weighted numerator."""
    found = [(href.replace("&amp;", "&"), label) for href, label in LINK.findall(html)]
    return [(href, label) for href, label in found if re.fullmatch(r"\d+(\.\d+)?", label)]


def drill_count(client: Client, href: str) -> tuple[str, str | None]:
    html = page_text(client.get(href))
    count = re.search(r'id="kpi-drill-count">共 <strong>(\d+)</strong> 件', html)
    assert count, href
    weighted = re.search(r"分子 = ([\d.]+)。", html)
    return count.group(1), weighted.group(1) if weighted else None


@pytest.mark.parametrize(
    "page",
    [
        "/kpi/?" + MARCH,
        "/kpi/?" + MARCH.replace("beijing-3rates", "yanta-quarterly"),
        "/kpi/groups/?" + MARCH + "&by=township",
        "/kpi/groups/?" + MARCH + "&by=kind",
        "/kpi/ranking/?" + MARCH + "&by=township&min_volume=1&order_by=resolution_rate",
        "/kpi/trend/?" + MARCH + "&count=6",
    ],
)
def test_every_number_lists_as_many_tickets_as_it_says(world: World, login_as: LoginAs, page: str) -> None:
    build_march_ledger(world)
    client = login_as(world.analyst)
    links = numeric_links(page_text(client.get(page)))
    assert links, "the page has numbers linked to tickets"
    for href, number in links:
        count, weighted = drill_count(client, href)
        assert (weighted or count) == number, href


def test_the_weighted_numerator_lists_every_ticket_once(world: World, login_as: LoginAs) -> None:
    build_march_ledger(world)
    html = page_text(login_as(world.leader).get(DRILL + "&indicator=satisfaction_rate&part=numerator"))
    assert "共 <strong>2</strong> 件" in html  # A satisfied, B fairly satisfied
    assert "其中 1 件为基本满意，按系数 0.9 计入，分子 = 1.90。" in html


def test_a_district_leader_drills_into_the_district_only(world: World, login_as: LoginAs) -> None:
    tickets = build_march_ledger(world)
    leader = user_create(
        username="district_leader", password=PASSWORD, unit=world.district, roles=[Role.LEADER], display_name="区领导"
    )
    client = login_as(leader)
    html = page_text(client.get(DRILL + "&indicator=response_rate&part=denominator"))
    assert "共 <strong>3</strong> 件" in html
    assert tickets["D"].number not in html and tickets["A"].number in html
    other = f"&indicator=response_rate&part=denominator&by=township&key={world.other_township.code}"
    assert "共 <strong>0</strong> 件" in page_text(client.get(DRILL + other))


@pytest.mark.parametrize(
    "query",
    [
        MARCH + "&indicator=nope&part=numerator",
        MARCH + "&indicator=response_rate&part=middle",
        MARCH + "&indicator=response_rate&part=numerator&by=planet",
        "scheme=beijing-3rates&indicator=response_rate&part=numerator",
        "scheme=no-such&from=2024-03-01&to=2024-03-31&indicator=response_rate&part=numerator",
        "scheme=beijing-3rates&from=2018-03-01&to=2018-03-31&indicator=satisfaction_rate&part=numerator",
    ],
)
def test_a_malformed_drill_down_is_not_found(world: World, login_as: LoginAs, query: str) -> None:
    assert login_as(world.leader).get("/kpi/tickets/?" + query).status_code == 404


def workbook_rows(response: Any) -> dict[str, list[list[Any]]]:
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith('attachment; filename="kpi-')
    book = load_workbook(BytesIO(response.content), read_only=True)
    return {sheet.title: [list(r) for r in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def test_the_overview_exports_its_indicator_table(world: World, login_as: LoginAs) -> None:
    build_march_ledger(world)
    sheets = workbook_rows(login_as(world.leader).get("/kpi/?" + MARCH + "&format=xlsx&table=indicators"))
    rows = sheets["考核指标"]
    assert rows[0][:4] == ["指标", "数值", "分子", "分母"]
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["响应率"][1:4] == [1, 4, 4]
    assert by_name["满意率"][1:4] == [pytest.approx(1.9 / 3, abs=1e-6), 1.9, 3]
    assert by_name["解决率"][7] == pytest.approx(-1 / 3, abs=1e-6)  # month-on-month, as a fraction
    assert len(rows) - 1 == page_text(login_as(world.leader).get("/kpi/?" + MARCH)).count('<tr><th scope="row">')


def test_distributions_rankings_and_trends_export_what_they_show(world: World, login_as: LoginAs) -> None:
    build_march_ledger(world)
    client = login_as(world.leader)
    groups = workbook_rows(client.get("/kpi/groups/?" + MARCH + "&by=township&format=xlsx"))
    assert groups["按街乡镇"][1:] == [
        ["望京街道", 6, 1, pytest.approx(2 / 3, abs=1e-6), pytest.approx(1.9 / 3, abs=1e-6), 68.67],
        ["学院路街道", 1, 1],  # the empty cells of 不适用 (a read-only sheet drops trailing ones)
    ]
    ranking = workbook_rows(client.get("/kpi/ranking/?" + MARCH + "&by=township&min_volume=1&format=xlsx"))
    assert ranking["综合得分排名"][1:] == [["望京街道", 1, 68.67, 6]]
    assert list(ranking) == ["综合得分排名", "不参与排名（样本量少于 1 或不适用）"]
    trend = workbook_rows(client.get("/kpi/trend/?" + MARCH + "&count=6&format=xlsx"))
    assert [r[0] for r in trend["各期指标"][1:]][-2:] == ["2024年2月", "2024年3月"]
