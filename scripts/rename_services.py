#!/usr/bin/env python
"""One naming rule for services and selectors (issue 17 item 5): `<noun>_<verb>`, keyword-only.

Re-runnable and idempotent: it holds the old → new mapping and rewrites the tree to it, so it can be run again
after other branches are merged (running it twice changes nothing the second time). It prints every change.

    .venv/bin/python scripts/rename_services.py            # rewrite the tree
    .venv/bin/python scripts/rename_services.py --check    # only report what it would change (exit 1 if any)

What it does, in this order, on *.py (migrations only when they import a renamed module), templates/**/*.html,
*/templates/**/*.html, README.md and docs/**/*.md (never locale files):

1. Dotted paths anywhere in the text (code, strings such as mock.patch targets, comments, docs):
   `arrears.services.record_payment` → `arrears.services.payment_record`.
2. Unique names (no other meaning in the tree): the word, with word boundaries, wherever it appears
   (`record_payment` → `payment_record`; `_record_payment` or `record_payments` are other words and stay).
3. Scoped names (a common word such as `transition`): only as Python names that refer to the renamed function —
   inside its own module, where it is imported by name (`from arrears.services import transition`), and as an
   attribute of the module's alias (`services.transition`, `arrears_services.transition`). Strings, keyword
   arguments and other objects' attributes of the same name are left alone. In text, only `services.<name>`
   (the module's last part, dotted).
4. Keyword-only signatures: positional parameters of the functions in KEYWORD_ONLY move behind `*`
   (`def account_decide(account, *, by=None)` → `def account_decide(*, account, by=None)`), and every call of
   those functions by name or attribute passes them by keyword (`account_decide(acc, by=u)` →
   `account_decide(account=acc, by=u)`). A call with `*args` is reported, not rewritten.

Stdlib only (ast + tokenize): libcst/rope are not in the venv. Lines that grow past 120 characters are listed at
the end; `ruff check` then names them too.
"""

