"""Downloading an attachment from the detail page; a purged one explains itself on that page."""

from datetime import timedelta

import pytest

from jiesu.orgs.testing import World
from jiesu.retention.services import retention_purge
from jiesu.retention.tests.support import T0, attach, ticket_at, unique_content
from jiesu.tickets.tests.helpers import ticket_in
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text

pytestmark = pytest.mark.django_db


def test_the_detail_page_links_the_file_and_the_link_downloads_it(login_as: LoginAs, world: World) -> None:
    ticket = ticket_in(world, "handling")
    content = unique_content("web-download")
    attachment = attach(ticket, content, ticket.received_at, content_type="image/svg+xml")
    client = login_as(world.township_staff)
    url = f"/tickets/{ticket.number}/attachments/{attachment.pk}"
    assert f'href="{url}"' in client.get(f"/tickets/{ticket.number}/").content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response.getvalue() == content
    assert response["Content-Type"] == "application/octet-stream"
    assert login_as(world.other_staff).get(url).status_code == 404


def test_a_purged_file_gives_a_clear_message_instead_of_an_error(login_as: LoginAs, world: World) -> None:
    ticket = ticket_at(world, T0)
    attachment = attach(ticket, unique_content("web-purged"), T0)
    retention_purge(T0 + timedelta(days=731))
    response = login_as(world.agent).get(f"/tickets/{ticket.number}/attachments/{attachment.pk}", follow=True)
    assert response.redirect_chain == [(f"/tickets/{ticket.number}/", 302)]
    text = page_text(response)
    assert "附件「录音.mp3」已于 2026-03-05 按保存期限（730 天）清理，文件不可再下载" in text
    assert "录音.mp3" in text
