"""Every page × every role, in Simplified Chinese: no untranslated English and no raw code on the page.

A small province is loaded the way the demo is (`setup_demo`: generated inputs through the intake, the nights
replayed by the product's own jobs, the demo users one per role), a four-eyes request and a webhook subscriber are
added through the product's services/pages, then each role opens every page of the URL conf that answers it with
HTML. Pages with an object in their address get an object in the role's scope (the first candidate the page shows).

Visible text (not attributes, scripts or styles) fails on
- an English word sequence that is not in ALLOWED (acronyms the business uses, the language switch's "English");
- a whole token that is the stored value of a choices field (models, TextChoices, filtersets) or a content type
  label (`marketing.campaigndecision`), e.g. `alipay`, `auto_debit`, `start_review`;
- a Python repr (`{'star': [...]}`, `['a', 'b']`);
- a login name where staff should be named by their display name.
The failure lists each offending string with the pages and roles that show it.
"""

import json
import re
from collections import defaultdict
from html.parser import HTMLParser

import django_filters
import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from config.celery import app as celery_app
from tests.worker_kill import reseed_defaults

ROLES = ["am_demo", "lead_demo", "region_demo", "credit_demo", "collections_demo", "marketing_demo", "admin_demo"]
SKIPPED_NAMESPACES = {"admin"}  # Django's admin: English by design for the administrator
SKIPPED_PATHS = ("api/",)
SKIPPED_NAMES = {"healthz", "readyz", "metrics", "logout", "set_language"}
# Words a Chinese page may show in Latin letters: the business's acronyms and units, the language switch's own name.
ALLOWED = {"ROC", "X-Signature", "Signature", "ARPU", "SP", "VIP", "IMEI", "API", "CSV", "SMS", "VPN", "ID", "SIM",
           "AUC", "PSI", "KS", "CRM", "MB",
           "GB", "KB", "URL", "HTTP", "HTTPS", "JSON", "APP", "App", "IVR", "TOP", "Top", "English", "PDF", "IP",
           "VoLTE", "IDC", "ICT", "OA", "CEO", "CFO", "CIO", "Excel", "OK", "Token", "HMAC", "Webhook",
           # device models billing reports (names, not words to translate)
           "iPhone", "Redmi", "Note", "Galaxy", "Mate", "Pro", "Max", "Plus", "Ultra", "Reno", "nova", "Find"}
INVISIBLE = {"script", "style", "template", "noscript", "head"}
PLACEHOLDER = re.compile(r"\{\w+\}")  # an SMS template's {name}, {amount}: syntax the officer types, not words
WORDS = re.compile(r"[A-Za-z][A-Za-z'’]*(?:[ \-][A-Za-z][A-Za-z'’]*)*")
TOKENS = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:\-]*[A-Za-z0-9]")
REPR = re.compile(r"\{'\w+': |\['\w+'(?:, '\w+')*\]|\[\d+(?:, \d+)+\]|<\w+: |\bNone\b|\bTrue\b|\bFalse\b")


class VisibleText(HTMLParser):
    """The text a user reads: outside script/style/template, one string per text node. Beside it (`labels`) the
    texts a user reads elsewhere: `title` and `placeholder` attributes, and the labels of `json_script` data (a
    chart's `labels` arrays and `label` values, a series' [key, label] pairs' labels)."""

    def __init__(self):
        super().__init__()
        self.skip, self.texts, self.labels, self.json = 0, [], [], None

    def handle_starttag(self, tag, attrs):
        if tag in INVISIBLE:
            self.skip += 1
        attrs = dict(attrs)
        if tag == "script" and attrs.get("type") == "application/json":
            self.json = []
        self.labels += [" ".join(attrs[a].split()) for a in ("title", "placeholder") if attrs.get(a)]

    def handle_endtag(self, tag):
        if tag in INVISIBLE and self.skip:
            self.skip -= 1
        if tag == "script" and self.json is not None:
            self.labels += json_labels(json.loads("".join(self.json) or "null"))
            self.json = None

    def handle_data(self, data):
        if self.json is not None:
            self.json.append(data)
        elif not self.skip and data.strip():
            self.texts.append(" ".join(data.split()))


def json_labels(data) -> list[str]:
    """The strings a chart shows from its data: values under "label"/"labels", second items of [key, label]."""
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("label", "labels"):
                found += [value] if isinstance(value, str) else [v for v in value or () if isinstance(v, str)]
            else:
                found += json_labels(value)
    elif isinstance(data, list):
        if len(data) == 2 and all(isinstance(v, str) for v in data):
            found.append(data[1])  # a series: [data key, its label]
        else:
            for item in data:
                found += json_labels(item)
    return found


