"""Lists people can work (issue 18 item 4): the pager's page jump and page size (kept by sort, pager and filter
links; past the count cap "more than N" with next still going on), saved filters (the owner's only, applied
again from the list), and the searchable filter dropdown served from a local asset."""

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from core.models import SavedFilter
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
LIST = reverse("customers:list")


@pytest.fixture
def sixty(org):
    """60 customers of am1's book besides the org's 8 (the credit officer sees all 68)."""
    CustomerFactory.create_batch(60, account_manager=org.am1, region=org.region_a)
    return org


def hrefs(html: str, cls: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(rf'<a class="{cls}"[^>]*href="([^"]+)"', html)]


def test_page_size_is_bounded_and_kept_by_sort_pager_and_filter_links(client, sixty):
    client.force_login(sixty.credit_officer)
    response = client.get(LIST, {"per_page": "25", "ordering": "name"})
    assert len(response.context["object_list"]) == 25 and response.context["paginator"].num_pages == 3
    html = response.content.decode()
    for link in hrefs(html, "page-link") + hrefs(html, "sort-link"):
        assert parse_qs(urlsplit(link).query)["per_page"] == ["25"], link
    # the filter form carries the size (and not the order: it has its own "sort by" field)
    filters = re.search(r'<form method="get" class="card card-body mb-3">(.*?)</form>', html, re.S).group(1)
    assert '<input type="hidden" name="per_page" value="25">' in filters
    assert 'type="hidden" name="ordering"' not in filters
    assert re.search(r'<option value="25" selected>25</option>', html)
    assert client.get(LIST, {"per_page": "7"}).context["paginator"].per_page == 50  # not offered: the default
    assert client.get(LIST, {"per_page": "200"}).context["paginator"].per_page == 200


def test_the_pager_shows_a_window_of_numbers_and_jumps_to_a_page(client, sixty):
    client.force_login(sixty.credit_officer)
    response = client.get(LIST, {"per_page": "25", "page": "2", "star": "unrated"})
    assert response.context["page_obj"].number == 2 and response.context["list_state"]["window"] == [1, 2, 3]
    html = response.content.decode()
    numbered = [parse_qs(urlsplit(link).query) for link in hrefs(html, "page-link")]
    assert [q["page"] for q in numbered] == [["1"], ["1"], ["3"], ["3"]]  # previous, 1, 3, next
    assert all(q["star"] == ["unrated"] and q["per_page"] == ["25"] for q in numbered)
    jump = re.search(r'<form method="get" class="[^"]*page-jump">(.*?)</form>', html, re.S).group(1)
    assert 'name="per_page" value="25"' in jump and 'name="star" value="unrated"' in jump
    assert 'name="page"' in jump and 'max="3"' in jump
    assert len(client.get(LIST, {"per_page": "25", "page": "3"}).context["object_list"]) == 68 - 50
    # a page past the last shows the last one, a bad number the first (no 404 for a typed jump)
    assert client.get(LIST, {"per_page": "25", "page": "99"}).context["page_obj"].number == 3
    assert client.get(LIST, {"per_page": "25", "page": "x"}).context["page_obj"].number == 1


def test_a_long_list_gets_ellipses_and_the_first_and_last_pages(client, sixty):
    client.force_login(sixty.credit_officer)
    CustomerFactory.create_batch(132, account_manager=sixty.am1, region=sixty.region_a)  # 200: 8 pages of 25
    response = client.get(LIST, {"per_page": "25", "page": "5"})
    assert response.context["list_state"]["window"] == [1, None, 3, 4, 5, 6, 7, 8]
    assert client.get(LIST, {"per_page": "25", "page": "1"}).context["list_state"]["window"] == [1, 2, 3, None, 8]


def test_past_the_count_cap_the_pager_says_more_than_and_next_goes_on(client, sixty, monkeypatch):
    from core import pagination

    monkeypatch.setattr(pagination, "COUNT_CAP", 30)
    client.force_login(sixty.credit_officer)
    first = client.get(LIST, {"per_page": "25"})
    assert first.context["paginator"].is_capped and first.context["page_obj"].has_next()
    html = first.content.decode()
    assert re.search(r'class="small text-muted page-of">[^<]*\b30\b', html)  # "more than 30", in either language
    assert 'max="' not in re.search(r'<form[^>]*page-jump">(.*?)</form>', html, re.S).group(1)  # no known last page
    second = client.get(LIST, {"per_page": "25", "page": "2"})
    assert second.context["page_obj"].has_next()  # 68 rows: a third page although only 30 were counted
    assert 'rel="next"' in second.content.decode()
    third = client.get(LIST, {"per_page": "25", "page": "3"})
    assert len(third.context["object_list"]) == 18 and not third.context["page_obj"].has_next()
    assert 'rel="next"' not in third.content.decode()
    seen = {c.pk for n in (1, 2, 3) for c in client.get(LIST, {"per_page": "25", "page": n}).context["object_list"]}
    assert len(seen) == 68  # every row, once
    api = client.get("/api/customers/", {"page": 2, "page_size": 50}).json()
    assert api["count_capped"] and api["next"] is None and len(api["results"]) == 18


