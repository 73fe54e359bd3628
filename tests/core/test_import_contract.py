"""The import contract (.importlinter) holds: core < customers < credit|webhooks < arrears < retention <
marketing|enterprise < workspace. ./test.sh runs it too; here it fails the suite (and CI) on a lower layer
importing a higher one."""

import contextlib
import io
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def test_apps_depend_downwards_only(monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = lint_imports(config_filename=str(ROOT / ".importlinter"), no_cache=True, no_logo=True)
    assert code == 0, out.getvalue()
