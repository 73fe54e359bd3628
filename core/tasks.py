from celery import group, shared_task

from core import batches


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def run_batch_chunk(chunk_id: int) -> bool:
    return batches.run_chunk(chunk_id)


def dispatch_run(kind: str, period: str):
    """Plan (or resume) a run and fan its pending chunks out to the workers."""
    run = batches.plan_run(kind=kind, period=period)
    chunk_ids = batches.pending_chunk_ids(run)
    if chunk_ids:
        group(run_batch_chunk.s(cid) for cid in chunk_ids).apply_async()
    return run