import argparse
import ast
import io
import re
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (module, old name, new name). Services write (`<noun>_<verb>`); reads that lived in services.py are selectors
# named `<noun>_get` or after the noun they return; helpers that are neither become private.
RENAMES = [
    # arrears.services
    ("arrears.services", "policy_in_force", "barring_policy_get"),  # selector: the barring policy in force
    ("arrears.services", "decide_now", "account_decide"),
    ("arrears.services", "record_payment", "payment_record"),  # like bulk.payments_record_bulk
    ("arrears.services", "record_bill", "bill_record"),  # like bulk.bills_record_bulk
    ("arrears.services", "decide_on_usage", "usage_decide"),  # like bulk.usage_decide_bulk
    ("arrears.services", "transition", "account_transition"),
    ("arrears.services", "grant_emergency_pass", "emergency_pass_grant"),
    ("arrears.services", "exempt_line", "line_exempt"),
    ("arrears.services", "waive_late_fees", "late_fees_waive"),
    ("arrears.services", "locked_balance", "line_balance_lock"),  # also credit.ledger.Ledger's method
    ("arrears.services", "money_payload", "_money_payload"),  # a helper of the events it writes
    ("arrears.realtime", "decide_lines", "lines_decide"),
    # credit.services
    ("credit.services", "published_model", "scoring_model_published"),  # selector: the running model
    # core.services
    ("core.services", "list_url", "list_url_resolve"),
    ("core.services", "save_filter", "saved_filter_save"),
    ("core.services", "delete_filter", "saved_filter_delete"),
    # customers
    ("customers.services", "blacklist_amount_owed", "blacklist_owed_get"),  # selector: owed on open entries
    ("customers.status", "refresh_customer_status", "customer_status_refresh"),
    ("customers.status", "refresh_customer_status_range", "customer_status_range_refresh"),
    # credit.touchpoints (the SMS outbox)
    ("credit.touchpoints", "notify", "sms_enqueue"),  # queues one message (sent by outbox_dispatch)
    ("credit.touchpoints", "dispatch", "outbox_dispatch"),  # not sms_dispatch: that is its Celery task's name
    ("credit.touchpoints", "requeue_dead", "dead_letters_requeue"),
    ("credit.touchpoints", "enqueue_rating_messages_sql", "rating_messages_enqueue_sql"),
    # webhooks.services
    ("webhooks.services", "delivery_body", "_delivery_body"),  # a helper of deliveries_send
    # reads that lived in services.py, now selectors (moved by MOVES below; named after what they return)
    ("arrears.services", "barring_policy_get", "barring_policy_current"),
    ("customers.services", "blacklist_owed_get", "blacklist_owed"),
    # core
    ("core.selectors", "invalidate_working_calendar", "working_calendar_invalidate"),  # a CalendarDay receiver
    ("core.selectors", "forget_working_calendar", "working_calendar_forget"),
    ("core.tokens", "rotate_token", "token_rotate"),  # scoped: the management command keeps its name
    ("core.roles", "sync_role_groups", "role_groups_sync"),
    ("core.roles", "load_access", "user_access_load"),
    ("core.audit", "register_reason_labels", "reason_labels_register"),
    ("core.audit", "register_decision_log", "decision_log_register"),
    ("core.batches", "register_batch", "batch_register"),
    ("core.batches", "plan_run", "batch_run_plan"),
    ("core.batches", "run_chunk", "batch_chunk_run"),  # not run_batch_chunk: that is its Celery task's name
    # credit
    ("credit.four_eyes", "register", "kind_register"),
    ("credit.four_eyes", "check_draft_not_waiting", "draft_not_waiting_check"),
    ("credit.four_eyes", "check_draft_approver", "draft_approver_check"),
    ("credit.touchpoints", "render", "sms_render"),
    ("credit.configuration", "raise_problems", "_raise_problems"),  # a helper of the configuration services
    ("credit.impact", "read_in_chunks", "chunks_read"),
    ("credit.scorecard", "fit_factor", "factor_fit"),
    # customers
    ("customers.bulk_validate", "validate_items", "bulk_items_validate"),
    ("customers.bulk_validate", "validate_bulk", "bulk_request_validate"),
    # enterprise
    ("enterprise.account_data", "clean_competitors", "_competitors_clean"),  # a helper of account_create/update
    ("enterprise.batches", "refresh_classes", "classes_refresh"),
    # the nightly facts' clean-up, the same in three apps
    ("arrears.report_facts", "forget_old_facts", "old_facts_forget"),
    ("credit.report_facts", "forget_old_facts", "old_facts_forget"),
    ("workspace.home_facts", "forget_old_facts", "old_facts_forget"),
    # retention: the product churn model (retention.product) and the learned one (retention.learned)
    ("retention.product", "evaluate", "churn_model_evaluate"),
    ("retention.product", "train", "churn_model_train"),
    ("retention.product", "load", "churn_model_load"),
    ("retention.product", "score", "churn_model_score"),
    ("retention.learned", "train", "learned_model_train"),
    ("retention.learned", "load", "learned_model_load"),
    ("retention.learned", "predict", "learned_model_predict"),
    ("retention.learned", "score_customers", "learned_model_score"),
    ("retention.dataset_import", "load", "dataset_load"),
    ("retention.dataset_import", "read_mapping", "mapping_read"),
]

# Functions that moved to another module (after RENAMES): (old module, name, new module). Dotted paths follow
# (`arrears.services.barring_policy_current` → `arrears.selectors.barring_policy_current`) and so do one-line
# `from <old> import …` statements (the name leaves them for a `from <new> import <name>` line below).
# `services.<name>` attribute uses are not rewritten (they fail at once: fix them by hand).
MOVES = [
    ("arrears.services", "barring_policy_current", "arrears.selectors"),
    ("credit.services", "scoring_model_published", "credit.selectors"),
    ("customers.services", "blacklist_owed", "customers.selectors"),
]

