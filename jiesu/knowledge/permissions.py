"""Who may read, draft and publish knowledge entries.

- Reading: published and expired entries are for everyone who works in Jiesu (any business role);
  the three admin roles alone do not read content (三员分立: they run the system, not the hotline).
- Drafting: agents, shift leads and knowledge editors, who meet the gaps while answering calls.
- Publishing, rejecting and expiring: knowledge editors only ("only editors publish"), so every
  text the hotline reads out has passed a second pair of eyes.
- Drafts and entries in review are seen by the editors and by their own authors.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jiesu.knowledge.choices import EntryStatus
from jiesu.knowledge.models import KnowledgeEntry
from jiesu.orgs.choices import Role
from jiesu.orgs.models import User
from jiesu.orgs.security.duties import ADMIN_ROLES

DRAFTER_ROLES = frozenset({Role.AGENT, Role.SHIFT_LEAD, Role.KNOWLEDGE_EDITOR})
EDITOR_ROLES = frozenset({Role.KNOWLEDGE_EDITOR})
BUSINESS_ROLES = frozenset(Role.values) - ADMIN_ROLES
PUBLIC_STATUSES = (EntryStatus.PUBLISHED, EntryStatus.EXPIRED)


def _active(user: User | None) -> bool:
    return user is not None and user.is_active


def can_read_knowledge(user: User | None) -> bool:
    return _active(user) and user is not None and user.has_role(*BUSINESS_ROLES)


def can_draft_knowledge(user: User | None) -> bool:
    return _active(user) and user is not None and user.has_role(*DRAFTER_ROLES)


def can_publish_knowledge(user: User | None) -> bool:
    return _active(user) and user is not None and user.has_role(*EDITOR_ROLES)


def can_edit_entry(user: User | None, entry: KnowledgeEntry) -> bool:
    """Editors edit anything; a drafter edits their own entries while they are drafts (a
    published text changes only through an editor, see services.entry_update)."""
    if can_publish_knowledge(user):
        return True
    if not can_draft_knowledge(user) or user is None:
        return False
    return entry.status == EntryStatus.DRAFT and entry.created_by_id == user.pk


def entries_visible_to(user: User | None) -> QuerySet[KnowledgeEntry]:
    """The entries `user` may read; None is the system and reads everything."""
    entries = KnowledgeEntry.objects.all()
    if user is None or can_publish_knowledge(user):
        return entries
    if not can_read_knowledge(user):
        return entries.none()
    return entries.filter(Q(status__in=PUBLIC_STATUSES) | Q(created_by=user))
