"""Pages where managers keep their groups' data: the account, key people, agreements, products held."""

from django.utils.translation import gettext_lazy

from core.generic_views import ServiceFormView
from enterprise import account_data, selectors
from enterprise.forms import AccountForm, AgreementForm, KeyPersonForm, ProductForm
from enterprise.models import Agreement, KeyPerson, ProductHolding
from enterprise.views import AccountFormView


class AccountCreateView(ServiceFormView):
    permission_required = "enterprise.add_enterpriseaccount"
    template_name = "enterprise/form.html"
    form_class = AccountForm
    extra_context = {"title": gettext_lazy("New enterprise account")}
    success_message = gettext_lazy("Account created.")
    service, success_url_name = account_data.account_create, "enterprise:account"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        team = getattr(getattr(self.request.user, "staff_profile", None), "team", None)
        return {"region": team.region_id if team else None}

    def success_url_kwargs(self, account):
        return {"pk": account.pk}


class RecordFormView(AccountFormView):
    """A piece of an account's data (`record_model`), in the user's scope, NetBox-style one view for both: added
    from the account (`creating`: the URL names the account) or edited (the URL names the record). The permission
    is the model's add_ or change_ one; `titles` and `services` are (new, edit); the edit service takes the record
    by `object_as`, and its form starts from the record's `record_fields`."""

    object_selector = None
    record_model = None
    creating = False
    titles = services = ("", "")
    record_fields = ()

    def get_permission_required(self):
        meta = self.record_model._meta
        return (f"{meta.app_label}.{'add' if self.creating else 'change'}_{meta.model_name}",)

    def get_scoped_queryset(self):
        return selectors.account_record_list(self.record_model, user=self.request.user)

    def get_object(self):
        if self.creating:
            return selectors.account_get(user=self.request.user, pk=self.kwargs["pk"])
        return super().get_object()

    @property
    def account(self):
        return self.object if self.creating else self.object.account

    @property
    def title(self):
        return self.titles[0 if self.creating else 1]

    def get_object_as(self):
        return "account" if self.creating else self.object_as

    def get_initial(self):
        return {} if self.creating else {f: getattr(self.object, f) for f in self.record_fields}

    def perform(self, form):
        service = self.services[0 if self.creating else 1]
        return service(**form.cleaned_data, by=self.request.user, **{self.get_object_as(): self.object})


class AccountEditView(AccountFormView):
    permission_required = "enterprise.change_enterpriseaccount"
    title = gettext_lazy("Edit account")
    form_class = AccountForm
    service = account_data.account_update

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "creating": False}

    def get_initial(self):
        return {**{f: getattr(self.object, f) for f in account_data.ACCOUNT_FIELDS}, "region": self.object.region_id}


class KeyPersonFormView(RecordFormView):
    record_model, object_as = KeyPerson, "person"
    titles = gettext_lazy("New key person"), gettext_lazy("Edit key person")
    form_class, services = KeyPersonForm, (account_data.key_person_create, account_data.key_person_update)

    def get_initial(self):  # the phone is not shown: empty keeps it
        if self.creating:
            return {}
        initial = {f: getattr(self.object, f) for f in account_data.KEY_PERSON_FIELDS if f != "phone"}
        return {**initial, "line_msisdn": self.object.line.msisdn if self.object.line_id else ""}

    def perform(self, form):
        if not self.creating and not form.cleaned_data.get("phone"):
            form.cleaned_data.pop("phone", None)
        return super().perform(form)


class AgreementFormView(RecordFormView):
    record_model, object_as, record_fields = Agreement, "agreement", account_data.AGREEMENT_FIELDS
    titles = gettext_lazy("New agreement"), gettext_lazy("Edit agreement")
    form_class, services = AgreementForm, (account_data.agreement_create, account_data.agreement_update)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "account": self.account, "creating": self.creating}

    def get_initial(self):
        return {"renews": self.request.GET.get("renews")} if self.creating else super().get_initial()


class ProductFormView(RecordFormView):
    record_model, object_as, record_fields = ProductHolding, "holding", account_data.PRODUCT_FIELDS
    titles = gettext_lazy("New product held"), gettext_lazy("Edit product held")
    form_class, services = ProductForm, (account_data.product_create, account_data.product_update)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "creating": self.creating}
