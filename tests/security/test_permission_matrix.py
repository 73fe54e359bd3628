"""Every URL × every role (and anonymous) → the expected status, generated from the URL conf.

A URL name without a rule in MATRIX fails `test_every_url_has_a_rule`, so a new view cannot ship
without deciding who may open it. Objects in the URLs belong to account manager am1's book: am4
(another manager) must get 404 for them, exactly as for an object that does not exist. POST-only
endpoints are called with an empty body: 400 means "allowed, and the body was checked".
"""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from credit.services import credit_limit_change
from credit.selectors import scoring_model_published
from marketing.services import campaign_create
from retention.models import RetentionAlert
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "nobody", "am1", "am4", "lead_a1", "regional_a", "credit_officer", "collections",
         "marketing", "admin", "billing_service"]
SESSION_STAFF = ["am1", "am4", "lead_a1", "regional_a", "credit_officer", "collections", "marketing", "admin"]
API_STAFF = [*SESSION_STAFF, "billing_service"]  # the billing service account authenticates by token
MANAGERS = ["am1", "am4", "lead_a1"]
CREDIT = ["credit_officer", "admin"]
RETENTION_READERS = ["am1", "am4", "lead_a1", "regional_a", "credit_officer", "admin"]
CAMPAIGN_READERS = ["am1", "am4", "lead_a1", "regional_a", "credit_officer", "marketing", "admin"]
CAMPAIGN_DRAFTERS = ["credit_officer", "marketing", "admin"]
OTHER_MANAGER = {"am4": 404}  # am1's object seen by another manager: as if it did not exist
ENT_READERS = ["am1", "am4", "lead_a1", "regional_a", "credit_officer", "marketing", "admin"]  # enterprise pages
SKIPPED_NAMESPACES = {"admin"}  # Django admin: its own rule (is_staff), tested in tests/core/test_pages.py
SKIPPED_NAMES = {"set_language"}  # the language switch is open to everyone by design


def everyone(status, **by_role):
    return {role: by_role.get(role, status) for role in ROLES}


def page(allowed, status=200, **by_role):
    """A page: anonymous (and the token-only billing account) → login redirect; `allowed` → status; others 403."""
    rule = {role: status if role in allowed else 403 for role in ROLES}
    rule.update(anonymous=302, billing_service=302, **by_role)
    return rule


def api(allowed, status=200, **by_role):
    """A token API: anonymous → 401; `allowed` → status; others 403."""
    rule = {role: status if role in allowed else 403 for role in ROLES}
    rule.update(anonymous=401, **by_role)
    return rule


