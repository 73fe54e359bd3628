"""Which month's customer value the scoring features read (the features themselves are SQL:
`credit.sql.features.features_cte`, a CTE with one row per customer of a chunk and one column per
`credit.choices.Feature`)."""

from datetime import date, datetime

from core.choices import BatchStatus
from core.models import BatchRun

# The value model's decile run (arrears.value registers the kind under this name; arrears sits above credit).
DECILE_KIND = "arrears.customer_value_decile"
VALUE_KIND = "arrears.customer_value"


def expected_value_month(today: date) -> date:
    """The month whose value a night of `today`'s month reads: the latest billing month whose bills are complete
    when the value job runs on the 1st (00:40). Billing sends the bills of month M during the day of the 1st of M+1
    (after that night's jobs, as the replay feeds them), so on the night of the 1st of N the month just ended has
    no bills yet and the latest complete one is N-2 (#16 item 6: never a month with no or partial bills)."""
    index = today.year * 12 + today.month - 1 - 2
    return date(index // 12, index % 12 + 1, 1)


def value_month(today: date, *, finished_before: datetime | None = None) -> date | None:
    """The month a value decile is read from (source 000: low-value customers a lower limit): the expected month
    (the latest with complete bills, valued and ranked on the 1st), when the value model ranked it completely (its
    decile run done); else None - the value is unknown (0 points, no value rule, `value_month` null on the
    rating), never an older month's deciles read as if current (#16 item 6).
    `finished_before` (a rating run's start) keeps every chunk of one run on the same answer, however long it runs."""
    month = expected_value_month(today)
    runs = BatchRun.objects.filter(kind=DECILE_KIND, status=BatchStatus.DONE, period=f"{month:%Y-%m}")
    if finished_before is not None:
        runs = runs.filter(finished_at__lte=finished_before)
    return month if runs.exists() else None


def value_under_way(today: date) -> bool:
    """The expected month's value is planned but not ranked yet: its value run exists and its decile run is not
    done. The ratings of the 1st wait for it (credit.tasks) instead of scoring everybody as unknown."""
    period = f"{expected_value_month(today):%Y-%m}"
    status = dict(BatchRun.objects.filter(kind__in=(VALUE_KIND, DECILE_KIND), period=period)
                  .values_list("kind", "status"))
    return VALUE_KIND in status and status.get(DECILE_KIND) != BatchStatus.DONE
