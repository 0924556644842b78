from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from jiesu.core.jobs import configured_jobs
from jiesu.notify.tests.factories import email_config
from jiesu.notify.tests.servers import SmtpServer, free_port
from jiesu.orgs.testing import World
from jiesu.reports.jobs import reports_due_job
from jiesu.reports.models import GeneratedReport, ReportDelivery, ReportSchedule
from jiesu.reports.services import MAX_SEND_ATTEMPTS, reports_due_run

BEIJING = ZoneInfo("Asia/Shanghai")
RECIPIENTS = ["zhuren@example.gov.cn"]


def test_the_job_is_registered_with_the_worker() -> None:
    assert "jiesu.reports.jobs.reports_due_job" in [spec.name for spec in configured_jobs()]
    assert ("jiesu.reports.jobs.reports_due_job", 600) in settings.WORKER_JOBS


@pytest.mark.django_db
def test_a_monthly_schedule_generates_and_sends_once_its_moment_has_come(world: World, smtp: SmtpServer) -> None:
    email_config(smtp)
    ReportSchedule.objects.create(kind="monthly", recipients=RECIPIENTS, send_hour=9)

    assert reports_due_run(datetime(2026, 11, 7, 8, 59, tzinfo=BEIJING)) == []
    assert not GeneratedReport.objects.exists()

    made = reports_due_run(datetime(2026, 11, 7, 9, 0, tzinfo=BEIJING))

    assert [(r.kind, r.period_key, r.version, r.generated_by) for r in made] == [("monthly", "2026-10", 1, None)]
    assert len(smtp.received) == 1 and smtp.received[0].recipients == RECIPIENTS
    assert ReportDelivery.objects.get().result == "sent"
    # Later runs in the same month neither regenerate nor resend.
    assert reports_due_job(datetime(2026, 11, 8, 9, 0, tzinfo=BEIJING)) == 0
    assert len(smtp.received) == 1 and GeneratedReport.objects.count() == 1


@pytest.mark.django_db
def test_a_report_made_by_hand_before_the_moment_is_sent_not_regenerated(world: World, smtp: SmtpServer) -> None:
    from jiesu.reports.periods import period_parse
    from jiesu.reports.services import report_generate

    email_config(smtp)
    ReportSchedule.objects.create(kind="weekly", recipients=RECIPIENTS)
    by_hand = report_generate(kind="weekly", period=period_parse("weekly", "2026-W42"), actor=world.analyst)

    assert reports_due_run(datetime(2026, 10, 21, 8, 0, tzinfo=BEIJING)) == []

    assert ReportDelivery.objects.get().report == by_hand
    assert "第42周" in smtp.received[0].message["Subject"]


@pytest.mark.django_db
def test_disabled_public_line_and_recipientless_schedules(world: World, smtp: SmtpServer) -> None:
    email_config(smtp)
    ReportSchedule.objects.create(kind="monthly", enabled=False, recipients=RECIPIENTS)
    ReportSchedule.objects.create(kind="quarterly", family="public_line", recipients=RECIPIENTS)
    ReportSchedule.objects.create(kind="annual")  # generated, nobody to send to

    made = reports_due_run(datetime(2027, 1, 10, 12, 0, tzinfo=BEIJING))

    assert [(r.kind, r.period_key) for r in made] == [("annual", "2026")]
    assert smtp.received == [] and not ReportDelivery.objects.exists()


@pytest.mark.django_db
def test_a_failing_smtp_server_is_retried_a_few_times_then_left_to_the_ledger(world: World, smtp: SmtpServer) -> None:
    email_config(smtp, smtp_port=free_port())
    ReportSchedule.objects.create(kind="daily", recipients=RECIPIENTS)
    now = datetime(2026, 10, 15, 8, 0, tzinfo=BEIJING)

    for run in range(MAX_SEND_ATTEMPTS + 2):
        reports_due_run(now + timedelta(minutes=10 * run))

    assert GeneratedReport.objects.get().period_key == "2026-10-14"
    assert ReportDelivery.objects.filter(result="failed").count() == MAX_SEND_ATTEMPTS


@pytest.mark.django_db
def test_a_schedule_row_gives_its_due_rule() -> None:
    from datetime import date

    from jiesu.reports.schedules import due_date

    weekly = ReportSchedule.objects.create(kind="weekly", due_weekday=0, send_hour=17)
    quarterly = ReportSchedule.objects.create(kind="quarterly")

    assert due_date(weekly.rule, date(2026, 10, 18)) == date(2026, 10, 19)
    assert weekly.rule.hour == 17
    assert due_date(quarterly.rule, date(2026, 9, 30)) == date(2026, 10, 9)


@pytest.mark.django_db
def test_without_an_email_channel_the_pack_is_made_and_the_admins_are_told_once(world: World) -> None:
    from jiesu.notify.models import Notification

    ReportSchedule.objects.create(kind="monthly", recipients=RECIPIENTS, send_hour=9)
    made = reports_due_run(datetime(2026, 11, 7, 9, 0, tzinfo=BEIJING))
    assert [r.period_key for r in made] == ["2026-10"]
    assert not ReportDelivery.objects.exists()
    told = Notification.objects.filter(title__startswith="报告未能发送")
    assert {n.recipient for n in told} == {world.system_admin, world.analyst}
    assert "邮件通道" in told[0].body
    reports_due_run(datetime(2026, 11, 7, 9, 10, tzinfo=BEIJING))  # tried again, not told again
    assert Notification.objects.filter(title__startswith="报告未能发送").count() == 2


@pytest.mark.django_db
def test_a_worker_that_was_down_makes_up_the_periods_since_the_schedule_began(world: World, smtp: SmtpServer) -> None:
    email_config(smtp)
    schedule = ReportSchedule.objects.create(kind="monthly", recipients=RECIPIENTS, send_hour=9)
    ReportSchedule.objects.filter(pk=schedule.pk).update(created_at=datetime(2026, 9, 10, tzinfo=BEIJING))

    made = reports_due_run(datetime(2026, 11, 7, 9, 0, tzinfo=BEIJING))

    assert [r.period_key for r in made] == ["2026-09", "2026-10"]  # August ended before it began
    assert len(smtp.received) == 2
    assert reports_due_run(datetime(2026, 11, 7, 9, 10, tzinfo=BEIJING)) == []
