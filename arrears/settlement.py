"""SP arrears for settlement deduction (source 000): each SP's share of the period's unpaid bills in proportion
to its charges on them, lines owing only a little left out, SPs with high arrears and signs of
self-consumption marked for priority deduction. One set-based statement over the period's SP charges."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Max

from arrears import report_facts
from arrears.models import SpCharge
from arrears.policies import SP_SETTLEMENT, SpSettlementPolicy, sp_flags, sp_focus

CENT = Decimal("0.01")

SETTLEMENT_SQL = """
WITH charges AS (
    SELECT s.sp_id, s.amount AS charged, b.amount AS bill_amount, c.acquiring_channel_id AS agent,
           CASE WHEN b.due_date < %(today)s THEN b.amount - b.paid_amount ELSE 0 END AS unpaid
    FROM arrears_spcharge s
    JOIN arrears_bill b ON b.id = s.bill_id
    JOIN customers_customer c ON c.id = b.customer_id
    WHERE s.period = %(period)s
), per_sp AS (
    SELECT sp_id, sum(charged) AS revenue, count(*) AS lines,
           coalesce(sum(unpaid * charged / nullif(bill_amount, 0)) FILTER (WHERE unpaid >= %(min)s), 0) AS share,
           coalesce(sum(unpaid * charged / nullif(bill_amount, 0))
                    FILTER (WHERE unpaid > 0 AND unpaid < %(min)s), 0) AS left_out,
           count(*) FILTER (WHERE unpaid >= %(min)s) AS lines_in_arrears,
           count(*) FILTER (WHERE charged * 100 >= %(captive)s * bill_amount) AS captive_lines
    FROM charges GROUP BY sp_id
), top_agent AS (
    SELECT DISTINCT ON (sp_id) sp_id, agent, revenue
    FROM (SELECT sp_id, agent, sum(charged) AS revenue FROM charges GROUP BY sp_id, agent) per_agent
    ORDER BY sp_id, revenue DESC, agent
)
SELECT sp.code, sp.name, p.revenue, p.lines, p.lines_in_arrears, p.share, p.left_out, p.captive_lines,
       coalesce(t.revenue, 0), ch.name
FROM per_sp p
JOIN arrears_serviceprovider sp ON sp.id = p.sp_id
LEFT JOIN top_agent t ON t.sp_id = p.sp_id
LEFT JOIN customers_channel ch ON ch.id = t.agent
ORDER BY p.share DESC, sp.code
"""


@dataclass(frozen=True)
class SpSettlementRow:
    code: str
    name: str
    revenue: Decimal
    lines: int
    lines_in_arrears: int
    deduction: Decimal  # the SP's estimated share of the arrears, deducted from its settlement
    left_out: Decimal  # share on lines owing less than the minimum, not deducted
    captive_lines: int
    top_agent: str
    top_agent_revenue: Decimal
    flags: tuple[str, ...]
    focus: bool

    @property
    def arrears_rate(self) -> Decimal:
        return (self.deduction * 100 / self.revenue).quantize(Decimal("0.1")) if self.revenue else Decimal("0")

    @property
    def top_agent_share(self) -> Decimal:
        return (self.top_agent_revenue * 100 / self.revenue).quantize(Decimal("0.1")) if self.revenue else Decimal("0")


def settlement_as_of(*, period: date, min_line_arrears: Decimal | None = None,
                     policy: SpSettlementPolicy = SP_SETTLEMENT) -> date | None:
    """The night whose pre-aggregates answer this settlement (the policy's own minimum, one of the last months),
    or None: computed live."""
    minimum = policy.min_line_arrears if min_line_arrears is None else min_line_arrears
    if policy != SP_SETTLEMENT or minimum != SP_SETTLEMENT.min_line_arrears:
        return None
    day = report_facts.facts_day()
    return day if day is not None and period.replace(day=1) in report_facts.sp_fact_periods(day) else None


def sp_settlement(*, period: date, today: date, min_line_arrears: Decimal | None = None,
                  policy: SpSettlementPolicy = SP_SETTLEMENT, live: bool = False) -> list[SpSettlementRow]:
    """Every SP that charged in `period` (a month), worst first, as the bills stand on `today` — or, for the
    policy's minimum and a recent month, as they stood last night (the nightly facts) unless `live`."""
    minimum = policy.min_line_arrears if min_line_arrears is None else min_line_arrears
    night = None if live else settlement_as_of(period=period, min_line_arrears=minimum, policy=policy)
    if night is not None:
        rows = report_facts.sp_settlement_rows(night, period.replace(day=1))
    else:
        with connection.cursor() as cur:
            cur.execute(SETTLEMENT_SQL, {"period": period.replace(day=1), "today": today, "min": minimum,
                                         "captive": policy.captive_bill_share})
            rows = cur.fetchall()
    result = []
    for code, name, revenue, lines, in_arrears, share, left_out, captive, agent_revenue, agent in rows:
        share = share.quantize(CENT, ROUND_HALF_UP)
        flags = sp_flags(revenue=revenue, arrears_share=share, lines=lines, captive_lines=captive,
                         top_agent_revenue=agent_revenue, policy=policy)
        result.append(SpSettlementRow(code, name, revenue, lines, in_arrears, share,
                                      left_out.quantize(CENT, ROUND_HALF_UP), captive, agent or "—", agent_revenue,
                                      tuple(flags), sp_focus(flags)))
    return result


def latest_charge_month(*, up_to: date) -> date | None:
    """The latest month up to `up_to` with SP charges: the settlement page opens on it (a month billing has not
    sent yet would open an empty page)."""
    return SpCharge.objects.filter(period__lte=up_to).aggregate(latest=Max("period"))["latest"]
