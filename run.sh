#!/usr/bin/env bash
# Set up and run the whole system, production-shaped: venv, install, (embedded) PostgreSQL and Redis, migrate, demo
# province, static files; then gunicorn (WhiteNoise), the Celery workers and beat under one supervisor (honcho with
# the Procfile), serving on http://127.0.0.1:$PORT (8000). Ctrl-C (or SIGTERM to this process) stops them together.
source "$(dirname "$0")/scripts/bootstrap.sh"
install_requirements requirements.txt
export PATH="$ROOT/.venv/bin:$PATH" PORT="${PORT:-8000}"
# Served on loopback with no TLS proxy in front: no redirect to https (set SECURE_SSL_REDIRECT=true behind one).
export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-false}"
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "port $PORT is in use (is ./run.sh already running? PORT=8001 ./run.sh picks another)" >&2
  exit 1
fi
python manage.py migrate --noinput
python manage.py setup_demo --customers "${DEMO_CUSTOMERS:-20000}" --seed "${DEMO_SEED:-42}"
python manage.py collectstatic --noinput -v0
mkdir -p .data/log
echo "==> serving on http://127.0.0.1:$PORT with gunicorn, Celery workers (queues short, batch) and beat"
echo "    logs of every process: this terminal and .data/log/run.log; a whole night now: manage.py run_night"
echo "==== $(date -Is) ./run.sh" >> .data/log/run.log
exec > >(exec tee -ai .data/log/run.log) 2>&1
exec honcho start -p "$PORT"
