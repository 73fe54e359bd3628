#!/usr/bin/env bash
# Set up and run the app: venv, install, (embedded) database, migrate, demo province, serve on :8000.
source "$(dirname "$0")/scripts/bootstrap.sh"
install_requirements requirements.txt
PORT="${PORT:-8000}"
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py setup_demo --customers "${DEMO_CUSTOMERS:-20000}" --seed "${DEMO_SEED:-42}"
echo "==> serving on http://127.0.0.1:$PORT"
exec .venv/bin/python manage.py runserver "127.0.0.1:$PORT" --noreload
