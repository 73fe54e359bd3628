"""Drill and test hook: each chunk of one batch kind waits inside its transaction, after its claim, before working,
so that a kill or a network cut lands while a worker holds a chunk.

Active only in the worker processes the drills and fault tests start with `--include core.ops.slow_chunks` and
CRM_SLOW_CHUNK_KIND / CRM_SLOW_CHUNK_SECONDS in their environment; never in a normal worker.
"""

import dataclasses
import os
import time

KIND_ENV, SECONDS_ENV = "CRM_SLOW_CHUNK_KIND", "CRM_SLOW_CHUNK_SECONDS"


def slow_chunks(kind: str, seconds: float):
    import django

    django.setup()
    from core import batches

    spec = batches.REGISTRY[kind]

    def slow_work(lo, hi, run):
        time.sleep(seconds)
        return spec.work(lo, hi, run)

    batches.REGISTRY[kind] = dataclasses.replace(spec, work=slow_work)


if os.environ.get(KIND_ENV) and os.environ.get(SECONDS_ENV):
    slow_chunks(os.environ[KIND_ENV], float(os.environ[SECONDS_ENV]))