GET, POST = "get", "post"
MATRIX = {
    # operations and authentication
    "healthz": (GET, everyone(200)),
    "readyz": (GET, everyone(200)),
    "metrics": (GET, everyone(200)),  # the test client calls from 127.0.0.1; other addresses: test_ops
    "login": (GET, everyone(200)),
    "logout": (POST, everyone(302)),
    "password_change": (GET, page(SESSION_STAFF, nobody=200)),  # own password; service accounts have no session
    "dashboard": (GET, page(SESSION_STAFF, nobody=200)),  # a user without a role sees an empty dashboard
    "batch-runs": (GET, page(CREDIT)),
    "audit": (GET, page(["admin"])),
    # name pickers' JSON lookups (issue 18): staff for any signed-in user (the scope limits whom it finds: a
    # user without a role finds nobody), customers for whoever reads customers (in scope: tests/core/test_lookups)
    "lookup-users": (GET, page(SESSION_STAFF, nobody=200)),
    "lookup-customers": (GET, page(SESSION_STAFF)),
    "lookup-enterprise-accounts": (GET, page(ENT_READERS)),
    # a user's own saved list filters: an empty save names no list (back home), a delete finds none of theirs
    "saved-filter-save": (POST, everyone(302)),
    "saved-filter-delete": (POST, everyone(404, anonymous=302, billing_service=302)),
    # API infrastructure: any signed-in account
    "api-root": (GET, everyone(200, anonymous=401)),
    "api-schema": (GET, everyone(200, anonymous=401)),
    "api-docs": (GET, everyone(200, anonymous=401)),
    "api-token-rotate": (POST, everyone(200, anonymous=401)),
    # customers
    "customers:list": (GET, page(SESSION_STAFF)),
    "customers:export": (GET, page([r for r in SESSION_STAFF if r != "marketing"])),
    "customers:onboard": (GET, page([*MANAGERS, "admin"])),
    "customers:callbacks": (GET, page([*MANAGERS, "admin"])),
    # the 360's actions in place (issue 18): an empty form is refused back on the 360 page
    "customers:exemption": (POST, page(CREDIT, status=302)),
    "customers:waiver": (POST, page(CREDIT, status=302)),
    "customers:emergency": (POST, page(["am1", "am4", "lead_a1", "credit_officer", "collections", "admin"],
                                       status=302, **OTHER_MANAGER)),
    "customers:alert-step": (POST, page(["am1", "am4", "lead_a1", "regional_a", "admin"], status=302,
                                        **OTHER_MANAGER)),
    "customers:detail": (GET, page(SESSION_STAFF, **OTHER_MANAGER)),
    "customer-list": (GET, api(API_STAFF)),
    "customer-detail": (GET, api(API_STAFF, **OTHER_MANAGER)),
    "customer-personal-data": (POST, api([*MANAGERS, "credit_officer", "collections", "admin"], status=400,
                                         **OTHER_MANAGER)),  # an empty body: no purpose given
    "customers-bulk": (POST, api([*MANAGERS, "admin", "billing_service"], status=400)),  # no key, no items
    "customer-inputs": (GET, api(API_STAFF, **OTHER_MANAGER)),
    # the inputs operators have besides billing (an empty body without an Idempotency-Key: 400)
    **{name: (POST, api(["admin", "billing_service"], status=400))
       for kind in ("devices", "care-contacts", "call-quality", "contracts", "services-held", "payment-methods")
       for name in (f"input-{kind}", f"input-{kind}-bulk")},
    "line-list": (GET, api(API_STAFF)),
    "line-detail": (GET, api(API_STAFF, **OTHER_MANAGER)),
    "line-change-number": (POST, api(["am1", "lead_a1", "admin", "billing_service"], status=400, **OTHER_MANAGER)),
    # credit
    "credit:models": (GET, page(SESSION_STAFF)),
    "credit:model": (GET, page(SESSION_STAFF)),
    "credit:report": (GET, page(SESSION_STAFF)),
    "credit:model-copy": (POST, page(CREDIT, status=302)),  # done: back to the model page
    "credit:model-publish": (POST, page(CREDIT, status=302)),
    "credit:model-preview": (POST, page(CREDIT, status=302)),
    "credit:model-challenge": (POST, page(CREDIT, status=302)),  # a published model: refused, shown on its page
    "credit:limit-change": (POST, page(CREDIT, status=302)),  # the form's errors are shown on the 360° page
    # configuration by credit officers (issue 18): the running model has no edit page (back to its page)
    "credit:model-edit": (GET, page(CREDIT, status=302)),
    "credit:factor-add": (POST, page(CREDIT, status=302)),  # an empty form: refused, shown on the draft page
    "credit:factor-edit": (GET, page(CREDIT)),  # a draft's factor
    "credit:factor-remove": (POST, page(CREDIT, status=404)),  # the running model's factor: not a draft's
    "credit:sms-templates": (GET, page(CREDIT)),
    "credit:sms-template": (GET, page(CREDIT)),
    "credit:extended-policies": (GET, page(CREDIT)),
    "credit:extended-policy": (GET, page(CREDIT)),
    "arrears:policies": (GET, page(CREDIT)),
    "arrears:policy": (GET, page(CREDIT)),
    "arrears:policy-draft": (POST, page(CREDIT, status=302)),
    "arrears:policy-publish": (POST, page(CREDIT, status=302)),  # no reason: refused on the version's page
    # four eyes: the request in `objects` is credit_officer's own (refused, back to the list), admin decides it
    "credit:four-eyes": (GET, page(CREDIT)),
    "credit:four-eyes-approve": (POST, page(CREDIT, status=302)),
    "credit:four-eyes-reject": (POST, page(CREDIT, status=302)),  # no reason: refused on the list page
    # withdrawn by whoever asked (credit_officer here) or an admin; no reason: refused on the list page
    "credit:four-eyes-withdraw": (POST, page(CREDIT, status=302)),
    # a churn model's publication asked for (four eyes); no trained model here: 404 for those who may ask
    # (tests/retention/test_churn_publication.py asks and approves on a trained one)
    "retention:model-publish": (POST, page(CREDIT, status=404)),
    "four-eyes-list": (GET, api(CREDIT)),
    "four-eyes-detail": (GET, api(CREDIT)),
    "four-eyes-approve": (POST, api(CREDIT, status=400, admin=200)),  # one's own request: 400; admin approves
    "four-eyes-reject": (POST, api(CREDIT, status=400)),  # no reason
    "credit-status": (GET, api(API_STAFF, **OTHER_MANAGER)),
    "credit-status-bulk": (POST, api(API_STAFF, status=400)),
    "credit-limit-change": (POST, api(CREDIT, status=400)),
    "extended-requests": (POST, api(API_STAFF, status=400)),
    # issue 14: blacklist lifecycle (credit officers), entitlements applied, governed rating runs
    "credit:blacklist": (GET, page(CREDIT)),
    "credit:blacklist-add": (POST, page(CREDIT, status=302)),  # empty form: the errors on the list page
    "credit:blacklist-clear": (POST, page(CREDIT, status=302)),
    "credit:blacklist-edit": (GET, page(CREDIT)),  # an open entry (issue 18)
    "credit:sim-replacement": (POST, page(["am1", "lead_a1", "credit_officer", "admin"], status=302,
                                          **OTHER_MANAGER)),
    "blacklist-entries": (GET, api(CREDIT)),
    "blacklist-clear": (POST, api(CREDIT, status=400)),
    "service-terms": (GET, api(API_STAFF, status=400, **OTHER_MANAGER)),  # no service named
    "sim-replacements": (POST, api(["am1", "lead_a1", "credit_officer", "admin"], status=400, **OTHER_MANAGER)),
    "rebates": (POST, api(["am1", "lead_a1", "credit_officer", "admin"], status=400, **OTHER_MANAGER)),
    "rebate-verify": (POST, api(CREDIT, status=404)),  # the customer's id names no rebate claim
    "rating-runs": (POST, api(CREDIT, status=400)),
    # arrears: billing intake (an empty body without an Idempotency-Key is a 400 for those allowed)
    "billing-payments": (POST, api(["admin", "billing_service"], status=400)),
    "billing-payments-bulk": (POST, api(["admin", "billing_service"], status=400)),
    "billing-bills": (POST, api(["admin", "billing_service"], status=400)),
    "billing-bills-bulk": (POST, api(["admin", "billing_service"], status=400)),
    "billing-usage": (POST, api(["admin", "billing_service"], status=400)),
    "billing-usage-bulk": (POST, api(["admin", "billing_service"], status=400)),
    "billing-line-status": (POST, api(["admin", "billing_service"], status=400)),
    "billing-line-status-bulk": (POST, api(["admin", "billing_service"], status=400)),
    "arrears:collection": (GET, page(["collections", "credit_officer", "admin"])),
    "arrears:report": (GET, page([*MANAGERS, "collections", "credit_officer", "admin"])),
    "arrears:sp-settlement": (GET, page(CREDIT)),
    "arrears:collection-item": (GET, page(["collections", "credit_officer", "admin"], status=404)),
    "arrears:collection-export": (GET, page(["collections", "credit_officer", "admin"])),
    "collection-queue": (GET, api(["collections", "credit_officer", "admin"])),
    "emergency-continuity": (POST, api([*MANAGERS, "collections", "credit_officer", "admin", "billing_service"],
                                       status=400, **OTHER_MANAGER)),
    "line-exemption": (POST, api(CREDIT, status=400)),
    "late-fee-waiver": (POST, api(CREDIT, status=400)),
    # decisions out (issue 20): the event log for billing, webhook subscribers for the administrator
    "billing-events": (GET, api(["admin", "billing_service"])),
    "webhooks:subscribers": (GET, page(["admin"])),
    "webhooks:subscriber-add": (GET, page(["admin"])),
    "webhooks:subscriber": (GET, page(["admin"])),
    "webhooks:subscriber-replay": (POST, page(["admin"], status=302)),  # an empty form: back to the page
    "webhooks:deliveries": (GET, page(["admin"])),
    # retention
    "retention:alerts": (GET, page(RETENTION_READERS)),
    "retention:report": (GET, page(RETENTION_READERS)),
    "retention:models": (GET, page(RETENTION_READERS)),
    "retention:alert": (GET, page(RETENTION_READERS, **OTHER_MANAGER)),
    "retention-alert-list": (GET, api(RETENTION_READERS)),
    "retention-alert-detail": (GET, api(RETENTION_READERS, **OTHER_MANAGER)),
    "retention-alert-transition": (POST, api(["am1", "lead_a1", "regional_a", "admin"], status=400, nobody=404,
                                             **OTHER_MANAGER)),
    # enterprise (issue 6): readers are the managers, their lead and region, and the province-wide desks
    **{name: (GET, page(ENT_READERS, **by_role)) for name, by_role in [
        ("enterprise:workbench", {}), ("enterprise:accounts", {}), ("enterprise:account", OTHER_MANAGER),
        ("enterprise:tasks", {}), ("enterprise:task", OTHER_MANAGER), ("enterprise:service-days", {}),
        ("enterprise:service-day-reports", OTHER_MANAGER | {"am4": 200}), ("enterprise:reports", {}),
        ("enterprise:opportunities", {}), ("enterprise:opportunity", OTHER_MANAGER)]},
    "enterprise:opportunity-create": (GET, page(["am1", "am4", "lead_a1", "admin"])),
    # the managers keep their groups' data (issue 16)
    "enterprise:account-create": (GET, page(["am1", "am4", "lead_a1", "admin"])),
    **{name: (GET, page(["am1", "am4", "lead_a1", "admin"], **OTHER_MANAGER)) for name in (
        "enterprise:account-edit", "enterprise:key-person-create", "enterprise:key-person-edit",
        "enterprise:agreement-create", "enterprise:agreement-edit", "enterprise:product-create",
        "enterprise:product-edit")},
    "enterprise:account-export": (GET, page(["am1", "am4", "lead_a1", "regional_a", "admin"])),
    "enterprise:account-reassign": (POST, page(["lead_a1", "admin"])),  # empty form: the page with its errors
    "enterprise:task-create": (GET, page(["lead_a1", "admin"])),
    "enterprise:interaction-create": (GET, page(["am1", "am4", "lead_a1", "admin"], **OTHER_MANAGER)),
    "enterprise:service-day-create": (GET, page(["am1", "am4", "lead_a1", "admin"], **OTHER_MANAGER)),
    "enterprise:alert-close": (POST, page(["am1", "am4", "lead_a1", "admin"], status=302, **OTHER_MANAGER)),
    "enterprise:service-day-collect": (POST, page(["marketing", "admin"], status=302)),  # channel admins
    "enterprise:service-day-report-submit": (POST, page(["marketing", "admin"], status=302)),
    **{name: (GET, api(ENT_READERS, **by_role)) for name, by_role in [
        ("enterprise-account-list", {}), ("enterprise-account-detail", OTHER_MANAGER),
        ("enterprise-member-list", {}), ("enterprise-member-detail", OTHER_MANAGER),
        ("enterprise-task-list", {}), ("enterprise-task-detail", OTHER_MANAGER),
        ("enterprise-interaction-list", {}), ("enterprise-interaction-detail", OTHER_MANAGER),
        ("enterprise-key-person-list", {}), ("enterprise-key-person-detail", OTHER_MANAGER),
        ("enterprise-agreement-list", {}), ("enterprise-agreement-detail", OTHER_MANAGER),
        ("enterprise-product-list", {}), ("enterprise-product-detail", OTHER_MANAGER)]},
    # marketing: campaigns are the province's plans (no customer scope on them); counts and exports inside
    # them are scoped. Marketing drafts, credit officers draft and review; managers read; the segment export
    # needs the customer export permission (marketing has none).
    **{name: (GET, page(CAMPAIGN_READERS)) for name in (
        "marketing:campaigns", "marketing:segment-count", "marketing:campaign", "marketing:campaign-review",
        "marketing:campaign-results")},
    "marketing:campaign-create": (GET, page(CAMPAIGN_DRAFTERS)),
    "marketing:campaign-members": (GET, page(CAMPAIGN_DRAFTERS)),  # staff tag members (billing: the API)
    "marketing:campaign-edit": (GET, page(CAMPAIGN_DRAFTERS)),
    "marketing:campaign-transition": (POST, page(CAMPAIGN_READERS, status=400)),  # empty form: refused on the page
    "marketing:campaign-export": (GET, page([r for r in CAMPAIGN_READERS if r != "marketing"])),
    "campaign-list": (GET, api([*CAMPAIGN_READERS, "billing_service"])),
    "campaign-detail": (GET, api([*CAMPAIGN_READERS, "billing_service"])),
    "campaign-risk-assessment": (GET, api([*CAMPAIGN_READERS, "billing_service"])),
    "campaign-transition": (POST, api([*CAMPAIGN_READERS, "billing_service"], status=400)),
    "campaign-members": (POST, api([*CAMPAIGN_DRAFTERS, "billing_service"], status=400)),
    "campaign-opinions": (POST, api(CREDIT, status=400)),  # empty body: refused, not forbidden
    "campaign-answers": (POST, api(CAMPAIGN_DRAFTERS, status=400)),
    "campaign-changes": (GET, api([*CAMPAIGN_READERS, "billing_service"])),
    "segment-count": (POST, api([*CAMPAIGN_READERS, "billing_service"], status=400)),
}


