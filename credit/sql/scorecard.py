"""The scorecard fit's data set (credit.scorecard): the scorer's features as of the observation date and the
outcome after it."""

from datetime import date

from credit.sql.features import features_cte

# "Bad" when, after the observation date, a bill stayed unpaid past %(late_before)s or a line was barred.
OUTCOME_SQL = """
    WITH {features}
    SELECT f.id, {columns},
           EXISTS (SELECT 1 FROM arrears_bill b WHERE b.customer_id = f.id AND b.due_date >= %(today)s
                   AND b.due_date < %(late_before)s AND b.paid_amount < b.amount)
           OR EXISTS (SELECT 1 FROM customers_linestatuschange s JOIN customers_line l ON l.id = s.line_id
                      WHERE l.customer_id = f.id AND s.to_status IN ('one_way_barred', 'two_way_barred')
                        AND s.changed_at >= %(today)s AND s.changed_at < %(until)s) AS bad
    FROM features f ORDER BY f.id"""


def outcome_sql(observed: date, names: list[str]) -> str:
    """The features `names` and the outcome of the customers open on `observed` (in a chunk [lo, hi))."""
    columns = ", ".join(f'f."{name}"' for name in names)
    return OUTCOME_SQL.format(features=features_cte(f"c.status <> 'closed' AND c.join_date < '{observed}'"),
                              columns=columns)
