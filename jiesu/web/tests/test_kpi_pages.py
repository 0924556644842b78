"""The KPI pages (/kpi/): who may open them, the figures of the March 2024 ledger worked out by hand
(jiesu/kpi/tests/support.py), targets and gaps, month-on-month changes, rankings, trends, the
picker's errors and the forecast."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jiesu.kpi.tests.support import build_march_ledger
from jiesu.orgs.choices import Role
from jiesu.orgs.services import user_create
from jiesu.orgs.testing import PASSWORD, World
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text

pytestmark = pytest.mark.django_db
MARCH = "scheme=beijing-3rates&from=2024-03-01&to=2024-03-31"
PAGES = ("/kpi/", "/kpi/groups/", "/kpi/ranking/", "/kpi/trend/", "/kpi/tickets/?indicator=volume&part=numerator&")


def row(html: str, name: str) -> list[str]:
    """The cells' texts of the table row headed `name` (links unwrapped)."""
    match = re.search(rf'<th scope="row">{re.escape(name)}</th>(.*?)</tr>', html)
    assert match, f"no row {name}"
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1))]


def url(page: str, query: str = MARCH) -> str:
    return f"{page}{'' if page.endswith('&') else '?'}{query}"


@pytest.mark.parametrize("page", PAGES)
def test_only_leaders_analysts_and_shift_leads_open_the_pages(world: World, login_as: LoginAs, page: str) -> None:
    for user in (world.agent, world.callback_agent, world.township_staff, world.outsider):
        assert login_as(user).get(url(page)).status_code == 403, user.username
    for user in (world.leader, world.analyst, world.shift_lead):
        assert login_as(user).get(url(page)).status_code == 200, user.username


def test_the_overview_shows_the_hand_computed_rates_and_score(world: World, login_as: LoginAs) -> None:
    build_march_ledger(world)
    html = page_text(login_as(world.leader).get(url("/kpi/")))
    # Valid callbacks received in March: A, B, C (full) and D (response only); E is excluded.
    assert row(html, "响应率")[:3] == ["100.0%", "4", "4"]
    assert row(html, "解决率")[:3] == ["66.7%", "2", "3"]
    assert row(html, "满意率")[:3] == ["63.3%", "1.90", "3"]  # 1 + 0.9 × 1 fairly satisfied
    # (0.10 × 1 + 0.50 × 2/3 + 0.40 × 1.9/3) × 100 = 68.67
    assert '<dd id="kpi-score">68.67' in html
    # Received in March: A–F and H (G in February); the excluded E still counts in the volume.
    assert re.search(r'id="kpi-volume" href="[^"]+">7</a>', html)
    assert "2024年3月" in html


def test_the_changes_compare_with_february_and_a_year_earlier(world: World, login_as: LoginAs) -> None:
    build_march_ledger(world)
    html = page_text(login_as(world.leader).get(url("/kpi/")))
    # February holds G only: resolved and satisfied, so every rate was 100 %.
    assert row(html, "解决率")[6:8] == ["-33.3 个百分点", "—"]
    assert row(html, "响应率")[6] == "持平"
    assert "68.67（环比 -31.33 分，同比 —）" in html


def test_contract_targets_show_gap_and_compliance(world: World, login_as: LoginAs) -> None:
    build_march_ledger(world)
    html = page_text(
        login_as(world.leader).get(url("/kpi/", MARCH.replace("beijing-3rates", "civil-affairs-contract")))
    )
    assert row(html, "响应率")[3:6] == ["≥100.0%", "持平", "达标"]
    assert row(html, "解决率")[3:6] == ["≥90.0%", "-23.3 个百分点", "未达标"]
    # Closed in March, fully assessed: A, B, C, G, H; valid callbacks A, B, C, G → 80 %.
    assert row(html, "回访率")[:6] == ["80.0%", "4", "5", "≥100.0%", "-20.0 个百分点", "未达标"]
    assert '共 4 项：达标 <span class="success">1</span> 项，未达标 <span class="error">3</span> 项' in html


def test_a_district_leader_sees_the_district_only(world: World, login_as: LoginAs) -> None:
    build_march_ledger(world)
    leader = user_create(
        username="district_leader", password=PASSWORD, unit=world.district, roles=[Role.LEADER], display_name="区领导"
    )
    html = page_text(login_as(leader).get(url("/kpi/")))
    assert "仅统计本单位及下属单位的工单" in html
    assert row(html, "响应率")[:3] == ["100.0%", "3", "3"]  # D is in the other district


def test_a_reversed_period_is_refused_beside_the_field_and_kept(world: World, login_as: LoginAs) -> None:
    response = login_as(world.leader).get("/kpi/?scheme=beijing-3rates&from=2024-03-31&to=2024-03-01")
    html = page_text(response)
    assert response.status_code == 400
    assert re.search(r'name="to" value="2024-03-01".*?<span class="error">结束日期不能早于开始日期</span>', html, re.S)
    assert 'name="from" value="2024-03-31"' in html


