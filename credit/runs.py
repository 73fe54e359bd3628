"""Rating runs governed: which periods may run, at most once, and an officer's explicit, audited supersede.

Every way a run starts (the monthly and half-yearly schedule, `manage.py rate_credit`, the API) comes through
`rating_run_start`: a future period is refused naming the rule; a period that ran already is a no-op that says
so. Re-running a period takes `rating_run_supersede`: a credit officer, with a reason, reverses the earlier run's
changes first (set-based, recorded as rating rows with who and why), then runs the period afresh.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import BatchStatus
from core.models import BatchRun
from core.tasks import dispatch_run
from credit import policies
from credit.batches import BASE_KIND, GUIDANCE_KIND
from credit.sql import REVERSE_SQL

KINDS = {"base": BASE_KIND, "guidance": GUIDANCE_KIND}
ERR_ROLE = _("Only credit officers supersede a rating run.")
ERR_REASON = _("Give a reason.")
ERR_NOT_RUN = _("No run of %(period)s to supersede.")
ALREADY = ("{kind} run of {period} ran already ({status}); re-running it changes nothing "
           "(a credit officer may supersede it).")


@dataclass(frozen=True)
class RunStart:
    run: BatchRun
    started: bool  # False: the period ran (or is running) already, nothing new was done
    message: str


def _refuse(kind: str, period: str, today) -> None:
    if kind not in KINDS:
        raise ValidationError({"kind": ValidationError(_("One of: base, guidance."), code="invalid_choice")})
    refusal = policies.rating_period_refusal(kind, period, today)
    if refusal:
        raise ValidationError({"period": ValidationError(refusal[1], code=refusal[0])})


def rating_run_start(*, kind: str, period: str, today=None) -> RunStart:
    """Start the period's run (or resume an unfinished one); refuse a future period; a finished period is a
    no-op that says so."""
    _refuse(kind, period, today or timezone.localdate())
    existing = BatchRun.objects.filter(kind=KINDS[kind], period=period).first()
    if existing is not None and existing.status == "done":
        return RunStart(existing, False, ALREADY.format(kind=kind, period=period, status=existing.status))
    run = dispatch_run(KINDS[kind], period)
    return RunStart(run, existing is None, f"{kind} run of {period}: {run.status}")


def rating_run_supersede(*, kind: str, period: str, reason: str, by, today=None) -> RunStart:
    """A credit officer re-runs a period: the earlier run's changes are reversed first, the earlier run is
    kept under a superseded name (its ratings still point to it), then the period runs again."""
    if not by.has_perm(policies.LIMIT_PERMISSION):
        raise PermissionDenied(ERR_ROLE)
    if not (reason or "").strip():
        raise ValidationError({"reason": ValidationError(ERR_REASON, code="required")})
    _refuse(kind, period, today or timezone.localdate())
    with transaction.atomic():
        earlier = BatchRun.objects.select_for_update().filter(kind=KINDS[kind], period=period).first()
        if earlier is None:
            raise ValidationError({"period": ValidationError(ERR_NOT_RUN, code="not_run", params={"period": period})})
        with connection.cursor() as cur:
            why = f"superseding {kind} run {period} (#{earlier.pk}): {reason.strip()}"[:300]
            cur.execute(REVERSE_SQL, {"run_id": earlier.pk, "by": by.pk, "version": f"supersede-{earlier.pk}",
                                      "reason": why})
        earlier.period = f"{period}~{earlier.pk}"[:20]  # frees (kind, period) for the new run
        earlier.save(update_fields=["period"])
    return rating_run_start(kind=kind, period=period, today=today)


def base_under_way(today) -> bool:
    """The base rating of `today`'s month has not finished: not started yet (its task may still be waiting for the
    deciles, so no run exists), or pending or running. The guidance of the 1st (1 January, 1 July) re-rates what it
    rated, so it waits for it (credit.tasks) rather than miss the customers rated for the first time. A failed base
    run is finished: the guidance rates what there is."""
    return not BatchRun.objects.filter(kind=BASE_KIND, period=f"{today:%Y-%m}",
                                       status__in=(BatchStatus.DONE, BatchStatus.FAILED)).exists()
