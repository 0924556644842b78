"""Signals other apps listen to without the tickets app importing them (imports run one way).

`ticket_received` is sent once the transaction that created a ticket through `ticket_create`
has committed (never for imported history): the text screening of `jiesu.intel` listens to it.
Receivers get `ticket_id` and `actor_id` (None for the system).
"""

from __future__ import annotations

from django.dispatch import Signal

ticket_received = Signal()
