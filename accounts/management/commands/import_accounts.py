"""``manage.py import_accounts FILE``: sync organizations, plans and memberships from .csv or .json."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.sync import ImportFileError, import_file


class Command(BaseCommand):
    help = "Import organizations, plans and memberships from a CSV or JSON file (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a .csv or .json file (see accounts/sync.py for the columns)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        try:
            report = import_file(path.name, content, source="import_accounts")
        except ImportFileError as error:
            raise CommandError(f"{path}: {error}") from None
        summary, *errors = report.lines()
        self.stdout.write(summary)
        for line in errors:
            self.stderr.write(f"{path}: {line}")
        if report.errors:
            raise CommandError(f"{len(report.errors)} row(s) were not imported; the others were.", returncode=2)
