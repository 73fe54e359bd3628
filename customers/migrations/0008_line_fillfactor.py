"""customers_line keeps 15 % of each page free (issue 20, bulk intake).

A line's status changes often (billing's line status posts, barring moves of bills and payments) and the status is
not indexed, so its update can be HOT — a new row version on the same page, no index written — but only where the
page has room. The table's pages were packed full (fillfactor 100, the COPY of a province): every status change
wrote the row elsewhere and a new entry into each of the line's six indexes. Measured on a 10,000-item line status
post: its line UPDATE statement 0.18 s -> 0.08 s. Pages written from now on keep the room; existing pages get it
when the table is rewritten (VACUUM FULL, or a province's reload)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("customers", "0007_line_closed_on")]

    operations = [
        migrations.RunSQL("ALTER TABLE customers_line SET (fillfactor = 85)",
                          reverse_sql="ALTER TABLE customers_line RESET (fillfactor)"),
    ]