# Names too common to rewrite as plain words (see 3. above): other code may use them as variables or keys.
SCOPED = {"transition", "notify", "dispatch", "published_model", "list_url", "save_filter", "delete_filter",
          "rotate_token", "register", "render", "evaluate", "train", "load", "score", "predict"}

# new name → its parameters that were positional and become keyword-only (in order).
KEYWORD_ONLY = {
    "account_decide": ["account"],
    "account_transition": ["account"],
    "rating_record": ["customer"],
    "line_balance_lock": ["line"],
    "list_url_resolve": ["view"],
    "lines_decide": ["line_ids"],
    "customer_status_refresh": ["customer_ids"],
    "customer_status_range_refresh": ["lo", "hi"],
    "outbox_dispatch": ["limit", "budget_s"],
    "dead_letters_requeue": ["messages"],
    "usage_decide_bulk": ["line_ids"],
}

# Literal text fixes the rules above cannot see (docs naming a scoped function without its module).
LITERALS = [
    ("`account_decide` + `transition`", "`account_decide` + `account_transition`"),
]

# Lines the renames push past LINE_MAX, wrapped (applied last; a no-op once wrapped or if the line changed).
WRAPS = [
    ('        account_transition(account=account, to_state=BarringState.ACTIVE, rule="emergency_continuity", '
     'usable=usable, by=by,\n                           policy=policy)',
     '        account_transition(account=account, to_state=BarringState.ACTIVE, rule="emergency_continuity", '
     'usable=usable,\n                           by=by, policy=policy)'),
    ("    rating_record(customer=receiver, kind=RatingKind.MANUAL, new_star=receiver.credit_star, "
     "new_limit=move.receiver_after,\n",
     "    rating_record(customer=receiver, kind=RatingKind.MANUAL, new_star=receiver.credit_star,\n"
     "                  new_limit=move.receiver_after,\n"),
    ("    assert BarringPolicyVersion.objects.get(pk=draft.pk).published_at is None and barring_policy_get().version "
     "== in_force\n",
     "    assert BarringPolicyVersion.objects.get(pk=draft.pk).published_at is None\n"
     "    assert barring_policy_get().version == in_force\n"),
    ("`services.account_decide` + `services.account_transition` do for one line, for all of them in three "
     "statements: the arrears\nclock starts",
     "`services.account_decide` + `services.account_transition` do for one line, for all of them in three "
     "statements: the\narrears clock starts"),
    ("# services.account_transition for every move at once (the old line status read through a second alias: "
     "the row as it was)\n",
     "# services.account_transition for every move at once (the old line status read through a second alias: "
     "the row as\n# it was)\n"),
]

LINE_MAX = 120
SKIP_DIRS = {".venv", ".git", ".data", "node_modules", "static", "locale", "__pycache__", ".ruff_cache"}


def target_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*")):
        rel = path.relative_to(ROOT)
        if not path.is_file() or SKIP_DIRS & set(rel.parts):
            continue
        if path.suffix == ".py" and rel != Path("scripts/rename_services.py"):
            files.append(path)
        elif path.suffix == ".html" and "templates" in rel.parts:
            files.append(path)
        elif path.suffix == ".md" and (rel == Path("README.md") or rel.parts[0] == "docs"):
            files.append(path)
    return files


def module_of(rel: Path) -> str:
    return ".".join(rel.with_suffix("").parts)


