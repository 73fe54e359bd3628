"""The honest churn features' SQL (retention.features joins them): one CTE per source over the chunk and the
scan date, the features read from it, the outcome after the scan date, and the probe's removal of later facts.
The intake's sources: retention.sql.intake_features."""

from retention.feature_source import Source


def _lines() -> Source:
    return Source("ln", """
        SELECT l.customer_id, count(*) AS n, max(p.monthly_fee) AS fee
        FROM customers_line l JOIN customers_plan p ON p.id = l.plan_id
        WHERE l.customer_id >= %(lo)s AND l.customer_id < %(hi)s
          AND l.activated_on < %(scan)s AND (l.closed_on IS NULL OR l.closed_on >= %(scan)s)
        GROUP BY l.customer_id""", {
        "lines_open": ("ln.n", "在用号码数"),
        "plan_fee": ("ln.fee", "套餐月费(元)"),
    })


def _usage() -> Source:
    return Source("us", """
        SELECT customer_id, count(*) AS months_known,
               avg(spend) FILTER (WHERE month >= %(m3)s) AS spend3,
               avg(spend) FILTER (WHERE month >= %(m6)s AND month < %(m3)s) AS spend_prev3,
               max(voice) FILTER (WHERE month = %(m1)s) AS voice1,
               avg(voice) FILTER (WHERE month >= %(m4)s AND month < %(m1)s) AS voice_prev3,
               max(data) FILTER (WHERE month = %(m1)s) AS data1,
               avg(data) FILTER (WHERE month >= %(m4)s AND month < %(m1)s) AS data_prev3,
               avg(saturation) FILTER (WHERE month >= %(m3)s) AS saturation,
               sum(competitor) FILTER (WHERE month >= %(m3)s) AS competitor,
               bool_or(broadband) FILTER (WHERE month = %(m1)s) AS broadband
        FROM (SELECT customer_id, month, sum(bill_amount) AS spend, sum(voice_minutes) AS voice,
                     sum(data_mb) AS data, avg(plan_saturation) AS saturation,
                     sum(competitor_hotline_calls) AS competitor, bool_or(broadband_bundled) AS broadband
              FROM customers_usagesummary
              WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND month >= %(m12)s AND month < %(month0)s
              GROUP BY customer_id, month) monthly
        GROUP BY customer_id""", {
        "months_known": ("coalesce(us.months_known, 0)", "近12个月有用量记录的月数"),
        "spend_3m": ("us.spend3", "近3个月月均消费(元)"),
        "spend_change": ("100.0 * (us.spend3 - us.spend_prev3) / nullif(us.spend_prev3, 0)",
                         "消费变化(近3个月较前3个月,%)"),
        "usage_swing": ("greatest(abs(100.0 * (us.voice1 - us.voice_prev3) / nullif(us.voice_prev3, 0)),"
                        " abs(100.0 * (us.data1 - us.data_prev3) / nullif(us.data_prev3, 0)))",
                        "业务量波动(上月较前3个月,%)"),
        "saturation": ("us.saturation", "套餐饱和度(%)"),
        "competitor_calls": ("us.competitor", "近3个月拨打异网客服次数"),
        "broadband": ("us.broadband::int", "捆绑宽带"),
    })


def _balance() -> Source:
    return Source("bal", """
        SELECT c.id AS customer_id,
               (SELECT coalesce(sum(b.amount), 0) FROM arrears_bill b
                WHERE b.customer_id = c.id AND b.due_date < %(scan)s)
             - (SELECT coalesce(sum(p.amount), 0) FROM arrears_payment p
                WHERE p.customer_id = c.id AND p.paid_at < %(scan_at)s) AS owed,
               (SELECT count(*) FROM arrears_bill b
                WHERE b.customer_id = c.id AND b.due_date < %(scan)s AND b.period >= %(m12)s) AS bills
        FROM customers_customer c WHERE c.id >= %(lo)s AND c.id < %(hi)s""", {
        "owed_at_scan": ("CASE WHEN bal.bills > 0 THEN greatest(bal.owed, 0) END", "扫描日欠费金额(元)"),
    })


