"""Files of knowledge entries: who may add and remove them, the type and size checks, that a
refusal writes nothing, that readers of an entry alone reach its files, and the audit lines."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from jiesu.audit.models import AuditEntry
from jiesu.core.errors import NotFound, PermissionDenied, ValidationFailed
from jiesu.knowledge.attachments import (
    entry_attachment_add,
    entry_attachment_get_for,
    entry_attachment_path,
    entry_attachment_remove,
    entry_attachments,
)
from jiesu.knowledge.models import EntryAttachment
from jiesu.knowledge.tests.support import make_policy, published_policy
from jiesu.orgs.testing import World
from jiesu.tickets.services.attachments import attachment_path

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% policy text of the knowledge attachment tests\n"


def _upload(content: bytes = PDF, name: str = "低保审核办法.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _audit_actions(entry_pk: int) -> list[str]:
    rows = AuditEntry.objects.filter(object_type="knowledge.knowledgeentry", object_id=str(entry_pk))
    return list(rows.order_by("id").values_list("action", flat=True))


def test_an_editor_adds_reads_and_removes_a_file(world: World) -> None:
    entry = published_policy(world)
    attachment = entry_attachment_add(entry=entry, actor=world.knowledge_editor, upload=_upload())
    assert attachment.original_name == "低保审核办法.pdf"
    assert attachment.size_bytes == len(PDF)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    found = entry_attachment_get_for(viewer=world.agent, entry_id=entry.pk, attachment_id=attachment.pk)
    assert entry_attachment_path(found).read_bytes() == PDF
    entry_attachment_remove(attachment=found, actor=world.knowledge_editor)
    assert not entry_attachments(entry).exists()
    actions = _audit_actions(entry.pk)
    assert actions[-2:] == ["knowledge.attachment_add", "knowledge.attachment_remove"]


def test_a_drafter_adds_files_to_their_own_draft(world: World) -> None:
    draft = make_policy(world.agent)
    entry_attachment_add(entry=draft, actor=world.agent, upload=_upload(name=r"C:\fakepath\申请表.docx"))
    assert entry_attachments(draft).get().original_name == "申请表.docx"


def test_an_agent_cannot_add_to_a_published_entry_and_nothing_is_written(world: World) -> None:
    entry = published_policy(world)
    content = b"%PDF-1.7\n% refused upload\n"
    with pytest.raises(PermissionDenied):
        entry_attachment_add(entry=entry, actor=world.agent, upload=_upload(content))
    assert not EntryAttachment.objects.exists()
    assert not attachment_path(hashlib.sha256(content).hexdigest()).exists()
    assert "knowledge.attachment_add" not in _audit_actions(entry.pk)


def test_an_agent_cannot_remove_a_file_of_a_published_entry(world: World) -> None:
    entry = published_policy(world)
    attachment = entry_attachment_add(entry=entry, actor=world.knowledge_editor, upload=_upload())
    with pytest.raises(PermissionDenied):
        entry_attachment_remove(attachment=attachment, actor=world.agent)
    assert entry_attachments(entry).count() == 1


@pytest.mark.parametrize("name", ["页面.html", "图.svg", "脚本.exe", "无后缀", "办法.pdf.html"])
def test_a_disallowed_type_is_refused_in_chinese(world: World, name: str) -> None:
    entry = published_policy(world)
    content = f"<html>{name}</html>".encode()
    with pytest.raises(ValidationFailed, match="不支持的附件类型") as refused:
        entry_attachment_add(entry=entry, actor=world.knowledge_editor, upload=_upload(content, name))
    assert refused.value.details == {"field": "file"}
    assert not attachment_path(hashlib.sha256(content).hexdigest()).exists()


@override_settings(ATTACHMENT_MAX_BYTES=16)
def test_a_too_large_file_is_refused_in_chinese(world: World) -> None:
    entry = published_policy(world)
    content = b"%PDF-1.7\n% seventeen bytes or more, refused\n"
    with pytest.raises(ValidationFailed, match="附件超过允许的大小"):
        entry_attachment_add(entry=entry, actor=world.knowledge_editor, upload=_upload(content))
    assert not attachment_path(hashlib.sha256(content).hexdigest()).exists()


def test_an_empty_file_is_refused(world: World) -> None:
    entry = published_policy(world)
    with pytest.raises(ValidationFailed, match="空文件"):
        entry_attachment_add(entry=entry, actor=world.knowledge_editor, upload=_upload(b""))


def test_the_files_of_a_draft_are_hidden_from_those_who_cannot_see_it(world: World) -> None:
    draft = make_policy(world.agent)
    attachment = entry_attachment_add(entry=draft, actor=world.agent, upload=_upload())
    assert entry_attachment_get_for(viewer=world.knowledge_editor, entry_id=draft.pk, attachment_id=attachment.pk)
    for viewer in (world.shift_lead, world.system_admin, world.outsider):
        with pytest.raises(NotFound):
            entry_attachment_get_for(viewer=viewer, entry_id=draft.pk, attachment_id=attachment.pk)
    other = published_policy(world, title="另一条政策")
    with pytest.raises(NotFound):  # a file is reached only through its own entry
        entry_attachment_get_for(viewer=world.agent, entry_id=other.pk, attachment_id=attachment.pk)