def _walk(patterns, namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace in SKIPPED_NAMESPACES:
                continue
            yield from _walk(p.url_patterns, ":".join(x for x in (namespace, p.namespace) if x) or None)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}:{p.name}" if namespace else p.name


def url_names() -> set[str]:
    return set(_walk(get_resolver().url_patterns)) - SKIPPED_NAMES


def test_every_url_has_a_rule():
    missing = sorted(url_names() - MATRIX.keys())
    assert not missing, f"views without an access rule in the permission matrix: {missing}"
    assert not MATRIX.keys() - url_names(), "rules for URLs that no longer exist"


@pytest.fixture
def objects(org):
    customer = org.book[org.am1.pk][0]
    line = LineFactory(customer=customer)
    alert = RetentionAlert.objects.create(customer=customer, account_manager=org.am1, opened_at=timezone.now(),
                                          score=70)
    campaign = campaign_create(author=org.marketing, name="流量畅享", goal="存量客户流量套餐")
    customer.credit_star, customer.credit_limit = 5, 500
    customer.save()
    four_eyes = credit_limit_change(customer=customer, amount=Decimal("600"), reason="大客户", by=org.credit_officer)
    from webhooks.models import WebhookSubscriber

    webhook = WebhookSubscriber.objects.create(name="计费", url="https://billing.example/hooks", secret="s" * 32)
    from datetime import date

    from arrears.models import BarringPolicyVersion
    from credit.blacklist import blacklist_entry_add
    from tests.factories import CustomerFactory
    from credit.models import ExtendedServicePolicy, SmsTemplate
    from credit.services import scoring_model_copy

    draft = scoring_model_copy(model=scoring_model_published(), by=org.credit_officer)
    listed = CustomerFactory(join_date=date(2010, 1, 1))
    entry = blacklist_entry_add(customer=listed, reason="恶意欠费", amount_owed=Decimal("100.00"),
                                by=org.credit_officer)
    config = {"blacklist_entry": entry.pk, "draft_factor": draft.factors.first().pk,
              "running_factor": scoring_model_published().factors.first().pk,
              "sms_template": SmsTemplate.objects.first().pk,
              "extended_policy": ExtendedServicePolicy.objects.first().pk,
              "barring_policy": BarringPolicyVersion.objects.first().pk}
    return {**config, "customer": customer.pk, "line": line.pk, "msisdn": line.msisdn, "alert": alert.pk,
            "webhook": webhook.pk,
            "model": scoring_model_published().pk, "campaign": campaign.pk, "four_eyes": four_eyes.pk,
            **enterprise_objects(org, customer)}


