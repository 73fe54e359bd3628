"""Celery app: broker and result backend on Redis (REDIS_URL, or the embedded one), schedules in the database.

Queues (settings CELERY_TASK_DEFAULT_QUEUE / CELERY_TASK_ROUTES): "short" for the web tier's and the scheduler's
quick tasks (SMS dispatch, schedule triggers, the stalled-run sweep), "batch" for the chunks of the province batches.
Run separate workers for them (Procfile, docker-compose.yml), so a short task never waits behind a batch.
"""

import os
from contextlib import contextmanager

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _reset_router():
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)  # the router caches the routes it was built with


@contextmanager
def all_tasks_to(queue: str):
    """Send every task, short or batch, to one private queue while inside (benches and tests whose own workers
    consume only that queue, so no other worker on the broker takes their chunks)."""
    previous = app.conf.task_always_eager, app.conf.task_default_queue, app.conf.task_routes
    app.conf.task_always_eager, app.conf.task_default_queue, app.conf.task_routes = False, queue, {}
    _reset_router()
    try:
        yield queue
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue, app.conf.task_routes = previous
        _reset_router()
