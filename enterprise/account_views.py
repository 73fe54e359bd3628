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
    """Edit one piece of an account's data (the URL names the record, `record_model`), in the user's scope."""

    object_selector = None
    record_model = None

    def get_scoped_queryset(self):
        return selectors.account_record_list(self.record_model, user=self.request.user)

    @property
    def account(self):
        return self.object.account


class AccountEditView(AccountFormView):
    permission_required = "enterprise.change_enterpriseaccount"
    title = gettext_lazy("Edit account")
    form_class = AccountForm
    service = account_data.account_update

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "creating": False}

    def get_initial(self):
        return {**{f: getattr(self.object, f) for f in account_data.ACCOUNT_FIELDS}, "region": self.object.region_id}


class KeyPersonCreateView(AccountFormView):
    permission_required = "enterprise.add_keyperson"
    title = gettext_lazy("New key person")
    form_class, service = KeyPersonForm, account_data.key_person_create


class KeyPersonEditView(RecordFormView):
    permission_required = "enterprise.change_keyperson"
    record_model = KeyPerson
    title = gettext_lazy("Edit key person")
    form_class, service, object_as = KeyPersonForm, account_data.key_person_update, "person"

    def get_initial(self):  # the phone is not shown: empty keeps it
        initial = {f: getattr(self.object, f) for f in account_data.KEY_PERSON_FIELDS if f != "phone"}
        return {**initial, "line_msisdn": self.object.line.msisdn if self.object.line_id else ""}

    def perform(self, form):
        if not form.cleaned_data.get("phone"):
            form.cleaned_data.pop("phone", None)
        return super().perform(form)


class AgreementCreateView(AccountFormView):
    permission_required = "enterprise.add_agreement"
    title = gettext_lazy("New agreement")
    form_class, service = AgreementForm, account_data.agreement_create

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "account": self.object}

    def get_initial(self):
        return {"renews": self.request.GET.get("renews")}


class AgreementEditView(RecordFormView):
    permission_required = "enterprise.change_agreement"
    record_model = Agreement
    title = gettext_lazy("Edit agreement")
    form_class, service, object_as = AgreementForm, account_data.agreement_update, "agreement"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "creating": False}

    def get_initial(self):
        return {f: getattr(self.object, f) for f in account_data.AGREEMENT_FIELDS}


class ProductCreateView(AccountFormView):
    permission_required = "enterprise.add_productholding"
    title = gettext_lazy("New product held")
    form_class, service = ProductForm, account_data.product_create


class ProductEditView(RecordFormView):
    permission_required = "enterprise.change_productholding"
    record_model = ProductHolding
    title = gettext_lazy("Edit product held")
    form_class, service, object_as = ProductForm, account_data.product_update, "holding"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "creating": False}

    def get_initial(self):
        return {"since": self.object.since, "monthly_revenue": self.object.monthly_revenue}