def enterprise_objects(org, customer) -> dict:
    """am1's enterprise account with a member line, a task, an interaction, an alert; a region-A report."""
    from datetime import date

    from enterprise.models import (Agreement, EnterpriseAccount, EnterpriseAlert, Interaction, KeyPerson,
                                   Opportunity, ProductHolding, ServiceDayReport, Task)

    account = EnterpriseAccount.objects.create(name="甲集团", industry="制造", region=org.region_a,
                                               account_manager=org.am1)
    member = LineFactory(customer=customer, enterprise=account)
    task = Task.objects.create(account=account, title="回访", assigned_to=org.am1, due_date=date(2026, 12, 1))
    interaction = Interaction.objects.create(account=account, kind="call", by=org.am1, at=timezone.now(),
                                             summary="电话回访")
    alert = EnterpriseAlert.objects.create(account=account, account_manager=org.am1, code="high_value",
                                           segment="maintain", value=60000, opened_on=date(2026, 12, 1))
    report = ServiceDayReport.objects.create(kind="weekly", region=org.region_a, period_start=date(2026, 11, 23),
                                             period_end=date(2026, 11, 29), due_date=date(2026, 11, 30))
    opportunity = Opportunity.objects.create(account=account, region=org.region_a, kind="development_request",
                                             title="综合语音接入", account_manager=org.am1)
    person = KeyPerson.objects.create(account=account, role="liaison", name="王主任", phone="13900001111")
    agreement = Agreement.objects.create(account=account, title="集团语音协议", signed_on=date(2026, 1, 1),
                                         expires_on=date(2027, 1, 1))
    product = ProductHolding.objects.create(account=account, product="group_vpn", since=date(2025, 1, 1))
    return {"ent_account": account.pk, "ent_line": member.pk, "ent_task": task.pk,
            "ent_interaction": interaction.pk, "ent_alert": alert.pk, "ent_report": report.pk,
            "ent_opportunity": opportunity.pk, "ent_key_person": person.pk, "ent_agreement": agreement.pk,
            "ent_product": product.pk}


