"""Customer value model (issue 16 item 6, source 000): value = billed revenue − attributable costs (cost items
pushed with the bills, SP charges), ARPU beside it, negative-value customers flagged, deciles within each brand, the
80/20/30 report section scoped to the reader."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from arrears import bulk, selectors
from arrears.models import Bill, BillCost, CustomerValue, ServiceProvider
from arrears.tasks import report_facts_nightly
from arrears.value import value_in_process
from tests.factories import LineFactory

MONTHS = ("2026-09", "2026-10", "2026-11")


@pytest.fixture
def api(org):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.billing_service).key}")
    return client


def post_bill(api, line, period, amount, costs=None, sp_charges=()):
    body = {"msisdn": line.msisdn, "period": period, "amount": amount, "due_date": f"{period}-25",
            "sp_charges": list(sp_charges)}
    if costs is not None:
        body["costs"] = costs
    return api.post("/api/billing/bills/", body, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)


@pytest.mark.django_db
def test_costs_pushed_with_bills_give_value_arpu_and_a_negative_flag_on_the_360_page(client, api, org):
    ServiceProvider.objects.create(code="games", name="G")
    rich, poor = (LineFactory(customer=c) for c in org.book[org.am1.pk])
    for period in MONTHS:  # 100 billed a month, 1.20 + 5.00 + 3.00 + 2.00 = 11.20 costs, 10.00 SP charge
        assert post_bill(api, rich, period, "100.00", {"interconnect": "1.20", "handset_subsidy": "5.00",
                                                       "discount": "3.00", "commission": "2.00"},
                         [{"sp": "games", "amount": "10.00"}]).status_code == 201
        # 30 billed, a 40.00 handset subsidy a month: worth less than nothing
        assert post_bill(api, poor, period, "30.00", {"handset_subsidy": "40.00"}).status_code == 201
    assert post_bill(api, rich, "2026-08", "500.00").status_code == 201  # outside the 3-month window
    assert BillCost.objects.count() == 6

    value_in_process("2026-11")
    rich_value = CustomerValue.objects.get(customer=rich.customer, month=date(2026, 11, 1))
    assert rich_value.revenue == Decimal("300.00") and rich_value.cost == Decimal("63.60")
    assert rich_value.value == Decimal("236.40") and rich_value.arpu == Decimal("100.00")
    poor_value = CustomerValue.objects.get(customer=poor.customer)
    assert poor_value.value == Decimal("-30.00") and poor_value.arpu == Decimal("30.00")

    client.force_login(org.am1)
    page = client.get(f"/customers/{rich.customer.pk}/").content.decode()
    assert 'id="value-amount">236.40' in page and 'id="value-arpu">100.00' in page
    assert 'id="negative-value"' not in page
    page = client.get(f"/customers/{poor.customer.pk}/").content.decode()
    assert "-30.00" in page and 'id="negative-value"' in page

    value_in_process("2026-11")  # the same month again: apply-once, nothing doubled
    assert CustomerValue.objects.filter(month=date(2026, 11, 1)).count() == 2


@pytest.mark.django_db
def test_a_bad_cost_amount_is_a_400_naming_the_field_and_writes_nothing(api, org):
    line = LineFactory()
    for costs in ({"discount": "-3.00"}, {"commission": 2}, {"interconnect": "1.234"}):
        response = post_bill(api, line, "2026-10", "50.00", costs)
        assert response.status_code == 400, response.json()
        assert "costs" in str(response.json()["errors"][0]["field"]), response.json()
    assert not Bill.objects.exists() and not BillCost.objects.exists()


@pytest.mark.django_db
def test_bulk_bills_store_their_costs(org):
    lines = [LineFactory() for _ in range(3)]
    outcome = bulk.bills_record_bulk(items=[
        {"line": line, "period": date(2026, 11, 1), "amount": Decimal("80.00"), "due_date": date(2026, 11, 25),
         "costs": {"discount": Decimal("5.00")} if i else {}} for i, line in enumerate(lines)])
    assert not outcome.errors
    assert sorted(BillCost.objects.values_list("bill__line_id", "discount")) == [
        (lines[1].pk, Decimal("5.00")), (lines[2].pk, Decimal("5.00"))]


def ranked_province(api, org):
    """20 customers billed 10, 20, … 200 a month with no costs (values 30 … 600 over 3 months) and one of am1's
    book at −5 a month, valued and ranked for November."""
    lines = [LineFactory() for _ in range(20)]
    for i, line in enumerate(lines, start=1):
        for period in MONTHS:
            assert post_bill(api, line, period, f"{10 * i}.00").status_code == 201
    am1_line = LineFactory(customer=org.book[org.am1.pk][0])
    for period in MONTHS:
        assert post_bill(api, am1_line, period, "10.00", {"commission": "15.00"}).status_code == 201  # −5 a month
    value_in_process("2026-11")
    return lines, am1_line


@pytest.mark.django_db
def test_deciles_rank_the_brand_and_the_report_shows_80_20_30_in_the_readers_scope(client, api, org):
    lines, am1_line = ranked_province(api, org)
    deciles = dict(CustomerValue.objects.values_list("customer_id", "decile"))
    assert deciles[lines[-1].customer_id] == 1 and deciles[lines[-2].customer_id] == 1  # 600, 570: top 10 %
    assert deciles[lines[0].customer_id] == 10 and deciles[am1_line.customer_id] == 10  # the bottom
    assert sorted(deciles.values()).count(5) in (2, 3)

    client.force_login(org.credit_officer)  # province-wide: the whole distribution
    report = client.get("/arrears/report/").context["value"]
    assert report["customers"] == 21 and report["negative"] == 1
    # top 20 % = the 5 best customers of 21 (the decile cut points give decile 1 three rows): 600+570+540 + 510+480
    assert report["top_value"] == Decimal("2700.00")
    assert report["top_share"] == round(Decimal(100) * 2700 / report["total"], 1)

    client.force_login(org.am1)  # an account manager: only their customer, still ranked within its brand
    report = client.get("/arrears/report/").context["value"]
    assert report["customers"] == 1 and report["negative"] == 1 and report["top_customers"] == 0
    assert report["bottom_value"] == Decimal("-15.00") and report["bottom_cost"] == Decimal("45.00")
    page = client.get("/arrears/report/").content.decode()
    assert 'id="value-report"' in page


@pytest.mark.django_db
def test_the_report_reads_the_province_and_region_value_from_the_nights_facts_equal_to_a_live_count(client, api, org):
    """The 80/20/30 section for a province-wide role or a region is last night's facts (arrears.report_facts), the
    same figures as counted live; a manager's book is counted live."""
    ranked_province(api, org)
    LineFactory(customer=org.book[org.am1.pk][0])  # a customer in the region not valued: not counted
    with freeze_time(datetime(2026, 12, 2, 5, 45, tzinfo=ZoneInfo("Asia/Shanghai"))):
        report_facts_nightly("2026-12-02")
    for user in (org.credit_officer, org.regional_a):
        facts = selectors.value_report(user=user)
        assert facts == selectors.value_report(user=user, live=True)
        assert facts["month"] == date(2026, 11, 1) and facts["customers"] > 0
    client.force_login(org.credit_officer)
    assert client.get("/arrears/report/").context["value"] == selectors.value_report(user=org.credit_officer)
    assert selectors.value_report(user=org.regional_a)["customers"] < selectors.value_report(
        user=org.credit_officer)["customers"]
    with CaptureQueriesContext(connection) as queries:
        selectors.value_report(user=org.credit_officer)
    assert not any("arrears_customervalue" in q["sql"] for q in queries.captured_queries)  # not counted again
    assert selectors.facts_scope(org.am1) is None  # a book: live
    assert selectors.value_report(user=org.am1)["customers"] == 1


