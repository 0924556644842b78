"""Sort links of the ticket list's column headers."""

from __future__ import annotations

# The order of the first click on each sortable column.
FIRST_CLICK = {
    "number": "number",
    "status": "status",
    "urgency": "-urgency",
    "received": "-received",
    "deadline": "deadline",
    "closed": "-closed",
}


def sort_links(order: str) -> dict[str, dict[str, str]]:
    """Per sortable column: the order its header link asks for and how the list is sorted by it now."""
    links = {}
    for column, first in FIRST_CLICK.items():
        if order.lstrip("-") == column:
            descending = order.startswith("-")
            links[column] = {
                "order": column if descending else f"-{column}",
                "aria": "descending" if descending else "ascending",
                "arrow": "↓" if descending else "↑",
            }
        else:
            links[column] = {"order": first, "aria": "none", "arrow": ""}
    return links
