"""``manage.py seed_demo``: build the demo help center, organizations and users (idempotent).

Each app that has demo content provides ``<app>/demo.py`` with ``seed(stdout) -> list[str]``;
the lines it returns (such as credentials) are printed at the end, so ``make run`` shows them
every time, not only on the first run.
"""

import importlib
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_APPS = ["accounts", "cms", "search", "deflection", "tickets", "tickets.agents"]


class Command(BaseCommand):
    help = "Create or refresh the demo content (safe to run on every start)."

    def handle(self, *args: Any, **options: Any) -> None:
        notes: list[str] = []
        for app in DEMO_APPS:
            try:
                demo = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{app}.demo":
                    raise
                continue
            with transaction.atomic():
                notes.extend(demo.seed(self.stdout))
        self.stdout.write(self.style.SUCCESS("Demo content is ready."))
        for line in notes:
            self.stdout.write(f"  {line}")
