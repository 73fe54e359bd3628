#!/usr/bin/env bash
# Set up and run the whole test suite: venv, install, lint, migrations check, pytest.
source "$(dirname "$0")/scripts/bootstrap.sh"
install_requirements requirements-dev.txt
echo "==> ruff"
.venv/bin/python -m ruff check .
echo "==> migrations are up to date"
.venv/bin/python manage.py makemigrations --check --dry-run
echo "==> pytest"
exec .venv/bin/python -m pytest "$@"
