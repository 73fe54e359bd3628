from decimal import Decimal

from django.db import migrations

# Defaults: mid/high credit (3★+) for transfers and sharing; amounts in CNY.
DEFAULTS = [
    ("balance_transfer", 3, "100", "300", 5, 3, 0, "app,outlet,hotline"),
    ("credit_sharing", 3, "100", "200", 3, 3, 30, "app,outlet"),
    ("credit_transfer", 4, "200", "200", 1, 1, 0, "outlet"),
]


def create(apps, schema_editor):
    Policy = apps.get_model("credit", "ExtendedServicePolicy")
    for service, star, amount, monthly, count, persons, days, channels in DEFAULTS:
        Policy.objects.get_or_create(service=service, defaults={
            "min_star": star, "max_amount": Decimal(amount), "max_amount_per_month": Decimal(monthly),
            "max_count_per_month": count, "max_persons_per_month": persons, "validity_days": days,
            "channels": channels})


class Migration(migrations.Migration):
    dependencies = [("credit", "0007_extended_services")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
