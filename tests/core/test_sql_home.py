"""Raw SQL has one home per app (issue #17 item 2): `<app>/sql.py` or the `<app>/sql/` package. Product modules
import a statement (or a small builder) from there and execute it; they hold no SQL text of their own.

A module offends when it holds (docstrings aside) a string that reads as SQL, passes a literal to
`.execute(...)` or `RawSQL(...)`, or calls `.raw(...)` / `.extra(...)`. Migrations, tests and the SQL homes are
not scanned; ALLOWED lists the benchmark, drill and demo-generator modules that keep their own SQL (they measure
or build data, they are not product code)."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = sorted(p.parent.name for p in ROOT.glob("*/apps.py"))

# Benchmarks, drills and the demo generator: SQL that measures or builds data, not product code. And one product
# module: core.sql needs core.scope, which needs core.roles, so the access query stays beside its one reader
# (core.roles.user_access_load) rather than close an import cycle.
_BENCH = "benchmark or drill: measures, not product code"
_DEMO = "demo generator: builds data, not product code"
ALLOWED = {
    "core/management/commands/drill_db_restart.py": _BENCH,
    "core/roles.py": "below core.sql (core.sql -> core.scope -> core.roles): moving ACCESS_SQL would make a cycle",
    "credit/management/commands/bench_impact_preview.py": _BENCH,
    "credit/management/commands/bench_rating.py": _BENCH,
    "credit/management/commands/bench_scale_out.py": _BENCH,
    "credit/management/commands/drill_scale_out.py": _BENCH,
    "customers/demo/copy.py": _DEMO,
    "customers/demo/province.py": _DEMO,
    "customers/demo/replay.py": _DEMO,
    "workspace/bench_floors.py": "benchmark floors: bench_pages' hand-written reference queries",
    "workspace/management/commands/bench_pages.py": _BENCH,
    "workspace/management/commands/load_inbox_for_bench.py": _BENCH,
}

SQL_TEXT = re.compile(
    r'^\s*(SELECT|WITH|INSERT|UPDATE|DELETE|TRUNCATE|ANALYZE|VACUUM|CREATE|DROP|ALTER|SET LOCAL)\s+[\w(*"{]'
    r"|\bINSERT INTO\b|\bDELETE FROM\b|\bUPDATE \w+( \w+)? SET\b|\bSELECT\b[\s\S]*\bFROM\b|\bFOR UPDATE\b"
    r"|\bJOIN\b[\s\S]*\bON\b|= ANY\(%|::(bigint|text|int|date|numeric|jsonb)\[?\]?\b|\bAND\s+\w+\.\w+\s*(=|<>|IN)\b")
RAW_CALLS = {"RawSQL"}
EXECUTE_METHODS = {"execute", "executemany"}
ORM_ESCAPES = {"raw", "extra"}


def _text(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        if left is not None or right is not None:
            return (left or "") + (right or "")
    return None


def _docstrings(tree) -> set[int]:
    """ids of the docstring (and bare-string statement) nodes: prose, not SQL."""
    return {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and _text(n.value) is not None}


def offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    prose = _docstrings(tree)
    found = []
    seen = set()  # the parts of an f-string or a concatenation are judged as one string
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            literal = node.args and _text(node.args[0]) is not None
            if name in RAW_CALLS and literal:
                found.append(f"{node.lineno}: RawSQL with literal SQL")
            elif name in EXECUTE_METHODS and isinstance(func, ast.Attribute) and literal:
                found.append(f"{node.lineno}: .{name}() with literal SQL")
            elif name in ORM_ESCAPES and isinstance(func, ast.Attribute):
                found.append(f"{node.lineno}: .{name}()")
        if id(node) in seen or id(node) in prose:
            if isinstance(node, (ast.JoinedStr, ast.BinOp)):
                seen.update(id(n) for n in ast.walk(node))
            continue
        text = _text(node) if isinstance(node, (ast.Constant, ast.JoinedStr, ast.BinOp)) else None
        if text is None:
            continue
        seen.update(id(n) for n in ast.walk(node))
        if SQL_TEXT.search(text):
            found.append(f"{node.lineno}: SQL text {text.strip()[:60]!r}")
    return sorted(set(found), key=lambda s: int(s.split(":")[0]))


def _in_sql_home(rel: str) -> bool:
    parts = rel.split("/")
    return parts[-1] == "sql.py" or "sql" in parts[:-1]


def modules(app: str) -> list[str]:
    out = []
    for path in sorted((ROOT / app).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if "/migrations/" in rel or "/tests/" in rel or _in_sql_home(rel) or rel in ALLOWED:
            continue
        out.append(rel)
    return out


def offenders(app: str) -> dict[str, list[str]]:
    return {rel: found for rel in modules(app) if (found := offences(ROOT / rel))}


@pytest.mark.parametrize("app", APPS)
def test_raw_sql_lives_in_the_apps_sql_home(app):
    found = offenders(app)
    assert not found, "raw SQL outside <app>/sql.py:\n" + "\n".join(
        f"  {rel}\n" + "\n".join(f"    {o}" for o in lines) for rel, lines in found.items())


def test_the_scan_finds_sql(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('''
"""A docstring that says SELECT x FROM y is prose."""
from django.db.models.expressions import RawSQL
Q = "SELECT id FROM customers_customer"
def f(cur, table):
    cur.execute(f"UPDATE {table} SET a = 1")
    return RawSQL("a = ANY(%s)", [])
''')
    assert [f.split(":")[0] for f in offences(probe)] == ["4", "6", "6", "7", "7"]
    assert set(ALLOWED) <= {p.relative_to(ROOT).as_posix() for p in ROOT.glob("*/**/*.py")}
