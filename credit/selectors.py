"""Reads for credit: explanations, distributions and transitions."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import stability
from core.scope import customer_scope_q
from credit import four_eyes, policies
from credit.choices import (
    GUIDANCE_INPUT_LABELS, GUIDANCE_RULE_LABELS, ExtendedService, Feature, FourEyesStatus, ModelStatus, RatingKind,
)
from credit.models import (
    ExtendedServicePolicy, ExtendedServiceRequest, Factor, FourEyesRequest, Rating, ScoringModel, SmsTemplate,
    StarSnapshot,
)
from credit.sharing import shared_net
from customers.models import BlacklistEntry, Customer, UsageSummary

STAR_ORDER = [5, 4, 3, 2, 1, 0, None]
SERVICE_LABELS = [("fee_waivers", _("fee waivers")), ("flexible_authentication", _("flexible authentication")),
                  ("emergency_continuity", _("emergency continuity")), ("dedicated_channel", _("dedicated channel")),
                  ("rebate_before_verification", _("rebate before verification"))]


def customer_credit(*, customer: Customer) -> dict:
    """Why this star: the latest ratings with their factor values and points, and what the star entitles."""
    ratings = list(Rating.objects.filter(customer=customer).select_related("scoring_model", "decided_by",
                                                                           "approved_by")[:10])
    for rating in ratings:
        rating.rule_label = GUIDANCE_RULE_LABELS.get(rating.rule) if rating.kind == RatingKind.GUIDANCE else None
    explained = next((r for r in ratings if r.factor_values), None)
    factors = []
    if explained:
        labels = {**dict(Feature.choices), **GUIDANCE_INPUT_LABELS}
        factors = [{"code": k, "feature": labels.get(k, k), "value": _("unknown") if v is None else
                    v[:7] if k == "value_month" else v,  # the month (YYYY-MM) whose value deciles were read
                    "points": explained.points.get(k)} for k, v in explained.factor_values.items()]
    return {
        "ratings": ratings,
        "explained": explained,
        "explained_factors": factors,
        "entitlements": policies.entitlements(customer.credit_star),
        "services": [label for flag, label in SERVICE_LABELS if policies.entitlements(customer.credit_star)[flag]],
        "policy": policies.star_policy(customer.credit_star),
        "four_eyes": list(_pending_for(customer).select_related("requested_by__staff_profile")),
        "shared_credit": shared_net([customer.pk]).get(customer.pk, 0),
        "sim_used": customer.sim_replacements.filter(done_at__year=timezone.localdate().year,
                                                     rule="free_quota").count(),
        "grants": list(extended_grants_of(customer)),
        "blacklist": list(BlacklistEntry.objects.filter(id_type=customer.id_type, id_number=customer.id_number)
                          .order_by("-created_at")[:5]),
    }


def extended_grants_of(customer: Customer):
    """Extended-service grants given or received by the customer (shown on both customers' 360° pages)."""
    return (ExtendedServiceRequest.objects.filter(Q(giver=customer) | Q(receiver=customer))
            .select_related("giver", "receiver", "requested_by__staff_profile").order_by("-created_at")[:20])


def _pending_for(subject):
    return FourEyesRequest.objects.filter(subject_type=ContentType.objects.get_for_model(subject),
                                          subject_id=subject.pk, status=FourEyesStatus.PENDING)


def latest_request(*, kind: str, subject) -> FourEyesRequest | None:
    """The latest four-eyes request of `kind` about `subject` (a draft's publication: waiting, or the approval that
    published it), with both people."""
    return (FourEyesRequest.objects.filter(kind=kind, subject_type=ContentType.objects.get_for_model(subject),
                                           subject_id=subject.pk)
            .select_related("requested_by", "decided_by").order_by("-requested_at", "-id").first())


def four_eyes_list(*, user, status: str | None = FourEyesStatus.PENDING):
    """Four-eyes requests of the kinds `user` may decide (credit officers decide limits: their scope is the
    province), newest first; `status` None for any."""
    kinds = [kind for kind, rule in four_eyes.KINDS.items() if user.has_perm(rule.permission)]
    requests = FourEyesRequest.objects.filter(kind__in=kinds).select_related("requested_by", "decided_by",
                                                                              "subject_type")
    return requests.filter(status=status) if status else requests


def four_eyes_pending_count(*, user) -> int:
    return four_eyes_list(user=user).count()


def star_distribution(queryset) -> list[tuple]:
    """(star, count, share %) for the given customers, high stars first."""
    counts = dict(queryset.values_list("credit_star").annotate(n=Count("id")).values_list("credit_star", "n"))
    total = sum(counts.values()) or 1
    return [(star, counts.get(star, 0), round(100 * counts.get(star, 0) / total, 2)) for star in STAR_ORDER]


def run_transitions(*, run_id: int, user) -> dict:
    """Matrix {old_star: {new_star: count}} of the changes a rating run made to the user's customers."""
    matrix: dict = {}
    rows = (Rating.objects.filter(customer_scope_q(user, prefix="customer__"), run_id=run_id)
            .values_list("old_star", "new_star").annotate(n=Count("id")))
    for old, new, n in rows:
        matrix.setdefault(old, {})[new] = n
    return matrix


def line_credit_status(lines) -> list[dict]:
    """Credit status of lines (star, limit, balance, usable credit, barring state, entitlements) in one query.

    Balance is the arrears ledger's (the line account); a line billing has never posted to falls back to
    the latest prepaid balance pushed with its usage summary.
    """
    latest_balance = UsageSummary.objects.filter(line=OuterRef("pk")).order_by("-month").values("prepaid_balance")[:1]
    rows = list(lines.select_related("customer", "account").annotate(prepaid_balance=Subquery(latest_balance)))
    shared = shared_net({line.customer_id for line in rows})
    result = []
    for line in rows:
        customer = line.customer
        account = getattr(line, "account", None)
        balance = account.balance if account else (line.prepaid_balance or 0)
        # A closed line or customer is offered no credit: its usable credit is its balance alone.
        offered = line.status != "closed" and customer.status != "closed"
        credit = customer.credit_limit + shared.get(customer.pk, 0) if offered else 0
        result.append({
            "msisdn": line.msisdn, "customer_id": customer.pk, "line_status": line.status,
            "barring_state": account.state if account else "active",
            "star": customer.credit_star, "credit_limit": customer.credit_limit, "balance": balance,
            "shared_credit": shared.get(customer.pk, 0) if offered else 0,
            "usable_credit": balance + credit,
            "entitlements": policies.entitlements(customer.credit_star),
        "services": [label for flag, label in SERVICE_LABELS if policies.entitlements(customer.credit_star)[flag]],
        })
    return result


def star_history(days: int = 400) -> list[dict]:
    """The province's daily star distribution snapshots, oldest first, for the chart (province-wide roles)."""
    rows: dict = {}
    for taken_on, star, n in StarSnapshot.objects.order_by("-taken_on").values_list("taken_on", "star", "count")[
            : days * 7]:
        rows.setdefault(taken_on, {})[star] = n
    return [{"day": f"{day:%Y-%m-%d}", **{("unrated" if s is None else f"s{s}"): row.get(s, 0) for s in STAR_ORDER}}
            for day, row in sorted(rows.items())]


def stability_by_month(model) -> dict:
    """PSI per month of the score and each factor: {"variables": [...], "months": [{"month", var: psi…}], "worst"}."""
    rows = list(model.stability.values_list("month", "variable", "psi"))
    variables = sorted({v for _, v, _ in rows}, key=lambda v: (v != "score", v))
    by_month: dict = {}
    for month, variable, psi in rows:
        by_month.setdefault(month, {"month": f"{month:%Y-%m}"})[variable] = psi
    months = [by_month[m] for m in sorted(by_month)]
    for m in months:
        m["cells"] = [m.get(v) for v in variables]
        m["level"] = stability.level(max((c or 0 for c in m["cells"]), default=0))
    labels = {**dict(Feature.choices), "score": _("Score")}
    return {"variables": variables, "labels": [labels.get(v, v) for v in variables], "months": months,
            "series": [[v, str(labels.get(v, v))] for v in variables],
            "warning": stability.WARNING, "alert": stability.ALERT}


def scoring_model_list(*, user):
    """The scoring model registry (province-wide: a model is not a customer's)."""
    return ScoringModel.objects.select_related("published_by")


def scoring_model_details(*, user):
    return ScoringModel.objects.prefetch_related("factors__bins", "cutoffs")


# --- Configuration pages (issue 18) ---------------------------------------------------------------------------

def draft_factor_list(*, user):
    """Factors of draft models (the only ones that can be edited)."""
    return Factor.objects.filter(scoring_model__status="draft").select_related("scoring_model").prefetch_related(
        "bins")


def impact_shares(preview) -> list[dict]:
    """Star shares before (today's stars) and after (the star the previewed model gives), from a preview's moves:
    [{"star", "before", "after", "before_share", "after_share"}] for 5★..0★ and unrated."""
    before: dict = {}
    after: dict = {}
    for old, new, n, _change in preview.matrix:
        before[old] = before.get(old, 0) + n
        after[new] = after.get(new, 0) + n
    total = sum(before.values()) or 1
    return [{"star": None if star < 0 else star, "before": before.get(star, 0), "after": after.get(star, 0),
             "before_share": round(100 * before.get(star, 0) / total, 2),
             "after_share": round(100 * after.get(star, 0) / total, 2)}
            for star in (5, 4, 3, 2, 1, 0, -1)]


def sms_template_list(*, user):
    return SmsTemplate.objects.all()


def sms_sample_customer(*, user, pk: int | None = None):
    """The customer whose values an SMS preview uses: the one asked for (in scope), else the first with a line."""
    customers = Customer.objects.visible_to(user)
    if pk:
        return customers.filter(pk=pk).first()
    return customers.filter(lines__isnull=False).order_by("pk").first()


def extended_policy_list(*, user):
    return ExtendedServicePolicy.objects.all()


def extended_policy_rows() -> list[tuple]:
    """(service code, label, policy or None) for every extended credit service."""
    policies_by_service = {p.service: p for p in ExtendedServicePolicy.objects.all()}
    return [(code, label, policies_by_service.get(code)) for code, label in ExtendedService.choices]


def scoring_model_published() -> ScoringModel | None:
    """The running scoring model (None before any is published)."""
    return ScoringModel.objects.filter(status=ModelStatus.PUBLISHED).first()
