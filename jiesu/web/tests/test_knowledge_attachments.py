"""Files on the knowledge entry page: the list with download links, the upload form and remove
buttons for those who may edit, Chinese errors beside the field, and 404 for hidden drafts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from jiesu.audit.models import AuditEntry
from jiesu.knowledge.attachments import entry_attachment_add
from jiesu.knowledge.models import EntryAttachment
from jiesu.knowledge.tests.support import make_policy, published_policy
from jiesu.orgs.testing import World
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% web test of knowledge attachments\n"


def _pdf(name: str = "供暖补贴办法.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_an_editor_uploads_downloads_and_removes_a_file(login_as: LoginAs, world: World) -> None:
    entry = published_policy(world)
    editor = login_as(world.knowledge_editor)
    response = editor.post(f"/knowledge/{entry.pk}/attachments/", {"file": _pdf()})
    assert response.status_code == 302
    attachment = EntryAttachment.objects.get(entry=entry)
    html = page_text(editor.get(f"/knowledge/{entry.pk}/"))
    assert f'href="/knowledge/{entry.pk}/attachments/{attachment.pk}/"' in html
    assert 'id="kb-attachment-upload"' in html
    assert f'action="/knowledge/{entry.pk}/attachments/{attachment.pk}/remove/"' in html

    download: Any = login_as(world.agent).get(f"/knowledge/{entry.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E4%BE%9B" in download["Content-Disposition"]

    assert editor.post(f"/knowledge/{entry.pk}/attachments/{attachment.pk}/remove/").status_code == 302
    assert not EntryAttachment.objects.exists()
    actions = set(AuditEntry.objects.filter(object_id=str(entry.pk)).values_list("action", flat=True))
    assert {"knowledge.attachment_add", "knowledge.attachment_remove"} <= actions


def test_an_agent_sees_the_files_of_a_published_entry_but_no_upload_form(login_as: LoginAs, world: World) -> None:
    entry = published_policy(world)
    attachment = entry_attachment_add(entry=entry, actor=world.knowledge_editor, upload=_pdf())
    html = page_text(login_as(world.agent).get(f"/knowledge/{entry.pk}/"))
    assert "供暖补贴办法.pdf" in html
    assert 'id="kb-attachment-upload"' not in html
    assert f"/attachments/{attachment.pk}/remove/" not in html


def test_an_agent_cannot_upload_to_a_published_entry(login_as: LoginAs, world: World) -> None:
    entry = published_policy(world)
    agent = login_as(world.agent)
    assert agent.post(f"/knowledge/{entry.pk}/attachments/", {"file": _pdf()}).status_code == 403
    attachment = entry_attachment_add(entry=entry, actor=world.knowledge_editor, upload=_pdf())
    assert agent.post(f"/knowledge/{entry.pk}/attachments/{attachment.pk}/remove/").status_code == 403
    assert EntryAttachment.objects.count() == 1


def test_a_disallowed_type_is_refused_beside_the_field(login_as: LoginAs, world: World) -> None:
    entry = published_policy(world)
    response = login_as(world.knowledge_editor).post(
        f"/knowledge/{entry.pk}/attachments/", {"file": _pdf("页面.html", b"<script>x</script>")}
    )
    assert response.status_code == 400
    html = page_text(response)
    assert '<span class="error">不支持的附件类型' in html
    assert not EntryAttachment.objects.exists()


@override_settings(ATTACHMENT_MAX_BYTES=8)
def test_a_too_large_file_is_refused_beside_the_field(login_as: LoginAs, world: World) -> None:
    entry = published_policy(world)
    response = login_as(world.knowledge_editor).post(f"/knowledge/{entry.pk}/attachments/", {"file": _pdf()})
    assert response.status_code == 400
    assert '<span class="error">附件超过允许的大小' in page_text(response)


def test_a_missing_file_is_refused_beside_the_field(login_as: LoginAs, world: World) -> None:
    entry = published_policy(world)
    response = login_as(world.knowledge_editor).post(f"/knowledge/{entry.pk}/attachments/", {})
    assert response.status_code == 400
    assert '<span class="error">' in page_text(response)


def test_the_file_of_a_hidden_draft_is_not_found(login_as: LoginAs, world: World) -> None:
    draft = make_policy(world.agent)
    attachment = entry_attachment_add(entry=draft, actor=world.agent, upload=_pdf())
    url = f"/knowledge/{draft.pk}/attachments/{attachment.pk}/"
    assert login_as(world.agent).get(url).status_code == 200
    assert login_as(world.shift_lead).get(url).status_code == 404
    assert login_as(world.shift_lead).post(f"{url}remove/").status_code == 404


def test_uploads_need_the_csrf_token(world: World) -> None:
    entry = published_policy(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.knowledge_editor)
    assert client.post(f"/knowledge/{entry.pk}/attachments/", {"file": _pdf()}).status_code == 403
    assert not EntryAttachment.objects.exists()
