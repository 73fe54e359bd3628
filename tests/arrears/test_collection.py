"""The collection queue: aging buckets, scope, promise to pay, outcome, fixed query count."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from arrears.models import CollectionCase, LineAccount
from arrears.policies import age_bucket
from tests.factories import LineFactory


@pytest.mark.parametrize("days, bucket", [(0, "0-30"), (30, "0-30"), (31, "31-60"), (60, "31-60"), (61, "61-90"),
                                          (90, "61-90"), (91, "91-180"), (180, "91-180"), (181, ">180")])
def test_aging_buckets(days, bucket):
    assert age_bucket(days) == bucket


def in_arrears(days, owed="50.00", customer=None):
    line = LineFactory(**({"customer": customer} if customer else {}))
    return LineAccount.objects.create(line=line, customer=line.customer, balance=-Decimal(owed), state="one_way_barred",
                                      state_since=timezone.localdate(),
                                      arrears_since=timezone.localdate() - timedelta(days=days))


@pytest.mark.django_db
def test_queue_by_bucket_most_owed_first_with_the_aging_summary(client, org):
    young, old, older = in_arrears(10, "20.00"), in_arrears(45, "80.00"), in_arrears(200, "30.00")
    LineAccount.objects.create(line=LineFactory(), customer=LineFactory().customer, balance=Decimal("5.00"),
                               state="active", state_since=timezone.localdate())  # not in arrears
    client.force_login(org.collections)
    page = client.get(reverse("arrears:collection"))
    assert [a.pk for a in page.context["object_list"]] == [old.pk, older.pk, young.pk]
    summary = {row["bucket"]: (row["lines"], row["owed"]) for row in page.context["summary"]}
    assert summary == {"0-30": (1, "20.00"), "31-60": (1, "80.00"), "61-90": (0, "0"), "91-180": (0, "0"),
                       ">180": (1, "30.00")}
    only = client.get(reverse("arrears:collection"), {"bucket": "31-60"})
    assert [a.pk for a in only.context["object_list"]] == [old.pk]


@pytest.mark.django_db
def test_the_queue_costs_the_same_queries_for_3_or_30_lines(client, org, django_assert_max_num_queries):
    client.force_login(org.collections)
    for _ in range(3):
        in_arrears(40)
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("arrears:collection"))
    for _ in range(27):
        in_arrears(40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("arrears:collection"))


@pytest.mark.django_db
def test_collections_record_a_promise_to_pay_and_an_outcome(client, org):
    account = in_arrears(40)
    client.force_login(org.collections)
    url = reverse("arrears:collection-item", args=[account.pk])
    past = client.post(url, {"status": "promised", "promised_on": (timezone.localdate() - timedelta(days=1)),
                             "promised_amount": "50.00"})
    assert past.status_code == 200 and "promised_on" in past.context["form"].errors
    assert not CollectionCase.objects.exists()
    day = timezone.localdate() + timedelta(days=5)
    assert client.post(url, {"status": "promised", "promised_on": day, "promised_amount": "50.00"}).status_code == 302
    client.post(url, {"status": "paid", "outcome": "paid at the counter"})
    case = CollectionCase.objects.get(line_id=account.pk)
    assert case.status == "paid" and case.worked_by == org.collections
    assert [h.status for h in case.history.order_by("history_date")] == ["promised", "paid"]


@pytest.mark.django_db
def test_account_managers_do_not_work_the_queue(client, org):
    client.force_login(org.am1)
    assert client.get(reverse("arrears:collection")).status_code == 403


@pytest.mark.django_db
def test_arrears_report_by_star_brand_channel_and_the_agent_scorecard(client, org):
    from django.core.cache import cache

    cache.clear()
    owing = in_arrears(40, "70.00", customer=org.book[org.am1.pk][0])
    owing.customer.credit_star = 2
    owing.customer.save()
    LineAccount.objects.create(line=LineFactory(customer=org.book[org.am1.pk][1]), customer=org.book[org.am1.pk][1],
                               balance=Decimal("10.00"), state="active", state_since=timezone.localdate())
    client.force_login(org.credit_officer)
    page = client.get(reverse("arrears:report"))
    assert page.context["by_star"] == [{"key": "2", "lines": 1, "owed": "70.00"}]
    [card] = [r for r in page.context["scorecard"] if r["channel"] == owing.customer.acquiring_channel.name]
    assert (card["lines"], card["in_arrears"], card["rate"], card["owed"]) == (1, 1, 100.0, "70.00")
    client.force_login(org.am4)  # another manager's book: nothing of am1's shows
    cache.clear()
    assert client.get(reverse("arrears:report")).context["by_star"] == []


@pytest.mark.django_db
def test_average_barring_duration_for_credit_holders_and_others(org):
    from datetime import datetime

    from arrears.models import BarringEvent
    from arrears.selectors import barring_durations

    def barred_for(days, star):
        line = LineFactory(customer=org.book[org.am1.pk][0] if star else org.book[org.am1.pk][1])
        line.customer.credit_star = star
        line.customer.save()
        start = timezone.make_aware(datetime(2026, 10, 1, 9, 0))
        for at, to_state in ((start, "one_way_barred"), (start + timedelta(days=days), "active")):
            BarringEvent.objects.create(line=line, from_state="active", to_state=to_state, rule="x",
                                        usable_credit=0, policy_version="barring-v1", at=at)

    barred_for(2, star=3)
    barred_for(4, star=3)
    barred_for(12, star=0)
    rows = barring_durations(user=org.credit_officer, since=timezone.localdate() - timedelta(days=400))
    assert rows == [{"credit_holders": True, "restorations": 2, "average_days": Decimal("3.0")},
                    {"credit_holders": False, "restorations": 1, "average_days": Decimal("12.0")}]
    assert barring_durations(user=org.am4, since=timezone.localdate() - timedelta(days=400)) == []


@pytest.mark.django_db
def test_arrears_by_campaign_counts_the_customers_it_brought_not_those_it_only_targeted(org):
    from arrears.selectors import arrears_by
    from marketing.models import Campaign, CampaignMember

    a, b = org.book[org.am1.pk]
    in_arrears(40, "70.00", customer=a)
    in_arrears(10, "30.00", customer=b)
    spring = Campaign.objects.create(name="春季流量包", goal="x", author=org.marketing)
    autumn = Campaign.objects.create(name="秋季宽带", goal="x", author=org.marketing)
    now = timezone.now()
    CampaignMember.objects.create(campaign=spring, customer=a, how="acquired", tagged_at=now)
    CampaignMember.objects.create(campaign=spring, customer=b, how="converted", tagged_at=now)
    CampaignMember.objects.create(campaign=autumn, customer=a, how="converted", tagged_at=now)
    CampaignMember.objects.create(campaign=autumn, customer=b, how="targeted", tagged_at=now)
    rows = {r["key"]: (r["lines"], r["owed"]) for r in arrears_by(user=org.credit_officer, dimension="campaign")}
    assert rows == {"春季流量包": (2, "100.00"), "秋季宽带": (1, "70.00")}
    assert arrears_by(user=org.am4, dimension="campaign") == []  # scoped like the rest of the report


@pytest.mark.django_db
@pytest.mark.parametrize("with_team", [True, False])
def test_the_arrears_report_of_a_lead_whose_team_is_empty_is_empty_not_an_error(client, org, with_team):
    """A lead of a team without managers (or without a team) sees no customers: every figure is empty."""
    from django.core.cache import cache

    from core.choices import Role
    from tests.conftest import make_staff
    from tests.factories import TeamFactory

    cache.clear()
    in_arrears(40, "70.00", customer=org.book[org.am1.pk][0])
    lead = make_staff(Role.TEAM_LEAD, team=TeamFactory(region=org.region_a, name="空") if with_team else None)
    client.force_login(lead)
    page = client.get(reverse("arrears:report"))
    assert page.status_code == 200
    assert page.context["by_star"] == [] and page.context["durations"] == []
    assert page.context["recovery"][1]["passes"] == 0
    assert all(row["lines"] == 0 for row in page.context["aging"])
