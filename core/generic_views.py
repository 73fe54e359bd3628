"""Generic page views, NetBox-style (netbox/views/generic/object_views.py): an app's list, detail, form and
export is a few class attributes on one of these bases.

- `ScopedListView`: selector (the scoped queryset), filterset, sortable columns, capped paginator, page size and
  the query string kept across pages.
- `PageView`: a page of figures over the user's scope (a report).
- `ObjectView`: one object looked up in the user's scope (404 outside it), rendered with its template.
- `ServiceFormView`: a form whose valid data goes to a service; the ONE place a service's ValidationError is
  copied onto the form (`copy_errors`). `ServiceActionView`: the same for a POST that answers with messages
  and a redirect.
- `LookupView`: a name picker's JSON suggestions (`?q=`), or the one picked (`?id=`), from a scoped selector.
- `CsvExportView`: columns, a masking hook for personal data, streamed, every cell formula-safe
  (core.exports.csv_response).

Every base is login- and permission-required (`permission_required`, Django's mixin). A selector is a plain
function `selector(*, user, **kwargs)`; it is read from the class so it is never bound as a method.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage
from django.forms import SelectMultiple
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from core import selectors as core_selectors
from core.exports import csv_response
from core.pagination import PAGE_SIZES, CappedCountPaginator, page_window


def view_permission(model) -> str:
    """Django's view permission of a model: `<app>.view_<model>`."""
    return f"{model._meta.app_label}.view_{model._meta.model_name}"


def copy_errors(form, error: ValidationError, renamed: dict | None = None) -> None:
    """A service's ValidationError onto the form: a field it names (the last part of a dotted name, or the form
    field `renamed` gives for the service field's name or its prefix) gets its messages, anything else is a
    form-wide error."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.message_dict.items():
        field = next((to for name, to in (renamed or {}).items() if field.startswith(name)), field.split(".")[-1])
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


def error_messages(request, error: ValidationError) -> None:
    """A service's ValidationError as page messages (for a POST that redirects rather than showing a form)."""
    for message in error.messages:
        messages.error(request, message)


def form_error_messages(request, form) -> None:
    """An invalid form's errors as page messages, each under its field's label."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))


class Scoped(LoginRequiredMixin, PermissionRequiredMixin):
    """Login, permission, and the user's scope from a selector."""

    selector = None  # selector(*, user, **selector_kwargs()) -> the queryset the user may see

    def selector_kwargs(self) -> dict:
        return {}

    def get_scoped_queryset(self):
        if type(self).selector is None:
            return None
        return type(self).selector(user=self.request.user, **self.selector_kwargs())

    def get_extra_context(self) -> dict:
        """What the page shows beside its objects (figures, choices, what the user may do)."""
        return {}


def searchable_filters(form) -> None:
    """Mark a filter form's multi-selects for the searchable dropdown (Tom Select, wired once in
    static/js/app.js) with its texts in the current language."""
    for field in form.fields.values():
        if isinstance(field.widget, SelectMultiple):
            field.widget.attrs.update({"data-tom-select": "", "data-placeholder": _("Any"),
                                       "data-no-results": _("No match"), "data-remove-title": _("Remove")})


