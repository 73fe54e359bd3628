from datetime import date

import pytest

from enterprise import demo
from enterprise.models import (Agreement, EnterpriseAccount, EnterpriseSnapshot, KeyPerson, ManagerProfile,
                               SegmentTag, Task)
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db


def test_demo_fills_every_enterprise_table_and_runs_the_night(ent):
    for account in (ent.acc1, ent.acc4):
        for _ in range(3):
            LineFactory(enterprise=account)
    demo.generate(seed=7, today=date(2026, 12, 1))
    accounts = EnterpriseAccount.objects.count()
    assert EnterpriseSnapshot.objects.count() == 12 * accounts
    assert KeyPerson.objects.filter(role="decision_maker").count() == accounts
    assert Agreement.objects.filter(title="集团统一付费协议").count() == accounts
    assert Task.objects.exists() and SegmentTag.objects.exists()
    assert ManagerProfile.objects.filter(user=ent.am1, kind="marketing").exists()
    assert EnterpriseAccount.objects.exclude(computed_class="").count() == accounts
    assert EnterpriseAccount.objects.get(pk=ent.acc1.pk).headcount >= 3
    demo.generate(seed=7, today=date(2026, 12, 1))  # idempotent
    assert EnterpriseSnapshot.objects.count() == 12 * accounts
