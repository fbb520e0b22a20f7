"""Every install routes tickets: each support route gets its default queue (editable in the admin).

Without them a ticket would wait unrouted, seen by superusers only, until someone made a queue.
The Gov queue works the Gov route's staffed hours (accounts 0003): Monday-Friday 06:00-18:00 in
Los Angeles, closed on US federal holidays, with shorter targets.
"""

from django.db import migrations

WEEKDAYS = range(5)
QUEUES = [
    # code, name, route, time zone, opens, closes, holiday country, first response h, resolution h
    ("standard", "Technical support", "standard", "Europe/Paris", "09:00", "18:00", "FR", 8, 40),
    ("billing", "Billing and licensing", "billing", "Europe/Paris", "09:00", "17:00", "FR", 16, 40),
    ("gov", "Public sector (Gov)", "gov", "America/Los_Angeles", "06:00", "18:00", "US", 4, 24),
]


def create(apps, schema_editor):
    Queue = apps.get_model("tickets", "Queue")
    for code, name, route, zone, opens, closes, country, first, resolution in QUEUES:
        if Queue.objects.filter(route=route, product_area="").exists() or Queue.objects.filter(code=code).exists():
            continue  # the install has its own
        Queue.objects.create(
            code=code,
            name=name,
            route=route,
            product_area="",
            time_zone=zone,
            business_hours={str(day): [opens, closes] for day in WEEKDAYS},
            holiday_country=country,
            first_response_hours=first,
            resolution_hours=resolution,
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    # Reversing keeps the queues: tickets may point at them.
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
