"""Every report, CSV export, API list and aggregate answers a user whose scope is empty — a team lead without a
team, a lead whose team has no managers, an account manager with an empty book — with zero figures, never an
error, and shows none of the other managers' customers. (#17: an empty scope compiles to no SQL at all in Django —
EmptyResultSet — which raw-SQL reports must handle; core.sql does it once.)"""

import pytest
from django.core.cache import cache
from django.urls import reverse

from core.choices import Role
from tests.conftest import make_staff
from tests.factories import TeamFactory
from tests.security.test_permission_matrix import REPORT_FIGURES
from tests.security.test_permission_matrix import books as report_books  # noqa: F401  (a fixture, by this name)

# Every report page, CSV export and API aggregate, with what it counts: each must be zero for an empty scope,
# while the other books (tests.security.test_permission_matrix's `books`: 5 + 2 customers with arrears, passes,
# alerts, enterprise accounts, a running campaign's members) are full. (name, how to ask, permission, figures)
PAGE_FIGURES = {**REPORT_FIGURES,
                "customers:list": lambda c: {"customers": c["paginator"].count},
                "arrears:sp-settlement": lambda c: {"settlement rows": len(c["rows"] or [])}}


def _csv_rows(response) -> int:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return max(len(body.decode("utf-8-sig").strip().splitlines()) - 1, 0)  # the header is not a row


def _api_rows(response) -> int:
    body = response.json()
    return len(body["results"] if isinstance(body, dict) else body)


CAMPAIGN = {"pk": "campaign"}  # reverse kwargs filled from the `books` fixture
REPORTS = [
    # pages
    *[(name, "page", CAMPAIGN if name.startswith("marketing:") else {}, permission) for name, permission in [
        ("dashboard", None),
        ("customers:list", "customers.view_customer"),
        ("credit:report", "credit.view_rating"),
        ("retention:report", "retention.view_retentionalert"),
        ("arrears:report", "arrears.view_lineaccount"),
        ("arrears:sp-settlement", "arrears.view_spcharge"),
        ("enterprise:workbench", "enterprise.view_enterpriseaccount"),
        ("enterprise:reports", "enterprise.view_enterpriseaccount"),
        ("marketing:campaign-results", "marketing.view_campaign"),
    ]],
    # CSV exports
    ("customers:export", "csv", {}, "customers.export_customers"),
    ("arrears:collection-export", "csv", {}, "arrears.view_collectioncase"),
    ("arrears:sp-settlement", "csv", {}, "arrears.view_spcharge"),
    ("enterprise:account-export", "csv", {}, "enterprise.view_enterpriseaccount"),
    ("marketing:campaign-export", "csv", CAMPAIGN, "marketing.view_campaign"),
    # API lists and aggregates
    ("/api/customers/", "api", {}, "customers.view_customer"),
    ("/api/lines/", "api", {}, "customers.view_customer"),
    ("/api/collection-queue/", "api", {}, "arrears.view_collectioncase"),
    ("/api/retention/alerts/", "api", {}, "retention.view_retentionalert"),
    ("/api/enterprise/accounts/", "api", {}, "enterprise.view_enterpriseaccount"),
    ("/api/enterprise/tasks/", "api", {}, "enterprise.view_task"),
    ("/api/marketing/campaigns/{campaign}/risk-assessment/", "aggregate", {}, "marketing.view_campaign"),
    ("/api/marketing/segment-count/", "aggregate", {}, "marketing.view_campaign"),
]


def empty_scope_user(kind: str, org):
    if kind == "lead_without_team":
        return make_staff(Role.TEAM_LEAD)
    if kind == "lead_of_empty_team":
        return make_staff(Role.TEAM_LEAD, team=TeamFactory(region=org.region_a, name="空团队"))
    return make_staff(Role.ACCOUNT_MANAGER, team=org.team_a1)  # an account manager with an empty book


KINDS = ["lead_without_team", "lead_of_empty_team", "manager_with_empty_book"]


def _expected(user, permission) -> int:
    return 200 if permission is None or user.has_perm(permission) else 403


def _ask(client, name: str, how: str, kwargs: dict, books):
    kwargs = {k: books[v] for k, v in kwargs.items()}
    if how == "page":
        return client.get(reverse(name, kwargs=kwargs))
    if how == "csv":
        url = reverse(name, kwargs=kwargs)
        return client.get(f"{url}?export=csv" if name == "arrears:sp-settlement" else url)
    if name.endswith("segment-count/"):
        return client.post(name, {"segment": {}, "min_star": None}, content_type="application/json")
    return client.get(name.format(**books))


def _figures(name: str, how: str, response, org) -> dict:
    if how == "page":
        page = response.content.decode()
        return {**PAGE_FIGURES[name](response.context),
                "customers named": len([c for c in org.all_customers if c.name in page])}
    if how == "csv":
        return {"rows": _csv_rows(response)}
    if how == "api":
        return {"rows": _api_rows(response)}
    body = response.json()
    if "count" in body:
        return {"count": body["count"]}
    return {"size": body["size"], "overlap": body["overlap"]["customers"],
            "overlap offers": body["overlap"]["retention_offers"]}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("name", "how", "kwargs", "permission"), REPORTS, ids=[f"{r[1]}:{r[0]}" for r in REPORTS])
def test_every_report_export_and_aggregate_for_an_empty_scope(client, org, kind, name, how, kwargs, permission,
                                                              request):
    """A lead without a team, a lead of an empty team and an account manager with an empty book get every report,
    export and aggregate they may read (200) with zero figures -- never an error, never another book's rows."""
    books = request.getfixturevalue("report_books")
    cache.clear()  # report figures are cached per user for 10 minutes
    user = empty_scope_user(kind, org)
    client.force_login(user)
    response = _ask(client, name, how, kwargs, books)
    assert response.status_code == _expected(user, permission), f"{how} {name}: {response.status_code}"
    if response.status_code == 200:
        figures = _figures(name, how, response, org)
        assert figures == dict.fromkeys(figures, 0), f"{how} {name}: {figures}"


@pytest.mark.usefixtures("report_books")
def test_the_books_are_not_empty(client, org):
    """The zeros above mean something: the same pages and exports count the other managers' books."""
    cache.clear()
    client.force_login(org.am1)
    assert PAGE_FIGURES["arrears:report"](client.get(reverse("arrears:report")).context)["lines in arrears"] > 0
    assert _csv_rows(client.get(reverse("customers:export"))) > 0
    assert _api_rows(client.get("/api/customers/")) > 0