def test_a_window_of_more_than_three_years_is_refused_beside_the_field(world: World, login_as: LoginAs) -> None:
    response = login_as(world.leader).get("/kpi/?scheme=beijing-3rates&from=2019-01-01&to=2024-03-31")
    assert response.status_code == 400
    assert re.search(r'<span class="error">考核期间不能超过 1098 天</span>', page_text(response))


def test_a_scheme_not_yet_in_force_is_said_beside_the_scheme(world: World, login_as: LoginAs) -> None:
    response = login_as(world.leader).get("/kpi/?scheme=beijing-3rates&from=2018-03-01&to=2018-03-31")
    assert response.status_code == 400
    assert re.search(
        r'name="scheme".*?<span class="error">考核方案“beijing-3rates”不存在或在 2018-03-01 未生效',
        page_text(response),
        re.S,
    )


@pytest.mark.parametrize("page", ["/kpi/groups/", "/kpi/ranking/", "/kpi/trend/"])
def test_every_page_says_a_scheme_not_in_force_beside_the_field(world: World, login_as: LoginAs, page: str) -> None:
    response = login_as(world.leader).get(f"{page}?scheme=beijing-3rates&from=2018-03-01&to=2018-03-31")
    assert response.status_code == 400
    assert "未生效" in page_text(response)


def test_without_a_choice_the_page_shows_the_current_period(world: World, login_as: LoginAs) -> None:
    with time_machine.travel(datetime(2024, 3, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        build_march_ledger(world)
        html = page_text(login_as(world.leader).get("/kpi/"))
    assert 'name="from" value="2024-03-01"' in html and 'name="to" value="2024-03-31"' in html
    assert '<a href="?scheme=beijing-3rates&amp;from=2024-02-01&amp;to=2024-02-29">2024年2月</a>' in html
    # The period runs: the forecast is shown, with its method.
    assert 'id="kpi-forecast"' in html and "期末预测" in html


def test_a_finished_period_has_no_forecast(world: World, login_as: LoginAs) -> None:
    html = page_text(login_as(world.leader).get(url("/kpi/")))
    assert 'id="kpi-forecast"' not in html


def test_distributions_split_by_township(world: World, login_as: LoginAs) -> None:
    build_march_ledger(world)
    html = page_text(login_as(world.analyst).get(url("/kpi/groups/", MARCH + "&by=township")))
    # Largest group first; the other township has D only (response only: no resolution figure).
    assert html.index("望京街道") < html.index("学院路街道")
    assert row(html, "学院路街道") == ["1", "100.0%", "不适用", "不适用", "—"]
    assert '"volumes": [' in html  # the chart's data block


def test_ranking_applies_the_minimum_volume(world: World, login_as: LoginAs) -> None:
    build_march_ledger(world)
    client = login_as(world.leader)
    html = page_text(client.get(url("/kpi/ranking/", MARCH + "&by=township&min_volume=1")))
    assert row(html, "望京街道") == ["1", "68.67", "6"]
    assert row(html, "学院路街道") == ["—", "—", "1"]  # no score: its rates are not applicable
    default = page_text(client.get(url("/kpi/ranking/", MARCH + "&by=township")))
    assert "样本量少于 10 的不参与排名" in default
    assert row(default, "望京街道") == ["—", "68.67", "6"]


def test_ranking_by_an_indicator_ranks_by_its_value(world: World, login_as: LoginAs) -> None:
    build_march_ledger(world)
    query = MARCH + "&by=township&min_volume=1&order_by=response_rate"
    html = page_text(login_as(world.leader).get(url("/kpi/ranking/", query)))
    assert row(html, "望京街道") == ["1", "100.0%", "3", "68.67"]
    assert row(html, "学院路街道") == ["1", "100.0%", "1", "—"]  # a tie shares the rank


def test_a_negative_minimum_volume_is_refused_beside_the_field(world: World, login_as: LoginAs) -> None:
    response = login_as(world.leader).get(url("/kpi/ranking/", MARCH + "&min_volume=-1"))
    assert response.status_code == 400
    assert re.search(r'name="min_volume" value="-1".*?<span class="error">', page_text(response), re.S)


def test_the_trend_lists_the_periods_up_to_the_chosen_one(world: World, login_as: LoginAs) -> None:
    build_march_ledger(world)
    html = page_text(login_as(world.leader).get(url("/kpi/trend/", MARCH + "&count=6")))
    labels = re.findall(r'<th scope="row">(\d{4}年\d+月)</th>', html)
    assert labels == ["2023年10月", "2023年11月", "2023年12月", "2024年1月", "2024年2月", "2024年3月"]
    assert row(html, "2024年3月") == ["7", "100.0%", "66.7%", "63.3%", "68.67"]
    assert row(html, "2024年2月") == ["1", "100.0%", "100.0%", "100.0%", "100"]
    assert '"kind": "line"' in html
