"""Writes of the account data the managers keep (003 §4.3 第七: 客户资料没有集中整理统一): the account itself, its
key people, agreements, competitors present and products held. Pages and API call these; each is atomic, keeps
the account in the writer's scope and leaves a history record naming the writer (django-simple-history)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.choices import Role
from core.roles import user_role
from core.scope import customer_scope_q
from customers.models import Customer, Line
from enterprise import policies
from enterprise.models import Agreement, EnterpriseAccount, KeyPerson, ProductHolding

ACCOUNT_FIELDS = ("name", "industry", "region", "size", "headcount", "customer_since", "competitors",
                  "legacy_class")
KEY_PERSON_FIELDS = ("role", "name", "title", "phone", "vip_card_issued_on", "notes")
AGREEMENT_FIELDS = ("title", "signed_on", "expires_on", "monthly_value", "ended_on", "end_reason")
PRODUCT_FIELDS = ("since", "monthly_revenue")

OUT_OF_BOOK = gettext_lazy("Choose a manager whose book you see: yourself, or a manager of your team.")
NOT_A_MANAGER = gettext_lazy("Only account managers and team leads hold accounts.")
NO_SUCH_LINE = gettext_lazy("No line with this number among the group's members or the customers you serve.")
NOT_THIS_ACCOUNT = gettext_lazy("That agreement belongs to another group.")
ALREADY_RENEWED = gettext_lazy("That agreement has already been renewed.")
ENDED_CANNOT_RENEW = gettext_lazy("That agreement ended without renewal; record a new agreement instead.")
RENEWED_CANNOT_END = gettext_lazy("A renewed agreement does not end without renewal.")
PRODUCT_HELD = gettext_lazy("The group already holds this product: edit it instead.")


def _error(field: str, message, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(str(message), code=code)})


def _sees(user, account: EnterpriseAccount) -> bool:
    return EnterpriseAccount.objects.filter(customer_scope_q(user), pk=account.pk).exists()


def _save(obj, by, reason: str):
    obj._history_user = by
    obj._change_reason = reason[:100]
    obj.full_clean()
    obj.save()
    return obj


def _competitors_clean(value) -> str:
    """"移动, 电信，联通" or ["电信", "联通"] → "电信, 联通" (stripped, each once, in the order given)."""
    items = value if isinstance(value, (list, tuple)) else str(value or "").replace("，", ",").split(",")
    seen = []
    for item in (str(i).strip() for i in items):
        if item and item not in seen:
            seen.append(item)
    return ", ".join(seen)


# ---------------------------------------------------------------- accounts


@transaction.atomic
def account_create(*, by, account_manager=None, **fields) -> EnterpriseAccount:
    """A new group in the writer's book: an account manager's own; a lead's for a manager of the team (default
    the lead); an admin's for any manager, or none."""
    role = user_role(by)
    if role in (Role.ACCOUNT_MANAGER, Role.TEAM_LEAD) and account_manager is None:
        account_manager = by
    if account_manager is not None and user_role(account_manager) not in (Role.ACCOUNT_MANAGER, Role.TEAM_LEAD):
        raise _error("account_manager", NOT_A_MANAGER, "not_a_manager")
    values = {k: v for k, v in fields.items() if k in ACCOUNT_FIELDS}
    values["competitors"] = _competitors_clean(values.get("competitors", ""))
    account = EnterpriseAccount(account_manager=account_manager, **values)
    _save(account, by, "created")
    if not _sees(by, account):  # the writer must keep seeing what they created: no accounts for other books
        raise _error("account_manager", OUT_OF_BOOK, "out_of_scope")
    return account


@transaction.atomic
def account_update(*, account: EnterpriseAccount, by, **changes) -> EnterpriseAccount:
    """The profile fields (the managers change only through reassignment, the class only by the batch)."""
    account = EnterpriseAccount.objects.select_for_update().get(pk=account.pk)
    for key, value in changes.items():
        if key in ACCOUNT_FIELDS:
            setattr(account, key, _competitors_clean(value) if key == "competitors" else value)
    return _save(account, by, "edited")


# ---------------------------------------------------------------- key people


def _own_line(account: EnterpriseAccount, by, msisdn: str) -> Line | None:
    """The key person's own line: a member line of the group or a line of a customer the writer serves (never
    a stranger's line: its churn risk would show on the account page)."""
    msisdn = (msisdn or "").strip()
    if not msisdn:
        return None
    line = (Line.objects.filter(msisdn=msisdn)
            .filter(Q(enterprise=account) | Q(customer__in=Customer.objects.visible_to(by).values("pk")))
            .order_by("-activated_on").first())
    if line is None:
        raise _error("line_msisdn", NO_SUCH_LINE, "unknown_line")
    return line


