"""gunicorn settings (`gunicorn -c config/gunicorn.py config.wsgi:application`), overridable by environment."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))  # a 10,000-item billing bulk takes seconds, not minutes
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then; jitter so they do not all restart together
max_requests_jitter = 200
accesslog = None  # the app writes one structured line per request (core.ops.logging)
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