# Which object a URL's pk names, by URL name prefix; others name am1's customer.
PK_OF = {"customers:alert-step": "alert", "webhooks:": "webhook", "credit:blacklist-edit": "blacklist_entry",
         "credit:factor-remove": "running_factor", "credit:factor-edit": "draft_factor",
         "credit:sms-template": "sms_template", "credit:extended-polic": "extended_policy",
         "credit:factor-add": "model", "arrears:policy": "barring_policy", "credit:model": "model",
         "credit:four-eyes": "four_eyes", "four-eyes": "four_eyes",
         "retention:alert": "alert", "retention-alert": "alert", "line-": "line",
         # enterprise: the first matching prefix wins
         "enterprise:task-create": "ent_account", "enterprise:task": "ent_task", "enterprise:alert": "ent_alert",
         "enterprise:service-day-report": "ent_report", "enterprise:opportunit": "ent_opportunity",
         "enterprise:key-person-edit": "ent_key_person", "enterprise:agreement-edit": "ent_agreement",
         "enterprise:product-edit": "ent_product",
         "enterprise:": "ent_account",
         "enterprise-account": "ent_account", "enterprise-member": "ent_line", "enterprise-task": "ent_task",
         "enterprise-interaction": "ent_interaction", "enterprise-key-person": "ent_key_person",
         "enterprise-agreement": "ent_agreement", "enterprise-product": "ent_product",
         "marketing:campaign": "campaign", "campaign-": "campaign"}


