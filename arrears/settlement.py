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
from arrears.sql.report import SETTLEMENT_SQL

CENT = Decimal("0.01")

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