@pytest.mark.django_db
def test_the_customer_list_shows_the_value_column(client, api, org):
    line = LineFactory(customer=org.book[org.am1.pk][0])
    assert post_bill(api, line, "2026-11", "10.00", {"discount": "12.50"}).status_code == 201
    value_in_process("2026-11")
    client.force_login(org.am1)
    page = client.get("/customers/").content.decode()
    assert "-2.50" in page and "customer-value text-danger" in page


@pytest.mark.django_db
def test_value_decile_is_a_campaign_segment_rule(api, org):
    from marketing.policies import clean_segment
    from marketing.selectors import segment_count

    lines = [LineFactory() for _ in range(10)]
    for i, line in enumerate(lines, start=1):
        assert post_bill(api, line, "2026-11", f"{10 * i}.00").status_code == 201
    value_in_process("2026-11")
    assert segment_count(rules={"value_decile_max": 2}, user=None) == 2  # the top 20 %: 100 and 90 a month
    assert set(clean_segment({"value_decile_max": 11})[1]) == {"value_decile_max"}
    assert set(clean_segment({"value_decile_max": "x"})[1]) == {"value_decile_max"}


@pytest.mark.django_db
def test_the_night_of_the_1st_values_the_latest_month_whose_bills_are_in_and_none_before(client, api, org):
    """#16 item 6: billing sends a month's bills on the 1st of the next month, during the day, so the night of
    1 December values October (not November, whose bills are not in yet). Before October's bills the month is
    unknown (no run, no row, the 360 page says so), not zero; once they are in, the job values it."""
    from arrears.tasks import customer_value_deciles_monthly, customer_value_monthly
    from arrears.value import customer_value_latest
    from core.models import BatchRun

    line = LineFactory(customer=org.book[org.am1.pk][0])
    gone = LineFactory()  # billed in September only: not billed in October, so not valued for October
    for period in ("2026-08", "2026-09"):
        assert post_bill(api, line, period, "100.00", {"discount": "10.00"}).status_code == 201
    assert post_bill(api, gone, "2026-09", "50.00").status_code == 201

    assert customer_value_monthly(day="2026-12-01") is None  # October has no bill yet: not valued
    assert customer_value_deciles_monthly(day="2026-12-01") is None  # nothing to wait for
    assert not BatchRun.objects.filter(kind__startswith="arrears.customer_value").exists()
    assert customer_value_latest(customer=line.customer) is None
    client.force_login(org.am1)
    page = client.get(f"/customers/{line.customer.pk}/").content.decode()
    assert 'id="customer-value"' in page and 'id="value-amount"' not in page

    assert post_bill(api, line, "2026-10", "100.00", {"discount": "10.00"}).status_code == 201
    assert post_bill(api, line, "2026-11", "900.00").status_code == 201  # arrives on 1 December: not October's
    run = BatchRun.objects.get(pk=customer_value_monthly(day="2026-12-01"))
    assert (run.period, run.status) == ("2026-10", "done")
    BatchRun.objects.get(pk=customer_value_deciles_monthly(day="2026-12-01"))
    value = customer_value_latest(customer=line.customer)
    assert value.month == date(2026, 10, 1)
    assert (value.revenue, value.cost, value.value, value.arpu) == (
        Decimal("300.00"), Decimal("30.00"), Decimal("270.00"), Decimal("100.00"))  # Aug–Oct, November not in it
    assert value.decile == 1
    assert customer_value_latest(customer=gone.customer) is None
    page = client.get(f"/customers/{line.customer.pk}/").content.decode()
    assert 'id="value-amount">270.00' in page