def build_url(name: str, objects: dict) -> str:
    pk = next((objects[key] for prefix, key in PK_OF.items() if name.startswith(prefix)), objects["customer"])
    for kwargs in ({}, {"pk": pk}, {"msisdn": objects["msisdn"]}):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    raise AssertionError(f"no way to build a URL for {name}: add its arguments to build_url")


def request_as(org, role: str, method: str, url: str) -> int:
    client, headers = Client(), {}
    if role == "billing_service":
        headers["HTTP_AUTHORIZATION"] = f"Token {Token.objects.get_or_create(user=org.billing_service)[0].key}"
    elif role != "anonymous":
        client.force_login(getattr(org, role))
    return getattr(client, method)(url, data={}, content_type="application/json", **headers).status_code


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_expected_status(org, objects, name):
    method, expected = MATRIX[name]
    url = build_url(name, objects)
    actual = {role: request_as(org, role, method, url) for role in ROLES}
    wrong = {role: f"expected {expected[role]}, got {actual[role]}" for role in ROLES if actual[role] != expected[role]}
    assert not wrong, f"{method.upper()} {url}: {wrong}"


# ---------------------------------------------------------------- the figures of every report are the reader's scope
# Each customer of a book gets the same activity (a line in arrears, a barring and its restoration, an ended
# emergency pass with arrears, a closed retention alert, an enterprise account with a member line, a campaign
# participation, a rating in a run), so every figure of a report read by a manager equals the size of the
# manager's book. am1's book is made larger than am4's: the two must see different figures, each their own.

