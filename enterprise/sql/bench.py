"""The enterprise bench's floor (enterprise/management/commands/bench_enterprise.py): the segmentation's inputs
read without its logic or writes. Never run by the product."""

FLOOR_SQL = """
SELECT (SELECT sum(revenue) + sum(member_count) + sum(complaints) + sum(arrears_amount) + count(*)
        FROM enterprise_enterprisesnapshot
        WHERE account_id >= %(lo)s AND account_id < %(hi)s AND month >= %(m5)s AND month <= %(m0)s),
       (SELECT min(expires_on) FROM enterprise_agreement
        WHERE account_id >= %(lo)s AND account_id < %(hi)s AND expires_on >= %(today)s)
"""
