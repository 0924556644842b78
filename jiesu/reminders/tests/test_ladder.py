import threading
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from jiesu.core.jobs import configured_jobs
from jiesu.notify.choices import NotificationLevel
from jiesu.notify.jobs import deliveries_send
from jiesu.notify.models import Delivery, Notification
from jiesu.notify.tests.factories import email_config
from jiesu.notify.tests.servers import SmtpServer
from jiesu.orgs.choices import Role
from jiesu.orgs.models import User
from jiesu.orgs.services import user_create
from jiesu.orgs.testing import World, build_world
from jiesu.reminders.choices import RecipientRole
from jiesu.reminders.jobs import reminders_run
from jiesu.reminders.models import ReminderFiring, ReminderStep
from jiesu.reminders.services import step_occurrence
from jiesu.sla.models import TimeLimitRuleSet
from jiesu.tickets.choices import TicketStatus, Urgency
from jiesu.tickets.models import Ticket
from jiesu.tickets.services import dispatch, handling
from jiesu.tickets.tests.helpers import new_ticket, ticket_in

DAY, HOUR, MINUTE = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)


@pytest.fixture
def township_leader(world: World) -> User:
    return user_create(username="wangjing_leader", password=None, unit=world.township, roles=[Role.LEADER])


def _titles(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("title", flat=True))


def _handling_ticket(world: World) -> tuple[Ticket, datetime]:
    ticket = ticket_in(world, TicketStatus.HANDLING)
    assert ticket.reply_due_at is not None
    return ticket, ticket.reply_due_at


@pytest.mark.django_db
def test_the_seeded_ladder_is_the_one_of_the_issue() -> None:
    steps = ReminderStep.objects.filter(rule_set__code="beijing").order_by("offset_minutes")
    assert [(s.stage, s.offset_minutes, s.repeat_every_minutes, s.recipient_role) for s in steps] == [
        ("reply", -2880, None, RecipientRole.UNIT_STAFF),
        ("reply", -1440, None, RecipientRole.UNIT_LEADER),
        ("reply", 0, None, RecipientRole.CENTER_SHIFT_LEAD),
        ("reply", 240, 240, RecipientRole.SUPERVISOR),
    ]
    assert [s.moment_text for s in steps] == ["到期前 2 天", "到期前 1 天", "到期时", "超期 4 小时后，此后每 4 小时"]


@pytest.mark.django_db
def test_each_rung_of_the_ladder_fires_at_its_moment_and_only_once(world: World, township_leader: User) -> None:
    ticket, due = _handling_ticket(world)

    assert reminders_run(due - 2 * DAY - MINUTE) == 0
    assert reminders_run(due - 2 * DAY) == 1
    assert reminders_run(due - 2 * DAY) == 0  # a second run (or a restart) repeats nothing
    assert _titles(world.township_staff) == [f"【到期提醒】工单 {ticket.number} 反馈时限还剩 2 天"]

    district_leader = user_create(username="chaoyang_leader", password=None, unit=world.district, roles=[Role.LEADER])
    assert reminders_run(due - DAY + 20 * timedelta(seconds=1)) == 1  # seconds late: the text still says 1 day
    assert _titles(township_leader) == [f"【到期提醒】工单 {ticket.number} 反馈时限还剩 1 天"]
    assert _titles(district_leader) == _titles(township_leader)  # the leader of the unit above counts too
    assert reminders_run(due - MINUTE) == 0

    assert reminders_run(due) == 1
    assert _titles(world.shift_lead) == [f"【到期提醒】工单 {ticket.number} 反馈时限已到"]

    assert reminders_run(due + 4 * HOUR - MINUTE) == 0
    assert reminders_run(due + 4 * HOUR) == 1
    assert reminders_run(due + 7 * HOUR) == 0
    assert reminders_run(due + 8 * HOUR + 5 * MINUTE) == 1
    supervised = f"【超期督办】工单 {ticket.number} 反馈已超期 8 小时 5 分钟"
    assert _titles(world.leader) == [f"【超期督办】工单 {ticket.number} 反馈已超期 4 小时", supervised]
    assert _titles(world.shift_lead)[-1] == supervised

    note = Notification.objects.filter(recipient=world.township_staff).get()
    assert note.link == f"/tickets/{ticket.number}/"
    assert "望京街道" in note.body and ticket.title in note.body
    assert _titles(world.other_staff) == [] and _titles(world.district_staff) == []
    assert ReminderFiring.objects.filter(ticket=ticket).count() == 5


@pytest.mark.django_db
def test_a_worker_back_after_a_long_outage_sends_only_what_is_still_meaningful(world: World) -> None:
    ticket, due = _handling_ticket(world)

    # Down since before the first reminder: the "before the deadline" rungs are stale, the
    # expiry rung is still owed, and of the repeated rung only the latest occurrence is sent.
    assert reminders_run(due + 13 * HOUR) == 2
    assert _titles(world.township_staff) == []
    firings = ReminderFiring.objects.filter(ticket=ticket).order_by("step__offset_minutes")
    assert [(f.occurrence, f.scheduled_at) for f in firings] == [(0, due), (2, due + 12 * HOUR)]
    assert reminders_run(due + 14 * HOUR) == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status",
    [TicketStatus.REPLIED, TicketStatus.CLOSED, TicketStatus.SUSPENDED, TicketStatus.RETURNED_TO_CITY],
)
def test_tickets_past_the_stage_or_closed_get_no_reminders(world: World, status: str) -> None:
    ticket = ticket_in(world, status)
    due = datetime.now(tz=ticket.received_at.tzinfo) + 3 * DAY
    Ticket.objects.filter(pk=ticket.pk).update(reply_due_at=due)

    for moment in (due - 2 * DAY, due - DAY, due, due + 4 * HOUR, due + 30 * DAY):
        assert reminders_run(moment) == 0
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_reply_stops_the_ladder(world: World) -> None:
    ticket, due = _handling_ticket(world)
    assert reminders_run(due - 2 * DAY) == 1
    handling.ticket_reply(ticket=ticket, actor=world.township_staff, text="已协调供热公司上门维修")

    assert reminders_run(due) == 0
    assert reminders_run(due + 4 * HOUR) == 0