class ScopedListView(Scoped, ListView):
    """A filtered, sorted, paginated list of what the user may see.

    `filterset_class` filters the selector's queryset with the request's query string (the same filterset serves
    the API and the export); `columns` are the table's headers, (label, ordering name or None[, "end"]): a named
    one is a link that sorts by it, again to reverse. `querystring` is the query without the page, for the pager;
    `per_page` (one of PAGE_SIZES) sets the page size and stays in every link and form the list makes (sort,
    pager, filters: `list_state`). The user's saved filters of this list come with the page (`saved_filters`)."""

    filterset_class = None
    columns = ()
    paginate_by = 50
    paginator_class = CappedCountPaginator
    ordering_param = "ordering"
    default_ordering = ""  # the order of a list asked for none (its header shows the arrow)
    page_size_param = "per_page"
    page_sizes = PAGE_SIZES

    def get_permission_required(self):
        """Without `permission_required`, the view permission of the model listed (its filterset's); the template
        is Django's `<app>/<model>_list.html` unless `template_name` names another."""
        if self.permission_required is None and self.filterset_class is not None:
            return (view_permission(self.filterset_class._meta.model),)
        return super().get_permission_required()

    def get_queryset(self):
        self.filterset = self.filterset_class(self.request.GET or None, queryset=self.get_scoped_queryset())
        searchable_filters(self.filterset.form)
        return self.filterset.qs

    def get_paginate_by(self, queryset):
        size = self.request.GET.get(self.page_size_param, "")
        return int(size) if size.isdigit() and int(size) in self.page_sizes else self.paginate_by

    def paginate_queryset(self, queryset, page_size):
        """A page number past the last (a typed jump, a stale link) shows the last page, a bad one the first,
        rather than a 404."""
        paginator = self.get_paginator(queryset, page_size, orphans=self.get_paginate_orphans(),
                                       allow_empty_first_page=self.get_allow_empty())
        number = self.request.GET.get(self.page_kwarg) or 1
        try:
            page = paginator.page(number)
        except InvalidPage:
            try:
                page = paginator.page(paginator.num_pages if str(number).isdigit() else 1)
            except InvalidPage:
                page = paginator.page(1)
        return paginator, page, page.object_list, page.has_other_pages()

    def filter_value(self, name: str, default=""):
        """A filter's cleaned value, for a selector that applies the filter itself (before the queryset)."""
        form = self.filterset_class(self.request.GET or None).form
        return (form.cleaned_data.get(name) or default) if form.is_valid() else default

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop(self.page_kwarg, None)
        context = super().get_context_data(**kwargs, filterset=self.filterset, querystring=query.urlencode(),
                                           **self.get_extra_context())
        self.decorate_page(context["object_list"])
        if self.columns:
            context["columns"] = self.sortable_columns(query)
        context["list_state"] = self.list_state(query, context["page_obj"])
        match = self.request.resolver_match
        context["list_view_name"] = match.view_name if match else ""
        context["saved_filters"] = (core_selectors.saved_filters(user=self.request.user, view=match.view_name)
                                    if match else [])
        return context

    def list_state(self, query, page) -> dict:
        """What the pager, the page-size selector and the filter form carry over: the query's pairs without the
        page (jump), without the page size too (size selector), and only the size and the order (filters)."""
        pairs = [(key, value) for key in query for value in query.getlist(key)]
        # the filter form carries the size and the order, unless it has a field of that name itself
        kept = {self.page_size_param, self.ordering_param} - set(self.filterset.form.fields)
        return {"jump": pairs,
                "size": [(k, v) for k, v in pairs if k != self.page_size_param],
                "filter": [(k, v) for k, v in pairs if k in kept],
                "sizes": self.page_sizes, "size_param": self.page_size_param,
                "per_page": page.paginator.per_page if page else self.paginate_by,
                "window": page_window(page) if page else []}

    def decorate_page(self, objects) -> None:
        """Set what a row shows beyond its columns on the page's objects (one query for the page, not per row)."""

    def sortable_columns(self, query) -> list[dict]:
        current = query.get(self.ordering_param) or self.default_ordering
        headers = []
        for label, name, *align in self.columns:
            header = {"label": label, "name": name, "url": None, "sorted": None, "align": align[0] if align else ""}
            if name:
                header["sorted"] = "asc" if current == name else "desc" if current == f"-{name}" else None
                q = query.copy()
                q[self.ordering_param] = f"-{name}" if current == name else name
                header["url"] = "?" + q.urlencode()
            headers.append(header)
        return headers


class ScopedObject(Scoped):
    """One object in the user's scope: `object_selector(user=, pk=)` (raises 404 outside the scope), or the
    selector's queryset looked up by pk; None when the URL names none or the view has neither. The page has it as
    `object` and, by Django's convention, under its model's name (or `context_object_name`); without
    `template_name` the template is `<app>/<that name>_detail.html`."""

    object_selector = None
    context_object_name = None
    template_name_suffix = "_detail"

    def get_object_name(self) -> str:
        """The name the object goes by on the page (and in its template's name): `context_object_name`, else the
        name a service takes it by (`object_as`), else its model's."""
        if self.context_object_name:
            return self.context_object_name
        if isinstance(getattr(self, "object_as", None), str):
            return self.object_as
        obj = getattr(self, "object", None)
        return obj._meta.model_name if obj is not None else "object"

    def get_template_names(self):
        obj = getattr(self, "object", None)
        if self.template_name is None and obj is not None:
            return [f"{obj._meta.app_label}/{self.get_object_name()}{self.template_name_suffix}.html"]
        return super().get_template_names()

    def get_object(self):
        pk = self.kwargs.get("pk")
        if pk is None:
            return None
        if type(self).object_selector is not None:
            return type(self).object_selector(user=self.request.user, pk=pk)
        scoped = self.get_scoped_queryset()
        if scoped is None:
            return None
        obj = scoped.filter(pk=pk).first()
        if obj is None:
            raise Http404
        return obj

    def get_context_data(self, **kwargs):
        if not hasattr(self, "object"):
            self.object = self.get_object()
        context = super().get_context_data(**kwargs)
        context["object"] = context[self.get_object_name()] = self.object
        context.update(self.get_extra_context())
        return context


