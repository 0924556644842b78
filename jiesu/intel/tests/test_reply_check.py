"""Reply check: the default cues per element, regex cues and spans, scheme versions by date, cues
loaded by the command and filled by the migration, the ticket-level check and the CLI."""

from __future__ import annotations

import importlib
import json
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from jiesu.intel.replycheck import (
    default_rules,
    element_rules_from,
    highlight_segments,
    reply_check_at,
    reply_text_check,
    ticket_reply_check,
)
from jiesu.intel.tests.support import read_csv, write_csv
from jiesu.orgs.testing import World
from jiesu.sla.calendar import SHANGHAI
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.errors import TicketInvalid
from jiesu.tickets.models import ReplyElement, ReplyElementScheme, Ticket
from jiesu.tickets.services import handling
from jiesu.tickets.services.reply_elements import (
    DEFAULT_SCHEME_FILE,
    ElementSpec,
    reply_element_file_read,
    reply_element_scheme_set,
)
from jiesu.tickets.tests.helpers import ticket_in

ALL_SIX = ["handled_at", "handler", "process", "result", "basis", "requester_contact"]
FULL_REPLY = (
    "网友您好！接到您的反映后，我局高度重视，于5月16日组织执法人员到现场调查核实。"
    "经核查，反映属实，已责令该商户立即整改，目前噪音问题已解决。"
    "根据《中华人民共和国噪声污染防治法》第六十五条，我局将持续跟踪。"
    "5月18日工作人员已电话联系您告知处理结果。如有疑问请拨打0731-84512345。"
)


def _found(text: str) -> dict[str, tuple[str, ...]]:
    _, _, rules = default_rules()
    return {f.code: f.evidence for f in reply_text_check(text, rules)}


def default_scheme(valid_from: date = date(2020, 1, 1)) -> ReplyElementScheme:
    header, specs = reply_element_file_read(DEFAULT_SCHEME_FILE)
    return reply_element_scheme_set(valid_from=valid_from, elements=specs, code=header["code"], name=header["name"])


def replied_ticket(world: World, text: str, ticked: Sequence[str] = ALL_SIX) -> Ticket:
    """A ticket awaiting review whose township reply says `text` and ticks `ticked`."""
    ticket = ticket_in(world, TicketStatus.HANDLING)
    handling.ticket_reply(ticket=ticket, actor=world.township_staff, text=text, elements=ticked)
    return Ticket.objects.get(pk=ticket.pk)


def test_a_full_reply_shows_all_six_default_elements() -> None:
    found = _found(FULL_REPLY)
    assert all(found[code] for code in ALL_SIX), found
    assert any("5月16日" in e for e in found["handled_at"])
    assert "我局" in found["handler"]
    assert any("《中华人民共和国噪声污染防治法》" in e for e in found["basis"])


@pytest.mark.parametrize(
    ("code", "positive", "negative"),
    [
        ("handled_at", "6月3日上午区城管局前往现场核查。", "您于2019年2月27日反映的问题已收悉。2019年3月6日"),
        ("handler", "我局立即安排人员处理。", "网友您好，留言已收悉。"),
        ("process", "经核实，该路段确有积水。", "感谢您对我们工作的关心。"),
        ("result", "该路灯已修复，目前恢复正常照明。", "您反映的问题已转交相关部门。"),
        ("basis", "按照《城市道路管理条例》第二十七条规定，不得占道经营。", "感谢您的留言。"),
        ("requester_contact", "工作人员已与您电话联系并说明情况。", "该企业已完成整改。"),
    ],
)
def test_each_default_element_is_found_in_its_positive_text_only(code: str, positive: str, negative: str) -> None:
    assert _found(positive)[code], (code, positive)
    assert not _found(negative)[code], (code, negative, _found(negative)[code])


def test_spans_point_into_the_original_text_even_after_normalisation() -> None:
    # Full-width digits and an NFKC expansion ("㎡" → "m2") before the evidence must not shift it.
    text = "面积100㎡。我局于２０２４年５月６日组织人员调查。"
    _, _, rules = default_rules()
    findings = {f.code: f for f in reply_text_check(text, rules)}
    start, end = findings["handled_at"].spans[0]
    assert text[start:end].startswith("于２０２４年５月６日")
    assert text[:start] == "面积100㎡。我局"
    assert text[start:end].endswith("组织")
    assert findings["handler"].evidence == ("我局",)


def test_word_and_regex_cues_each_give_their_spans_and_overlaps_merge() -> None:
    rules = element_rules_from(
        [
            ("visit", "走访", True, ["走访", "re:上门(走访|查看)"]),
            ("phone", "电话", False, [r"re:\d{3,4}-\d{7,8}"]),
            ("empty", "未配置", False, []),
        ]
    )
    text = "社区上门走访。电话：010-12345678。再次走访"
    visit, phone, empty = reply_text_check(text, rules)
    assert [text[s:e] for s, e in visit.spans] == ["上门走访", "走访"]
    assert phone.evidence == ("010-12345678",) and not phone.required
    assert not empty.found and not empty.has_cues
    segments = highlight_segments(text, [visit, phone])
    assert "".join(s.text for s in segments) == text
    assert [(s.text, s.codes) for s in segments if s.codes] == [
        ("上门走访", ("visit",)),
        ("010-12345678", ("phone",)),
        ("走访", ("visit",)),
    ]


