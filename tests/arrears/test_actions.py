"""Emergency continuity, exemptions and late-fee waivers: the spec's rules, named refusals, scope."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from arrears.choices import BarringState as S
from arrears.evaluation import evaluate_chunk
from arrears.models import BarringEvent, EmergencyPass, Exemption, LedgerEntry, LineAccount
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db


def barred_line(*, star, limit, balance, state=S.ONE_WAY, customer=None):
    line = LineFactory(status=state, **({"customer": customer} if customer else {}))
    line.customer.credit_star, line.customer.credit_limit = star, Decimal(limit)
    line.customer.save()
    LineAccount.objects.create(line=line, customer=line.customer, balance=Decimal(balance), state=state,
                               state_since=timezone.localdate() - timedelta(days=3),
                               arrears_since=timezone.localdate() - timedelta(days=3))
    return line


def api_as(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def ask_emergency(api, line):
    return api.post(f"/api/lines/{line.msisdn}/emergency-continuity/", {"channel": "hotline"}, format="json")


def test_emergency_continuity_for_3_stars_restores_and_holds_off_barring(org):
    line = barred_line(star=3, limit="100.00", balance="-150.00", customer=org.book[org.am1.pk][0])
    response = ask_emergency(api_as(org.am1), line)
    assert response.status_code == 201
    assert response.json()["overdraft_cap"] == "100.00" and response.json()["policy_version"] == "barring-v1"
    account = LineAccount.objects.get(pk=line.pk)
    assert account.state == S.ACTIVE and BarringEvent.objects.get(line=line).rule == "emergency_continuity"
    evaluate_chunk(line.pk, line.pk + 1, timezone.localdate())  # usable −50 ≥ −cap: not barred
    account.refresh_from_db()
    assert account.state == S.REMINDED
    LineAccount.objects.filter(pk=line.pk).update(balance=Decimal("-200.01"))  # beyond the cap: barred again
    evaluate_chunk(line.pk, line.pk + 1, timezone.localdate() + timedelta(days=1))
    account.refresh_from_db()
    assert account.state == S.ONE_WAY


def test_emergency_continuity_once_per_month(org):
    line = barred_line(star=4, limit="200.00", balance="-210.00", customer=org.book[org.am1.pk][0])
    api = api_as(org.am1)
    assert ask_emergency(api, line).status_code == 201
    again = ask_emergency(api, line)
    assert again.status_code == 400
    [error] = again.json()["errors"]
    assert (error["field"], error["code"]) == ("rule", "once_per_month") and "at most 1" in error["message"]
    assert EmergencyPass.objects.count() == 1


def test_emergency_continuity_is_refused_for_2_stars_with_the_rule_named(org):
    line = barred_line(star=2, limit="20.00", balance="-30.00", customer=org.book[org.am1.pk][0])
    response = ask_emergency(api_as(org.am1), line)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["code"] == "min_star" and "3★ and above" in error["message"] and "2★" in error["message"]
    assert not EmergencyPass.objects.exists() and LineAccount.objects.get(pk=line.pk).state == S.ONE_WAY


def test_another_managers_line_is_not_found(org):
    line = barred_line(star=3, limit="100.00", balance="-150.00", customer=org.book[org.am4.pk][0])
    assert ask_emergency(api_as(org.am1), line).status_code == 404


def test_credit_officer_exempts_a_line_with_a_reason(org):
    line = barred_line(star=1, limit="10.00", balance="-500.00", state=S.TWO_WAY)
    until = timezone.localdate() + timedelta(days=30)
    response = api_as(org.credit_officer).post(f"/api/lines/{line.msisdn}/exemption/",
                                               {"valid_until": until.isoformat(), "reason": "政府热线"}, format="json")
    assert response.status_code == 201
    assert Exemption.objects.get(line=line).granted_by == org.credit_officer
    account = LineAccount.objects.get(pk=line.pk)
    assert account.state == S.ACTIVE and account.exempt_until == until
    assert api_as(org.am1).post(f"/api/lines/{line.msisdn}/exemption/", {}, format="json").status_code == 403


def test_late_fees_are_waived_with_a_reason_but_never_more_than_charged(org):
    line = barred_line(star=3, limit="100.00", balance="-10.00", state=S.ACTIVE)
    LedgerEntry.objects.create(line=line, kind="late_fee", amount=Decimal("-0.90"), posted_at=timezone.now(),
                               reference="late-fee-test")
    api = api_as(org.credit_officer)
    too_much = api.post(f"/api/lines/{line.msisdn}/late-fee-waiver/", {"amount": "0.91", "reason": "x"},
                        format="json")
    assert too_much.status_code == 400 and too_much.json()["errors"][0]["field"] == "amount"
    done = api.post(f"/api/lines/{line.msisdn}/late-fee-waiver/", {"amount": "0.90", "reason": "系统故障"},
                    format="json")
    assert done.status_code == 201 and done.json()["waived"] == "0.90"
    assert LedgerEntry.objects.get(line=line, kind="waiver").note == "系统故障"
    assert api.post(f"/api/lines/{line.msisdn}/late-fee-waiver/", {"amount": "0.01", "reason": "x"},
                    format="json").status_code == 400


def test_recovery_of_emergency_continuity_arrears_in_the_first_and_fourth_month(org):
    """Two passes leave 100.00 and 50.00 of arrears. In month 1 the first line pays 120.00 (counted up to its
    100.00), the second nothing: 100 / 150 = 66.7%. The second pays its 50.00 in month 3: 100% by month 4."""
    from datetime import date, datetime

    from arrears.models import Payment
    from arrears.selectors import emergency_recovery

    ended = date(2026, 6, 30)
    first = barred_line(star=4, limit="200.00", balance="-300.00")  # usable −100 at expiry
    second = barred_line(star=3, limit="100.00", balance="-150.00")  # usable −50
    for line in (first, second):
        EmergencyPass.objects.create(line=line, granted_at=timezone.now(), valid_until=ended, overdraft_cap=100,
                                     usable_at_grant=0, channel="hotline", policy_version="barring-v1")
    evaluate_chunk(min(first.pk, second.pk), max(first.pk, second.pk) + 1, date(2026, 7, 1))
    assert sorted(EmergencyPass.objects.values_list("arrears_at_expiry", flat=True)) == [Decimal("50.00"),
                                                                                         Decimal("100.00")]

    def paid(line, day, amount):
        at = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        Payment.objects.create(line=line, customer=line.customer, amount=Decimal(amount), reference=f"r{line.pk}{day}",
                               channel="counter", paid_at=at)

    paid(first, date(2026, 7, 15), "90.00")
    paid(first, date(2026, 7, 20), "30.00")  # more than the pass left: counts up to 100.00
    paid(second, date(2026, 9, 20), "50.00")
    rates = emergency_recovery(today=date(2026, 11, 1))
    assert rates[1]["rate"] == Decimal("66.7") and rates[1]["passes"] == 2
    assert rates[4]["rate"] == Decimal("100.0")
    assert emergency_recovery(today=date(2026, 7, 29))[1]["passes"] == 0  # the month is not over yet
    assert emergency_recovery(user=org.credit_officer, today=date(2026, 11, 1))[4]["passes"] == 2
    assert emergency_recovery(user=org.am1, today=date(2026, 11, 1))[4]["passes"] == 0  # not in am1's book


def test_an_exemption_cannot_run_past_the_policy_maximum(org):
    """Before the fix 9999-12-31 was accepted: an exemption without an end."""
    line = barred_line(star=1, limit="10.00", balance="-500.00", state=S.TWO_WAY)
    api = api_as(org.credit_officer)
    forever = api.post(f"/api/lines/{line.msisdn}/exemption/", {"valid_until": "9999-12-31", "reason": "政府热线"},
                       format="json")
    assert forever.status_code == 400 and forever.json()["errors"][0]["field"] == "valid_until"  # the field's bound
    a_day_over = timezone.localdate() + timedelta(days=366)
    over = api.post(f"/api/lines/{line.msisdn}/exemption/", {"valid_until": a_day_over.isoformat(), "reason": "热线"},
                    format="json")
    assert over.status_code == 400
    [error] = over.json()["errors"]
    assert (error["field"], error["code"]) == ("valid_until", "exemption_max_days")  # the policy's maximum
    assert "365" in error["message"]
    assert not Exemption.objects.exists() and LineAccount.objects.get(pk=line.pk).state == S.TWO_WAY
    last_day = timezone.localdate() + timedelta(days=365)
    assert api.post(f"/api/lines/{line.msisdn}/exemption/", {"valid_until": last_day.isoformat(), "reason": "政府热线"},
                    format="json").status_code == 201
