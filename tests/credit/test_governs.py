"""Credit that governs (issue 14): closure and blacklisting end credit on every path, at once; the blacklist
lives (payments reduce and settle it); shares and transfers move value that the ledger, balances and usable
credit agree on, before and after expiry. Inputs through the intake services, derived state from the product."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from freezegun import freeze_time
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from arrears.evaluation import evaluate_in_process
from arrears.models import LedgerEntry, LineAccount
from arrears.services import bill_record, payment_record
from core.tasks import dispatch_run
from credit import blacklist, extended, state
from credit.batches import BASE_KIND, GUIDANCE_KIND
from credit.models import ExtendedServicePolicy, Rating, SmsMessage
from credit.services import legacy_grade_import
from customers.models import BlacklistEntry, Customer
from customers.services import line_open
from customers.selectors import blacklist_owed
from customers.signals import customers_closed
from tests.factories import CustomerFactory, LineFactory, PlanFactory

pytestmark = pytest.mark.django_db

# Zero closed or blacklisted customers hold a star or a limit: the acceptance check, as SQL.
RATED_BUT_GONE = """
SELECT count(*) FROM customers_customer c
WHERE (c.credit_star IS NOT NULL OR c.credit_limit <> 0)
  AND (c.status = 'closed' OR EXISTS (SELECT 1 FROM customers_blacklistentry bl WHERE bl.id_type = c.id_type
                                      AND bl.id_number = c.id_number AND bl.cleared_at IS NULL))"""


def rated_but_gone() -> int:
    with connection.cursor() as cur:
        cur.execute(RATED_BUT_GONE)
        return cur.fetchone()[0]


def good_customer(grade="AA", **overrides):
    """A long-tenured customer rated by the product (the legacy-grade import: AA → 4★, 200)."""
    customer = CustomerFactory(join_date=date(2010, 1, 1), avg_monthly_spend=Decimal("250.00"),
                               data_completeness=100, **overrides)
    line = LineFactory(customer=customer)
    legacy_grade_import(customer=customer, grade=grade)
    customer.refresh_from_db()
    return customer, line


def close_in_arrears(line, owed="1000.00"):
    """A bill through the billing intake, then the nightly evaluation on the days that bar, bar both ways and,
    after the retention days, close the line (closure → blacklist with the amount owed)."""
    bill_record(line=line, period=date(2026, 6, 1), amount=Decimal(owed), due_date=date(2026, 6, 25))
    for day in (date(2026, 7, 1), date(2026, 7, 31), date(2026, 7, 31) + timedelta(days=120)):
        evaluate_in_process(day)


def test_nightly_closure_and_blacklisting_leave_nobody_rated_and_runs_never_rate_them_again(org):
    closing, closing_line = good_customer()
    blacklisted, _ = good_customer(grade="AAA")
    kept, _ = good_customer()  # 4★, the star its score reaches: neither score_up nor score_down moves it
    assert (closing.credit_star, closing.credit_limit) == (4, Decimal("200.00"))
    close_in_arrears(closing_line)
    blacklist.blacklist_entry_add(customer=blacklisted, reason="欺诈", amount_owed=Decimal("50.00"),
                                  evidence="公安协查函", by=org.credit_officer)
    dispatch_run(BASE_KIND, "2026-11")
    dispatch_run(GUIDANCE_KIND, "2026-H2")
    closing.refresh_from_db()
    blacklisted.refresh_from_db()
    kept.refresh_from_db()
    assert closing.status == "closed" and (closing.credit_star, closing.credit_limit) == (None, Decimal("0.00"))
    assert (blacklisted.credit_star, blacklisted.credit_limit) == (None, Decimal("0.00"))
    assert kept.credit_star == 4
    assert rated_but_gone() == 0
    ended = Rating.objects.get(customer=closing, rule="closed")
    assert (ended.old_star, ended.old_limit, ended.new_star, ended.new_limit) == (4, Decimal("200.00"), None, 0)
    assert "arrears closure" in ended.reason
    assert Rating.objects.get(customer=blacklisted, rule="blacklisted").decided_by == org.credit_officer
    # the credit-status API offers a closed line no credit: usable credit is its (negative) balance alone
    from django.test import Client

    client = Client()
    client.force_login(org.admin)
    status = client.get(f"/api/credit-status/{closing_line.msisdn}/").json()
    assert Decimal(status["usable_credit"]) == Decimal(status["balance"]) < 0


def test_closure_signal_is_set_based_and_idempotent(org):
    customers = [good_customer()[0] for _ in range(3)]
    ids = [c.pk for c in customers]
    customers_closed.send(sender="test", customer_ids=ids, on=date(2026, 12, 1), reason="billing cancellation",
                          by=None)
    customers_closed.send(sender="test", customer_ids=ids, on=date(2026, 12, 1), reason="again", by=None)
    assert Rating.objects.filter(customer_id__in=ids, rule="closed").count() == 3
    assert not Customer.objects.filter(pk__in=ids, credit_star__isnull=False).exists()


def test_blacklisting_in_the_django_admin_makes_unrated_at_once(org):
    customer, _ = good_customer(grade="AAA")
    request = RequestFactory().post("/admin/")
    request.user = org.admin
    model_admin = site._registry[BlacklistEntry]
    entry = BlacklistEntry(customer=customer, id_type=customer.id_type, id_number=customer.id_number,
                           reason="恶意欠费", amount_owed=Decimal("302.83"))
    model_admin.save_model(request, entry, form=None, change=False)
    customer.refresh_from_db()
    assert (customer.credit_star, customer.credit_limit) == (None, Decimal("0.00"))
    assert entry.pk and BlacklistEntry.objects.get(pk=entry.pk).added_by == org.admin


def test_payments_reduce_then_settle_the_entry_and_the_person_may_open_service_again(org):
    """The person of the issue: owes 302.83 on a closed line; a partial payment reduces what onboarding
    answers, the rest settles it (cleared, audited, SMS) and a new line opens."""
    customer, line = good_customer()
    other_line = LineFactory(customer=customer)  # the customer stays open on another line
    bill_record(line=line, period=date(2026, 6, 1), amount=Decimal("302.83"), due_date=date(2026, 6, 25))
    blacklist.blacklist_entry_add(customer=customer, reason="欠费销号", amount_owed=Decimal("302.83"), line=line,
                                  by=org.credit_officer)
    identity = {"id_type": customer.id_type, "id_number": customer.id_number}
    plan = PlanFactory()
    with pytest.raises(ValidationError) as refused:
        line_open(customer=customer, msisdn="13911112222", plan=plan, by=org.am1)
    assert refused.value.error_dict["customer"][0].code == "blacklisted"
    assert "302.83" in str(refused.value)
    payment_record(line=line, amount=Decimal("100.00"), paid_at=timezone.now(), channel="counter", reference="p1")
    assert blacklist_owed(**identity) == Decimal("202.83")
    payment_record(line=other_line, amount=Decimal("500.00"), paid_at=timezone.now(), channel="counter",
                   reference="p-other")  # another line's payment does not pay this debt
    assert blacklist_owed(**identity) == Decimal("202.83")
    payment_record(line=line, amount=Decimal("202.83"), paid_at=timezone.now(), channel="counter", reference="p2")
    entry = BlacklistEntry.objects.get()
    assert entry.cleared_at is not None and entry.amount_paid == Decimal("302.83")
    assert "p2" in entry.cleared_reason and entry.history.first().history_change_reason.startswith("settled")
    assert SmsMessage.objects.filter(event="blacklist_cleared", customer=customer).exists()
    assert blacklist_owed(**identity) is None
    assert line_open(customer=customer, msisdn="13911112222", plan=plan, by=org.am1).pk


def test_officer_clears_with_a_reason_and_only_officers_may(org):
    customer, _ = good_customer()
    blacklist.blacklist_entry_add(customer=customer, reason="误报", amount_owed=Decimal("10"), by=org.credit_officer)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        blacklist.blacklist_entries_clear(customer=customer, reason="x", by=org.am1)
    with pytest.raises(ValidationError):
        blacklist.blacklist_entries_clear(customer=customer, reason=" ", by=org.credit_officer)
    blacklist.blacklist_entries_clear(customer=customer, reason="核实为误报", by=org.credit_officer)
    entry = BlacklistEntry.objects.get()
    assert entry.cleared_by == org.credit_officer and "核实为误报" in entry.cleared_reason


def ledger_agrees():
    """Sum of the ledger = balance, for every account."""
    with connection.cursor() as cur:
        cur.execute("""SELECT count(*) FROM arrears_lineaccount a
                       WHERE a.balance <> (SELECT coalesce(sum(amount), 0) FROM arrears_ledgerentry e
                                           WHERE e.line_id = a.line_id)""")
        return cur.fetchone()[0] == 0


def usable(client, msisdn) -> Decimal:
    return Decimal(client.get(f"/api/credit-status/{msisdn}/").json()["usable_credit"])


def test_transfer_and_sharing_round_trip_balances_usable_credit_and_ledger_agree(org):
    from django.test import Client

    giver, giver_line = good_customer()  # 4★, 200
    receiver, receiver_line = good_customer(grade="A")  # 3★, 50
    payment_record(line=giver_line, amount=Decimal("150.00"), paid_at=timezone.now(), channel="counter",
                   reference="top-up")
    ExtendedServicePolicy.objects.filter(service="balance_transfer").update(giver_floor=Decimal("20.00"))
    client = Client()
    client.force_login(org.credit_officer)
    before = usable(client, giver_line.msisdn), usable(client, receiver_line.msisdn)
    assert before == (Decimal("350.00"), Decimal("50.00"))

    # balance transfer: two ledger entries in one transaction; the floor (20) is a refusal naming the rule
    answer = client.post("/api/credit/extended-requests/", {
        "service": "balance_transfer", "giver": giver.pk, "receiver_msisdn": receiver_line.msisdn,
        "amount": "100.00", "channel": "app"}, content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert set(LedgerEntry.objects.filter(kind__in=["transfer_in", "transfer_out"])
               .values_list("line_id", "amount")) == {(giver_line.pk, Decimal("-100.00")),
                                                      (receiver_line.pk, Decimal("100.00"))}
    floor = client.post("/api/credit/extended-requests/", {
        "service": "balance_transfer", "giver": giver.pk, "receiver_msisdn": receiver_line.msisdn,
        "amount": "40.00", "channel": "app"}, content_type="application/json")
    assert floor.status_code == 400 and floor.json()["errors"][0]["code"] == "giver_floor"
    assert LedgerEntry.objects.filter(kind="transfer_out").count() == 1
    assert ledger_agrees()

    # credit sharing: 80 of the giver's credit for 30 days raises the receiver's usable credit, lowers the giver's
    share = client.post("/api/credit/extended-requests/", {
        "service": "credit_sharing", "giver": giver.pk, "receiver_msisdn": receiver_line.msisdn,
        "amount": "80.00", "channel": "app"}, content_type="application/json")
    assert share.status_code == 201, share.content
    assert (usable(client, giver_line.msisdn), usable(client, receiver_line.msisdn)) == (
        Decimal("170.00"), Decimal("230.00"))  # 50 + 200 − 80; 100 + 50 + 80
    # the nightly evaluation counts it too: the receiver, 50 beyond its own limit, is not barred while shared
    bill_record(line=receiver_line, period=date(2026, 11, 1), amount=Decimal("200.00"),
                due_date=timezone.localdate() - timedelta(days=1))
    tomorrow = timezone.localdate() + timedelta(days=1)  # the night after the grant decides at its 00:30
    with freeze_time(timezone.now() + timedelta(days=1)):
        evaluate_in_process(tomorrow)
    assert LineAccount.objects.get(pk=receiver_line.pk).state in {"active", "reminded"}
    assert ledger_agrees()
    # …and the share expires by itself (30 days): then usable credit drops back and the evaluation bars
    with freeze_time(timezone.now() + timedelta(days=31)):  # (the session expired meanwhile: the API's selector)
        from credit.selectors import line_credit_status
        from customers.models import Line

        status = {r["msisdn"]: r for r in line_credit_status(Line.objects.filter(pk__in=[giver_line.pk,
                                                                                         receiver_line.pk]))}
        assert status[giver_line.msisdn]["usable_credit"] == Decimal("250.00")
        assert status[receiver_line.msisdn]["shared_credit"] == 0 and status[receiver_line.msisdn]["usable_credit"] < 0
        evaluate_in_process(timezone.localdate())
        account = LineAccount.objects.get(pk=receiver_line.pk)
        # barred: the bill is 32 days past due by now, so two-way by date (arrears.policies)
        assert account.state == "two_way_barred" and account.balance + Decimal("50.00") < 0
    assert ledger_agrees()
    # on both 360° pages
    for customer in (giver, receiver):
        page = client.get(f"/customers/{customer.pk}/").content.decode()
        assert "extended-grants" in page and "80.00" in page


def test_closure_ends_the_shares_of_the_closed_customer(org):
    giver, _ = good_customer()
    receiver, receiver_line = good_customer(grade="A")
    extended.extended_service_request(service="credit_sharing", giver=giver, receiver_msisdn=receiver_line.msisdn,
                                      amount=Decimal("50"), channel="app", by=org.credit_officer)
    state.credit_end(customer_ids=[giver.pk], rule=state.CLOSED, reason="test")
    from credit.sharing import shared_net

    assert shared_net([receiver.pk]) == {}


def test_outcome_figures_on_the_credit_report_scoped_to_the_reader(org):
    from credit.outcomes import outcomes

    closing, closing_line = good_customer()
    close_in_arrears(closing_line)
    figures = outcomes(user=org.credit_officer, today=date(2026, 12, 7))
    november = next(r for r in figures["series"] if r["month"] == "2026-11")
    assert november["churn_holders"] is not None and november["churn_holders"] > 0  # a 4★ holder closed
    shares = {r["star"]: r for r in figures["star_shares"]}
    assert shares[5]["target"] == 1.0 and shares[1]["target"] == 20.0 and shares[0]["target"] == 50.0
    # closed customers are excluded from the shares
    assert sum(r["customers"] for r in figures["star_shares"]) == Customer.objects.exclude(status="closed").count()
    # a manager reads only their book: the closed customer is not theirs
    assert all(r["churn_holders"] in (None, 0) for r in outcomes(user=org.am4, today=date(2026, 12, 7))["series"])
    from django.test import Client

    client = Client()
    client.force_login(org.credit_officer)
    page = client.get("/credit/report/")
    assert page.status_code == 200 and b"outcome-series" in page.content and b"star-shares" in page.content


def test_credit_officers_list_add_and_clear_in_the_app_and_the_api(org):
    from django.test import Client

    customer, _ = good_customer()
    client = Client()
    client.force_login(org.credit_officer)
    added = client.post("/credit/blacklist/add/", {"customer": customer.pk, "reason": "恶意欠费",
                                                    "evidence": "催收记录 2026-118", "amount_owed": "302.83"})
    assert added.status_code == 302
    customer.refresh_from_db()
    assert (customer.credit_star, customer.credit_limit) == (None, Decimal("0.00"))
    listed = client.get("/credit/blacklist/?status=open&q=" + customer.id_number).content.decode()
    assert "恶意欠费" in listed and "302.83" in listed and "催收记录 2026-118" in listed
    api = client.get("/api/credit/blacklist/?status=open").json()
    assert [(e["customer"], e["amount_owed"], e["amount_paid"]) for e in api] == [(customer.pk, "302.83", "0.00")]
    refused = client.post(f"/api/customers/{customer.pk}/blacklist/clear/", {}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "reason"
    assert BlacklistEntry.objects.get().cleared_at is None
    cleared = client.post(f"/api/customers/{customer.pk}/blacklist/clear/", {"reason": "已线下结清"},
                          content_type="application/json")
    assert cleared.status_code == 200 and cleared.json()[0]["cleared_reason"].endswith("已线下结清")
    assert "已解除" in client.get("/credit/blacklist/?status=cleared").content.decode() or \
        "Cleared" in client.get("/credit/blacklist/?status=cleared").content.decode()
    again = client.post(f"/api/customers/{customer.pk}/blacklist/clear/", {"reason": "x"},
                        content_type="application/json")
    assert again.status_code == 400 and again.json()["errors"][0]["code"] == "not_blacklisted"
    # a manager may not blacklist
    manager = Client()
    manager.force_login(org.am1)
    assert manager.post("/api/credit/blacklist/", {"customer": customer.pk, "reason": "x", "amount_owed": "1.00"},
                        content_type="application/json").status_code == 403


def test_a_blacklisted_receiver_is_lent_no_credit(org):
    """Review: sharing credit with a blacklisted (unrated) customer gave them usable credit; refused, naming the
    rule, nothing written."""
    from django.test import Client

    from credit.models import ExtendedServiceRequest
    from credit.selectors import line_credit_status
    from customers.models import Line

    giver, _ = good_customer()
    receiver, receiver_line = good_customer(grade="A")
    blacklist.blacklist_entry_add(customer=receiver, reason="欺诈", amount_owed=Decimal("50.00"), by=org.credit_officer)
    client = Client()
    client.force_login(org.credit_officer)
    answer = client.post("/api/credit/extended-requests/", {
        "service": "credit_sharing", "giver": giver.pk, "receiver_msisdn": receiver_line.msisdn,
        "amount": "50.00", "channel": "app"}, content_type="application/json")
    assert answer.status_code == 400, answer.content
    assert answer.json()["errors"][0] == {"field": "receiver_msisdn", "code": "receiver_blacklisted",
                                          "message": "The receiver is blacklisted: no credit may be lent to them."}
    assert not ExtendedServiceRequest.objects.exists()
    [status] = line_credit_status(Line.objects.filter(pk=receiver_line.pk))
    assert (status["shared_credit"], status["usable_credit"]) == (0, 0)


def test_a_line_closed_in_arrears_unrates_its_person_even_with_other_lines_open(org):
    """Review: the nightly closure blacklists the identity, but only customers whose last line closed lost their
    credit; a customer with another open line kept star and limit while blacklisted."""
    customer, line = good_customer()
    LineFactory(customer=customer)  # a second line, paid up: the customer stays open
    close_in_arrears(line)
    customer.refresh_from_db()
    assert customer.status != "closed" and BlacklistEntry.objects.filter(customer=customer, cleared_at=None).exists()
    assert (customer.credit_star, customer.credit_limit) == (None, Decimal("0.00"))
    assert Rating.objects.filter(customer=customer, rule="blacklisted").exists()
    assert rated_but_gone() == 0