# ---------------------------------------------------------------------------------------------------- renames
def dotted_and_words(text: str, is_python: bool) -> str:
    for module, old, new in RENAMES:
        text = re.sub(rf"\b{re.escape(module)}\.{old}\b", f"{module}.{new}", text)
        if old not in SCOPED:
            text = re.sub(rf"\b{old}\b", new, text)
        else:  # in docs, docstrings and comments: only where the module says whose it is (`services.transition`)
            short = module.rsplit(".", 1)[-1]
            text = re.sub(rf"\b{short}\.{old}\b", f"{short}.{new}", text)
    for old, new in LITERALS:
        text = text.replace(old, new)
    for module, name, target in MOVES:
        text = re.sub(rf"\b{re.escape(module)}\.{name}\b", f"{target}.{name}", text)
        if is_python:
            text = re.sub(rf"^([ \t]*)from {re.escape(module)} import ([\w, ]+)$",
                          lambda m, name=name, module=module, target=target: _moved_import(m, name, module, target),
                          text, flags=re.M)
    return text


def _moved_import(match: re.Match, name: str, module: str, target: str) -> str:
    indent, names = match.group(1), [n.strip() for n in match.group(2).split(",")]
    if name not in names:
        return match.group(0)
    names.remove(name)
    kept = f"{indent}from {module} import {', '.join(names)}\n" if names else ""
    return f"{kept}{indent}from {target} import {name}"


def scoped_names(text: str, rel: Path) -> str:
    """Rename SCOPED names as Python names bound to the renamed function (never strings or other attributes)."""
    scoped: dict[str, dict[str, str]] = {}
    for module, old, new in RENAMES:
        if old in SCOPED:
            scoped.setdefault(module, {})[old] = new
    if not any(old in text for names in scoped.values() for old in names):
        return text
    tree = ast.parse(text)
    bare: dict[str, str] = dict(scoped.get(module_of(rel), {}))  # inside the module itself
    aliases: dict[str, dict[str, str]] = {}  # alias of a module → its renames
    imports: list[tuple[int, int, dict[str, str]]] = []  # lines of `from <module> import …` → its renames
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if alias.name in scoped.get(node.module, {}):
                    imports.append((node.lineno, node.end_lineno, scoped[node.module]))
                    if alias.asname is None:
                        bare[alias.name] = scoped[node.module][alias.name]
                elif full in scoped:
                    aliases[alias.asname or alias.name] = scoped[full]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in scoped and alias.asname:
                    aliases[alias.asname] = scoped[alias.name]
    if not bare and not aliases and not imports:
        return text
    tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    edits = []
    depth = 0
    significant: list[tokenize.TokenInfo] = []
    for i, tok in enumerate(tokens):
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
        elif tok.type == tokenize.NAME:
            prev = significant[-1].string if significant else ""
            nxt = next((t for t in tokens[i + 1:] if t.type not in (tokenize.NL, tokenize.COMMENT)), None)
            new = None
            if prev == "." and len(significant) >= 2 and significant[-2].string in aliases:
                new = aliases[significant[-2].string].get(tok.string)
            elif prev != "." and any(lo <= tok.start[0] <= hi for lo, hi, _names in imports):
                new = next((names[tok.string] for lo, hi, names in imports
                            if lo <= tok.start[0] <= hi and tok.string in names), None)
            elif prev != "." and tok.string in bare and not (depth > 0 and nxt is not None and nxt.string == "="):
                new = bare[tok.string]  # not a keyword argument of the same name
            if new:
                at = starts[tok.start[0] - 1] + tok.start[1]
                edits.append((at, at + len(tok.string), new))
        elif (tok.type == tokenize.STRING and len(significant) >= 2 and significant[-1].string == ","
              and significant[-2].string in aliases and tok.string[1:-1] in aliases[significant[-2].string]):
            # getattr / setattr / monkeypatch.setattr(services, "transition", …)
            at = starts[tok.start[0] - 1] + tok.start[1]
            renamed = aliases[significant[-2].string][tok.string[1:-1]]
            edits.append((at, at + len(tok.string), tok.string[0] + renamed + tok.string[-1]))
        elif tok.type == tokenize.STRING and re.match(r"[a-zA-Z]*[fF]", tok.string):  # an f-string's {fields}
            def field(match: re.Match) -> str:
                code = match.group(0)
                for name, renamed in bare.items():
                    code = re.sub(rf"(?<![\w.]){name}\b", renamed, code)
                for alias, names in aliases.items():
                    for name, renamed in names.items():
                        code = re.sub(rf"\b{alias}\.{name}\b", f"{alias}.{renamed}", code)
                return code

            fixed = re.sub(r"\{[^{}]*\}", field, tok.string)
            if fixed != tok.string:
                at = starts[tok.start[0] - 1] + tok.start[1]
                edits.append((at, at + len(tok.string), fixed))
        if tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
            significant.append(tok)
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


