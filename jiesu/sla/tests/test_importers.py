from __future__ import annotations

from datetime import date

import pytest

from jiesu.sla.importers import parse_csv, parse_json, read_calendar_file


def test_json_in_our_layout():
    parsed = parse_json(
        '{"year": 2027, "notice_number": "X", "days": [{"day": "2027-01-01", "is_workday": false, "name": "元旦"}]}'
    )
    assert parsed.year == 2027
    assert parsed.notice_number == "X"
    assert parsed.days == [(date(2027, 1, 1), False, "元旦")]


def test_csv_with_chinese_kinds(tmp_path):
    path = tmp_path / "y.csv"
    path.write_text("date,kind,name\n2027-02-06,班,春节\n2027-02-08,off,春节\n", encoding="utf-8-sig")
    parsed = read_calendar_file(path)
    assert parsed.year == 2027
    assert parsed.days == [(date(2027, 2, 6), True, "春节"), (date(2027, 2, 8), False, "春节")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "days"),
        ("{", "JSON 格式有误"),
        ('{"days": [{"day": "2027-13-01", "is_workday": true}]}', "无法识别的日期"),
        ('{"days": [{"day": "2027-01-01"}]}', "缺少 is_workday"),
    ],
)
def test_bad_json(text, message):
    with pytest.raises(ValueError, match=message):
        parse_json(text)


def test_bad_csv_header():
    with pytest.raises(ValueError, match="表头"):
        parse_csv("a,b\n1,2\n")
