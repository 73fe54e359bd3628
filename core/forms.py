from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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


class AuditFilterForm(StyledForm):
    model = forms.ChoiceField(label=_("Record type"), required=False)
    username = forms.CharField(label=_("User"), required=False, max_length=150)
    object_id = forms.CharField(label=_("Record id"), required=False, max_length=40)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, models=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", _("All"))] + [(label, label) for label in models]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data


class LoginForm(AuthenticationForm):
    """The staff login: service accounts (API-only) are refused with a form error, and no session is made."""

    def confirm_login_allowed(self, user):
        from core.auth import SERVICE_ACCOUNT_LOGIN
        from core.roles import is_service_account

        super().confirm_login_allowed(user)
        if is_service_account(user):
            raise forms.ValidationError(SERVICE_ACCOUNT_LOGIN, code="service_account")