@transaction.atomic
def key_person_create(*, account: EnterpriseAccount, by, line_msisdn: str = "", **fields) -> KeyPerson:
    person = KeyPerson(account=account, line=_own_line(account, by, line_msisdn),
                       **{k: v for k, v in fields.items() if k in KEY_PERSON_FIELDS and v is not None})
    if not person.phone and person.line is not None:
        person.phone = person.line.msisdn
    return _save(person, by, "created")


@transaction.atomic
def key_person_update(*, person: KeyPerson, by, line_msisdn: str | None = None, **changes) -> KeyPerson:
    """Only the fields given change (`line_msisdn` "" unlinks the line; None leaves it)."""
    person = KeyPerson.objects.select_for_update().get(pk=person.pk)
    for key, value in changes.items():
        if key in KEY_PERSON_FIELDS:
            setattr(person, key, "" if value is None and key != "vip_card_issued_on" else value)
    if line_msisdn is not None:
        person.line = _own_line(person.account, by, line_msisdn)
    return _save(person, by, "edited")


# ---------------------------------------------------------------- agreements


def _check_agreement(agreement: Agreement):
    renews = agreement.renews
    errors = policies.agreement_errors(
        signed_on=agreement.signed_on, expires_on=agreement.expires_on,
        renews_expires_on=renews.expires_on if renews else None, renews_signed_on=renews.signed_on if renews else None,
        ended_on=agreement.ended_on, end_reason=agreement.end_reason)
    if errors:
        raise ValidationError({k: ValidationError(_(v), code="agreement") for k, v in errors.items()})


@transaction.atomic
def agreement_create(*, account: EnterpriseAccount, by, title: str, signed_on: date, expires_on: date,
                     monthly_value: Decimal = Decimal("0.00"), renews: Agreement | None = None) -> Agreement:
    """A new agreement; `renews` links it to the one it renews (which then no longer counts as expiring)."""
    if renews is not None:
        renews = Agreement.objects.select_for_update().get(pk=renews.pk)
        if renews.account_id != account.pk:
            raise _error("renews", NOT_THIS_ACCOUNT, "other_account")
        if Agreement.objects.filter(renews=renews).exists():
            raise _error("renews", ALREADY_RENEWED, "renewed")
        if renews.ended_on is not None:
            raise _error("renews", ENDED_CANNOT_RENEW, "ended")
    agreement = Agreement(account=account, title=title, signed_on=signed_on, expires_on=expires_on,
                          monthly_value=monthly_value or Decimal("0.00"), renews=renews)
    _check_agreement(agreement)
    return _save(agreement, by, f"renews #{renews.pk}" if renews else "created")


@transaction.atomic
def agreement_update(*, agreement: Agreement, by, **changes) -> Agreement:
    """Correct an agreement, or record that it ended without renewal (ended_on with end_reason)."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    for key, value in changes.items():
        if key in AGREEMENT_FIELDS:
            setattr(agreement, key, ("" if key == "end_reason" else None) if value is None else value)
    if agreement.ended_on is not None and Agreement.objects.filter(renews=agreement).exists():
        raise _error("ended_on", RENEWED_CANNOT_END, "renewed")
    if agreement.ended_on is None:
        agreement.end_reason = ""
    _check_agreement(agreement)
    return _save(agreement, by, "ended without renewal" if "ended_on" in changes and agreement.ended_on
                 else "edited")


def agreement_states(agreements, today: date | None = None) -> dict[int, str]:
    """{agreement id: state} for agreements already loaded (one query for the renewals)."""
    today = today or timezone.localdate()
    ids = [a.pk for a in agreements]
    renewed = set(Agreement.objects.filter(renews_id__in=ids).values_list("renews_id", flat=True))
    return {a.pk: policies.agreement_state(expires_on=a.expires_on, today=today, renewed=a.pk in renewed,
                                           ended_on=a.ended_on) for a in agreements}


# ---------------------------------------------------------------- products held


@transaction.atomic
def product_create(*, account: EnterpriseAccount, by, product: str, since: date,
                   monthly_revenue: Decimal = Decimal("0.00")) -> ProductHolding:
    if ProductHolding.objects.filter(account=account, product=product).exists():
        raise _error("product", PRODUCT_HELD, "held")
    holding = ProductHolding(account=account, product=product, since=since,
                             monthly_revenue=monthly_revenue or Decimal("0.00"))
    return _save(holding, by, "created")


@transaction.atomic
def product_update(*, holding: ProductHolding, by, **changes) -> ProductHolding:
    holding = ProductHolding.objects.select_for_update().get(pk=holding.pk)
    for key, value in changes.items():
        if key in PRODUCT_FIELDS and value is not None:
            setattr(holding, key, value)
    return _save(holding, by, "edited")
