"""Bulk loading over one dedicated psycopg connection and one transaction per loader.

open(): foreign-key triggers off for the session (superuser; otherwise the FKs are dropped and
re-added), tables truncated inside the transaction where that is safe (so COPY can FREEZE the rows
and the final VACUUM has almost nothing to do), and every index the load does not need is dropped.
close(): the indexes and constraints are recreated from their saved catalog definitions (same names
and definitions as the migrations made them), identity sequences moved past the loaded ids, the
transaction committed, then VACUUM ANALYZE. A failure rolls everything back, schema included.
"""

import time
from collections import defaultdict

import psycopg
from django.db import connection
from psycopg import sql

from customers.demo.encode import encode_binary, encode_csv


def _conninfo() -> dict:
    s = connection.settings_dict
    params = {"dbname": s["NAME"], "user": s["USER"], "password": s["PASSWORD"], "host": s["HOST"],
              "port": s["PORT"]}
    params.update({k: v for k, v in (s.get("OPTIONS") or {}).items() if isinstance(v, (str, int))})
    return {k: v for k, v in params.items() if v not in (None, "")}


class BulkLoader:
    def __init__(self, models, *, log=print):
        self.models = list(models)
        self.tables = [m._meta.db_table for m in self.models]
        self.log = log
        self.conn = None
        self.frozen: set[str] = set()  # truncated in this transaction, so COPY can FREEZE
        self.saved_indexes: dict[str, list[tuple[str, str, str | None, bool]]] = {}
        self.saved_fks: list[tuple[str, str, str]] = []
        self.rows = defaultdict(int)
        self.copy_seconds = defaultdict(float)
        self.index_seconds = defaultdict(float)
        self.vacuum_seconds = defaultdict(float)
        self.fk_triggers_off = False

    # ------------------------------------------------------------------ setup
    def open(self, others: set[str] = frozenset()) -> dict[str, int]:
        """Connect and prepare the tables; returns the id offset (current max id) of each table.

        `others` are tables another loader fills at the same time: a table referenced from one of them
        cannot be truncated (and so not FROZEN) here, as TRUNCATE must take its referencing tables along."""
        self.conn = psycopg.connect(**_conninfo(), autocommit=True)
        cur = self.conn.cursor()
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute("SET work_mem = '64MB'")
        try:
            cur.execute("SET session_replication_role = replica")
            self.fk_triggers_off = True
        except psycopg.errors.InsufficientPrivilege:
            self.fk_triggers_off = False
        self.conn.autocommit = False
        truncate = set()
        for table in self.tables:
            closure = self._referencing_closure(cur, table)
            if not closure & set(others) and not any(self._has_rows(cur, t) for t in closure):
                truncate |= closure
                self.frozen.add(table)
        if truncate:
            cur.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY").format(
                sql.SQL(", ").join(sql.Identifier(t) for t in sorted(truncate))))
        offsets = {}
        for table in self.tables:
            cur.execute(sql.SQL("SELECT coalesce(max(id), 0) FROM {}").format(sql.Identifier(table)))
            offsets[table] = cur.fetchone()[0]
        for table in self.tables:
            self._drop_indexes(cur, table)
        if not self.fk_triggers_off:
            self._drop_fks(cur)
        return offsets

    def _has_rows(self, cur, table: str) -> bool:
        cur.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table)))
        return cur.fetchone()[0]

    def _referencing_closure(self, cur, table: str) -> set[str]:
        """The table and every table that references it, transitively (TRUNCATE needs them all)."""
        cur.execute(
            """
            WITH RECURSIVE refs(tbl) AS (
                SELECT %s::regclass
                UNION
                SELECT c.conrelid::regclass FROM pg_constraint c JOIN refs ON c.confrelid = refs.tbl
                WHERE c.contype = 'f'
            ) SELECT c.relname FROM refs JOIN pg_class c ON c.oid = refs.tbl
            """,
            [table],
        )
        return {r[0] for r in cur.fetchall()}

    def _drop_indexes(self, cur, table: str) -> None:
        cur.execute(
            """
            SELECT ic.relname, pg_get_indexdef(i.indexrelid), con.conname, pg_get_constraintdef(con.oid),
                   i.indisprimary,
                   EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid)
            FROM pg_index i
            JOIN pg_class ic ON ic.oid = i.indexrelid
            LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                 AND con.contype IN ('p', 'u', 'x')
            WHERE i.indrelid = %s::regclass
            ORDER BY i.indisprimary DESC, ic.relname
            """,
            [table],
        )
        saved = []
        for index, index_def, con_name, con_def, primary, referenced in cur.fetchall():
            if referenced:
                continue  # a foreign key depends on it (primary keys of customers and lines)
            if con_name:
                cur.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                    sql.Identifier(table), sql.Identifier(con_name)))
                saved.append((con_name, con_def, table, primary))
            else:
                cur.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(index)))
                saved.append((index, index_def, None, primary))
        self.saved_indexes[table] = saved

    def _drop_fks(self, cur) -> None:
        cur.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            [self.tables],
        )
        self.saved_fks = cur.fetchall()
        for table, name, _ in self.saved_fks:
            cur.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.Identifier(table),
                                                                            sql.Identifier(name)))

    # ------------------------------------------------------------------ load
    def copy(self, model, cols: dict, n: int, *, binary: bool = False) -> None:
        if not n:
            return
        names, payload = (encode_binary if binary else encode_csv)(model, cols, n)
        self.write(model._meta.db_table, names, payload, n, binary=binary)

    def write(self, table: str, names: list[str], payload: bytes, n: int, *, binary: bool) -> None:
        options = ["FORMAT binary" if binary else "FORMAT csv"] + (["FREEZE"] if table in self.frozen else [])
        statement = sql.SQL("COPY {} ({}) FROM STDIN WITH ({})").format(
            sql.Identifier(*table.split(".")), sql.SQL(", ").join(sql.Identifier(c) for c in names),
            sql.SQL(", ".join(options)))
        started = time.perf_counter()
        with self.conn.cursor() as cur, cur.copy(statement) as cp:
            view = memoryview(payload)
            for start in range(0, len(view), 1 << 22):
                cp.write(view[start:start + (1 << 22)])
        self.copy_seconds[table] += time.perf_counter() - started
        self.rows[table] += n

    # ------------------------------------------------------------------ finish
    def close(self) -> None:
        cur = self.conn.cursor()
        for table in self.tables:
            timings = []
            for name, definition, con_table, _primary in self.saved_indexes.get(table, []):
                started = time.perf_counter()
                if con_table:
                    cur.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                        sql.Identifier(con_table), sql.Identifier(name)) + sql.SQL(definition))
                else:
                    cur.execute(definition)
                timings.append((name, time.perf_counter() - started))
            self.index_seconds[table] = sum(t for _, t in timings)
            self.log(f"  indexes {table} {self.index_seconds[table]:.1f} s: "
                     + ", ".join(f"{name} {t:.1f}" for name, t in timings))
        for table, name, definition in self.saved_fks:
            started = time.perf_counter()
            cur.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(sql.Identifier(table), sql.Identifier(name))
                        + sql.SQL(definition))
            self.index_seconds[table] += time.perf_counter() - started
        for table in self.tables:
            cur.execute(sql.SQL(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), max(id)) FROM {} HAVING max(id) IS NOT NULL"
            ).format(sql.Identifier(table)), [table])
        self.conn.commit()
        self.conn.autocommit = True
        for table in self.tables:
            started = time.perf_counter()
            cur.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
            self.vacuum_seconds[table] += time.perf_counter() - started
        self.conn.close()

    def abort(self) -> None:
        if self.conn is not None and not self.conn.closed:
            self.conn.rollback()
            self.conn.close()
