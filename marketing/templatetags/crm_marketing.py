from django import template

register = template.Library()


@register.filter
def fields_named(form, names: str):
    """The bound fields of a form named in a comma-separated list, in that order (to group a long form)."""
    return [form[name] for name in names.split(",") if name in form.fields]


@register.filter
def star_label(star):
    return "—" if star in (None, "unrated") else f"{star}★"
