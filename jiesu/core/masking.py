"""Masking of personal information (phone, name, ID number) for display and export.

Pure functions shared by the API and the web pages, so every screen masks the same way:
phone 138****1234, name 张*, ID 110105********1234 (domain-rules.md §12.2).
"""

from __future__ import annotations

STAR = "*"


def mask_phone(phone: str) -> str:
    """Keep the first three and last four characters of a long number, else only the last two."""
    value = phone.strip()
    if len(value) >= 8:
        return f"{value[:3]}{STAR * 4}{value[-4:]}"
    if len(value) > 2:
        return STAR * (len(value) - 2) + value[-2:]
    return STAR * len(value)


def mask_name(name: str) -> str:
    """Keep the first character (usually the family name); a one-character name is fully hidden."""
    value = name.strip()
    if len(value) <= 1:
        return STAR * len(value)
    return value[0] + STAR * (len(value) - 1)


def mask_id_number(id_number: str) -> str:
    """Keep the region code (six characters) and the last four of an ID; shorter IDs keep the last four."""
    value = id_number.strip()
    if len(value) > 10:
        return value[:6] + STAR * (len(value) - 10) + value[-4:]
    if len(value) > 4:
        return STAR * (len(value) - 4) + value[-4:]
    return STAR * len(value)
