"""Which search keywords count as a requester's phone number (masked in logs, never saved)."""

import pytest

from jiesu.tickets.selectors import keyword_is_phone


@pytest.mark.parametrize(
    ("keyword", "is_phone"),
    [
        ("13812341234", True),
        ("138 1234 1234", True),
        ("+86 138-1234-1234", True),
        ("010-6512 3456", True),
        ("６５１２３４５６", True),  # full-width digits, as some input methods type them
        ("20261121000042", False),  # a ticket number
        ("123456", False),  # too short for any phone
        ("噪音", False),
    ],
)
def test_phone_keywords(keyword: str, is_phone: bool) -> None:
    assert keyword_is_phone(keyword) is is_phone