def _billed(api, lines_amounts, period="2026-11"):
    for line, amount in lines_amounts:
        assert post_bill(api, line, period, amount).status_code == 201


@pytest.mark.django_db
def test_deciles_rank_each_brand_apart_and_count_each_customer_once(api, org):
    """Source 000: 在每个品牌中按照客户价值进行细分 - the best customer of a small-spending brand is in its brand's
    top decile, though the other brand's least is worth more; a customer with lines on two brands' plans is ranked
    once, in the customer's brand."""
    from arrears.models import ValueDecileCut
    from tests.factories import BrandFactory, CustomerFactory, PlanFactory

    gotone, mzone = BrandFactory(), BrandFactory(code="mzone", name="动感地带")
    mzone_plan = PlanFactory(code="mzone-18", name="动感地带18元套餐", brand=mzone, monthly_fee=Decimal("18.00"))
    big = [LineFactory() for _ in range(10)]  # gotone: 1000 … 1900 a month
    small = [LineFactory(customer=CustomerFactory(brand=mzone), plan=mzone_plan) for _ in range(10)]  # 10 … 100
    _billed(api, [(line, f"{1000 + 100 * i}.00") for i, line in enumerate(big)])
    _billed(api, [(line, f"{10 * (i + 1)}.00") for i, line in enumerate(small)])
    two_brands = LineFactory(customer=big[0].customer, plan=mzone_plan)  # a gotone customer's second line
    _billed(api, [(two_brands, "5.00")])

    value_in_process("2026-11")
    values = {v.customer_id: v for v in CustomerValue.objects.filter(month=date(2026, 11, 1))}
    assert len(values) == CustomerValue.objects.count() == 20  # each customer once
    assert {values[line.customer_id].brand_id for line in big} == {gotone.pk}
    assert {values[line.customer_id].brand_id for line in small} == {mzone.pk}
    assert values[big[0].customer_id].revenue == Decimal("1005.00")  # both lines, in the customer's brand
    # each brand ranks 1 … 10 on its own: mzone's best (100) is its top decile, gotone's least its bottom one
    assert [values[line.customer_id].decile for line in reversed(small)] == list(range(1, 11))
    assert [values[line.customer_id].decile for line in reversed(big)] == list(range(1, 11))
    cuts = {c.brand_id: c for c in ValueDecileCut.objects.filter(month=date(2026, 11, 1))}
    assert {b: c.customers for b, c in cuts.items()} == {gotone.pk: 10, mzone.pk: 10}