def _book_activity(org, customers, *, campaign, run, today):
    from datetime import timedelta
    from decimal import Decimal

    from arrears.models import BarringEvent, EmergencyPass, LineAccount, Payment
    from credit.models import Rating
    from enterprise.models import EnterpriseAccount, EnterpriseSnapshot
    from marketing.models import CampaignMember

    now = timezone.now()
    ended = today - timedelta(days=150)  # the pass ended 5 months ago: its 1- and 4-month windows have passed
    for customer in customers:
        account = EnterpriseAccount.objects.create(name=f"集团{customer.pk}", industry="制造", region=customer.region,
                                                   account_manager=customer.account_manager)
        EnterpriseSnapshot.objects.create(account=account, month=today.replace(day=1) - timedelta(days=1),
                                          revenue=Decimal("100.00"), member_count=1)
        line = LineFactory(customer=customer, enterprise=account)
        LineAccount.objects.create(line=line, customer=customer, balance=Decimal("-50.00"), state="one_way_barred",
                                   state_since=today, arrears_since=today - timedelta(days=3))
        BarringEvent.objects.create(line=line, from_state="active", to_state="one_way_barred", rule="below_zero",
                                    usable_credit=Decimal("-5"), policy_version="barring-v1",
                                    at=now - timedelta(days=20))
        BarringEvent.objects.create(line=line, from_state="one_way_barred", to_state="active", rule="paid_back",
                                    usable_credit=Decimal("1"), policy_version="barring-v1",
                                    at=now - timedelta(days=18))
        EmergencyPass.objects.create(line=line, granted_at=now - timedelta(days=157), valid_until=ended,
                                     overdraft_cap=Decimal("50"), usable_at_grant=Decimal("-10"), channel="app",
                                     policy_version="barring-v1", arrears_at_expiry=Decimal("10.00"))
        Payment.objects.create(line=line, customer=customer, amount=Decimal("10.00"), channel="app",
                               paid_at=now - timedelta(days=140), reference=f"p-{line.pk}")
        RetentionAlert.objects.create(customer=customer, account_manager=customer.account_manager,
                                      opened_at=now - timedelta(days=40), closed_at=now - timedelta(days=30),
                                      status="retained", score=60, offer="top_up_bonus")
        CampaignMember.objects.create(campaign=campaign, customer=customer, how="acquired", tagged_at=now)
        Rating.objects.create(customer=customer, kind="base", run=run, policy_version="v1", old_star=None,
                              new_star=3, old_limit=0, new_limit=100, reason="base rating", decided_at=now)


