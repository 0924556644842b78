"""Tickets that finished at a chosen moment, with attachments uploaded then (test set-up only)."""

from __future__ import annotations

import io
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Attachment, Ticket
from jiesu.tickets.services.attachments import attachment_store
from jiesu.tickets.tests.helpers import ticket_in

BEIJING = ZoneInfo("Asia/Shanghai")
T0 = datetime(2024, 3, 4, 10, 0, tzinfo=BEIJING)


def unique_content(label: str) -> bytes:
    """Files outlive a test's database rollback, so each test stores content no other test has."""
    return f"{label}-{uuid.uuid4()}".encode()


def ticket_at(world: World, at: datetime, status: str = TicketStatus.CLOSED) -> Ticket:
    with time_machine.travel(at, tick=False):
        return ticket_in(world, status)


def attach(ticket: Ticket, content: bytes, at: datetime, *, content_type: str = "audio/mpeg") -> Attachment:
    name = "录音.mp3" if content_type.startswith("audio/") else "材料.pdf"
    with time_machine.travel(at, tick=False):
        return attachment_store(
            ticket=ticket, stream=io.BytesIO(content), original_name=name, content_type=content_type, actor=None
        )