@pytest.mark.django_db
def test_the_decile_cut_points_are_taken_once_and_each_chunk_compares_to_them(api, org):
    """The cut points are one statement over the month per brand; the chunks (3 rows each here) only compare: a
    chunk redone (a killed worker) writes the same deciles, and ties share a decile."""
    from arrears.models import ValueDecileCut
    from arrears.value import DECILE_KIND, VALUE_KIND, deciles
    from core import batches

    lines = [LineFactory() for _ in range(20)]
    amounts = [10 * (i // 2 + 1) for i in range(20)]  # 10, 10, 20, 20, … 100, 100: pairs of equal values
    _billed(api, [(line, f"{a}.00") for line, a in zip(lines, amounts, strict=True)])
    run = batches.plan_run(kind=VALUE_KIND, period="2026-11")
    for chunk_id in batches.pending_chunk_ids(run):
        batches.run_chunk(chunk_id)
    run = batches.plan_run(kind=DECILE_KIND, period="2026-11", chunk_size=3)
    assert run.total_chunks >= 7
    first, *rest = batches.pending_chunk_ids(run)
    batches.run_chunk(first)
    [cut] = ValueDecileCut.objects.all()
    # 20 values from the top: the 2nd, 4th, … 18th are the cuts
    assert cut.cuts == [Decimal(a) for a in (100, 90, 80, 70, 60, 50, 40, 30, 20)] and cut.customers == 20
    for chunk_id in rest:
        batches.run_chunk(chunk_id)
    assert ValueDecileCut.objects.count() == 1  # not taken again by the other chunks
    ranked = dict(CustomerValue.objects.values_list("customer_id", "decile"))
    expected = {line.customer_id: 11 - a // 10 for line, a in zip(lines, amounts, strict=True)}
    assert ranked == expected  # 100 → 1 … 10 → 10, each pair in the same decile
    chunk = run.chunks.order_by("lo").last()
    CustomerValue.objects.update(decile=None)
    assert deciles(chunk.lo, chunk.hi, run) == CustomerValue.objects.filter(id__gte=chunk.lo, id__lt=chunk.hi).count()
    again = dict(CustomerValue.objects.filter(decile__isnull=False).values_list("customer_id", "decile"))
    assert again and all(ranked[c] == d for c, d in again.items())


def _ten_valued_customers(api):
    """Ten customers billed 10 … 100 in 2026-11 (one decile each in their brand); the first with a discount of
    12.50 on its 10.00: value −2.50, negative."""
    lines = [LineFactory() for _ in range(10)]
    for i, line in enumerate(lines, start=1):
        costs = {"discount": "12.50"} if i == 1 else None
        assert post_bill(api, line, "2026-11", f"{10 * i}.00", costs).status_code == 201
    value_in_process("2026-11")
    return [line.customer_id for line in lines]


@pytest.mark.django_db
def test_the_customer_list_filters_by_value_decile_and_negative_value_and_sorts_by_value(client, api, org):
    """Issue 16 item 6: staff list who the top 20 % are (deciles 1–2 of their brand), the bottom deciles, the
    negative-value customers, and sort by current value (those without one last); the value shows its month."""
    ids = _ten_valued_customers(api)
    client.force_login(org.credit_officer)

    def listed(query):
        response = client.get(f"/customers/?{query}")
        assert response.status_code == 200
        return [c.pk for c in response.context["object_list"]]

    assert sorted(listed("value_decile_max=2")) == sorted(ids[-2:])  # 100 and 90 a month
    assert sorted(listed("value_decile_min=9")) == sorted(ids[:2])
    assert listed("negative_value=true") == [ids[0]]
    assert ids[0] not in listed("negative_value=false") and ids[1] in listed("negative_value=false")
    by_value = listed("ordering=-value")
    assert by_value[:10] == ids[::-1]  # 100 … 10 − 12.50, then the customers never valued
    assert set(by_value[10:]) == {c.pk for c in org.all_customers}
    assert listed("ordering=value")[:10] == ids
    page = client.get("/customers/?negative_value=true").content.decode()
    assert '<span class="text-muted small value-month">2026-11</span>' in page
    assert client.get("/customers/?value_decile_max=11").status_code == 200  # out of range: a form error, no 500


@pytest.mark.django_db
def test_a_campaign_segment_selects_the_bottom_deciles_and_negative_value_customers(api, org):
    from django.utils import translation

    from marketing.policies import clean_segment, segment_sentences
    from marketing.selectors import segment_count

    _ten_valued_customers(api)
    assert segment_count(rules={"value_decile_min": 8}, user=None) == 3  # the bottom 30 %
    assert segment_count(rules={"negative_value": True}, user=None) == 1
    assert segment_count(rules={"value_decile_min": 8, "negative_value": False}, user=None) == 2
    assert set(clean_segment({"value_decile_min": 5, "value_decile_max": 3})[1]) == {"value_decile_max"}
    rules = {"value_decile_min": 8, "negative_value": True}
    with translation.override("en"):
        assert segment_sentences(rules, region_names={}, brand_names={}) == [
            "customer value decile 8 or lower (10 = the bottom 10% of the customer's brand)",
            "negative-value customers only"]
    with translation.override("zh-hans"):
        assert segment_sentences(rules, region_names={}, brand_names={}) == [
            "客户价值十分位第 8 档及以下（10 = 客户所在品牌的后 10%）", "仅负价值客户"]
