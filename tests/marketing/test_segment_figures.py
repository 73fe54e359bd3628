"""The review page of a province-wide role or a region reads the segment as counted once when the campaign was
submitted (an async count after commit), not a province's segment on every view; the stored figures equal a live
count; a decision, the API and a manager's book count live; an edited segment is not read from an older count."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketing import selectors, services
from marketing.choices import CampaignStatus as S
from tests.factories import CustomerFactory
from tests.marketing.conftest import in_arrears, make_campaign, walk

pytestmark = pytest.mark.django_db


def submitted(org, capture, **fields):
    campaign = make_campaign(org.marketing, **fields)
    with capture(execute=True):  # the count runs after the submission commits
        return walk(campaign, (S.SUBMITTED, org.marketing))


@pytest.fixture
def figures(org, django_capture_on_commit_callbacks):
    """Customers of several stars in both regions, some in arrears; a running campaign over region A and an
    approved one over 1★ reach part of the segment; then the campaign under review is submitted."""
    for star in (0, 1, 1, 2, None):
        CustomerFactory(credit_star=star, region=org.region_a)
        CustomerFactory(credit_star=star, region=org.region_b)
    in_arrears(CustomerFactory(credit_star=0, region=org.region_b), "40.00")
    running = submitted(org, django_capture_on_commit_callbacks, name="存量", segment={"region": [org.region_a.pk]})
    walk(running, (S.IN_REVIEW, org.credit_officer), (S.APPROVED, org.credit_officer), (S.RUNNING, org.marketing))
    approved = submitted(org, django_capture_on_commit_callbacks, name="一星", segment={"star": ["1"]})
    walk(approved, (S.IN_REVIEW, org.credit_officer), (S.APPROVED, org.credit_officer))
    campaign = submitted(org, django_capture_on_commit_callbacks, segment={}, deposit=Decimal("0"))
    return walk(campaign, (S.IN_REVIEW, org.credit_officer))


@pytest.mark.parametrize("reader", ["credit_officer", "regional_a", "marketing"])
def test_the_figures_counted_at_submission_equal_a_live_count(org, figures, reader):
    user = getattr(org, reader)
    stored = selectors.risk_assessment(campaign=figures, user=user)
    live = selectors.risk_assessment(campaign=figures, user=user, live=True)
    assert stored["counted_at"] is not None and live["counted_at"] is None
    assert selectors.assessment_to_json(stored) == selectors.assessment_to_json(live)
    assert stored["overlap"]["customers"] > 0 and {c["status"] for c in stored["overlap"]["campaigns"]} == {
        "running", "approved"}


def test_a_region_reads_its_own_rows(org, figures):
    region = selectors.risk_assessment(campaign=figures, user=org.regional_a)
    province = selectors.risk_assessment(campaign=figures, user=org.credit_officer)
    assert 0 < region["size"] < province["size"]


def test_the_review_page_reads_the_stored_figures_and_says_when_they_were_counted(client, org, figures):
    client.force_login(org.credit_officer)
    url = reverse("marketing:campaign-review", args=[figures.pk])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200 and 'id="counted-at"' in page.content.decode()
    assert not any('GROUP BY "customers_customer"."credit_star"' in q["sql"] for q in queries.captured_queries)
    assert page.context["a"]["size"] == selectors.risk_assessment(campaign=figures, user=org.credit_officer,
                                                                  live=True)["size"]
    client.force_login(org.am1)  # a book: counted live, nothing said about a count at submission
    page = client.get(url)
    assert page.status_code == 200 and page.context["a"]["counted_at"] is None
    assert page.context["a"]["size"] == len(org.book[org.am1.pk])


def test_an_edited_segment_is_counted_live_until_submitted_again(org, figures, django_capture_on_commit_callbacks):
    campaign = walk(figures, (S.RETURNED, org.credit_officer, "只要一星"))
    services.campaign_update(campaign=campaign, by=org.marketing, segment={"star": ["1"]})
    campaign.refresh_from_db()
    assert selectors.risk_assessment(campaign=campaign, user=org.credit_officer)["counted_at"] is None
    with django_capture_on_commit_callbacks(execute=True):
        campaign = walk(campaign, (S.SUBMITTED, org.marketing))
    campaign.refresh_from_db()
    stored = selectors.risk_assessment(campaign=campaign, user=org.credit_officer)
    assert stored["counted_at"] is not None
    assert stored["size"] == selectors.risk_assessment(campaign=campaign, user=org.credit_officer, live=True)["size"]
