"""Helpers for the web tests: post an action form the way the detail page does."""

from __future__ import annotations

from typing import Any

from django.test import Client

from jiesu.tickets.models import Ticket


def act(client: Client, ticket: Ticket, action: str, *, version: int | None = None, **fields: Any):
    """POST one action form (prefixed field names, the current version unless one is given)."""
    current = Ticket.objects.get(pk=ticket.pk)
    data: dict[str, Any] = {f"{action}-version": current.version if version is None else version}
    data.update({f"{action}-{name}": value for name, value in fields.items()})
    return client.post(f"/tickets/{current.number}/act/{action}", data)


def page_text(response: Any) -> str:
    content: bytes = response.content
    return content.decode()
