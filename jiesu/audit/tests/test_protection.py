"""The application offers no way to change or remove audit entries."""

import pytest
from django.contrib.admin.sites import site
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from jiesu.audit.models import AuditChainHead, AuditEntry, AuditLogImmutable
from jiesu.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(db: None) -> AuditEntry:
    return audit_record(actor=None, action="test.protected", detail={"a": 1})


def test_an_entry_cannot_be_saved_again(entry: AuditEntry) -> None:
    entry.detail = {"a": 2}
    with pytest.raises(AuditLogImmutable, match="只能追加"):
        entry.save()


def test_an_entry_cannot_be_deleted(entry: AuditEntry) -> None:
    with pytest.raises(AuditLogImmutable):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda qs: qs.delete(),
        lambda qs: qs.update(action="x"),
        lambda qs: qs.bulk_update(list(qs), ["action"]),
        lambda qs: qs.update_or_create(action="x"),
    ],
)
def test_querysets_refuse_bulk_changes(entry: AuditEntry, change) -> None:
    with pytest.raises(AuditLogImmutable):
        change(AuditEntry.objects.all())
    with pytest.raises(AuditLogImmutable):
        change(AuditEntry.objects.filter(pk=entry.pk))
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.protected"


@pytest.mark.parametrize("model", [AuditEntry, AuditChainHead])
def test_the_django_admin_is_read_only_even_for_superusers(entry: AuditEntry, model) -> None:
    # Jiesu refuses to create superusers; one slipped into the database must still be refused.
    superuser = get_user_model()(username="root", is_superuser=True, is_staff=True, is_active=True)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    admin = site._registry[model]
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request, entry)
    assert not admin.has_delete_permission(request, entry)
    assert admin.get_actions(request) == {}