# ------------------------------------------------------------------------------------------------ keyword-only
def _offsets(text: str):
    """(line, utf-8 byte column) of ast → index into text."""
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    lines = text.splitlines(keepends=True)

    def index(lineno: int, col: int) -> int:
        return starts[lineno - 1] + len(lines[lineno - 1].encode()[:col].decode())

    return index


def keyword_only(text: str, rel: Path, problems: list[str]) -> str:
    if not any(name in text for name in KEYWORD_ONLY):
        return text
    tree = ast.parse(text)
    index = _offsets(text)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in KEYWORD_ONLY:
            params = [a for a in node.args.posonlyargs + node.args.args if a.arg not in ("self", "cls")]
            if not params:
                continue
            first, last = params[0], params[-1]
            defaults = dict(zip(reversed(node.args.args), reversed(node.args.defaults), strict=False))
            end_node = defaults.get(last, last.annotation or last)
            start, end = index(first.lineno, first.col_offset), index(end_node.end_lineno, end_node.end_col_offset)
            moved = text[start:end]
            if node.args.vararg:
                problems.append(f"{rel}:{node.lineno}: {node.name} has *{node.args.vararg.arg}: by hand")
                continue
            # `(a, *, b)` → `(*, a, b)`; `(a, **kw)` → `(*, a, **kw)`; `(a)` → `(*, a)`
            tail = re.match(r"\s*,\s*(\*\s*,\s*)?", text[end:])
            if tail and not text[end + tail.end():].startswith(")"):
                edits.append((start, end + tail.end(), f"*, {moved}, "))
            else:
                edits.append((start, end, f"*, {moved}"))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name not in KEYWORD_ONLY or not node.args:
                continue
            if any(isinstance(a, ast.Starred) for a in node.args) or len(node.args) > len(KEYWORD_ONLY[name]):
                problems.append(f"{rel}:{node.lineno}: call of {name} with *args or extra positionals: by hand")
                continue
            for param, arg in zip(KEYWORD_ONLY[name], node.args, strict=False):
                at = index(arg.lineno, arg.col_offset)
                edits.append((at, at, f"{param}="))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


# ------------------------------------------------------------------------------------------------- alignment
def _brackets(text: str):
    """Opening brackets in order as (row, col), and for each row starting inside brackets: the innermost one."""
    opened: list[tuple[int, int]] = []
    stack: list[int] = []
    inner: dict[int, int] = {}
    last_row = 0
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.start[0] != last_row and tok.type not in (tokenize.NL, tokenize.NEWLINE):
            last_row = tok.start[0]
            if stack:
                inner[last_row] = stack[-1]
        if tok.type == tokenize.OP and tok.string in "([{":
            stack.append(len(opened))
            opened.append(tok.start)
        elif tok.type == tokenize.OP and tok.string in ")]}" and stack:
            stack.pop()
    return opened, inner


