"""Pages where managers keep their groups' data: the account, key people, agreements, products held."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.scope import customer_scope_q
from enterprise import account_data, selectors
from enterprise.forms import AccountForm, AgreementForm, KeyPersonForm, ProductForm
from enterprise.models import Agreement, KeyPerson, ProductHolding
from enterprise.views import Perm, add_errors


def _in_scope(model, user, pk):
    return get_object_or_404(model.objects.filter(customer_scope_q(user, prefix="account__"))
                             .select_related("account"), pk=pk)


class AccountCreateView(Perm, View):
    permission_required = "enterprise.add_enterpriseaccount"

    def _render(self, request, form):
        return render(request, "enterprise/form.html", {"form": form, "title": _("New enterprise account")})

    def get(self, request):
        region = getattr(getattr(request.user, "staff_profile", None), "team", None)
        return self._render(request, AccountForm(user=request.user,
                                                 initial={"region": region.region_id if region else None}))

    def post(self, request):
        form = AccountForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                account = account_data.account_create(by=request.user, **form.cleaned_data)
                messages.success(request, _("Account created."))
                return redirect("enterprise:account", pk=account.pk)
            except ValidationError as exc:
                add_errors(form, exc)
        return self._render(request, form)


class ChildFormView(Perm, View):
    """Create (pk = the account) or edit (pk = the record) one piece of an account's data, in the user's scope."""

    creating = True
    model = None
    title = ""

    def form(self, request, account, obj, data=None):
        raise NotImplementedError

    def save(self, request, account, obj, form):
        raise NotImplementedError

    def _objects(self, request, pk):
        if self.creating:
            return selectors.account_get(user=request.user, pk=pk), None
        obj = _in_scope(self.model, request.user, pk)
        return obj.account, obj

    def _render(self, request, account, form):
        return render(request, "enterprise/form.html", {"form": form, "account": account, "title": self.title})

    def get(self, request, pk):
        account, obj = self._objects(request, pk)
        return self._render(request, account, self.form(request, account, obj))

    def post(self, request, pk):
        account, obj = self._objects(request, pk)
        form = self.form(request, account, obj, request.POST)
        if form.is_valid():
            try:
                self.save(request, account, obj, form)
                messages.success(request, _("Saved; the change is in the account's history."))
                return redirect("enterprise:account", pk=account.pk)
            except ValidationError as exc:
                add_errors(form, exc)
        return self._render(request, account, form)


class AccountEditView(ChildFormView):
    permission_required = "enterprise.change_enterpriseaccount"
    title = gettext_lazy("Edit account")

    def _objects(self, request, pk):
        account = selectors.account_get(user=request.user, pk=pk)
        return account, account

    def form(self, request, account, obj, data=None):
        initial = {f: getattr(account, f) for f in account_data.ACCOUNT_FIELDS}
        initial["region"] = account.region_id
        return AccountForm(data, user=request.user, creating=False, initial=initial)

    def save(self, request, account, obj, form):
        account_data.account_update(account=account, by=request.user, **form.cleaned_data)


class KeyPersonCreateView(ChildFormView):
    permission_required = "enterprise.add_keyperson"
    title = gettext_lazy("New key person")

    def form(self, request, account, obj, data=None):
        return KeyPersonForm(data)

    def save(self, request, account, obj, form):
        account_data.key_person_create(account=account, by=request.user, **form.cleaned_data)


class KeyPersonEditView(ChildFormView):
    permission_required = "enterprise.change_keyperson"
    creating, model = False, KeyPerson
    title = gettext_lazy("Edit key person")

    def form(self, request, account, obj, data=None):
        initial = {f: getattr(obj, f) for f in account_data.KEY_PERSON_FIELDS if f != "phone"}
        initial["line_msisdn"] = obj.line.msisdn if obj.line_id else ""
        return KeyPersonForm(data, initial=initial)  # the phone is not shown: empty keeps it

    def save(self, request, account, obj, form):
        data = dict(form.cleaned_data)
        if not data.get("phone"):
            data.pop("phone", None)
        account_data.key_person_update(person=obj, by=request.user, **data)


class AgreementCreateView(ChildFormView):
    permission_required = "enterprise.add_agreement"
    title = gettext_lazy("New agreement")

    def form(self, request, account, obj, data=None):
        return AgreementForm(data, account=account, initial={"renews": request.GET.get("renews")})

    def save(self, request, account, obj, form):
        account_data.agreement_create(account=account, by=request.user, **form.cleaned_data)


class AgreementEditView(ChildFormView):
    permission_required = "enterprise.change_agreement"
    creating, model = False, Agreement
    title = gettext_lazy("Edit agreement")

    def form(self, request, account, obj, data=None):
        return AgreementForm(data, creating=False,
                             initial={f: getattr(obj, f) for f in account_data.AGREEMENT_FIELDS})

    def save(self, request, account, obj, form):
        account_data.agreement_update(agreement=obj, by=request.user, **form.cleaned_data)


class ProductCreateView(ChildFormView):
    permission_required = "enterprise.add_productholding"
    title = gettext_lazy("New product held")

    def form(self, request, account, obj, data=None):
        return ProductForm(data)

    def save(self, request, account, obj, form):
        account_data.product_create(account=account, by=request.user, **form.cleaned_data)


class ProductEditView(ChildFormView):
    permission_required = "enterprise.change_productholding"
    creating, model = False, ProductHolding
    title = gettext_lazy("Edit product held")

    def form(self, request, account, obj, data=None):
        return ProductForm(data, creating=False, initial={"since": obj.since, "monthly_revenue": obj.monthly_revenue})

    def save(self, request, account, obj, form):
        account_data.product_update(holding=obj, by=request.user, **form.cleaned_data)
