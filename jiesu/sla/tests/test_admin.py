from __future__ import annotations

import pytest
from django.urls import reverse

from jiesu.sla.models import CalendarDay, CalendarYear, TimeLimitRule, TimeLimitRuleSet, WorkingHours

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [CalendarYear, CalendarDay, WorkingHours, TimeLimitRuleSet, TimeLimitRule])
def test_admin_pages_load(admin_client, model):
    opts = model._meta
    changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    first = model.objects.first()
    change = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]))
    assert change.status_code == 200


def test_admin_action_puts_a_year_in_force(admin_client):
    year = CalendarYear.objects.create(year=2027)
    response = admin_client.post(
        reverse("admin:sla_calendaryear_changelist"),
        {"action": "mark_complete", "_selected_action": [year.pk]},
    )
    assert response.status_code == 302
    year.refresh_from_db()
    assert year.is_complete
