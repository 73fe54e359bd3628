"""Payments and ledger entries lose the `varchar_pattern_ops` twins of their unique reference index (issue 20, bulk
intake: indexes written needlessly).

Django creates a `<column>_like` index beside every unique CharField on PostgreSQL, for `LIKE 'prefix%'`. The
product looks references up by equality only (the unique index serves it: the duplicate checks, the admin's
`=reference` search); every payment and every ledger entry wrote that second index all the same: two of the ten
index entries of each item of a payments post (its rows-and-ledger statement 0.15–0.18 s -> 0.13 s for 10,000
items), one of five of a bill's ledger entry. A prefix count of references (load_payments' reconciliation, the
restart drill) now reads the table. Django drops these indexes with IF EXISTS when it alters the field, so a later
migration of `reference` still applies."""

from django.db import migrations

INDEXES = (("arrears_payment", "arrears_payment_reference_a395d93d_like"),
           ("arrears_ledgerentry", "arrears_ledgerentry_reference_431a1777_like"))


class Migration(migrations.Migration):
    dependencies = [("arrears", "0021_value_facts")]

    operations = [
        migrations.RunSQL(f"DROP INDEX IF EXISTS {index}",
                          reverse_sql=f"CREATE INDEX IF NOT EXISTS {index} ON {table} "
                                      "(reference varchar_pattern_ops)")
        for table, index in INDEXES
    ]
