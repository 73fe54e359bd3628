"""The default factor model shipped as version 1 (loaded by a data migration).

The group minimum's four factors (brand, tenure, average monthly spend, suspensions) plus data
completeness, related contacts, payment behaviour, auto-pay, customer value, enterprise
membership and spend stability. Points are on a 0–115 scale with weight 1; the cut-offs were
set from the score distribution of the 1M-customer demo province (seed 1) so that the star
shares land near the targets of source 004 (5★ 1%, 4★ 7%, 3★ 7%, 2★ 15%, 1★ 20%).
"""

# (dimension, feature, weight, [(lower, upper, points) or (category, points)])
FACTORS = [
    ("loyalty", "brand", 1, [("gotone", 10), ("mzone", 4), ("easyown", 2)]),
    ("loyalty", "tenure_months", 1, [(None, 12, 0), (12, 36, 8), (36, 72, 14), (72, None, 20)]),
    ("spend", "avg_monthly_spend", 1, [(None, 30, 0), (30, 60, 6), (60, 100, 12), (100, 200, 18), (200, None, 25)]),
    ("spend", "spend_stability", 1, [(None, 50, 0), (50, 80, 3), (80, None, 6)]),
    ("payment", "suspensions_12m", 1, [(None, 1, 10), (1, 2, 4), (2, None, 0)]),
    ("payment", "late_bills_12m", 1, [(None, 1, 10), (1, 2, 4), (2, None, 0)]),
    ("payment", "arrears_days_12m", 1, [(None, 1, 5), (1, 31, 2), (31, None, -10)]),
    ("payment", "auto_pay", 1, [(1, None, 4)]),
    ("identity", "data_completeness", 1, [(None, 60, 0), (60, 80, 5), (80, None, 10)]),
    ("relationship", "related_contacts", 1, [(1, 2, 3), (2, None, 5)]),
    ("value", "value_ratio", 1, [(None, 1, 0), (1, "1.5", 3), ("1.5", None, 6)]),
    ("relationship", "enterprise_member", 1, [(1, None, 4)]),
]

CUTOFFS = {5: 104, 4: 94, 3: 89, 2: 80, 1: 72}

# Version 2 (data migration 0016): version 1 plus the customer value model's decile (source 000: 对于低价值客户要
# 适当降低授信额度, 高价值客户要提高客户授信额度; 80/20/30). The top 20 % gain, the bottom 30 % lose; points average
# about 0 over a ranked province (5·2 + 2·3 − 5·3 = +1 over ten deciles), and a customer not ranked gets 0, so
# the cut-offs of version 1 still hold the star shares.
VALUE_DECILE_FACTOR = ("value", "value_decile", 1, [(None, 3, 5), (3, 6, 2), (6, 8, 0), (8, None, -5)])
VERSION_2_NAME = "Default base model + customer value"
