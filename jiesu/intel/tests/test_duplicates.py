"""The repeat and duplicate detectors on real tickets (created through ticket_create), the repeat
flag written once through the FLAGGED event, and screening on intake."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from jiesu.intel.choices import LinkKind
from jiesu.intel.duplicates.rules import screening_rules_publish
from jiesu.intel.duplicates.screen import duplicates_screen
from jiesu.intel.models import TicketLink
from jiesu.intel.tests.duplicates_support import HEATING, HEATING_RETOLD, NOISE, categories, community, ticket
from jiesu.orgs.testing import World
from jiesu.tickets.choices import EventKind, TicketStatus
from jiesu.tickets.models import Ticket, TicketEvent
from jiesu.tickets.services.intake import ticket_merge

pytestmark = pytest.mark.django_db
PHONE = "13800001111"


def _kinds(ticket: Ticket) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for link in TicketLink.objects.filter(ticket=ticket).select_related("other"):
        found.setdefault(link.kind, set()).add(link.other.number)
    return found


def _flags(ticket: Ticket) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket, kind=EventKind.FLAGGED))


def test_the_same_phone_inside_the_window_is_a_repeat_flagged_once(world: World) -> None:
    first = ticket(world, requester_phone=PHONE, content="楼道灯坏了一个月没人修")
    second = ticket(world, days=10, requester_phone="138 0000 1111", title="路灯", content="门口路灯不亮")
    duplicates_screen(second)
    assert _kinds(second) == {LinkKind.SAME_REQUESTER: {first.number}}
    second.refresh_from_db()
    assert second.is_repeat
    (flag,) = _flags(second)
    assert flag.actor is None and flag.from_status == flag.to_status == TicketStatus.RECEIVED
    assert flag.payload == {"screen": "repeat", "links": [first.number]}
    duplicates_screen(Ticket.objects.get(pk=second.pk))  # again: nothing new
    assert len(_flags(second)) == 1 and TicketLink.objects.filter(ticket=second).count() == 1


def test_the_same_phone_outside_the_window_or_later_is_no_repeat(world: World) -> None:
    ticket(world, requester_phone=PHONE, content="楼道灯坏了")
    later = ticket(world, days=31, requester_phone=PHONE, content="门口路灯不亮")
    assert duplicates_screen(later) == []
    first_again = Ticket.objects.order_by("received_at").first()
    assert first_again is not None and duplicates_screen(first_again) == []  # only earlier tickets count
    later.refresh_from_db()
    assert not later.is_repeat and _flags(later) == []


def test_same_place_and_topic_links_leaves_under_one_level_two_category(world: World, tmp_path: Path) -> None:
    cats, place = categories(tmp_path), community(world)
    first = ticket(world, category=cats["室温不达标"], community=place, content="暖气温度低")
    other_place = ticket(world, days=1, category=cats["暖气漏水"], content="暖气漏水", township=world.other_township)
    other_topic = ticket(world, days=1, category=cats["施工噪音"], community=place, content=NOISE)
    new = ticket(world, days=3, category=cats["暖气漏水"], community=place, content="家里暖气片漏水了")
    duplicates_screen(new)
    assert _kinds(new) == {LinkKind.SAME_PLACE_TOPIC: {first.number}}
    assert other_place.number not in str(_kinds(new)) and other_topic.number not in str(_kinds(new))
    new.refresh_from_db()
    assert new.is_repeat and _flags(new)[0].payload["links"] == [first.number]
    too_late = ticket(world, days=11, category=cats["室温不达标"], community=place, content="暖气不热")
    duplicates_screen(too_late)  # 7 days by default: `new` is 8 days earlier, `first` 11
    assert _kinds(too_late) == {}


def test_without_community_or_township_the_address_text_decides(world: World, tmp_path: Path) -> None:
    cats = categories(tmp_path)
    heating = cats["室温不达标"]
    first = ticket(
        world,
        address="北京市通州区云景里三区 3号楼",
        content="暖气不热",
        category=heating,
        township=None,
        district=None,
    )
    ticket(
        world,
        days=1,
        address="通州区云景里四区5号楼",
        content="暖气不热",
        category=heating,
        township=None,
        district=None,
    )
    new = ticket(
        world,
        days=2,
        address="通州区云景里三区3号楼",
        content="暖气还是不热",
        category=heating,
        township=None,
        district=None,
    )
    duplicates_screen(new)
    assert _kinds(new) == {LinkKind.SAME_PLACE_TOPIC: {first.number}}


def test_a_retold_account_is_a_near_duplicate_and_other_matters_are_not(world: World) -> None:
    first = ticket(world, requester_phone="13900000001", content=HEATING)
    ticket(world, days=1, requester_phone="13900000002", title="施工噪音", content=NOISE)
    other_district = ticket(world, days=1, content=HEATING_RETOLD, district=world.other_district, township=None)
    new = ticket(world, days=2, requester_phone="13900000003", content=HEATING_RETOLD)
    links = duplicates_screen(new)
    assert _kinds(new) == {LinkKind.NEAR_DUPLICATE: {first.number, other_district.number}}
    assert all(0.8 <= link.score <= 1.0 for link in links)
    new.refresh_from_db()
    assert not new.is_repeat and _flags(new) == []  # a merge suggestion, no flag


def test_the_threshold_comes_from_the_rule_set_in_force_on_the_day_received(world: World) -> None:
    screening_rules_publish(valid_from=date(2026, 1, 1), actor=None, near_duplicate_threshold=0.95)
    screening_rules_publish(valid_from=date(2026, 3, 12), actor=None, near_duplicate_threshold=0.7)
    ticket(world, content=HEATING)
    strict = ticket(world, days=1, content=HEATING_RETOLD)  # 2026-03-11: 0.95
    lenient = ticket(world, days=3, content=HEATING_RETOLD)  # 2026-03-13: 0.7
    assert duplicates_screen(strict) == []
    assert _kinds(lenient) == {} and len(duplicates_screen(lenient)) == 2


def test_merged_tickets_are_left_out_and_final_ones_never_flagged(world: World) -> None:
    master = ticket(world, requester_phone=PHONE, content="楼道灯坏了")
    merged = ticket(world, days=1, requester_phone=PHONE, content="楼道灯还是坏的")
    ticket_merge(ticket=merged, master=master, actor=world.agent)
    late = ticket(world, days=2, requester_phone=PHONE, content="楼道灯依旧不亮")
    ticket_merge(ticket=late, master=master, actor=world.agent)
    duplicates_screen(Ticket.objects.get(pk=late.pk))
    assert _kinds(late) == {LinkKind.SAME_REQUESTER: {master.number}}
    assert _flags(late) == [] and not Ticket.objects.get(pk=late.pk).is_repeat


def test_a_dismissed_link_stays_dismissed_when_screened_again(world: World) -> None:
    ticket(world, requester_phone=PHONE)
    new = ticket(world, days=1, requester_phone=PHONE, content="楼道灯坏了")
    (link,) = duplicates_screen(new)
    TicketLink.objects.filter(pk=link.pk).update(status="dismissed")
    duplicates_screen(Ticket.objects.get(pk=new.pk))
    assert list(TicketLink.objects.filter(ticket=new).values_list("status", flat=True)) == ["dismissed"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_ticket_created_through_intake_is_screened_when_screening_is_on(settings: object, world: World) -> None:
    setattr(settings, "INTEL_SCREENING", True)  # noqa: B010
    first = ticket(world, requester_phone=PHONE, content="楼道灯坏了")
    second = ticket(world, days=2, requester_phone=PHONE, content="门口路灯不亮")
    assert _kinds(second) == {LinkKind.SAME_REQUESTER: {first.number}}
    assert Ticket.objects.get(pk=second.pk).is_repeat
    assert [f.payload for f in _flags(second) if f.payload.get("screen") == "repeat"] == [
        {"screen": "repeat", "links": [first.number]}
    ]
