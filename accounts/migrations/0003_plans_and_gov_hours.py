"""The product's plans and the Gov route's staffed hours, as data (editable in the admin)."""

import datetime

from django.db import migrations

PLANS = [
    # code, name, is_paid, can_file_tickets, can_set_priority, sort_order
    ("free", "Free", False, False, False, 0),
    ("trial", "Trial", True, True, False, 1),
    ("pro", "Pro", True, True, False, 2),
    ("business", "Business", True, True, True, 3),
    ("enterprise", "Enterprise", True, True, True, 4),
]


def create(apps, schema_editor):
    Plan = apps.get_model("accounts", "Plan")
    RouteHours = apps.get_model("accounts", "RouteHours")
    for code, name, is_paid, can_file, can_prioritize, order in PLANS:
        Plan.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "is_paid": is_paid,
                "can_file_tickets": can_file,
                "can_set_priority": can_prioritize,
                "sort_order": order,
            },
        )
    RouteHours.objects.get_or_create(
        route="gov",
        defaults={
            "time_zone": "America/Los_Angeles",
            "opens_at": datetime.time(6, 0),
            "closes_at": datetime.time(18, 0),
            "weekdays": "0,1,2,3,4",
            "holiday_country": "US",
        },
    )


def remove(apps, schema_editor):
    apps.get_model("accounts", "RouteHours").objects.filter(route="gov").delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_support_models")]

    operations = [migrations.RunPython(create, remove)]
