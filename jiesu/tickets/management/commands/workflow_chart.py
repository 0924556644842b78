from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from jiesu.core.management.base import JiesuCommand
from jiesu.tickets.workflow import mermaid_chart

DOC = Path(__file__).resolve().parents[4] / "docs" / "workflow.md"
HEADER = """# 工单状态流转 / Ticket workflow

Generated from `jiesu/tickets/workflow.py` by `jiesu workflow_chart --write`; a test fails when it is stale.
Events that leave the status unchanged (urge, supervise, extension, exclusion, sector confirmation,
notes, contact attempts, callbacks) are rows of the same table but are not drawn.

```mermaid
"""


class Command(JiesuCommand):
    help = "打印或写入工单状态流转图（Mermaid）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", action="store_true", help="写入 docs/workflow.md")

    def handle(self, *args: Any, **options: Any) -> None:
        text = HEADER + mermaid_chart() + "```\n"
        if options["write"]:
            DOC.write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text)
