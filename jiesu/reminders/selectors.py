"""Reads: 'due soon' and 'overdue' lists per user (and per unit, through the user's scope), and
the tickets a ladder step is waiting for."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Case, CharField, Count, DateTimeField, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from jiesu.orgs.models import Unit, User
from jiesu.orgs.permissions import is_center_user
from jiesu.reminders.models import ReminderFiring, ReminderStep
from jiesu.reminders.stages import STAGES, StageSpec
from jiesu.sla.models import TimeLimitRuleSet
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors import tickets_visible_to

# Names of the annotations every 'due soon' / 'overdue' row carries: which stage is due, when.
DUE_STAGE, DUE_STAGE_LABEL, DUE_AT = "due_stage", "due_stage_label", "due_at"


def _open_stages(viewer: User | None, bounds: dict[str, datetime]) -> list[tuple[StageSpec, Q]]:
    """Each open stage the viewer answers for, with its deadline within the bounds (lookup → value).
    Center users answer for every stage, everyone else for the handling unit's stages."""
    everything = is_center_user(viewer)
    return [
        (spec, spec.open & Q(**{f"{spec.due_field}__{lookup}": value for lookup, value in bounds.items()}))
        for spec in STAGES.values()
        if everything or spec.by_unit
    ]


def _due_rows(qs: QuerySet[Ticket], viewer: User | None, unit: Unit | None, **bounds: datetime) -> QuerySet[Ticket]:
    """Tickets with such a stage, annotated with the first of them in lifecycle order (DUE_* names)."""
    stages = _open_stages(viewer, bounds)
    qs = qs.filter(_any_stage(stages))
    if unit is not None:
        qs = qs.filter(lead_unit__path__startswith=unit.path)
    return (
        qs.annotate(
            **{
                DUE_STAGE: Case(*(When(m, then=Value(s.stage.value)) for s, m in stages), output_field=CharField()),
                DUE_STAGE_LABEL: Case(*(When(m, then=Value(s.label)) for s, m in stages), output_field=CharField()),
                DUE_AT: Case(*(When(m, then=F(s.due_field)) for s, m in stages), output_field=DateTimeField()),
            }
        )
        .select_related("lead_unit")
        .order_by(DUE_AT, "pk")
    )


def tickets_due_soon(
    viewer: User | None, within: timedelta = timedelta(days=2), *, now: datetime | None = None, unit: Unit | None = None
) -> QuerySet[Ticket]:
    """Visible tickets with an open stage whose deadline falls within `within` from now
    (optionally only those led by `unit` or a unit below it), soonest first."""
    now = now or timezone.now()
    return _due_rows(tickets_visible_to(viewer=viewer), viewer, unit, gt=now, lte=now + within)


def tickets_overdue(viewer: User | None, *, now: datetime | None = None, unit: Unit | None = None) -> QuerySet[Ticket]:
    """Visible tickets with an open stage past its deadline, longest overdue first."""
    now = now or timezone.now()
    return _due_rows(tickets_visible_to(viewer=viewer), viewer, unit, lt=now)


def tickets_due_conditions(viewer: User | None, within: timedelta, now: datetime) -> tuple[Q, Q]:
    """The (due soon, overdue) conditions of the two lists above, for counting them alongside
    other counts in one pass; the caller applies the viewer's data scope."""
    return _any_stage(_open_stages(viewer, {"gt": now, "lte": now + within})), _any_stage(
        _open_stages(viewer, {"lt": now})
    )


def tickets_due_counts(
    viewer: User | None, within: timedelta = timedelta(days=2), *, now: datetime | None = None
) -> tuple[int, int]:
    """(due soon, overdue) as the two lists above count them, read in one pass over the rows."""
    now = now or timezone.now()
    soon, late = tickets_due_conditions(viewer, within, now)
    counts = (
        tickets_visible_to(viewer=viewer)
        .filter(soon | late)
        .aggregate(soon=Count("pk", filter=soon), late=Count("pk", filter=late))
    )
    return counts["soon"], counts["late"]


def _any_stage(stages: list[tuple[StageSpec, Q]]) -> Q:
    condition = Q(pk__in=[])
    for _, matches in stages:
        condition |= matches
    return condition


def _started_while_in_force(rule_set: TimeLimitRuleSet, field: str) -> Q:
    """The stage started on a day the rule set was in force (so the set timed it)."""
    tz = timezone.get_default_timezone()
    condition = Q(**{f"{field}__gte": datetime.combine(rule_set.effective_from, time.min, tzinfo=tz)})
    if rule_set.effective_to is not None:
        end = datetime.combine(rule_set.effective_to + timedelta(days=1), time.min, tzinfo=tz)
        condition &= Q(**{f"{field}__lt": end})
    return condition


def tickets_awaiting_step(step: ReminderStep, now: datetime) -> QuerySet[Ticket]:
    """Tickets whose moment for `step` has come and for which this occurrence has not fired yet."""
    spec = STAGES[step.stage]
    due = spec.due_field
    offset = timedelta(minutes=step.offset_minutes)
    qs = Ticket.objects.filter(spec.open, **{f"{due}__isnull": False, f"{due}__lte": now - offset})
    qs = qs.filter(_started_while_in_force(step.rule_set, spec.start_field))
    # A moment before the stage began is no reminder (e.g. "2 days before" a 2-hour limit).
    qs = qs.filter(**{f"{due}__gte": F(spec.start_field) - offset})
    fired = ReminderFiring.objects.filter(step=step, ticket=OuterRef("pk"), due_at=OuterRef(due))
    if step.repeat_every_minutes:
        fired = fired.filter(scheduled_at__gt=now - timedelta(minutes=step.repeat_every_minutes))
    elif step.offset_minutes < 0:
        qs = qs.filter(**{f"{due}__gt": now})  # "before the deadline" is stale once it has passed
    return qs.filter(~Exists(fired)).select_related("lead_unit").order_by(due, "pk")
