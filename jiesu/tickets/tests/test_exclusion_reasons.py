"""The versioned reason list: what is in force on a day, adding versions, retiring, who may."""

from __future__ import annotations

from datetime import date

import pytest

from jiesu.audit.models import AuditEntry
from jiesu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiesu.orgs.testing import World
from jiesu.tickets.choices import AssessmentScope, ExclusionKind, TicketStatus
from jiesu.tickets.models import ExclusionReason
from jiesu.tickets.selectors_exclusions import (
    ExclusionRequestSearch,
    exclusion_reason_in_force,
    exclusion_reason_labels,
    exclusion_reasons_history,
    exclusion_reasons_in_force,
    exclusion_requests_search,
)
from jiesu.tickets.services import assessment
from jiesu.tickets.services.exclusion_reasons import (
    ExclusionReasonDraft,
    exclusion_reason_add,
    exclusion_reason_retire,
    exclusion_reasons_can_manage,
)
from jiesu.tickets.tests.helpers import ticket_in

pytestmark = pytest.mark.django_db
E = ExclusionKind.EXCLUSION


def draft(code: str = "repeat", on: date = date(2026, 7, 1), **fields: object) -> ExclusionReasonDraft:
    values: dict[str, object] = {"kind": E, "code": code, "label": "重复诉求（2026版）", "effective_from": on}
    values.update(fields)
    return ExclusionReasonDraft(**values)  # type: ignore[arg-type]


def test_the_seeded_list_has_both_kinds_in_order() -> None:
    on = date(2026, 1, 1)
    exclusion = [r.code for r in exclusion_reasons_in_force(on=on, kind=E)]
    assert exclusion == [
        "emergency",
        "legal_channel",
        "repeat",
        "secret_privacy",
        "out_of_duty",
        "unreasonable",
        "other",
    ]
    unreasonable = exclusion_reasons_in_force(on=on, kind=ExclusionKind.UNREASONABLE)
    assert [r.code for r in unreasonable][:2] == ["illegal_demand", "against_public_order"]


def test_a_new_version_ends_the_previous_one_on_its_first_day(world: World) -> None:
    added = exclusion_reason_add(actor=world.shift_lead, draft=draft(default_scope=AssessmentScope.EXCLUDED))
    old = ExclusionReason.objects.get(kind=E, code="repeat", effective_from=date(2020, 1, 1))
    assert old.effective_to == date(2026, 7, 1)
    assert exclusion_reason_in_force(kind=E, code="repeat", on=date(2026, 6, 30)) == old
    assert exclusion_reason_in_force(kind=E, code="repeat", on=date(2026, 7, 1)) == added
    assert [r.pk for r in exclusion_reasons_history(kind=E).filter(code="repeat")] == [added.pk, old.pk]
    assert exclusion_reason_labels(kind=E)["repeat"] == "重复诉求（2026版）"
    entry = AuditEntry.objects.filter(action="exclusion_reason.add").get()
    assert entry.actor_id == world.shift_lead.pk


def test_a_version_must_start_after_every_existing_one(world: World) -> None:
    exclusion_reason_add(actor=world.shift_lead, draft=draft())
    with pytest.raises(Conflict, match="新版本的生效日期须晚于它"):
        exclusion_reason_add(actor=world.shift_lead, draft=draft(on=date(2026, 7, 1)))


def test_a_brand_new_code_and_invalid_drafts(world: World) -> None:
    reason = exclusion_reason_add(
        actor=world.system_admin, draft=draft(code="sector_fault", label="行业原因", request_within_days=10)
    )
    assert reason.request_within_days == 10
    with pytest.raises(ValidationFailed, match="查是后的考核范围"):
        exclusion_reason_add(actor=world.system_admin, draft=draft(code="x", default_scope=AssessmentScope.FULL))
    with pytest.raises(ValidationFailed, match="编码和名称不能为空"):
        exclusion_reason_add(actor=world.system_admin, draft=draft(code=" "))
    with pytest.raises(ValidationFailed, match="申请期限至少为 1 天"):
        exclusion_reason_add(actor=world.system_admin, draft=draft(code="y", request_within_days=0))


def test_retiring_stops_the_reason_from_that_day(world: World) -> None:
    reason = ExclusionReason.objects.get(kind=E, code="other")
    exclusion_reason_retire(actor=world.shift_lead, reason=reason, effective_to=date(2026, 5, 1))
    assert exclusion_reason_in_force(kind=E, code="other", on=date(2026, 4, 30)) is not None
    assert exclusion_reason_in_force(kind=E, code="other", on=date(2026, 5, 1)) is None
    with pytest.raises(Conflict, match="已于 2026-05-01 失效"):
        exclusion_reason_retire(actor=world.shift_lead, reason=reason, effective_to=date(2026, 6, 1))
    with pytest.raises(ValidationFailed, match="失效日期须晚于生效日期"):
        exclusion_reason_retire(actor=world.shift_lead, reason=reason, effective_to=date(2019, 1, 1))


@pytest.mark.parametrize("who", ["agent", "township_staff", "analyst", "outsider", "security_admin"])
def test_only_center_admins_and_shift_leads_keep_the_list(world: World, who: str) -> None:
    user = getattr(world, who)
    assert not exclusion_reasons_can_manage(user)
    with pytest.raises(PermissionDenied):
        exclusion_reason_add(actor=user, draft=draft())
    assert exclusion_reasons_can_manage(world.shift_lead) and exclusion_reasons_can_manage(world.system_admin)


def test_the_request_list_follows_the_data_scope_and_filters(world: World) -> None:
    mine = ticket_in(world, TicketStatus.CLOSED)
    assessment.ticket_exclusion_request(ticket=mine, actor=world.township_staff, reason_code="repeat", reason="重复")
    designated = ticket_in(world, TicketStatus.CLOSED)
    assessment.ticket_unreasonable_request(
        ticket=designated, actor=world.township_staff, reason_code="other", reason="无理纠缠"
    )
    assessment.ticket_unreasonable_decide(ticket=designated, actor=world.shift_lead, approve=False, reason="不成立")

    def numbers(viewer: object, **filters: object) -> list[str]:
        search = ExclusionRequestSearch(**filters)  # type: ignore[arg-type]
        return [r.ticket.number for r in exclusion_requests_search(viewer=viewer, search=search)]  # type: ignore[arg-type]

    assert numbers(world.shift_lead, decision="pending") == [mine.number]
    assert numbers(world.shift_lead, kind=ExclusionKind.UNREASONABLE) == [designated.number]
    assert sorted(numbers(world.township_staff)) == sorted([mine.number, designated.number])
    assert numbers(world.other_staff) == []
    assert numbers(world.outsider) == []
    assert numbers(world.shift_lead, unit_id=world.other_township.pk) == []
    assert numbers(world.shift_lead, submitted_from=date(2000, 1, 1), submitted_to=date(2000, 1, 2)) == []
