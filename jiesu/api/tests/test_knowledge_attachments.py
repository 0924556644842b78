"""Knowledge attachment endpoints: list, multipart upload by those who may edit, download as a
file; refusals in the single error shape."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiesu.api.tests.conftest import ApiClient, ClientFor, assert_error
from jiesu.knowledge.models import EntryAttachment
from jiesu.knowledge.tests.support import make_policy, published_policy
from jiesu.orgs.testing import World

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% api test of knowledge attachments\n"


def _upload(client: ApiClient, entry_id: int, name: str = "办法.pdf", content: bytes = PDF) -> Any:
    file = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.client.post(f"/api/knowledge/entries/{entry_id}/attachments", {"file": file})


def test_upload_list_and_download(world: World, as_user: ClientFor) -> None:
    entry = published_policy(world)
    response = _upload(as_user(world.knowledge_editor), entry.pk)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["original_name"] == "办法.pdf"
    assert body["size_bytes"] == len(PDF)
    agent = as_user(world.agent)
    listed = agent.get(f"/api/knowledge/entries/{entry.pk}/attachments").json()
    assert [item["id"] for item in listed] == [body["id"]]
    download = agent.get(f"/api/knowledge/entries/{entry.pk}/attachments/{body['id']}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;")


def test_an_agent_cannot_upload_to_a_published_entry(world: World, as_user: ClientFor) -> None:
    entry = published_policy(world)
    assert_error(_upload(as_user(world.agent), entry.pk), 403, "permission_denied")
    assert not EntryAttachment.objects.exists()


def test_a_disallowed_type_is_refused(world: World, as_user: ClientFor) -> None:
    entry = published_policy(world)
    body = assert_error(
        _upload(as_user(world.knowledge_editor), entry.pk, "x.svg", b"<svg/>"), 400, "validation_failed"
    )
    assert body["message"].startswith("不支持的附件类型")


def test_the_file_of_a_hidden_draft_is_not_found(world: World, as_user: ClientFor) -> None:
    draft = make_policy(world.agent)
    response = _upload(as_user(world.agent), draft.pk)
    attachment_id = response.json()["id"]
    lead = as_user(world.shift_lead)
    assert_error(lead.get(f"/api/knowledge/entries/{draft.pk}/attachments/{attachment_id}"), 404, "not_found")
    assert_error(lead.get(f"/api/knowledge/entries/{draft.pk}/attachments"), 404, "not_found")
