from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.choices import BatchStatus


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ChunkFact(models.Model):
    """A nightly pre-aggregate's row: written by one id-range chunk of its batch (`chunk_lo`) for the night `day`,
    in the chunk's transaction, summed when read (the credit and arrears reports, the home, campaign results)."""

    day = models.DateField()
    chunk_lo = models.BigIntegerField()

    class Meta:
        abstract = True


class RegionChunkFact(ChunkFact):
    """A ChunkFact kept by region (the narrowest scope it serves: a province-wide role sums every region, a
    regional manager reads one; a manager's or a lead's book is counted live)."""

    region_id = models.BigIntegerField(null=True)

    class Meta:
        abstract = True


class Region(models.Model):
    code = models.CharField(_("code"), max_length=6, unique=True,
                            help_text=_("Administrative division code, e.g. 4301"))
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name


class Team(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="teams", verbose_name=_("region"))
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        ordering = ["region__code", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="team_unique_name_in_region")]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return f"{self.region.name} / {self.name}"


class StaffProfile(models.Model):
    """Where a user sits in the organisation. The role itself is the user's group."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    employee_no = models.CharField(_("employee number"), max_length=20, unique=True)
    display_name = models.CharField(_("display name"), max_length=50)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("region"))
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="members",
                             verbose_name=_("team"))

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self):
        return self.display_name


class BatchRun(models.Model):
    """One run of a batch job over id-range chunks; unique per (kind, period) so it applies once."""

    kind = models.CharField(_("kind"), max_length=50)
    period = models.CharField(_("period"), max_length=20, help_text=_("e.g. 2026-11 or 2026-11-23"))
    status = models.CharField(_("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.PENDING)
    total_chunks = models.PositiveIntegerField(_("total chunks"), default=0)
    done_chunks = models.PositiveIntegerField(_("done chunks"), default=0)
    rows_affected = models.BigIntegerField(_("rows affected"), default=0)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("last dispatched at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["kind", "period"], name="batchrun_once_per_period")]
        verbose_name = _("batch run")
        verbose_name_plural = _("batch runs")

    def __str__(self):
        return f"{self.kind} {self.period}"

    @property
    def duration_seconds(self) -> float | None:
        return (self.finished_at - self.started_at).total_seconds() if self.finished_at else None

    @property
    def progress_percent(self) -> int:
        return 100 if not self.total_chunks else int(100 * self.done_chunks / self.total_chunks)


class BatchChunk(models.Model):
    run = models.ForeignKey(BatchRun, on_delete=models.CASCADE, related_name="chunks")
    lo = models.BigIntegerField()
    hi = models.BigIntegerField(help_text="exclusive upper id bound")
    done = models.BooleanField(default=False)
    rows_affected = models.BigIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.CharField(max_length=150, blank=True, help_text="the Celery worker that did the chunk")

    class Meta:
        ordering = ["lo"]
        constraints = [models.UniqueConstraint(fields=["run", "lo"], name="batchchunk_unique_range")]
        indexes = [models.Index(fields=["run", "done"])]

    def __str__(self):
        return f"{self.run} [{self.lo}, {self.hi})"


class IdempotencyRecord(models.Model):
    """The first answer to a write with an Idempotency-Key: a replay gets it again, a different body a 409."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    endpoint = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    # the first answer's JSON text as it was sent (a replay sends the same bytes; a bulk answer is 10,000 rows: as
    # jsonb it was parsed and pglz-compressed on every first post, a third of a second, and replayed re-ordered)
    response = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_once_per_user_key")]

    def __str__(self):
        return f"{self.user_id}:{self.key}"


class CalendarDay(models.Model):
    """An exception to Monday–Friday in the working-day calendar: a holiday (also one on a weekend, so the
    calendar reads like the State Council's notice) or a make-up working day (调休上班). Every other day is a
    working day from Monday to Friday. Shipped for 2026 (the State Council's arrangement) and 2027 (the
    statutory days; `confirmed` is off until an admin checks them against the notice)."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"), help_text=_(
        "on: a make-up working day (调休上班); off: a holiday"))
    name = models.CharField(_("name"), max_length=60, help_text=_("e.g. 国庆节, or 国庆节调休上班"))
    confirmed = models.BooleanField(_("confirmed"), default=True, help_text=_(
        "off: derived from the holiday law, to be checked against the State Council's notice for the year"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("working-day calendar")

    def __str__(self):
        return f"{self.date} {self.name}"


class SavedFilter(models.Model):
    """A list's filters, sort and page size (its query string) saved under a name by one user, for that user
    only; `view` is the list's URL name (e.g. "arrears:collection")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters",
                             db_index=False, verbose_name=_("user"))
    view = models.CharField(_("list"), max_length=100)
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("query string"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "view", "name"], name="savedfilter_user_view_name")]
        ordering = ["name"]
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")

    def __str__(self):
        return f"{self.view}: {self.name}"
