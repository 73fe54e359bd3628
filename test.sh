#!/usr/bin/env bash
# Set up and run the whole test suite: venv, install, lint, migrations check, pytest.
source "$(dirname "$0")/scripts/bootstrap.sh"
install_requirements requirements-dev.txt
# Browser tests drive Debian's Chromium (no browser download); install it where we may, with a CJK font so the
# screenshots they keep under artifacts/screenshots/ show Chinese text rather than empty boxes.
if { [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "wqy\|noto.*cjk"; } && [ "$(id -u)" = 0 ] \
   && command -v apt-get >/dev/null; then
  echo "==> installing Debian's chromium and a CJK font for the browser tests"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei) >/dev/null 2>&1 \
    || echo "    could not install chromium: the browser tests will be skipped (with CI=true they fail)"
fi
echo "==> ruff"
.venv/bin/python -m ruff check .
echo "==> import contract (.importlinter): apps depend downwards only"
PYTHONPATH=. .venv/bin/lint-imports --no-cache
echo "==> migrations are up to date"
.venv/bin/python manage.py makemigrations --check --dry-run
echo "==> pytest"
exec .venv/bin/python -m pytest "$@"
