"""A populated source instance shared by the handover tests (demo data plus attachments)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jiesu.handover.tests.instances import Instance, Instances

# Four attachments on three tickets, two of them with the same content: three stored blobs.
# Also rows that refer to content types and permissions, which the export names by natural key.
ATTACH = """
from io import BytesIO
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from jiesu.orgs.models import User
from jiesu.tickets.models import Ticket
from jiesu.tickets.services.attachments import attachment_store
tickets = list(Ticket.objects.order_by("pk")[:3])
bodies = ["现场照片一".encode() * 200, "录音".encode() * 500, "现场照片一".encode() * 200, b"%PDF-1.4 report"]
for ticket, body, name in zip(tickets + tickets[:1], bodies, ["现场1.jpg", "录音.mp3", "现场1-副本.jpg", "说明.pdf"]):
    attachment_store(ticket=ticket, stream=BytesIO(body), original_name=name, content_type="image/jpeg", actor=None)
user = User.objects.order_by("pk").first()
group = Group.objects.create(name="移交测试组")
group.permissions.add(Permission.objects.get(codename="view_ticket"))
user.groups.add(group)
user.user_permissions.add(Permission.objects.get(codename="change_ticket"))
LogEntry.objects.create(
    user=user, content_type=ContentType.objects.get_for_model(Ticket), object_id=str(tickets[0].pk),
    object_repr=str(tickets[0]), action_flag=CHANGE, change_message="移交测试",
)
"""


@pytest.fixture(scope="session")
def instances(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instances]:
    made = Instances(tmp_path_factory.mktemp("handover"))
    yield made
    made.cleanup()


@pytest.fixture(scope="session")
def source(instances: Instances) -> Instance:
    instance = instances.fresh("source")
    instance.run("demo-data", "--tickets", "150", "--days", "15", "--seed", "7")
    instance.shell(ATTACH)
    return instance


@pytest.fixture(scope="session")
def source_export(source: Instance, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An export of the source, for comparisons (taken once: exports only add audit entries)."""
    directory = tmp_path_factory.mktemp("exports") / "source"
    source.run("export-all", str(directory))
    return directory
