"""Reads for the account data the managers keep: key people with their line's churn risk and dual-SIM device,
agreements with their state, and the account's change history (each in a fixed number of queries)."""

from datetime import date

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.masking import mask_phone
from customers.models import Device
from enterprise import account_data
from enterprise.models import Agreement, EnterpriseAccount, KeyPerson, ProductHolding
from retention.models import ChurnScore, RetentionAlert

AGREEMENT_STATE_LABELS = {"active": pgettext_lazy("agreement state", "active"),
                          "expiring": pgettext_lazy("agreement state", "expiring"),
                          "lapsed": pgettext_lazy("agreement state", "lapsed, not renewed"),
                          "renewed": pgettext_lazy("agreement state", "renewed"),
                          "ended": pgettext_lazy("agreement state", "ended without renewal")}
MASKED_FIELDS = {"phone"}
CHANGE_LABELS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


def key_people(account: EnterpriseAccount) -> list[dict]:
    """Each key person with the masked phone and, when they have their own line: the line (masked), the latest
    churn score of its customer, an open retention alert, a dual-SIM current device (003: 双机 = may switch)."""
    latest_score = ChurnScore.objects.filter(customer=OuterRef("line__customer")).order_by("-scanned_on")
    open_alert = RetentionAlert.objects.filter(customer=OuterRef("line__customer"), closed_at__isnull=True)
    device = Device.objects.filter(customer=OuterRef("line__customer")).order_by("-started_on")
    people = (KeyPerson.objects.filter(account=account).select_related("line")
              .annotate(churn_score=Subquery(latest_score.values("score")[:1]),
                        churn_scanned_on=Subquery(latest_score.values("scanned_on")[:1]),
                        alert_score=Subquery(open_alert.order_by("-score").values("score")[:1]),
                        dual_sim=Subquery(device.values("dual_sim")[:1])))
    return [{"person": p, "phone": mask_phone(p.phone), "line": mask_phone(p.line.msisdn) if p.line_id else "",
             "line_status": p.line.get_status_display() if p.line_id else "",
             "churn_score": p.churn_score, "churn_scanned_on": p.churn_scanned_on, "alert_score": p.alert_score,
             "dual_sim": bool(p.dual_sim), "at_risk": bool(p.alert_score or p.dual_sim)} for p in people]


def agreements(account: EnterpriseAccount, today: date) -> list[dict]:
    rows = list(Agreement.objects.filter(account=account).select_related("renews").order_by("-expires_on"))
    states = account_data.agreement_states(rows, today)
    return [{"agreement": a, "state": states[a.pk], "state_label": AGREEMENT_STATE_LABELS[states[a.pk]],
             "days_left": (a.expires_on - today).days} for a in rows]


def _diff(record, previous, fields) -> list[str]:
    out = []
    for field in fields:
        old = getattr(previous, field, None) if previous else None
        new = getattr(record, field, None)
        if previous is not None and old == new:
            continue
        if previous is None and new in (None, ""):
            continue
        if field in MASKED_FIELDS:
            old, new = mask_phone(old or ""), mask_phone(new or "")
        out.append(f"{field}: {old if previous is not None else ''}{' → ' if previous is not None else ''}{new}")
    return out


def account_changes(account: EnterpriseAccount, limit: int = 30) -> list[dict]:
    """The latest changes of the account and its key people, agreements and products (who, when, what), newest
    first; phone numbers masked. One query per kind of record."""
    sources = [
        (_("account"), EnterpriseAccount.history.filter(id=account.pk),
         [*account_data.ACCOUNT_FIELDS, "account_manager_id", "service_manager_id"]),
        (_("key person"), KeyPerson.history.filter(account_id=account.pk),
         [*account_data.KEY_PERSON_FIELDS, "line_id"]),
        (_("agreement"), Agreement.history.filter(account_id=account.pk),
         [*account_data.AGREEMENT_FIELDS, "renews_id"]),
        (_("product held"), ProductHolding.history.filter(account_id=account.pk),
         ["product", *account_data.PRODUCT_FIELDS]),
    ]
    rows = []
    for kind, qs, fields in sources:
        records = list(qs.select_related("history_user").order_by("id", "history_date", "history_id")[:500])
        previous = {}
        for record in records:
            prior = previous.get(record.id)
            rows.append({"at": record.history_date, "kind": kind, "object": str(getattr(record, "name", "") or
                                                                                getattr(record, "title", "") or
                                                                                getattr(record, "product", "") or
                                                                                record.id),
                         "type": CHANGE_LABELS.get(record.history_type, record.history_type),
                         "user": (record.history_user.get_full_name() or record.history_user.username)
                         if record.history_user else "—",
                         "reason": record.history_change_reason or "", "changes": _diff(record, prior, fields)})
            previous[record.id] = record
    rows.sort(key=lambda r: r["at"], reverse=True)
    return rows[:limit]
