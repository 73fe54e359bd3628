from datetime import date

import pytest

from enterprise import demo
from enterprise.batches import segment_in_process
from enterprise.models import (Agreement, EnterpriseAccount, EnterpriseAlert, EnterpriseSnapshot, KeyPerson,
                               ManagerProfile, SegmentTag, Task)
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db


def test_demo_writes_the_groups_inputs_only_and_the_night_derives_the_rest(ent):
    for account in (ent.acc1, ent.acc4):
        for _ in range(3):
            LineFactory(enterprise=account)
    demo.generate(seed=7, today=date(2026, 12, 1))
    accounts = EnterpriseAccount.objects.count()
    assert KeyPerson.objects.filter(role="decision_maker").count() == accounts
    assert Agreement.objects.filter(title="集团统一付费协议").count() == accounts
    assert Task.objects.exists()
    assert ManagerProfile.objects.filter(user=ent.am1, kind="marketing").exists()
    assert EnterpriseAccount.objects.get(pk=ent.acc1.pk).headcount >= 3
    # nothing the product computes: no snapshots, tags, alerts or computed classes from the demo
    assert not EnterpriseSnapshot.objects.exists() and not SegmentTag.objects.exists()
    assert not EnterpriseAlert.objects.exists()
    assert not EnterpriseAccount.objects.exclude(computed_class="").exists()
    segment_in_process(date(2026, 12, 1))  # the product's nightly segmentation
    assert EnterpriseAccount.objects.exclude(computed_class="").count() == accounts
    demo.generate(seed=7, today=date(2026, 12, 1))  # idempotent
    assert KeyPerson.objects.filter(role="decision_maker").count() == accounts
