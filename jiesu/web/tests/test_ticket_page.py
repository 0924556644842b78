"""The ticket page: countdowns by urgency, attachment previews, related tickets, the unit search
and deadline preview of the dispatch form, the reply-element checklist and reply attachments."""

import re
import uuid
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiesu.orgs.testing import World
from jiesu.retention.services import retention_purge
from jiesu.retention.tests.support import T0, attach, ticket_at, unique_content
from jiesu.tickets.choices import Stage, TicketStatus
from jiesu.tickets.models import Attachment, Ticket, TicketEvent
from jiesu.tickets.services.dispatch import ticket_dispatch_deadlines
from jiesu.tickets.services.reply_elements import DEFAULT_SCHEME_FILE, reply_element_file_read, reply_element_scheme_set
from jiesu.tickets.tests.helpers import new_ticket, ticket_in
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import act, page_text

pytestmark = pytest.mark.django_db
ALL_SIX = ["handled_at", "handler", "process", "result", "basis", "requester_contact"]


def _scheme() -> None:
    header, specs = reply_element_file_read(DEFAULT_SCHEME_FILE)
    reply_element_scheme_set(valid_from=date(2020, 1, 1), elements=specs, code=header["code"], name=header["name"])


def _reply_cell(text: str) -> str:
    match = re.search(r"<td>反馈办理结果</td>.*?(<td class=\"deadline-state[^>]*>.*?</td>)", text, re.S)
    assert match, text
    return match.group(1)


@pytest.mark.parametrize(
    ("left", "level", "word"),
    [
        (timedelta(days=3), "ok", "充裕"),
        (timedelta(hours=20), "soon", "临近"),
        (timedelta(hours=3), "near", "紧迫"),
        (-timedelta(hours=2), "overdue", "已超期"),
    ],
)
def test_each_deadline_counts_down_coloured_and_worded_by_urgency(
    login_as: LoginAs, world: World, left: timedelta, level: str, word: str
) -> None:
    ticket = ticket_in(world, TicketStatus.HANDLING)
    due = timezone.now() + left
    Ticket.objects.filter(pk=ticket.pk).update(reply_due_at=due)
    text = page_text(login_as(world.agent).get(f"/tickets/{ticket.number}/"))
    cell = _reply_cell(text)
    assert f"urgency-{level}" in cell and word in cell
    assert f'data-deadline="{timezone.localtime(due).isoformat(timespec="seconds")}' in cell
    assert "/static/web/countdown.js" in text


def test_a_suspended_ticket_shows_paused_instead_of_a_countdown(login_as: LoginAs, world: World) -> None:
    ticket = ticket_in(world, TicketStatus.SUSPENDED)
    cell = _reply_cell(page_text(login_as(world.agent).get(f"/tickets/{ticket.number}/")))
    assert "已挂起" in cell and "urgency-paused" in cell and "data-deadline" not in cell


def _upload(ticket: Ticket, name: str, content_type: str, content: bytes) -> Attachment:
    from jiesu.tickets.services.attachments import attachment_store

    return attachment_store(
        ticket=ticket,
        stream=SimpleUploadedFile(name, content),
        original_name=name,
        content_type=content_type,
        actor=None,
    )


def test_images_and_recordings_are_previewed_and_served_inline_from_the_allow_list(
    login_as: LoginAs, world: World
) -> None:
    ticket = ticket_in(world, TicketStatus.HANDLING)
    photo = _upload(ticket, "现场.png", "image/png", unique_content("png"))
    voice = _upload(ticket, "录音.mp3", "audio/mpeg", unique_content("mp3"))
    client = login_as(world.township_staff)
    text = page_text(client.get(f"/tickets/{ticket.number}/"))
    base = f"/tickets/{ticket.number}/attachments"
    assert f'<img src="{base}/{photo.pk}?inline=1"' in text
    assert f'<audio controls preload="none" src="{base}/{voice.pk}?inline=1"' in text
    shown = client.get(f"{base}/{photo.pk}?inline=1")
    assert shown["Content-Type"] == "image/png" and shown["Content-Disposition"].startswith("inline")
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"{base}/{voice.pk}?inline=1")["Content-Type"] == "audio/mpeg"
    assert login_as(world.other_staff).get(f"{base}/{photo.pk}?inline=1").status_code == 404


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("图.svg", "image/svg+xml"), ("页面.html", "text/html"), ("伪装.png", "text/html"), ("伪装.html", "image/png")],
)
def test_svg_html_and_mismatched_files_stay_downloads(
    login_as: LoginAs, world: World, name: str, content_type: str
) -> None:
    ticket = ticket_in(world, TicketStatus.HANDLING)
    attachment = _upload(ticket, name, content_type, unique_content("xss"))
    client = login_as(world.agent)
    assert "?inline=1" not in page_text(client.get(f"/tickets/{ticket.number}/"))
    response = client.get(f"/tickets/{ticket.number}/attachments/{attachment.pk}?inline=1")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


def test_a_purged_recording_answers_410_to_the_player(login_as: LoginAs, world: World) -> None:
    ticket = ticket_at(world, T0)
    attachment = attach(ticket, unique_content("purged-inline"), T0)
    retention_purge(T0 + timedelta(days=731))
    response = login_as(world.agent).get(f"/tickets/{ticket.number}/attachments/{attachment.pk}?inline=1")
    assert response.status_code == 410 and "清理" in response.content.decode()


