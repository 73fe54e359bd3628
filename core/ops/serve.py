"""Start the app under gunicorn on loopback for the load and fault commands, and wait until it answers."""

import subprocess
import sys
import time
from pathlib import Path

import requests
from django.conf import settings
from django.core.management import CommandError


def serve_on_loopback(port: int, *, workers: int, env: dict | None = None) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen([str(gunicorn), "-c", "config/gunicorn.py", "--bind", f"127.0.0.1:{port}",
                             "--workers", str(workers), "config.wsgi:application"], cwd=settings.BASE_DIR, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return proc
        except requests.RequestException:
            time.sleep(0.3)
    proc.kill()
    raise CommandError("gunicorn did not come up in 60 s")