@pytest.mark.django_db
def test_an_extended_deadline_is_reminded_about_afresh(world: World) -> None:
    ticket, due = _handling_ticket(world)
    assert reminders_run(due - 2 * DAY) == 1
    new_due = due + 10 * DAY
    handling.ticket_extension_request(ticket=ticket, actor=world.township_staff, until=new_due, reason="需协调产权单位")
    handling.ticket_extension_decide(ticket=ticket, actor=world.shift_lead, approve=True)

    assert reminders_run(due) == 0  # the old deadline no longer applies
    assert reminders_run(new_due - 2 * DAY) == 1
    assert len(_titles(world.township_staff)) == 2


@pytest.mark.django_db
def test_rungs_before_the_stage_began_are_skipped_and_urgent_tickets_are_urgent(world: World) -> None:
    ticket = new_ticket(world, urgency=Urgency.URGENT)
    dispatch.ticket_acknowledge(ticket=ticket, actor=world.agent)
    dispatch.ticket_dispatch(ticket=ticket, actor=world.agent, lead_unit=world.township)
    ticket.refresh_from_db()
    assert ticket.dispatched_at is not None and ticket.reply_due_at is not None
    assert ticket.reply_due_at - ticket.dispatched_at == 2 * HOUR  # Beijing: urgent reply within 2 hours

    assert reminders_run(ticket.dispatched_at + HOUR) == 0  # "2 days / 1 day before" lie before the dispatch
    assert reminders_run(ticket.reply_due_at) == 1
    note = Notification.objects.get(recipient=world.shift_lead)
    assert note.level == NotificationLevel.URGENT
    assert "紧急程度：紧急" in note.body


@pytest.mark.django_db
def test_inactive_steps_and_rule_sets_fire_nothing(world: World) -> None:
    _ticket, due = _handling_ticket(world)
    ReminderStep.objects.filter(offset_minutes=-2880).update(is_active=False)
    assert reminders_run(due - 2 * DAY) == 0
    TimeLimitRuleSet.objects.filter(code="beijing").update(is_active=False)
    assert reminders_run(due) == 0


@pytest.mark.django_db
def test_sensitive_tickets_do_not_show_their_title_in_messages(world: World) -> None:
    ticket, due = _handling_ticket(world)
    Ticket.objects.filter(pk=ticket.pk).update(is_sensitive=True)
    reminders_run(due - 2 * DAY)
    body = Notification.objects.get().body
    assert ticket.title not in body
    assert "敏感工单" in body


@pytest.mark.django_db
def test_a_reminder_reaches_the_unit_by_email_through_the_outbox(world: World, smtp: SmtpServer) -> None:
    email_config(smtp)
    world.township_staff.email = "wangjing@example.gov.cn"
    world.township_staff.save(update_fields=["email"])
    ticket, due = _handling_ticket(world)
    now = due - 2 * DAY

    assert reminders_run(now) == 1
    assert deliveries_send(now) == 1

    assert [m.recipients for m in smtp.received] == [["wangjing@example.gov.cn"]]
    mail = smtp.received[0].message
    assert mail["Subject"].strip() == f"【到期提醒】工单 {ticket.number} 反馈时限还剩 2 天"
    content = mail.get_body(preferencelist=("plain",))
    assert content is not None and "请尽快办理并反馈办理结果" in content.get_content()
    assert deliveries_send(now + HOUR) == 0


def test_a_step_needs_valid_channels() -> None:
    step = ReminderStep(stage="reply", offset_minutes=0, recipient_role="unit_staff", channels=["pigeon"])
    with pytest.raises(ValidationError, match="通道"):
        step.clean()
    step.channels = ["inapp", "sms"]
    step.clean()


def test_occurrences_of_a_repeating_step() -> None:
    step = ReminderStep(offset_minutes=240, repeat_every_minutes=240)
    due = datetime(2026, 3, 2, 10, 0).astimezone()
    assert step_occurrence(step, due=due, now=due) == (0, due + 4 * HOUR)
    assert step_occurrence(step, due=due, now=due + 4 * HOUR) == (0, due + 4 * HOUR)
    assert step_occurrence(step, due=due, now=due + 11 * HOUR) == (1, due + 8 * HOUR)
    assert step_occurrence(ReminderStep(offset_minutes=-60), due=due, now=due) == (0, due - HOUR)


def test_the_worker_runs_the_ladder_and_the_outbox() -> None:
    names = {spec.name for spec in configured_jobs()}
    assert {"jiesu.reminders.jobs.reminders_run", "jiesu.notify.jobs.deliveries_send"} <= names
    assert all(seconds > 0 for _, seconds in settings.WORKER_JOBS)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_fire_each_reminder_once() -> None:
    world = build_world()
    _ticket, due = _handling_ticket(world)
    results: list[object] = []

    def work() -> None:
        try:
            results.append(reminders_run(due + 4 * HOUR))
        except Exception as exc:  # surfaced by the assertion below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert all(isinstance(r, int) for r in results), results
    assert sum(r for r in results if isinstance(r, int)) == 2
    assert ReminderFiring.objects.count() == 2  # at expiry, and the first supervisor round
    assert Notification.objects.filter(recipient=world.shift_lead).count() == 2
    assert Notification.objects.filter(recipient=world.leader).count() == 1
    assert Delivery.objects.count() == Notification.objects.count()
