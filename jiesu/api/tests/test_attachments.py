from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from jiesu.api.tests.conftest import ApiClient, ClientFor, assert_error
from jiesu.orgs.testing import World
from jiesu.tickets.models import Attachment
from jiesu.tickets.services.attachments import attachment_path
from jiesu.tickets.tests.helpers import ticket_in

PHOTO = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _upload(client: ApiClient, number: str, content: bytes, name: str = "现场照片.png") -> Any:
    file = SimpleUploadedFile(name, content, content_type="image/png")
    return client.client.post(f"/api/tickets/{number}/attachments", {"file": file})


def test_a_unit_uploads_a_photo_and_everyone_who_sees_the_ticket_lists_it(
    world: World, agent: ApiClient, as_user: ClientFor
) -> None:
    ticket = ticket_in(world, "handling")
    response = _upload(as_user(world.township_staff), ticket.number, PHOTO)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["original_name"], body["kind"], body["size_bytes"]) == ("现场照片.png", "photo", len(PHOTO))
    assert body["uploaded_by"]["username"] == "township_staff"
    assert attachment_path(body["sha256"]).read_bytes() == PHOTO
    listed = agent.get(f"/api/tickets/{ticket.number}/attachments").json()
    assert [a["id"] for a in listed] == [body["id"]]


def test_an_empty_file_is_refused(world: World, agent: ApiClient) -> None:
    ticket = ticket_in(world, "received")
    assert_error(_upload(agent, ticket.number, b""), 400, "validation_failed")


def test_read_only_roles_cannot_upload(world: World, as_user: ClientFor) -> None:
    ticket = ticket_in(world, "received")
    assert_error(_upload(as_user(world.analyst), ticket.number, PHOTO), 403, "action_forbidden")
    assert not Attachment.objects.exists()


def test_another_unit_can_neither_upload_nor_list(world: World, as_user: ClientFor) -> None:
    ticket = ticket_in(world, "handling")
    other = as_user(world.other_staff)
    assert_error(_upload(other, ticket.number, PHOTO), 404, "not_found")
    assert_error(other.get(f"/api/tickets/{ticket.number}/attachments"), 404, "not_found")