class PageView(Scoped, TemplateView):
    """A page of figures over the user's scope (a report): `get_extra_context` is what it shows."""

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **self.get_extra_context()}


class ObjectView(ScopedObject, TemplateView):
    """One object in the user's scope, rendered with its template (404 outside the scope)."""


class ServiceFormView(ScopedObject, FormView):
    """A form whose valid data is handed to a service (`perform`). The service's ValidationError goes onto the
    form (`copy_errors`) and the page is shown again with `invalid_status`; success shows `success_message` and
    redirects to `get_success_url(result)`. With `object_selector` or `selector` the form acts on one object in
    scope (`self.object`), otherwise on none (`self.object` is None)."""

    success_message = ""
    invalid_status = 200
    # a page anyone with `permission_required` sees, whose POST needs more: without it, a message and back
    change_permission = None
    change_denied_message = ""
    renamed_errors: dict = {}  # service field (or its prefix) -> the form field that shows its errors

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.can_change():
            messages.error(request, self.change_denied_message)
            return redirect(request.path)
        return super().post(request, *args, **kwargs)

    def can_change(self) -> bool:
        return self.change_permission is None or self.request.user.has_perm(self.change_permission)

    # The service, declared: service(<object_as>=self.object, <by_as>=the user, **the form's cleaned data).
    service = None
    object_as = None
    by_as = "by"
    arguments: dict = {}  # form field -> the service's argument, where the names differ
    # Where success goes: `success_url`, or the URL `success_url_name` with `success_url_kwargs(result)`, or back.
    success_url_name = None

    def perform(self, form):
        """Call the service with the form's data; return what `get_success_url` needs."""
        kwargs = {self.arguments.get(k, k): v for k, v in form.cleaned_data.items()}
        kwargs[self.by_as] = self.request.user
        if self.get_object_as():
            kwargs[self.get_object_as()] = self.object
        return type(self).service(**kwargs)

    def get_object_as(self) -> str | None:
        """The argument the service takes the object by (None: the service takes none)."""
        return self.object_as

    def get_success_message(self, result) -> str:
        return str(self.success_message)

    def success_url_kwargs(self, result) -> dict:
        return {"pk": self.object.pk}

    def get_success_url(self, result=None):
        if self.success_url:
            return str(self.success_url)
        if self.success_url_name:
            return reverse(self.success_url_name, kwargs=self.success_url_kwargs(result))
        return self.request.path

    def form_valid(self, form):
        try:
            result = self.perform(form)
        except ValidationError as error:
            copy_errors(form, error, self.renamed_errors)
            return self.form_invalid(form)
        message = self.get_success_message(result)
        if message:
            messages.success(self.request, message)
        return redirect(self.get_success_url(result))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=self.invalid_status)


class ObjectFormView(ServiceFormView):
    """An object's page with the form that changes it, by Django's conventions from its model: the page needs the
    model's view permission (of the `selector`'s model, unless `permission_required` says another view_
    permission), the form's POST the matching change_ one (else `change_denied_message`, by default naming the
    model); the service gets the object under its name (`object_as`, by default the page's name for it), and
    success says the object is updated. Whoever may not change it, or an object `changeable()` says is closed,
    sees the page without the form (`can_change` says which)."""

    def get_permission_required(self):
        if self.permission_required is None and type(self).selector is not None:
            return (view_permission(type(self).selector(user=self.request.user).model),)
        return super().get_permission_required()

    @property
    def change_permission(self):
        app, _dot, codename = self.get_permission_required()[0].partition(".")
        return f"{app}.{codename.replace('view_', 'change_', 1)}"

    @property
    def change_denied_message(self):
        return _("You may not change %(objects)s.") % {"objects": self.object._meta.verbose_name_plural}

    def get_object_as(self) -> str:
        return self.object_as or self.get_object_name()

    def get_success_message(self, result) -> str:
        return str(self.success_message) or _("%(object)s updated.") % {
            "object": capfirst(self.object._meta.verbose_name)}

    def changeable(self) -> bool:
        """Whether the object still takes the form (a closed one does not)."""
        return True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        can_change = self.can_change()
        return {**context, "can_change": can_change, "form": context["form"] if can_change and self.changeable()
                else None}


