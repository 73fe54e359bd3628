"""Test hook for a real worker that runs scheduled tasks (not only chunks): the tasks it sends itself (a value run's
chunks, a retry) go to the test's private queue too, as `config.celery.all_tasks_to` does in the test process, and
the waits of the 1st (the deciles for the values, the ratings for the deciles) retry after seconds, not minutes.

Active only in the worker processes tests start with `--include tests.worker_own_queue` and CRM_TEST_QUEUE /
CRM_TEST_VALUE_WAIT_SECONDS in their environment; never in a normal worker.
"""

import os

QUEUE_ENV, WAIT_ENV = "CRM_TEST_QUEUE", "CRM_TEST_VALUE_WAIT_SECONDS"


def own_queue(queue: str, wait_seconds: int):
    import django

    django.setup()
    import arrears.tasks
    import credit.tasks
    from config.celery import _reset_router, app

    app.conf.task_default_queue, app.conf.task_routes = queue, {}
    _reset_router()
    arrears.tasks.VALUE_WAIT_SECONDS = credit.tasks.VALUE_WAIT_SECONDS = wait_seconds


if os.environ.get(QUEUE_ENV):
    own_queue(os.environ[QUEUE_ENV], int(os.environ.get(WAIT_ENV, "1")))
