"""The segment query: the customers a campaign's rules target, as one queryset (the segment filterset over the
customers in scope). Below marketing.results (its baseline is the segment's non-takers) and marketing.selectors,
which reads it out (selectors.target_queryset / campaign_target)."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from customers.models import Customer
from marketing import policies
from marketing.filtersets import SegmentFilterSet
from marketing.models import Campaign


def _raise(errors: dict):
    raise ValidationError({k: ValidationError(str(v), code="segment") for k, v in errors.items()})


def target_queryset(*, rules: dict, min_star: int | None = None, user=None) -> QuerySet[Customer]:
    """The customers a segment targets, as ONE queryset: the rules through the segment filterset, the
    campaign's minimum star (a risk control narrows the target), and the user's scope when given."""
    clean, errors = policies.clean_segment(rules)
    if errors:
        _raise(errors)
    base = Customer.objects.visible_to(user) if user is not None else Customer.objects.all()
    filterset = SegmentFilterSet(policies.segment_filter_data(clean), queryset=base)
    if not filterset.is_valid():
        _raise({field: "; ".join(messages) for field, messages in filterset.errors.items()})
    qs = filterset.qs.order_by()
    if min_star is not None:
        qs = qs.filter(credit_star__gte=min_star)
    return qs


def campaign_target(*, campaign: Campaign, user=None) -> QuerySet[Customer]:
    return target_queryset(rules=campaign.segment, min_star=campaign.min_star, user=user)
