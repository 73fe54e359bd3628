import logging
from datetime import date, timedelta

from celery import group, shared_task
from django.conf import settings
from django.core.management import CommandError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from core import batches
from core.models import BatchRun

log = logging.getLogger(__name__)


def night_of(day: str | None = None) -> date:
    """The date a scheduled job works for: `day` (YYYY-MM-DD, from manage.py run_night --date) or today."""
    return date.fromisoformat(day) if day else timezone.localdate()


# Routed to the "batch" queue (settings.CELERY_TASK_ROUTES). A worker process that dies mid-chunk (OOM, SIGKILL) puts
# the message back instead of acknowledging it; the chunk's transaction was rolled back, so it is simply redone.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, autoretry_for=(ConnectionError,),
             retry_backoff=True, max_retries=5)
def run_batch_chunk(self, chunk_id: int) -> bool:
    return batches.batch_chunk_run(chunk_id, worker=self.request.hostname or "")


class BrokerUnavailable(RuntimeError):
    """The run is planned and its chunks are pending, but they could not be queued: dispatch again later."""


def send_chunks(run: BatchRun, chunk_ids: list[int]):
    if not chunk_ids:
        return
    try:
        group(run_batch_chunk.s(cid) for cid in chunk_ids).apply_async(retry=False)
    except BrokerError as exc:
        raise BrokerUnavailable(
            f"{run.kind} {run.period}: {len(chunk_ids)} chunks are planned but the broker is unreachable ({exc}); "
            f"nothing ran. Dispatch the same run again when it is back: it resumes where it stands.") from exc
    BatchRun.objects.filter(pk=run.pk).update(dispatched_at=timezone.now())


def dispatch_run(kind: str, period: str):
    """Plan (or resume) a run and fan its pending chunks out to the workers."""
    run = batches.batch_run_plan(kind=kind, period=period)
    send_chunks(run, batches.pending_chunk_ids(run))
    return run


def dispatch_with_catch_up(kind: str, day: date) -> list[BatchRun]:
    """A daily job's run for `day` and, first, one for every day an outage skipped since its last done period,
    dispatched oldest first (each run is apply-once, so a catch-up already made is only resumed)."""
    return [dispatch_run(kind, missed.isoformat()) for missed in batches.missed_days(kind, day)]


def dispatch_from_command(kind: str, period: str):
    """dispatch_run for management commands: an unreachable broker is a clear command error."""
    try:
        return dispatch_run(kind, period)
    except BrokerUnavailable as exc:
        raise CommandError(str(exc)) from exc


@shared_task
def resume_stalled_runs() -> int:
    """Scheduled every minute: a running batch that made no progress for BATCH_STALL_SECONDS gets its unclaimed
    chunks sent again (lost with a worker host cut off mid-run, or with a broker restarted empty). A chunk done
    meanwhile, or being done, is skipped by its claim, so sending it twice never applies it twice."""
    resent = 0
    for run in batches.stalled_runs(idle=timedelta(seconds=settings.BATCH_STALL_SECONDS)):
        chunk_ids = batches.unclaimed_chunk_ids(run)
        if chunk_ids:
            log.warning("%s: no progress for %s s, sending its %s unclaimed chunks again", run,
                        settings.BATCH_STALL_SECONDS, len(chunk_ids))
            send_chunks(run, chunk_ids)
            resent += len(chunk_ids)
    return resent