def save(client, name, query, view="customers:list"):
    return client.post(reverse("saved-filter-save"), {"view": view, "name": name, "query": query})


def test_a_saved_filter_is_its_owners_only_and_applies_again(client, sixty):
    client.force_login(sixty.am1)
    response = save(client, "unrated, 25 a page", "star=unrated&per_page=25&page=3")
    saved = SavedFilter.objects.get()
    assert (saved.user, saved.view, saved.query) == (sixty.am1, "customers:list", "star=unrated&per_page=25")
    assert response.status_code == 302 and response["Location"] == f"{LIST}?star=unrated&per_page=25"
    page = client.get(LIST)
    assert [f.name for f in page.context["saved_filters"]] == ["unrated, 25 a page"]
    assert 'href="?star=unrated&amp;per_page=25"' in page.content.decode()
    applied = client.get(f"{LIST}?{saved.query}")
    assert applied.context["paginator"].per_page == 25
    assert {c.credit_star for c in applied.context["object_list"]} == {None}
    assert applied.context["paginator"].count == len(sixty.book[sixty.am1.pk]) + 60
    # the same name again replaces it
    save(client, "unrated, 25 a page", "star=unrated&per_page=50")
    assert SavedFilter.objects.get().query == "star=unrated&per_page=50"

    client.force_login(sixty.am2)
    other = client.get(LIST)
    assert other.context["saved_filters"] == [] and "unrated, 25 a page" not in other.content.decode()
    assert client.post(reverse("saved-filter-delete", args=[saved.pk])).status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    # another list's page does not show it either
    client.force_login(sixty.am1)
    assert client.get(reverse("customers:callbacks")).context["saved_filters"] == []
    deleted = client.post(reverse("saved-filter-delete", args=[saved.pk]), {"query": "star=unrated"})
    assert deleted.status_code == 302 and deleted["Location"] == f"{LIST}?star=unrated"
    assert not SavedFilter.objects.exists()


def test_a_saved_filter_needs_a_name_and_a_real_list(client, sixty):
    client.force_login(sixty.am1)
    assert save(client, "  ", "star=unrated")["Location"] == f"{LIST}?star=unrated"
    assert save(client, "x", "a=1", view="no-such:list")["Location"] == reverse("dashboard")
    assert not SavedFilter.objects.exists()
    client.logout()
    assert save(client, "x", "a=1").status_code == 302 and not SavedFilter.objects.exists()  # to the login


def test_every_list_page_has_the_saved_filters_and_page_size_tools(client, org):
    client.force_login(org.admin)
    for name in ("customers:list", "customers:callbacks", "retention:alerts", "arrears:collection", "batch-runs",
                 "marketing:campaigns", "enterprise:accounts", "enterprise:tasks", "enterprise:service-days",
                 "enterprise:service-day-reports", "enterprise:opportunities", "webhooks:deliveries"):
        html = client.get(reverse(name)).content.decode()
        assert 'class="dropdown saved-filters"' in html and 'name="per_page"' in html, name


def test_the_searchable_dropdown_is_a_local_asset_on_every_multi_select_filter(client, org):
    base = (Path(settings.BASE_DIR) / "templates" / "base.html").read_text()
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', base)
    client.force_login(org.credit_officer)
    html = client.get(LIST).content.decode()
    for asset in ("vendor/tom-select/tom-select.complete.min.js", "vendor/tom-select/tom-select.bootstrap5.min.css"):
        assert f"/static/{asset}" in html and finders.find(asset), asset
        assert "sourceMappingURL" not in Path(finders.find(asset)).read_text()
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', html)
    region = re.search(r'<select name="region"[^>]*>', html).group(0)
    assert "data-tom-select" in region and 'data-no-results="' in region
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = re.search(r'<select name="region"[^>]*>', client.get(LIST).content.decode()).group(0)
    assert 'data-no-results="No match"' in english and region != english
    js = Path(finders.find("js/app.js")).read_text()
    assert "select[data-tom-select]" in js and "new TomSelect" in js
