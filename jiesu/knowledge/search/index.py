"""Keeping the search index (`IndexTerm` postings) in step with the entries.

Services call `entry_reindex` inside their own transaction after saving an entry; this module
never saves the entry itself (only its `indexed_length`, with a queryset update).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import transaction

from jiesu.knowledge.choices import IndexField
from jiesu.knowledge.models import IndexTerm, KnowledgeEntry
from jiesu.knowledge.search import stats
from jiesu.knowledge.search.segment import index_terms

TITLE_WEIGHT = 3  # a title occurrence counts as three body occurrences, in ranking and in length
BATCH = 500


def entry_body_text(entry: KnowledgeEntry) -> str:
    """Everything of an entry, other than its title, that search should find it by."""
    parts: list[str] = [
        entry.body,
        entry.question,
        entry.script,
        entry.legal_basis,
        entry.document_number,
        entry.issuing_body,
        " ".join(str(tag) for tag in entry.tags or ()),
        entry.duty_phone,
        entry.wecom_group,
    ]
    for contact in entry.contacts or ():
        if isinstance(contact, dict):
            parts += [str(contact.get("name") or ""), str(contact.get("role") or "")]
    if entry.unit is not None:
        parts.append(entry.unit.name)
    if entry.category is not None:
        parts.append(entry.category.full_name or entry.category.name)
    return "\n".join(part for part in parts if part)


def _postings(entry: KnowledgeEntry) -> tuple[list[IndexTerm], int]:
    """The entry's postings and its weighted length (the BM25 document length)."""
    rows: list[IndexTerm] = []
    length = 0
    for field, text, weight in (
        (IndexField.TITLE, entry.title, TITLE_WEIGHT),
        (IndexField.BODY, entry_body_text(entry), 1),
    ):
        for term, frequency in sorted(index_terms(text).items()):
            rows.append(IndexTerm(entry_id=entry.pk, term=term, field=field, frequency=frequency))
            length += weight * frequency
    return rows, length


def entry_reindex(entry: KnowledgeEntry) -> None:
    """Replace the entry's postings with those of its current text (any status: the query
    filters by status) and record its indexed length."""
    rows, length = _postings(entry)
    with transaction.atomic():
        IndexTerm.objects.filter(entry_id=entry.pk).delete()
        IndexTerm.objects.bulk_create(rows, batch_size=BATCH * 4)
        KnowledgeEntry.objects.filter(pk=entry.pk).update(indexed_length=length)
    stats.invalidate()
    entry.indexed_length = length


def _batches(entries: Iterable[KnowledgeEntry]) -> Iterator[list[KnowledgeEntry]]:
    iterator = iter(entries)
    while batch := list(islice(iterator, BATCH)):
        yield batch


def entries_reindex(entries: Iterable[KnowledgeEntry] | None = None) -> int:
    """Rebuild the postings of the given entries (all entries when None), a batch per
    transaction; returns how many entries were indexed."""
    if entries is None:
        entries = KnowledgeEntry.objects.select_related("unit", "category").order_by("pk").iterator(chunk_size=BATCH)
    done = 0
    for batch in _batches(entries):
        rows: list[IndexTerm] = []
        lengths: dict[int, int] = {}
        for entry in batch:
            entry_rows, lengths[entry.pk] = _postings(entry)
            rows += entry_rows
        with transaction.atomic():
            IndexTerm.objects.filter(entry_id__in=list(lengths)).delete()
            IndexTerm.objects.bulk_create(rows, batch_size=BATCH * 4)
            for length in set(lengths.values()):
                ids = [pk for pk, value in lengths.items() if value == length]
                KnowledgeEntry.objects.filter(pk__in=ids).update(indexed_length=length)
        for entry in batch:
            entry.indexed_length = lengths[entry.pk]
        done += len(batch)
    stats.invalidate()
    return done