def _devices() -> Source:
    return Source("dev", """
        SELECT customer_id, max(started_on) AS newest, count(*) FILTER (WHERE started_on >= %(m12)s) AS changes,
               count(*) FILTER (WHERE dual_sim AND started_on >= %(m6)s) AS dual_sim
        FROM customers_device
        WHERE customer_id >= %(lo)s AND customer_id < %(hi)s AND started_on < %(scan)s
        GROUP BY customer_id""", {
        "handset_age_months": ("(%(scan)s::date - dev.newest) / 30.44", "终端使用时长(月)"),
        "device_changes_12m": ("coalesce(dev.changes, 0)", "近12个月更换终端次数"),
        "dual_sim_6m": ("coalesce(dev.dual_sim, 0)", "近6个月使用双卡终端"),
    })


def base_sources() -> list[Source]:
    return [_lines(), _usage(), _balance(), _devices()]


BASE = {"tenure_months": ("(%(scan)s::date - c.join_date) / 30.44", "在网时长(月)")}


def features_sql(found: list[Source], ids: bool = False) -> str:
    """The feature select of the sources `found` over the chunk: customers open on the scan date (optionally only
    `ids`)."""
    ctes = ",\n".join(f"{s.name} AS ({s.cte})" for s in found)
    columns = [f"({sql})::float8" for sql, _ in BASE.values()]
    columns += [f"({sql})::float8" for s in found for sql, _ in s.features.values()]
    joins = "\n".join(f"LEFT JOIN {s.name} ON {s.name}.customer_id = c.id" for s in found if s.name != "ln")
    only = "AND c.id = ANY(%(ids)s)" if ids else ""
    return f"""WITH {ctes}
        SELECT c.id, {", ".join(columns)}
        FROM customers_customer c JOIN ln ON ln.customer_id = c.id
        {joins}
        WHERE c.id >= %(lo)s AND c.id < %(hi)s AND c.join_date < %(scan)s {only}
        ORDER BY c.id"""


# The outcome: a line of the customer closed in [scan, until); involuntary when the closure was the
# arrears side's (the barring ladder closed it), voluntary otherwise (billing's cancellation, the customer left).
LABEL_SQL = """
    SELECT l.customer_id,
           bool_or(l.closed_on >= %(scan)s AND l.closed_on < %(until)s) AS churned,
           bool_or(l.closed_on >= %(scan)s AND l.closed_on < %(until)s AND (
               EXISTS (SELECT 1 FROM arrears_barringevent e WHERE e.line_id = l.id AND e.to_state = 'closed')
               OR EXISTS (SELECT 1 FROM customers_linestatuschange s WHERE s.line_id = l.id
                          AND s.to_status = 'closed' AND s.source LIKE 'barring%%'))) AS involuntary
    FROM customers_line l
    WHERE l.customer_id >= %(lo)s AND l.customer_id < %(hi)s AND l.customer_id = ANY(%(ids)s)
    GROUP BY l.customer_id"""


# Facts dated on or after the scan date, per table: the probe removes them (in a transaction it rolls back) and
# checks that no feature moves. Intake sources add theirs (`intake_features.AFTER_SCAN`).
AFTER_SCAN = [
    "DELETE FROM customers_usagesummary WHERE customer_id = ANY(%(ids)s) AND month >= %(month0)s",
    "DELETE FROM customers_device WHERE customer_id = ANY(%(ids)s) AND started_on >= %(scan)s",
    "DELETE FROM arrears_payment WHERE customer_id = ANY(%(ids)s) AND paid_at >= %(scan_at)s",
    "DELETE FROM arrears_bill WHERE customer_id = ANY(%(ids)s) AND due_date >= %(scan)s",
    "UPDATE customers_line SET closed_on = NULL, status = 'active' WHERE customer_id = ANY(%(ids)s)"
    " AND closed_on >= %(scan)s",
    "DELETE FROM customers_linestatuschange s USING customers_line l WHERE l.id = s.line_id"
    " AND l.customer_id = ANY(%(ids)s) AND s.changed_at >= %(scan_at)s",
]
