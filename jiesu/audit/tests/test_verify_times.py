"""The database's text form of a time is read back exactly, whatever its trailing zeros."""

import pytest

from jiesu.audit.verify import _occurred_text


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("2026-05-25 06:31:44.953008", "2026-05-25T06:31:44.953008+00:00"),  # SQLite
        ("2026-05-25 06:31:44", "2026-05-25T06:31:44.000000+00:00"),  # SQLite, whole second
        ("2026-05-25 06:31:44.953008+00", "2026-05-25T06:31:44.953008+00:00"),  # PostgreSQL
        ("2026-05-25 06:31:44.953+00", "2026-05-25T06:31:44.953000+00:00"),  # trailing zeros dropped
        ("2026-05-25 06:31:44.9+00", "2026-05-25T06:31:44.900000+00:00"),
        ("2026-05-25 06:31:44+00", "2026-05-25T06:31:44.000000+00:00"),
    ],
)
def test_every_spelling_of_a_time_gives_the_canonical_text(text: str, canonical: str) -> None:
    assert _occurred_text(text) == canonical