def test_the_page_lists_related_tickets_with_links(login_as: LoginAs, world: World) -> None:
    phone = f"139{uuid.uuid4().int % 10**8:08d}"
    earlier = new_ticket(world, "楼道灯坏了", requester_phone=phone, address="朝阳区望京西园3号楼")
    current = new_ticket(world, "楼道灯坏了", requester_phone=phone, address="朝阳区望京西园3号楼")
    text = page_text(login_as(world.agent).get(f"/tickets/{current.number}/"))
    assert "相关工单" in text and "同一诉求人" in text and "同一地址" in text and "可能重复" in text
    related = text.split("相关工单", 1)[1]
    assert related.count(f'href="/tickets/{earlier.number}/"') == 3


def test_the_unit_search_returns_handling_units_with_their_path(login_as: LoginAs, world: World) -> None:
    client = login_as(world.agent)
    text = page_text(client.get("/units/pick", {"unit_q": world.township.name[:2], "for": "lead"}))
    assert f'<option value="{world.township.pk}">{world.district.name} / {world.township.name}</option>' in text
    assert '<option value="">' in text
    assert world.center.name not in text
    assistants = page_text(client.get("/units/pick", {"unit_q": "不存在的单位", "for": "assisting"}))
    assert "<option" not in assistants


def test_the_unit_search_is_for_those_who_dispatch_or_forward(login_as: LoginAs, world: World) -> None:
    for user in (world.outsider, world.callback_agent, world.analyst, world.leader):
        assert login_as(user).get("/units/pick", {"unit_q": world.township.name[:2]}).status_code == 403
    assert login_as(world.shift_lead).get("/units/pick").status_code == 200
    # A unit forwards below itself only: its own townships, not another district's, not itself.
    below = page_text(login_as(world.district_staff).get("/units/pick", {"for": "lead"}))
    assert f'value="{world.township.pk}"' in below
    assert f'value="{world.other_township.pk}"' not in below and f'value="{world.district.pk}"' not in below
    assert "<option value=" not in page_text(login_as(world.township_staff).get("/units/pick")).replace(
        '<option value="">', ""
    )


def test_the_dispatch_form_has_the_search_and_previews_the_deadline_from_the_dispatch_code(
    login_as: LoginAs, world: World
) -> None:
    ticket = ticket_in(world, TicketStatus.TRIAGED)
    client = login_as(world.agent)
    page = page_text(client.get(f"/tickets/{ticket.number}/"))
    assert 'id="unit-search-dispatched-lead"' in page and 'id="deadline-preview-dispatched"' in page
    assert f'hx-get="/tickets/{ticket.number}/dispatch-preview"' in page
    preview = page_text(
        client.get(f"/tickets/{ticket.number}/dispatch-preview", {"dispatched-lead_unit": world.township.pk})
    )
    expected = ticket_dispatch_deadlines(ticket=ticket, lead_unit=world.township)[Stage.REPLY]
    assert expected is not None
    assert f"反馈时限 <strong>{timezone.localtime(expected):%Y-%m-%d %H:%M}</strong>" in preview
    assert "选择主办单位" in page_text(client.get(f"/tickets/{ticket.number}/dispatch-preview"))


def test_the_reply_form_shows_the_checklist_and_refuses_missing_elements_beside_the_field(
    login_as: LoginAs, world: World
) -> None:
    _scheme()
    ticket = ticket_in(world, TicketStatus.HANDLING)
    client = login_as(world.township_staff)
    page = page_text(client.get(f"/tickets/{ticket.number}/"))
    assert 'name="replied-elements" value="basis"' in page and "联系诉求人情况" in page
    assert 'enctype="multipart/form-data"' in page
    upload = SimpleUploadedFile("回执.png", unique_content("refused"), content_type="image/png")
    response = act(client, ticket, "replied", text="已维修", elements=ALL_SIX[:5], files=upload)
    assert response.status_code == 400
    text = page_text(response)
    assert '<span class="error">反馈内容缺少必备要素：联系诉求人情况</span>' in text
    assert "已维修" in text  # the typed reply survives
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.HANDLING
    assert not Attachment.objects.filter(ticket=ticket).exists()


def test_a_reply_with_files_stores_them_with_its_event_and_the_review_sees_the_claim(
    login_as: LoginAs, world: World
) -> None:
    _scheme()
    ticket = ticket_in(world, TicketStatus.HANDLING)
    files = [
        SimpleUploadedFile("回执.png", unique_content("reply-png"), content_type="image/png"),
        SimpleUploadedFile("说明.pdf", unique_content("reply-pdf"), content_type="application/pdf"),
    ]
    response = act(login_as(world.township_staff), ticket, "replied", text="已维修", elements=ALL_SIX, files=files)
    assert response.status_code == 302
    event = TicketEvent.objects.get(ticket=ticket, kind="replied")
    assert event.payload["elements"] == ALL_SIX
    assert sorted(a.original_name for a in event.attachments.all()) == ["回执.png", "说明.pdf"]
    review = page_text(login_as(world.agent).get(f"/tickets/{ticket.number}/"))
    assert "反馈中写明的要素（反馈六要素（默认））" in review and "☑ 已写明：联系诉求人情况" in review
    assert "已写明的反馈要素：办理时间、办理人" in review  # the timeline line


def test_the_api_refuses_a_reply_without_its_elements_alike(world: World) -> None:
    from jiesu.tickets.services.actions import ActionInput, ticket_perform

    _scheme()
    ticket = ticket_in(world, TicketStatus.HANDLING)
    with pytest.raises(Exception, match="缺少必备要素"):
        ticket_perform(ticket=ticket, action="replied", actor=world.township_staff, data=ActionInput(text="已维修"))
