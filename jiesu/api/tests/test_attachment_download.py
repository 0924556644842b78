"""Downloading an attachment through the API: the ticket's scope applies, the file always comes as a
download, and a file purged under the retention policy answers 410 with a Chinese message."""

from __future__ import annotations

from datetime import timedelta

from jiesu.api.tests.conftest import ApiClient, ClientFor, assert_error
from jiesu.orgs.testing import World
from jiesu.retention.services import retention_purge
from jiesu.retention.tests.support import T0, attach, ticket_at, unique_content
from jiesu.tickets.tests.helpers import ticket_in


def _url(number: str, pk: int) -> str:
    return f"/api/tickets/{number}/attachments/{pk}"


def test_a_visible_attachment_downloads_as_a_file(world: World, agent: ApiClient) -> None:
    ticket = ticket_in(world, "handling")
    content = unique_content("api-download")
    attachment = attach(ticket, content, ticket.received_at, content_type="text/html")
    response = agent.get(_url(ticket.number, attachment.pk))
    assert response.status_code == 200
    assert response.getvalue() == content
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_another_units_attachment_is_not_found(world: World, as_user: ClientFor) -> None:
    ticket = ticket_in(world, "handling")
    attachment = attach(ticket, unique_content("api-scope"), ticket.received_at)
    assert_error(as_user(world.other_staff).get(_url(ticket.number, attachment.pk)), 404, "not_found")
    other = ticket_in(world, "received")
    assert_error(as_user(world.agent).get(_url(other.number, attachment.pk)), 404, "not_found")


def test_a_purged_attachment_answers_410_with_a_chinese_message(world: World, agent: ApiClient) -> None:
    ticket = ticket_at(world, T0)
    attachment = attach(ticket, unique_content("api-purged"), T0)
    retention_purge(T0 + timedelta(days=731))
    body = assert_error(agent.get(_url(ticket.number, attachment.pk)), 410, "attachment_purged")
    assert (
        body["message"]
        == "附件「录音.mp3」已于 2026-03-05 按保存期限（730 天）清理，文件不可再下载；工单中仍保留其名称和摘要"
    )
    listed = agent.get(f"/api/tickets/{ticket.number}/attachments").json()
    assert [a["id"] for a in listed] == [attachment.pk]