def visible_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.texts


def read_elsewhere(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.labels


def choice_codes() -> set[str]:
    """Every stored value of a choices field or enumeration, every filterset choice, every content type label."""
    values = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or ():
                values.add(value)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for enum in subclasses(models.Choices):
        values.update(enum.values)
    for filterset in subclasses(django_filters.FilterSet):
        for flt in filterset.base_filters.values():
            choices = flt.extra.get("choices")
            if choices and not callable(choices):
                values.update(value for value, _label in choices)
    values.update(f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all())
    # Codes worth catching: words, not numbers or single letters (a star "3" is a number on any page)
    return {v for v in values if isinstance(v, str) and len(v) >= 3 and re.search(r"[A-Za-z]", v)}


def english_sequences(text: str) -> list[str]:
    found = []
    for match in WORDS.finditer(text):
        words = [w for w in re.split(r"[ \-]", match.group()) if w]
        start, end = match.span()
        glued = (start and text[start - 1] in "@/_.:0123456789") or (end < len(text) and text[end] in "@_0123456789") \
            or text[end:end + 3] == "://"
        if glued or all(w in ALLOWED or len(w) == 1 for w in words):
            continue  # part of an address, a number or a code (checked as a token), or only allowed words
        found.append(match.group())
    return found


def page_urls() -> list[tuple[str, str]]:
    """(name, pattern) of every named page outside the API and the admin."""

    def walk(patterns, namespace=None, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in SKIPPED_NAMESPACES:
                    continue
                yield from walk(p.url_patterns, ":".join(x for x in (namespace, p.namespace) if x) or None,
                                prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.name:
                name = f"{namespace}:{p.name}" if namespace else p.name
                if name not in SKIPPED_NAMES and not (prefix + str(p.pattern)).startswith(SKIPPED_PATHS):
                    yield name, prefix + str(p.pattern)

    return sorted(set(walk(get_resolver().url_patterns)))


def candidates(name: str) -> list[int]:
    """Objects a page with a pk in its address can show, am_demo's first (every role but one sees them)."""
    from arrears.models import LineAccount
    from credit.models import FourEyesRequest, ScoringModel
    from customers.models import Customer
    from enterprise.models import (Agreement, EnterpriseAccount, KeyPerson, Opportunity, ProductHolding,
                                   ServiceDayReport, Task)
    from marketing.models import Campaign
    from retention.models import RetentionAlert
    from webhooks.models import WebhookSubscriber

    def ids(qs, n=3, field="pk"):
        return list(qs.values_list(field, flat=True)[:n])

    am_first = models.Case(models.When(account_manager__username="am_demo", then=0), default=1)
    by_prefix = [
        ("credit:model", lambda: ids(ScoringModel.objects.order_by("-pk"))),
        ("credit:four-eyes", lambda: ids(FourEyesRequest.objects.order_by("-pk"))),
        ("retention:alert", lambda: ids(RetentionAlert.objects.order_by(am_first, "-pk"))),
        ("arrears:collection-item", lambda: ids(LineAccount.objects.filter(balance__lt=0).order_by("balance"),
                                                field="line_id")),
        ("enterprise:task-create", lambda: ids(EnterpriseAccount.objects.order_by(am_first, "pk"))),
        ("enterprise:task", lambda: ids(Task.objects.order_by("pk"))),
        ("enterprise:service-day-report", lambda: ids(ServiceDayReport.objects.order_by("pk"))),
        ("enterprise:opportunit", lambda: ids(Opportunity.objects.order_by("pk"))),
        ("enterprise:key-person-edit", lambda: ids(KeyPerson.objects.order_by("pk"))),
        ("enterprise:agreement-edit", lambda: ids(Agreement.objects.order_by("pk"))),
        ("enterprise:product-edit", lambda: ids(ProductHolding.objects.order_by("pk"))),
        ("enterprise:", lambda: ids(EnterpriseAccount.objects.order_by(am_first, "pk"))),
        ("marketing:", lambda: ids(Campaign.objects.order_by("-pk"), n=6)),
        ("webhooks:", lambda: ids(WebhookSubscriber.objects.order_by("pk"))),
    ]
    for prefix, get in by_prefix:
        if name.startswith(prefix):
            return get()
    in_arrears = models.Exists(LineAccount.objects.filter(customer=models.OuterRef("pk"), balance__lt=0))
    return ids(Customer.objects.order_by(am_first, models.Case(models.When(in_arrears, then=0), default=1), "pk"))


@pytest.fixture(scope="module")
def province(django_db_setup, django_db_blocker):
    """The demo province (120 customers, 2 months of nights), once for the module; the database is emptied
    (and its seeds restored) afterwards."""
    from decimal import Decimal

    from django.contrib.auth.models import User

    from credit.services import credit_limit_change
    from customers.models import Customer

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    with django_db_blocker.unblock():
        reseed_defaults()
        call_command("setup_demo", customers=120, months=2, seed=7, stdout=open("/dev/null", "w"))  # noqa: SIM115
        customer = Customer.objects.filter(account_manager__username="am_demo", credit_star__gte=3).first()
        if customer:  # a four-eyes request waiting: the list and its decisions have a row
            credit_limit_change(customer=customer, amount=Decimal("900"), reason="大客户续约",
                                by=User.objects.get(username="credit_demo"))
        admin = Client()
        admin.force_login(User.objects.get(username="admin_demo"))
        admin.post(reverse("webhooks:subscriber-add"), {"name": "计费系统", "url": "https://billing.example/hooks",
                                                         "secret": "s3cret-" * 6, "active": "on"})
        yield
        call_command("flush", interactive=False)
        reseed_defaults()
    celery_app.conf.task_always_eager = eager


def render_all(role: str) -> dict[tuple[str, str], set[str]]:
    """{(what, offending string): {url, ...}} for every page the role opens."""
    from django.contrib.auth.models import User

    codes = choice_codes()
    usernames = set(User.objects.values_list("username", flat=True))  # staff are shown by their display names
    client = Client()
    client.force_login(User.objects.get(username=role))
    client.cookies["django_language"] = "zh-hans"
    problems: dict[tuple[str, str], set[str]] = defaultdict(set)
    pages = 0
    for name, pattern in page_urls():
        if "<" in pattern:
            keys = re.findall(r"<(?:\w+:)?(\w+)>", pattern)
            urls = [reverse(name, kwargs={keys[0]: pk}) for pk in candidates(name)]
        else:
            urls = [reverse(name)]
        for url in urls:
            response = client.get(url)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            pages += 1
            html = response.content.decode()
            for text in (PLACEHOLDER.sub(" ", t) for t in visible_text(html)):
                for seq in english_sequences(text):
                    problems[("English", seq)].add(url)
                for token in TOKENS.findall(text):
                    if token in codes:
                        problems[("code", token)].add(url)
                    elif token in usernames:
                        problems[("username", token)].add(url)
                if REPR.search(text):
                    problems[("repr", text[:80])].add(url)
            for text in read_elsewhere(html):  # titles, placeholders, chart labels: codes only
                for token in TOKENS.findall(text):
                    if token in codes:
                        problems[("code in a title/placeholder/chart label", token)].add(url)
            if "<" in pattern and name not in {"marketing:campaign", "marketing:campaign-review"}:
                break  # one object in scope is enough (campaigns differ by status: each is rendered)
    assert pages, f"{role} opened no page"
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_page_reads_chinese(province, role):
    problems = render_all(role)
    report = "\n".join(f"  {what}: {text!r} on {len(urls)} page(s), e.g. {sorted(urls)[:3]}"
                       for (what, text), urls in sorted(problems.items(), key=lambda kv: (-len(kv[1]), kv[0])))
    assert not problems, f"{role} sees {len(problems)} untranslated strings or raw codes:\n{report}"


def test_the_checks_catch_what_they_are_for():
    """The detectors themselves: English is caught, allowed words and Chinese are not; codes are whole tokens."""
    assert english_sequences("姓名 (descending)") == ["descending"]
    assert english_sequences("来源：accounts") == ["accounts"]
    assert english_sequences("ARPU 与 SP 费用（CSV）") == []
    assert english_sequences("13800001111 · 5★ · ¥1,200.00 · 2026-12-07 14:30") == []
    assert english_sequences("a@b.example https://billing.example/hooks") == []
    assert visible_text("<p>客户<script>var x='alipay'</script><span title='auto_debit'>自动扣款</span></p>") == [
        "客户", "自动扣款"]
    assert TOKENS.findall("支付方式：auto_debit，marketing.campaigndecision") == ["auto_debit",
                                                                            "marketing.campaigndecision"]
    assert REPR.search("{'star': [4, 5], 'brand': [2]}")
    assert english_sequences(PLACEHOLDER.sub(" ", "尊敬的{name}，您欠费{amount}元")) == []
    assert read_elsewhere('<input placeholder="例如 auto_debit"><a title="start_review">x</a>'
                          '<script id="d" type="application/json">{"labels": ["churn"], "rows": [{"label": "欠费",'
                          ' "n": 3}], "series": [["n", "客户数"]]}</script>') == [
        "例如 auto_debit", "start_review", "churn", "欠费", "客户数"]
