from celery import group, shared_task
from kombu.exceptions import OperationalError as BrokerError

from core import batches


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def run_batch_chunk(chunk_id: int) -> bool:
    return batches.run_chunk(chunk_id)


class BrokerUnavailable(RuntimeError):
    """The run is planned and its chunks are pending, but they could not be queued: dispatch again later."""


def dispatch_run(kind: str, period: str):
    """Plan (or resume) a run and fan its pending chunks out to the workers."""
    run = batches.plan_run(kind=kind, period=period)
    chunk_ids = batches.pending_chunk_ids(run)
    if chunk_ids:
        try:
            group(run_batch_chunk.s(cid) for cid in chunk_ids).apply_async(retry=False)
        except BrokerError as exc:
            raise BrokerUnavailable(
                f"{kind} {period}: {len(chunk_ids)} chunks are planned but the broker is unreachable ({exc}); "
                f"nothing ran. Dispatch the same run again when it is back: it resumes where it stands.") from exc
    return run


def dispatch_from_command(kind: str, period: str):
    """dispatch_run for management commands: an unreachable broker is a clear command error."""
    from django.core.management import CommandError

    try:
        return dispatch_run(kind, period)
    except BrokerUnavailable as exc:
        raise CommandError(str(exc)) from exc
