import hashlib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from jiesu.audit.models import AuditEntry
from jiesu.core.errors import Conflict, ValidationFailed
from jiesu.notify.tests.factories import email_config
from jiesu.notify.tests.servers import SmtpServer, free_port
from jiesu.orgs.testing import World
from jiesu.reports.models import GeneratedReport, ReportDelivery
from jiesu.reports.periods import period_parse
from jiesu.reports.selectors import LedgerState, contract_counts, delivery_ledger
from jiesu.reports.services import SEND_ACTION, report_generate, report_send

BEIJING = ZoneInfo("Asia/Shanghai")
RECIPIENTS = ["zhuren@example.gov.cn", "kezhang@example.gov.cn"]


def _monthly(key: str = "2026-10") -> GeneratedReport:
    return report_generate(kind="monthly", period=period_parse("monthly", key))


def _sent_at(delivery: ReportDelivery, when: datetime) -> None:
    ReportDelivery.objects.filter(pk=delivery.pk).update(sent_at=when, attempted_at=when)


@pytest.mark.django_db
def test_a_pack_reaches_a_real_smtp_server_with_its_three_files(world: World, smtp: SmtpServer) -> None:
    email_config(smtp)
    report = _monthly()

    delivery = report_send(
        report=report, recipients="zhuren@example.gov.cn, kezhang@example.gov.cn", actor=world.analyst
    )

    assert (delivery.result, delivery.error, delivery.recipients) == ("sent", "", RECIPIENTS)
    assert delivery.sent_at is not None and "已接受" in delivery.response
    assert len(smtp.received) == 1
    mail = smtp.received[0]
    assert sorted(mail.recipients) == sorted(RECIPIENTS)
    assert mail.message["Subject"].strip() == "【月报】12345热线月报：2026年10月"
    assert mail.message["Message-ID"] == delivery.message_id
    files = {str(part.get_filename()): part.get_payload(decode=True) for part in mail.message.iter_attachments()}
    assert sorted(files) == sorted(report.download_name(fmt) for fmt in ("docx", "xlsx", "zip"))
    for fmt in ("docx", "xlsx", "zip"):
        received = files[report.download_name(fmt)]
        assert isinstance(received, bytes)
        assert hashlib.sha256(received).hexdigest() == getattr(report, f"{fmt}_sha256")
    body = mail.message.get_body(preferencelist=("plain",))
    assert body is not None and "第1版" in body.get_content()
    entry = AuditEntry.objects.get(action=SEND_ACTION)
    assert (entry.actor_id, entry.result, entry.detail["recipients"]) == (world.analyst.pk, "success", RECIPIENTS)


@pytest.mark.django_db
def test_an_unreachable_server_is_recorded_as_a_failed_delivery(world: World, smtp: SmtpServer) -> None:
    email_config(smtp, smtp_port=free_port())
    report = _monthly()

    delivery = report_send(report=report, recipients=RECIPIENTS)

    assert (delivery.result, delivery.sent_at) == ("failed", None)
    assert "SMTP" in delivery.error
    assert AuditEntry.objects.get(action=SEND_ACTION).result == "failure"
    assert smtp.received == []


@pytest.mark.django_db
def test_sending_needs_an_email_channel_and_valid_addresses(world: World, smtp: SmtpServer) -> None:
    report = _monthly()
    with pytest.raises(Conflict, match="邮件通道"):
        report_send(report=report, recipients=RECIPIENTS)
    email_config(smtp)
    with pytest.raises(ValidationFailed, match="邮箱地址无效：not-an-address"):
        report_send(report=report, recipients=["not-an-address"])
    with pytest.raises(ValidationFailed, match="至少一个收件人"):
        report_send(report=report, recipients=" , ")
    assert not ReportDelivery.objects.exists()


@pytest.mark.django_db
def test_a_file_changed_on_disk_is_not_sent(world: World, smtp: SmtpServer) -> None:
    email_config(smtp)
    report = _monthly()
    report.file_path("xlsx").write_bytes(b"tampered")

    with pytest.raises(Conflict, match="与生成时不一致"):
        report_send(report=report, recipients=RECIPIENTS)
    assert smtp.received == []


@pytest.mark.django_db
def test_the_ledger_shows_on_time_late_missing_and_pending_periods(world: World, smtp: SmtpServer) -> None:
    email_config(smtp)
    on_time = report_send(report=_monthly("2026-09"), recipients=RECIPIENTS)
    _sent_at(on_time, datetime(2026, 10, 7, 23, 59, tzinfo=BEIJING))  # the 7th day after September
    late = report_send(report=_monthly("2026-08"), recipients=RECIPIENTS)
    _sent_at(late, datetime(2026, 9, 8, 0, 1, tzinfo=BEIJING))
    _monthly("2026-08")  # a regenerated version 2, never sent itself

    lines = delivery_ledger(year=2026, today=date(2026, 11, 21))

    months = {line.period.key: line for line in lines if line.kind == "monthly"}
    assert len(months) == 12
    assert months["2026-09"].state == LedgerState.ON_TIME
    assert months["2026-09"].recipients == RECIPIENTS
    assert months["2026-08"].state == LedgerState.LATE
    assert (months["2026-08"].version, months["2026-08"].versions) == (2, 2)
    assert months["2026-07"].state == LedgerState.MISSING and months["2026-07"].report_id is None
    assert (months["2026-10"].state, months["2026-10"].due_on) == (LedgerState.MISSING, date(2026, 11, 7))
    assert (months["2026-11"].state, months["2026-11"].due_on) == (LedgerState.PENDING, date(2026, 12, 7))
    assert len([line for line in lines if line.kind == "weekly"]) == 53  # ISO 2026 has 53 weeks
    assert [line.kind for line in lines].count("annual") == 1


@pytest.mark.django_db
def test_contract_counts_per_year(world: World, smtp: SmtpServer) -> None:
    email_config(smtp)
    delivery = report_send(report=_monthly("2026-09"), recipients=RECIPIENTS)
    _sent_at(delivery, datetime(2026, 10, 3, 9, 0, tzinfo=BEIJING))

    counts = {c.kind: c for c in contract_counts(2026, today=date(2026, 11, 21))}

    assert [(c.kind, c.owed) for c in counts.values()] == [
        ("weekly", 52),
        ("monthly", 12),
        ("quarterly", 4),
        ("half_year", 2),
        ("annual", 1),
    ]
    monthly = counts["monthly"]
    assert (monthly.due_so_far, monthly.on_time, monthly.late, monthly.missing) == (10, 1, 0, 9)
    assert (counts["quarterly"].due_so_far, counts["half_year"].due_so_far, counts["annual"].due_so_far) == (3, 1, 0)
    assert counts["weekly"].due_so_far == 45  # weeks 1–45: week 46 ends 15 Nov, due 22 Nov
    assert date(2026, 11, 15) + timedelta(days=7) == date(2026, 11, 22)