class ServiceActionView(ServiceFormView):
    """A POST-only form (its page is elsewhere): errors, the form's or the service's, become messages and the
    answer is always a redirect."""

    http_method_names = ["post", "options"]
    invalid_message = ""  # instead of the form's own errors

    def get_failure_url(self):
        return self.get_success_url()

    def form_invalid(self, form):
        if self.invalid_message:
            messages.error(self.request, self.invalid_message)
        else:
            form_error_messages(self.request, form)
        return redirect(self.get_failure_url())

    def form_valid(self, form):
        try:
            result = self.perform(form)
        except ValidationError as error:
            error_messages(self.request, error)
            return redirect(self.get_failure_url())
        message = self.get_success_message(result)
        if message:
            messages.success(self.request, message)
        return redirect(self.get_success_url(result))


class CsvExport:
    """What a CSV download holds: `header`, the queryset's `fields` (values_list) and `masked` {field: mask}
    (personal data, masked cell by cell). `response(queryset)` streams it (core.exports.csv_response)."""

    def __init__(self, *, filename: str, header, fields=(), masked=None, chunk_size: int = 5000):
        self.filename, self.header, self.fields = filename, list(header), list(fields)
        self.masked = masked or {}
        self.chunk_size = chunk_size

    def rows(self, queryset):
        masks = [(i, self.masked[f]) for i, f in enumerate(self.fields) if f in self.masked]
        for row in queryset.values_list(*self.fields).iterator(chunk_size=self.chunk_size):
            if masks:
                row = list(row)
                for i, mask in masks:
                    row[i] = mask(row[i])
            yield row

    def response(self, queryset=None, *, rows=None, filename: str | None = None):
        return csv_response(filename or self.filename, self.header, self.rows(queryset) if rows is None else rows)


class CsvExportView(Scoped, View):
    """A streamed CSV of the (filtered) scoped queryset: `export` says the columns and masks; `filterset_class`
    (optional) applies the list page's filters, so the download is the list the user sees."""

    export: CsvExport = None
    filterset_class = None

    def get_export_queryset(self):
        qs = self.get_scoped_queryset()
        if self.filterset_class is not None:
            qs = self.filterset_class(self.request.GET or None, queryset=qs).qs
        return qs

    def get_filename(self) -> str:
        return self.export.filename

    def get(self, request, *args, **kwargs):
        return self.export.response(self.get_export_queryset(), filename=self.get_filename())


class LookupView(Scoped, View):
    """A name picker's suggestions as JSON {"results": [...]}: `lookup(user=, q=)` for the text typed (at most
    LOOKUP_MAX_QUERY characters), or `lookup(user=, <key>=)` for one picked value (`?id=` or another of
    `keys`) to show its name. The selector keeps to the user's scope; a malformed value is a 400 naming it."""

    lookup = None  # lookup(*, user, q="", pk=None, **keys) -> list[dict] with "id" and "text"
    keys = ()  # other exact keys the picker may post instead of the id (e.g. "username")
    LOOKUP_MAX_QUERY = 50

    def get(self, request, *args, **kwargs):
        lookup = type(self).lookup
        if "id" in request.GET:
            value = request.GET["id"].strip()
            if not value.isdigit() or len(value) > 18:
                return JsonResponse({"id": [_("Enter a whole number.")]}, status=400)
            return JsonResponse({"results": lookup(user=request.user, pk=int(value))})
        for key in self.keys:
            if key in request.GET:
                value = request.GET[key].strip()
                if len(value) > 150:
                    return JsonResponse({key: [_("Too long.")]}, status=400)
                return JsonResponse({"results": lookup(user=request.user, **{key: value})})
        q = request.GET.get("q", "").strip()
        if len(q) > self.LOOKUP_MAX_QUERY:
            return JsonResponse({"q": [_("Too long.")]}, status=400)
        return JsonResponse({"results": lookup(user=request.user, q=q)})
