"""The `jiesu` console script: the product's manage.py."""

import os
import sys

# Command names that are not valid Python module names, or read better as two words.
ALIASES = {
    "import": "import_tickets",
    "demo-data": "demo_data",
    "demo-users": "demo_users",
    "export-all": "export_all",
    "import-all": "import_all",
    "tickets-export": "tickets_export",
    "reply-elements": "reply_elements",
    # There are no superusers in Jiesu (三员分立): point the habit at the admin command.
    "createsuperuser": "createadmin",
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiesu.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "jiesu"
    if len(args) > 1 and args[1] in ALIASES:
        args[1] = ALIASES[args[1]]
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
