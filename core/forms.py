from decimal import Decimal

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import policies
from core.audit import record_type_label
from core.api.fields import money_maximum, window_refusal
from core.auth import SERVICE_ACCOUNT_LOGIN
from core.roles import is_service_account


class StyledFormMixin:
    """Give every widget its Bootstrap class so templates can render fields in a loop."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs.setdefault("class", css)


class StyledForm(StyledFormMixin, forms.Form):
    pass


class LoginForm(AuthenticationForm):
    """The staff login: service accounts (API-only) are refused with a form error, and no session is made."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if is_service_account(user):
            raise forms.ValidationError(SERVICE_ACCOUNT_LOGIN, code="service_account")


class StaffPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    """Django's own: the old password, the new one twice, checked by settings.AUTH_PASSWORD_VALIDATORS."""


class MoneyFormField(forms.CharField):
    """A page form's amount in CNY, by the same rule as the API's MoneyField (core.policies.parse_money): ASCII
    digits, at most 2 decimals, up to the operation's business maximum (settings.MONEY_MAXIMUM)."""

    def __init__(self, *, operation: str, minimum: str = "0.01", **kwargs):
        self.operation, self.minimum = operation, Decimal(minimum)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return policies.parse_money(value, minimum=self.minimum, maximum=money_maximum(self.operation))
        except policies.Refusal as refusal:
            raise forms.ValidationError(str(refusal), code=refusal.code) from refusal


class BoundedDateField(forms.DateField):
    """A page form's day within `past_days` before and `future_days` after today (None: the intake's age limit,
    settings.INTAKE_MAX_AGE_DAYS), so that no date far out reaches the date arithmetic behind the form."""

    def __init__(self, *, past_days: int | None = None, future_days: int | None = None, **kwargs):
        self.past_days, self.future_days = past_days, future_days
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None and (refusal := window_refusal(day, past_days=self.past_days,
                                                          future_days=self.future_days)):
            raise forms.ValidationError(str(refusal), code=refusal.code)
        return day


class LookupInput(forms.TextInput):
    """A name picker over a plain text input: static/js/app.js makes it a Tom Select searching the JSON lookup
    `lookup` (a URL name: core.generic_views.LookupView, e.g. customers or staff in the user's scope) as the
    user types, showing names while the form still posts the id (or `value_field`). Without JS it is the
    plain input it was (the id typed), which the field checks on the server all the same."""

    def __init__(self, *, lookup: str, value_field: str = "id", attrs=None):
        super().__init__(attrs)
        self.lookup, self.value_field = lookup, value_field

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update({
            "data-lookup": reverse(self.lookup), "data-lookup-value": self.value_field, "autocomplete": "off",
            "data-placeholder": str(_("Type a name or number")), "data-no-results": str(_("No match")),
            "data-remove-title": str(_("Remove"))})
        return context


class LookupChoiceField(forms.ModelChoiceField):
    """One object picked with a LookupInput, checked against `queryset` (the requester's scope, set by the form):
    an id outside it is refused like an unknown one, with this field's error."""

    default_error_messages = {"invalid_choice": _("Unknown, or not in your scope.")}

    def __init__(self, *, lookup: str, queryset=None, to_field_name=None, **kwargs):
        kwargs.setdefault("widget", LookupInput(lookup=lookup, value_field=to_field_name or "id"))
        super().__init__(queryset=queryset, to_field_name=to_field_name, **kwargs)


AUDIT_YEARS = 30  # the audit trail is searched at most this far back


class AuditFilterForm(StyledForm):
    model = forms.ChoiceField(label=_("Record type"), required=False)
    username = LookupChoiceField(label=_("User"), required=False, lookup="lookup-users", to_field_name="username")
    object_id = forms.CharField(label=_("Record id"), required=False, max_length=40)
    since = BoundedDateField(label=_("From"), required=False, past_days=AUDIT_YEARS * 366, future_days=366)
    until = BoundedDateField(label=_("To (inclusive)"), required=False, past_days=AUDIT_YEARS * 366, future_days=366)

    def __init__(self, *args, models=(), users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].queryset = users  # the staff the admin may pick: core.selectors.staff_pickable
        self.fields["model"].choices = [("", _("All"))] + [(label, record_type_label(label)) for label in models]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data



class StaffChoiceField(forms.ModelChoiceField):
    """A staff member picked by name: the display name (full name), the login name only when there is none."""

    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()
