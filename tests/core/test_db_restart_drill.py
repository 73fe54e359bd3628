"""PostgreSQL restarted under payment load (a private server, see the command): clients see 503 or a cut
connection, retry with the same Idempotency-Key, and every payment is in the ledger exactly once."""

from io import StringIO

from django.core.management import call_command


def test_a_database_restart_under_payment_load_loses_nothing_and_applies_nothing_twice():
    out = StringIO()
    call_command("drill_db_restart", rate=15, seconds=8, restart_at=3, stdout=out)  # raises on any failed check
    report = out.getvalue()
    assert "drill passed" in report
    assert "accounts whose balance differs from their ledger: 0" in report
