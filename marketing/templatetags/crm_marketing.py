from django import template

from core.models import Region
from customers.models import Brand
from marketing import policies

register = template.Library()


@register.filter
def fields_named(form, names: str):
    """The bound fields of a form named in a comma-separated list, in that order (to group a long form)."""
    return [form[name] for name in names.split(",") if name in form.fields]


@register.filter
def star_label(star):
    return "—" if star in (None, "unrated") else f"{star}★"


@register.filter
def segment_sentences(rules) -> list[str]:
    """The campaign's segment rules as sentences, regions and brands by name."""
    rules = rules or {}
    regions = dict(Region.objects.filter(pk__in=[v for v in rules.get("region") or [] if str(v).isdigit()])
                   .values_list("pk", "name"))
    brands = dict(Brand.objects.filter(pk__in=[v for v in rules.get("brand") or [] if str(v).isdigit()])
                  .values_list("pk", "name"))
    return policies.segment_sentences(rules, region_names=regions, brand_names=brands)


@register.filter
def history_source(source) -> str:
    return str(policies.HISTORY_SOURCE_LABELS.get(source, source))
