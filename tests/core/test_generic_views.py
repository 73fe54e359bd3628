"""The generic bases in core (core.generic_views, core.api): what every app's list, form, export and API relies on."""

from types import SimpleNamespace

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import translation

from core.api.permissions import ScopedPermission, for_request
from core.generic_views import CsvExport, ObjectFormView, ScopedListView, copy_errors
from enterprise import selectors as enterprise_selectors
from enterprise.filtersets import TaskFilterSet
from enterprise.models import Task
from retention.models import RetentionAlert


class NameForm(forms.Form):
    name = forms.CharField()
    contact_msisdn = forms.CharField(required=False)


def bound_form() -> NameForm:
    form = NameForm({"name": "x"})
    assert form.is_valid()
    return form


def test_a_service_error_lands_on_the_field_it_names_else_on_the_form():
    form = bound_form()
    copy_errors(form, ValidationError({"customer.name": "taken", "id_number": "bad checksum"}))
    assert form.errors["name"] == ["taken"]  # the last part of a dotted name
    assert form.non_field_errors() == ["bad checksum"]  # not a field of this form


def test_a_renamed_service_field_and_a_plain_error():
    form = bound_form()
    copy_errors(form, ValidationError({"related_contacts[0].msisdn": "not a number"}),
                {"related_contacts": "contact_msisdn"})
    copy_errors(form, ValidationError("blacklisted"))
    assert form.errors["contact_msisdn"] == ["not a number"]
    assert form.non_field_errors() == ["blacklisted"]


def test_sortable_headers_keep_the_query_and_reverse_the_current_order():
    view = ScopedListView()
    view.columns = [("Name", "name"), ("Region", None), ("Spend", "spend", "end")]
    headers = view.sortable_columns(QueryDict("q=wang&ordering=name"))
    assert headers[0]["sorted"] == "asc" and QueryDict(headers[0]["url"][1:]).dict() == {"q": "wang",
                                                                                           "ordering": "-name"}
    assert headers[1]["url"] is None  # not sortable
    assert headers[2]["sorted"] is None and headers[2]["align"] == "end"
    assert QueryDict(headers[2]["url"][1:])["ordering"] == "spend"


class Rows(list):
    """A stand-in queryset: values_list(...).iterator(...) gives the rows."""

    def values_list(self, *fields):
        return self

    def iterator(self, chunk_size):
        return iter(self)


def test_an_export_masks_personal_data_and_quotes_formulas():
    export = CsvExport(filename="x.csv", header=["id", "name", "id_number"], fields=["id", "name", "id_number"],
                       masked={"id_number": lambda v: "****" + v[-4:]})
    response = export.response(Rows([(1, "=HYPERLINK(1)", "110101199003077777")]))
    body = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert body == ["id,name,id_number", "1,'=HYPERLINK(1),****7777"]
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'


def test_an_api_permission_is_read_by_action_then_method_then_the_rest():
    request = RequestFactory().post("/")
    view = SimpleNamespace(action="transition", permission_required={"transition": "a.change", "*": "a.view"})
    assert for_request(view, request, "permission_required") == "a.change"
    view.action = "list"
    assert for_request(view, request, "permission_required") == "a.view"
    view.permission_required = {"POST": ["a.add"]}
    assert for_request(view, request, "permission_required") == ["a.add"]
    view.permission_required = "a.view"
    assert for_request(view, request, "permission_required") == "a.view"


def test_an_object_permission_is_checked_only_when_the_view_names_one():
    user = SimpleNamespace(is_authenticated=True, has_perms=lambda perms: "a.change" not in perms)
    request = SimpleNamespace(method="POST", user=user)
    view = SimpleNamespace(action="transition", object_permission_required={"transition": "a.change"})
    assert not ScopedPermission().has_object_permission(request, view, object())
    view.action = "other"
    assert ScopedPermission().has_object_permission(request, view, object())


class TaskList(ScopedListView):
    filterset_class = TaskFilterSet


class TaskPage(ObjectFormView):
    selector = enterprise_selectors.task_list


class AlertPage(ObjectFormView):
    permission_required = "retention.view_retentionalert"
    context_object_name = "alert"


def test_a_list_needs_the_view_permission_of_the_model_it_lists_unless_told_another():
    told = type("Told", (TaskList,), {"permission_required": "customers.add_customer"})
    assert TaskList().get_permission_required() == ("enterprise.view_task",)
    assert told().get_permission_required() == ("customers.add_customer",)


def test_an_object_page_takes_its_names_and_its_change_permission_from_its_model():
    task, alert = TaskPage(), AlertPage()
    task.object, alert.object = Task(), RetentionAlert()
    task.permission_required = "enterprise.view_task"  # (else read from the selector's model, for the user)
    assert (task.change_permission, alert.change_permission) == ("enterprise.change_task",
                                                                 "retention.change_retentionalert")
    assert task.get_template_names() == ["enterprise/task_detail.html"]  # <app>/<the page's name>_detail.html
    assert alert.get_template_names() == ["retention/alert_detail.html"]
    assert (task.get_object_as(), alert.get_object_as()) == ("task", "alert")  # the argument the service takes
    with translation.override("en"):
        assert str(task.get_success_message(None)) == "Task updated."
        assert str(alert.change_denied_message) == "You may not change retention alerts."
    with translation.override("zh-hans"):
        assert str(task.get_success_message(None)) == "任务已更新。"
