"""Governance of the credit scoring model (#15): impact preview of a draft, challenger, PSI by month."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from core import stability
from core.tasks import dispatch_run
from credit.batches import BASE_KIND
from credit.impact import UNRATED, impact_preview, stability_record
from credit.models import ModelStability, StarCutoff
from credit.services import scoring_model_challenge, scoring_model_copy
from credit.selectors import scoring_model_published
from customers.models import Customer
from tests.credit.publishing import publish, second_officer
from tests.credit.test_batches import good_customer
from tests.factories import CustomerFactory, LineFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 1)


def rated_province():
    """Three strong customers rated by the running model (the base run), one newcomer (unrated)."""
    strong = [good_customer() for _ in range(3)]
    newcomer = CustomerFactory(join_date=date(2026, 9, 1), credit_star=None)
    LineFactory(customer=newcomer)
    dispatch_run(BASE_KIND, "2026-11")
    for c in strong:
        c.refresh_from_db()
    return strong, newcomer


def test_preview_of_an_unchanged_copy_moves_nobody(org):
    strong, _ = rated_province()
    draft = scoring_model_copy(model=scoring_model_published(), by=org.credit_officer)
    preview = impact_preview(model=draft, by=org.credit_officer, today=TODAY)
    assert preview.customers == Customer.objects.exclude(status="closed").count()
    assert preview.moved == 0 and preview.credit_change == 0, preview.matrix  # all rated by this model already
    cells = {(old, new): n for old, new, n, _ in preview.matrix}
    assert cells[(UNRATED, UNRATED)] >= 1  # the newcomer: under 6 months, stays unrated
    assert cells[(strong[0].credit_star, strong[0].credit_star)] >= 3


def test_a_stricter_draft_shows_who_moves_down_and_the_credit_lost(org):
    strong, _ = rated_province()
    star = strong[0].credit_star
    assert star >= 3
    draft = scoring_model_copy(model=scoring_model_published(), by=org.credit_officer)
    # raise every cut-off far above any score: everyone rated falls to 0★ and loses the star's limit
    for cutoff in StarCutoff.objects.filter(scoring_model=draft):
        cutoff.min_score = Decimal(900 + cutoff.star)
        cutoff.save()
    preview = impact_preview(model=draft, by=org.credit_officer, today=TODAY)
    cells = {(old, new): (n, Decimal(change)) for old, new, n, change in preview.matrix}
    lost = sum(c.credit_limit for c in strong)
    assert cells[(star, 0)][0] >= 3 and cells[(star, 0)][1] <= -lost
    assert not any(new > 0 for (old, new) in cells)
    assert preview.credit_change == -sum(c.credit_limit for c in Customer.objects.exclude(status="closed"))
    # a preview changes nothing: the customers keep their stars
    strong[0].refresh_from_db()
    assert strong[0].credit_star == star


def test_only_a_draft_can_be_the_challenger_and_publishing_crowns_it(org):
    model = scoring_model_published()
    with pytest.raises(ValidationError):
        scoring_model_challenge(model=model, by=org.credit_officer)
    first = scoring_model_copy(model=model, by=org.credit_officer)
    second = scoring_model_copy(model=model, by=org.credit_officer)
    scoring_model_challenge(model=first, by=org.credit_officer)
    scoring_model_challenge(model=second, by=org.credit_officer)
    first.refresh_from_db()
    assert not first.challenger and type(second).objects.get(pk=second.pk).challenger
    approver = second_officer()
    published = publish(second, asker=org.admin, approver=approver)
    assert published.published_by == approver and not published.challenger


def test_psi_is_zero_in_the_first_month_and_rises_when_the_population_moves(org):
    rated_province()
    model = scoring_model_published()
    first = {r.variable: r.psi for r in stability_record(model=model, month=date(2026, 10, 1))}
    assert first["score"] == 0.0 and "tenure_months" in first
    for _ in range(6):  # a wave of newcomers: the tenure and star mix moves
        LineFactory(customer=CustomerFactory(join_date=date(2026, 10, 15), credit_star=None))
    later = {r.variable: r.psi for r in stability_record(model=model, month=date(2026, 11, 1))}
    assert later["tenure_months"] > stability.ALERT
    assert stability.level(later["tenure_months"]) == stability.ALERT_LEVEL
    assert ModelStability.objects.filter(scoring_model=model).count() == 2 * len(first)


def test_psi_function_thresholds():
    same = {"a": 50, "b": 50}
    assert stability.psi(same, same) == 0
    assert stability.level(0.05) == "stable" and stability.level(0.2) == "warning" and stability.level(0.3) == "alert"
    assert stability.psi({"a": 90, "b": 10}, {"a": 50, "b": 50}) > 0.25


def test_model_page_shows_preview_matrix_and_psi_by_month(org):
    rated_province()
    model = scoring_model_published()
    stability_record(model=model, month=date(2026, 10, 1))
    client = Client()
    client.force_login(org.credit_officer)
    response = client.post(reverse("credit:model-preview", args=[model.pk]))
    assert response.status_code == 302
    page = client.get(reverse("credit:model", args=[model.pk])).content.decode()
    assert 'id="impact-preview"' in page and "psi-chart" in page and "2026-10" in page
    assert model.previews.count() == 1


def test_the_monthly_job_keeps_a_psi_row_per_month_on_the_model_page(org):
    """The scheduled stability job reads the running model each month; the page lists every month with the PSI of
    the star and of each factor, and its level (a month after a wave of newcomers: alert)."""
    from credit.tasks import model_stability_monthly

    rated_province()
    model = scoring_model_published()
    assert model_stability_monthly("2026-10-01") == model.factors.count() + 1  # the star and each factor
    for _ in range(6):
        LineFactory(customer=CustomerFactory(join_date=date(2026, 10, 15), credit_star=None))
    model_stability_monthly("2026-11-01")
    client = Client()
    client.force_login(org.credit_officer)
    response = client.get(reverse("credit:model", args=[model.pk]))
    months = response.context["stability"]["months"]
    assert [m["month"] for m in months] == ["2026-10", "2026-11"]
    assert [m["level"] for m in months] == ["stable", stability.ALERT_LEVEL]
    variables = response.context["stability"]["variables"]
    assert variables[0] == "score" and set(variables[1:]) == {f.feature for f in model.factors.all()}
    page = response.content.decode()
    card = page[page.index('id="model-stability"'):page.index('id="psi-data"')]
    assert card.count("<tr><td>2026-10</td>") == 1 and card.count("<tr><td>2026-11</td>") == 1
    assert 'class="psi-alert"' in card