@pytest.mark.django_db
def test_the_cues_of_the_scheme_in_force_at_the_moment_are_used() -> None:
    reply_element_scheme_set(
        valid_from=date(2025, 1, 1), elements=[ElementSpec("result", "办理结果", cues=("已修复",))], code="v1"
    )
    reply_element_scheme_set(
        valid_from=date(2026, 1, 1), elements=[ElementSpec("result", "办理结果", cues=("re:已更换",))], code="v2"
    )
    text = "路灯已修复。"
    june_2025 = datetime(2025, 6, 1, 9, tzinfo=SHANGHAI)
    june_2026 = datetime(2026, 6, 1, 9, tzinfo=SHANGHAI)
    assert reply_check_at(text, june_2025).scheme_code == "v1"
    assert reply_check_at(text, june_2025).found == ["result"]
    assert reply_check_at(text, june_2026).missing == ["result"]
    assert reply_check_at("灯泡已更换", june_2026).found == ["result"]
    # Before any scheme: the built-in default (seed file).
    assert reply_check_at(FULL_REPLY, datetime(2024, 1, 1, tzinfo=SHANGHAI)).scheme_code == ""


@pytest.mark.django_db
def test_the_command_loads_cues_and_refuses_a_bad_pattern(tmp_path: Path) -> None:
    good = tmp_path / "scheme.json"
    good.write_text(
        json.dumps(
            {"code": "c1", "elements": [{"code": "result", "label": "结果", "cues": ["已解决", "re:已.{0,2}修复"]}]}
        ),
        encoding="utf-8",
    )
    call_command("reply_elements", "set", "--from", "2026-01-01", "--file", str(good))
    element = ReplyElement.objects.get(scheme__code="c1")
    assert element.cues == ["已解决", "re:已.{0,2}修复"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"code": "x", "label": "X", "cues": ["re:(未闭合"]}]), encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的正则表达式"):
        call_command("reply_elements", "set", "--from", "2026-02-01", "--file", str(bad))
    with pytest.raises(TicketInvalid, match="不能匹配空文本"):
        reply_element_file_read(_written(tmp_path, [{"code": "x", "label": "X", "cues": ["re:a*"]}]))


def _written(tmp_path: Path, raw: object) -> Path:
    path = tmp_path / "raw.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_the_migration_fills_empty_cues_of_default_elements_only() -> None:
    scheme = ReplyElementScheme.objects.create(code="old", name="旧方案", valid_from=date(2020, 1, 1))
    plain = ReplyElement.objects.create(scheme=scheme, code="result", label="办理结果", position=0)
    own = ReplyElement.objects.create(scheme=scheme, code="basis", label="依据", position=1, cues=["依规"])
    other = ReplyElement.objects.create(scheme=scheme, code="extra", label="其他", position=2)
    migration = importlib.import_module("jiesu.tickets.migrations.0014_reply_element_cues")
    migration.fill_cues(apps, None)
    _, specs = reply_element_file_read(DEFAULT_SCHEME_FILE)
    seed = {s.code: list(s.cues) for s in specs}
    plain.refresh_from_db()
    own.refresh_from_db()
    other.refresh_from_db()
    assert plain.cues == seed["result"] and plain.cues
    assert own.cues == ["依规"]
    assert other.cues == []


@pytest.mark.django_db
def test_a_ticket_reply_is_checked_against_what_its_unit_ticked(world: World) -> None:
    default_scheme()
    ticket = replied_ticket(world, "我局已于5月3日派员到现场核查，路灯已修复。")
    result = ticket_reply_check(ticket)
    assert result is not None
    assert result.check.scheme_code == "default-2026"
    assert result.ticked == tuple(ALL_SIX)
    assert [e.code for e in result.ticked_not_found] == ["basis", "requester_contact"]
    assert result.found_not_ticked == []
    assert "".join(s.text for s in result.segments) == ticket.reply_text


@pytest.mark.django_db
def test_the_cli_writes_each_row_and_the_share_of_each_element(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "replies.csv",
        [
            {"编号": "1", "答复意见": FULL_REPLY},
            {"编号": "2", "答复意见": "您好，留言已收悉。"},
        ],
    )
    out = tmp_path / "out.csv"
    stdout = _run_cli("--csv", str(source), "--text", "答复意见", "--out", str(out), "--format", "json")
    summary = json.loads(stdout[: stdout.rindex("}") + 1])
    assert summary["rows"] == 2 and summary["complete"] == 1
    shares = {e["code"]: e["share"] for e in summary["elements"]}
    assert shares == dict.fromkeys(ALL_SIX, 0.5)
    rows = read_csv(out)
    assert rows[0]["elements_missing"] == "" and "办理时间" in rows[0]["elements_found"]
    assert rows[1]["elements_found"] == "" and rows[1]["编号"] == "2"
    table = _run_cli("--csv", str(source), "--text", "答复意见")
    assert "内置默认方案" in table and "50.0%" in table
    with pytest.raises(CommandError, match="缺少列"):
        _run_cli("--csv", str(source), "--text", "内容")


def _run_cli(*args: str) -> str:
    from io import StringIO

    stdout = StringIO()
    call_command("intel", "reply-check", *args, stdout=stdout)
    return stdout.getvalue()
