"""Every list sorts by its headers (issue 18 item 4): for each ScopedListView in the URL conf, each sortable column
asked ascending and descending answers 200, marks that header (and only it) with aria-sort, links it to the
other direction, and orders by a total order (the last key unique, so a page never repeats or skips a row); an
unknown sort value is ignored (200, the list's default order).

The rows come through the product's inputs: customers and enterprise accounts as the intake creates them, the rest
through the services a user's action calls (onboarding → identity callbacks, tasks, opportunities, campaigns,
service-day orders)."""

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from core.generic_views import ScopedListView
from core.selectors import working_calendar
from customers import services as customer_services
from customers.models import Brand, Channel, Plan
from enterprise import services as enterprise_services
from enterprise.policies import due_date_on_working_day
from tests.enterprise.factories import EnterpriseAccountFactory
from tests.factories import ChannelFactory, PlanFactory, resident_id
from tests.marketing.conftest import make_campaign


def scoped_list_urls(resolver=None, namespace="") -> list[tuple[str, type]]:
    """(URL name, view class) of every ScopedListView the URL conf routes to (no URL arguments: a list)."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += scoped_list_urls(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            view = getattr(entry.callback, "view_class", None)
            if view is not None and issubclass(view, ScopedListView):
                found.append((f"{namespace}{entry.name}", view))
    return found


LISTS = sorted(scoped_list_urls())
SORTS = [(name, column[1], direction) for name, view in LISTS for column in view.columns if column[1]
         for direction in ("asc", "desc")]


def working_day(after: date) -> date:
    day = after
    while (moved := due_date_on_working_day(day, calendar=working_calendar())) is not None:
        day = moved
    return day


@pytest.fixture
def rows(org):
    """Two of each kind of row the lists show, through the inputs and the services."""
    plan, channel = PlanFactory(), ChannelFactory(region=org.region_a, code="outlet-cs-01")
    for n, (name, msisdn) in enumerate((("王小明", "13912345678"), ("李小红", "13912345679")), start=1):
        customer_services.customer_onboard(data=customer_services.OnboardingData(
            name=name, id_type="resident_id", id_number=resident_id(n, born="19880808"), region=org.region_a,
            brand=Brand.objects.get(pk=plan.brand_id), plan=Plan.objects.get(pk=plan.pk), msisdn=msisdn,
            acquiring_channel=Channel.objects.get(pk=channel.pk), policy_explained=True), by=org.admin)
    accounts = [EnterpriseAccountFactory(name=name, region=org.region_a, account_manager=org.am1)
                for name in ("甲集团", "乙集团")]
    today = timezone.localdate()
    for i, account in enumerate(accounts):
        enterprise_services.task_create(account=account, title=f"回访 {i}", assigned_by=org.admin, priority=2 + i,
                                        due_date=working_day(today + timedelta(days=7 * (i + 1))))
        enterprise_services.opportunity_create(by=org.am1, kind="development_request", title=f"专线 {i}",
                                               account=account, expected_close=today + timedelta(days=30 * (i + 1)))
        enterprise_services.service_day_submit(account=account, requested_date=today + timedelta(days=14 * (i + 1)),
                                               policy="上门服务", materials="宣传册", by=org.am1)
        make_campaign(org.marketing, name=f"流量畅享 {i}")
    return org


@pytest.mark.django_db
@pytest.mark.parametrize("name, sort, direction", SORTS, ids=[f"{n}-{s}-{d}" for n, s, d in SORTS])
def test_each_sortable_header_sorts_both_ways_and_says_so(client, rows, name, sort, direction):
    client.force_login(rows.admin)
    view = dict(LISTS)[name]
    value = sort if direction == "asc" else f"-{sort}"
    response = client.get(reverse(name), {view.ordering_param: value})
    assert response.status_code == 200
    html = response.content.decode()
    marked = re.findall(r'<th aria-sort="(\w+)"[^>]*><a class="sort-link" href="([^"]+)"', html)
    assert len(marked) == 1, marked  # the sorted column only
    aria, href = marked[0]
    assert aria == {"asc": "ascending", "desc": "descending"}[direction]
    # the marked header is the one asked for: its link sorts the other way
    again = parse_qs(urlsplit(href.replace("&amp;", "&")).query)[view.ordering_param]
    assert again == [f"-{sort}" if direction == "asc" else sort]
    objects = response.context["object_list"]
    ordering = objects.query.order_by
    assert ordering, "the list is ordered by the header"
    model = objects.model
    last = ordering[-1].lstrip("-").split("__")
    for part in last[:-1]:
        model = model._meta.get_field(part).related_model
    field = model._meta.pk if last[-1] == "pk" else model._meta.get_field(last[-1])
    assert field.primary_key or field.unique or field.name == "id", f"{ordering} is not a total order"


@pytest.mark.django_db
@pytest.mark.parametrize("name", [name for name, _view in LISTS])
def test_an_unknown_sort_value_is_ignored(client, rows, name):
    client.force_login(rows.admin)
    view = dict(LISTS)[name]
    for query in ({view.ordering_param: "no_such_column"}, {view.ordering_param: "-secret__password"},
                  {"sort": "no_such_column"}):
        assert client.get(reverse(name), query).status_code == 200, query


def test_every_paged_list_has_sortable_headers():
    """A list that pages has headers to sort by (a registry shown whole may have none)."""
    assert len(LISTS) >= 12
    unsortable = [name for name, view in LISTS if view.paginate_by and not any(c[1] for c in view.columns)]
    assert unsortable == []
