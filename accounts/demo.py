"""Demo accounts for ``seed_demo``."""

from typing import TextIO

from django.conf import settings

from accounts.models import User

ADMIN_EMAIL = "admin@answerfirst.localhost"


def seed(stdout: TextIO) -> list[str]:
    """Create the administrator once; its password comes from ``DEMO_PASSWORD``."""
    password = settings.DEMO_PASSWORD
    if not User.objects.filter(email=ADMIN_EMAIL).exists():
        User.objects.create_superuser(ADMIN_EMAIL, password, first_name="Ada", last_name="Admin")
    return [f"Administrator: {ADMIN_EMAIL} / {password}  (Wagtail admin, agent desk)"]