def realign(old: str, new: str, rel: Path, problems: list[str]) -> str:
    """Continuation lines aligned under an opening bracket that a rename moved follow it (unless that would make
    a line longer than LINE_MAX: then they stay and are listed)."""
    if old == new:
        return new
    old_lines, lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    if len(old_lines) != len(lines):
        return new
    (old_open, old_inner), (new_open, _new_inner) = _brackets(old), _brackets(new)
    if len(old_open) != len(new_open):
        return new
    shift: dict[int, int] = {}
    for row in sorted(old_inner):
        k = old_inner[row]
        (_orow, ocol), (nrow, ncol) = old_open[k], new_open[k]
        target = ncol + shift.get(nrow, 0) + 1
        line = lines[row - 1]
        indent = len(line) - len(line.lstrip(" "))
        old_indent = len(old_lines[row - 1]) - len(old_lines[row - 1].lstrip(" "))
        if old_indent != ocol + 1 or indent == target:
            continue
        moved = " " * target + line.lstrip(" ")
        if len(moved.rstrip("\n")) > LINE_MAX:
            problems.append(f"{rel}:{row}: continuation line not realigned (would pass {LINE_MAX} characters)")
            continue
        lines[row - 1], shift[row] = moved, target - indent
    return "".join(lines)


def _member_order(name: str) -> tuple:
    """isort's order by type (ruff's default): CONSTANTS, then Classes, then functions and variables."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name.lower(), name


def imports_sorted(old: str, new: str) -> str:
    """A one-line `from x import a, b` that a rename changed lists its names in order again."""
    old_lines, lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    if len(old_lines) != len(lines):
        return new
    for i, (before, line) in enumerate(zip(old_lines, lines, strict=True)):
        match = re.fullmatch(r"(\s*from [\w.]+ import )([\w, ]+?)(\s*)", line)
        if before != line and match and " as " not in match.group(2):
            names = sorted((n.strip() for n in match.group(2).split(",")), key=_member_order)
            lines[i] = match.group(1) + ", ".join(names) + match.group(3)
    return "".join(lines)


# ----------------------------------------------------------------------------------------------------- driver
def rewrite(path: Path, problems: list[str]) -> str:
    rel = path.relative_to(ROOT)
    text = path.read_text(encoding="utf-8")
    is_python = path.suffix == ".py"
    if is_python and "migrations" in rel.parts:
        modules = {module for module, _old, _new in RENAMES}
        if not any(re.search(rf"\b{re.escape(m)}\b|from {m.split('.')[0]} import {m.split('.')[1]}", text)
                   for m in modules):
            return text  # a migration's historical names stay
    new = dotted_and_words(text, is_python)
    if is_python:
        new = scoped_names(new, rel)
        new = keyword_only(new, rel, problems)
        new = realign(text, new, rel, problems)
        new = imports_sorted(text, new)
    for old, wrapped in WRAPS:
        new = new.replace(old, wrapped)
    return new


def changed_lines(old: str, new: str) -> list[tuple[int, str, str]]:
    a, b = old.splitlines(), new.splitlines()
    if len(a) != len(b):
        return [(0, f"{len(a)} lines", f"{len(b)} lines")]
    return [(n, x, y) for n, (x, y) in enumerate(zip(a, b, strict=True), 1) if x != y]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report what would change; write nothing")
    args = parser.parse_args()
    problems: list[str] = []
    long_lines: list[str] = []
    changed = 0
    for path in target_files():
        old = path.read_text(encoding="utf-8")
        new = rewrite(path, problems)
        if new == old:
            continue
        changed += 1
        rel = path.relative_to(ROOT)
        for n, before, after in changed_lines(old, new):
            print(f"{rel}:{n}:\n  - {before.strip()}\n  + {after.strip()}")
            if len(after) > LINE_MAX and path.suffix == ".py":
                long_lines.append(f"{rel}:{n} ({len(after)} chars)")
        if not args.check:
            path.write_text(new, encoding="utf-8")
    print(f"\n{changed} file(s) {'would change' if args.check else 'changed'}.")
    for line in long_lines:
        print(f"longer than {LINE_MAX}: {line}")
    for problem in problems:
        print(f"by hand: {problem}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