# report page -> the figures it shows, read from its context
REPORT_FIGURES = {
    "dashboard": lambda c: {"customers": c["total_customers"]},
    "credit:report": lambda c: {"customers": sum(n for _, n, _ in c["distribution"]),
                                "run changes": sum(n for _, matrix, _ in c["runs"] for row in matrix.values()
                                                   for n in row.values())},
    "arrears:report": lambda c: {
        "lines in arrears": sum(r["lines"] for r in c["by_star"]),
        "by campaign": sum(r["lines"] for r in c["by_campaign"]),
        "aging": sum(r["lines"] for r in c["aging"]),
        "scorecard lines": sum(r["lines"] for r in c["scorecard"]),
        "recovery passes": c["recovery"][1]["passes"],
        "restorations": sum(r["restorations"] for r in c["durations"])},
    "retention:report": lambda c: {"closed alerts": sum(r["closed"] for r in c["by_month"])},
    "enterprise:reports": lambda c: {"accounts": c["kpis"]["accounts"], "members": c["kpis"]["members"],
                                     "by industry": sum(r["accounts"] for r in c["by_industry"]),
                                     "snapshots": sum(r["members"] for r in c["by_month"])},
    "enterprise:workbench": lambda c: {"accounts": c["kpis"]["accounts"], "members": c["kpis"]["members"]},
    "marketing:campaign-results": lambda c: {"participants": c["r"]["groups"]["participants"]["customers"],
                                             "acquired": c["r"]["evaluation"]["acquired"]},
}


@pytest.fixture
def books(org):
    """am1's book of 5 customers, am4's of 2, each with the same activity per customer."""
    from datetime import date

    from core.models import BatchRun
    from marketing.models import Campaign
    from tests.factories import CustomerFactory

    today = timezone.localdate()
    org.book[org.am1.pk] += [CustomerFactory(account_manager=org.am1, region=org.region_a) for _ in range(3)]
    campaign = campaign_create(author=org.marketing, name="存量回馈", goal="回馈")
    Campaign.objects.filter(pk=campaign.pk).update(status="running", launched_at=timezone.now())
    run = BatchRun.objects.create(kind="credit.base", period=f"{date.today():%Y-%m}", status="done")
    for am in (org.am1, org.am4):
        _book_activity(org, org.book[am.pk], campaign=campaign, run=run, today=today)
    return {"campaign": campaign.pk}


def report_figures(user, name: str, books) -> dict:
    client = Client()
    client.force_login(user)
    url = reverse(name, kwargs={"pk": books["campaign"]}) if name.startswith("marketing:") else reverse(name)
    response = client.get(url)
    assert response.status_code == 200, f"{name}: {response.status_code}"
    return REPORT_FIGURES[name](response.context)


@pytest.mark.parametrize("name", sorted(REPORT_FIGURES))
def test_every_report_shows_the_figures_of_the_readers_own_book(org, books, name):
    from django.core.cache import cache

    cache.clear()
    am1, am4 = report_figures(org.am1, name, books), report_figures(org.am4, name, books)
    assert am1 != am4, f"{name}: two managers with different books see the same figures {am1}"
    assert am1 == dict.fromkeys(am1, 5) and am4 == dict.fromkeys(am4, 2), f"{name}: am1 {am1}, am4 {am4}"


@pytest.mark.parametrize("name", sorted(REPORT_FIGURES))
def test_a_reader_with_an_empty_scope_gets_empty_figures_not_an_error(org, books, name):
    from core.choices import Role
    from tests.conftest import make_staff

    lead_without_team = make_staff(Role.TEAM_LEAD)
    figures = report_figures(lead_without_team, name, books)
    assert figures == dict.fromkeys(figures, 0), f"{name}: {figures}"
