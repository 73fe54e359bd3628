from datetime import date

import pytest

from tests.enterprise.factories import EnterpriseAccountFactory

TODAY = date(2026, 12, 1)  # a Tuesday; the last complete month is November 2026


@pytest.fixture
def ent(org):
    """Enterprise accounts: two of am1 (team A1), one of am2 (A1), one of am3 (A2), one of am4 (region B)."""
    org.acc1 = EnterpriseAccountFactory(name="甲集团", region=org.region_a, account_manager=org.am1)
    org.acc1b = EnterpriseAccountFactory(name="乙集团", region=org.region_a, account_manager=org.am1)
    org.acc2 = EnterpriseAccountFactory(name="丙集团", region=org.region_a, account_manager=org.am2)
    org.acc3 = EnterpriseAccountFactory(name="丁集团", region=org.region_a, account_manager=org.am3)
    org.acc4 = EnterpriseAccountFactory(name="戊集团", region=org.region_b, account_manager=org.am4)
    return org
