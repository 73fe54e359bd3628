"""Prometheus gauges read at scrape time: batch runs by kind and status, pending chunks, broker queue depth.

Request metrics come from django-prometheus' middleware; these add what only the database and the
broker know, so every web process reports the same figures.
"""

import redis
from django.conf import settings
from django.db import connection
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily

from core.sql import BATCH_CHUNKS_PENDING_SQL, BATCH_RUNS_SQL

QUEUES = ("short", "batch")  # config/celery.py


class BatchCollector:
    def describe(self):
        """Names only: without it the registry would call collect(), i.e. the database, at start-up."""
        yield GaugeMetricFamily("crm_batch_runs", "Batch runs by kind and status", labels=["kind", "status"])
        yield GaugeMetricFamily("crm_batch_chunks_pending", "Chunks not yet done of running batch runs",
                                labels=["kind"])
        yield GaugeMetricFamily("crm_queue_depth", "Messages waiting in the Celery queue", labels=["queue"])

    def collect(self):
        runs = GaugeMetricFamily("crm_batch_runs", "Batch runs by kind and status", labels=["kind", "status"])
        pending = GaugeMetricFamily("crm_batch_chunks_pending", "Chunks not yet done of running batch runs",
                                    labels=["kind"])
        try:
            with connection.cursor() as cur:
                cur.execute(BATCH_RUNS_SQL)
                for kind, status, n in cur.fetchall():
                    runs.add_metric([kind, status], n)
                cur.execute(BATCH_CHUNKS_PENDING_SQL)
                for kind, n in cur.fetchall():
                    pending.add_metric([kind], n)
        except Exception:  # database down: /readyz says so; a scrape must not fail for it
            pass
        yield runs
        yield pending
        yield self._queue_depth()

    @staticmethod
    def _queue_depth():
        depth = GaugeMetricFamily("crm_queue_depth", "Messages waiting in the Celery queue", labels=["queue"])
        try:
            client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
            for queue in QUEUES:
                depth.add_metric([queue], client.llen(queue))
        except Exception:  # broker down: reported by /readyz
            pass
        return depth


_registered = False


def register():
    global _registered
    if not _registered:
        REGISTRY.register(BatchCollector())
        _registered = True
