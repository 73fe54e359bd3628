"""Governed VIP tier and migration-import permissions; the purpose of every personal-data reveal (reveals logged
before this have an empty purpose)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0002_nightly_spend_schedule'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='customer',
            options={'permissions': [('view_personal_data', 'Can view unmasked ID number and address'), ('export_customers', 'Can export customer lists'), ('set_vip_tier', "Can set a customer's VIP tier"), ('import_customers', 'Can import customers from a legacy system with their original join date')], 'verbose_name': 'customer', 'verbose_name_plural': 'customers'},
        ),
        migrations.AddField(
            model_name='personaldataaccess',
            name='purpose',
            field=models.CharField(choices=[('identity_check', "Verifying the customer's identity"), ('service_request', "The customer's own service request"), ('billing_dispute', 'Billing dispute or collection'), ('credit_review', 'Credit review'), ('legal', 'Legal or compliance request'), ('other', 'Other')], default='', max_length=20, verbose_name='purpose'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='personaldataaccess',
            name='purpose_note',
            field=models.CharField(default='', max_length=200, verbose_name='purpose note'),
            preserve_default=False,
        ),
    ]
