"""Shared writes: a user's saved list filters."""

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from core.models import SavedFilter

QUERY_MAX = SavedFilter._meta.get_field("query").max_length
NAME_MAX = SavedFilter._meta.get_field("name").max_length


def list_url_resolve(*, view: str) -> str:
    """The path of a list by its URL name (a ValidationError on the `view` field if it names none)."""
    try:
        return reverse(view)
    except NoReverseMatch as error:
        raise ValidationError({"view": _("No such list.")}, code="unknown_list") from error


def saved_filter_save(*, user, view: str, name: str, query: str) -> SavedFilter:
    """Save (or replace, under the same name) the user's filter of a list: its query string without the page."""
    list_url_resolve(view=view)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the filter a name.")}, code="required")
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("At most %(n)d characters.") % {"n": NAME_MAX}}, code="max_length")
    params = QueryDict(query or "", mutable=True)
    params.pop("page", None)
    query = params.urlencode()
    if len(query) > QUERY_MAX:
        raise ValidationError({"query": _("Too many filters to save.")}, code="max_length")
    saved, _created = SavedFilter.objects.update_or_create(user=user, view=view, name=name,
                                                            defaults={"query": query})
    return saved


def saved_filter_delete(*, user, pk: int) -> SavedFilter | None:
    """Delete one of the user's own saved filters (another user's is left alone: None)."""
    saved = SavedFilter.objects.filter(user=user, pk=pk).first()
    if saved is not None:
        saved.delete()
    return saved
