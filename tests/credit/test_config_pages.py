"""Configuration in the app for credit officers (issue 18 item 3): scoring-model drafts with the impact preview
and a recorded publication, SMS templates with a preview, extended-service policies, the blacklist. Inputs
through the pages (and the intake services); effects where a user looks: the page, /audit/, the next SMS, the
next request."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.tasks import dispatch_run
from core.audit import display_name
from credit import blacklist, configuration, extended
from credit.batches import BASE_KIND
from credit.choices import Feature, FourEyesKind, FourEyesStatus, ModelStatus
from credit.four_eyes import ERR_DRAFT_EDITOR, four_eyes_approve
from credit.models import (
    ExtendedServicePolicy, FactorBin, FourEyesRequest, Rating, ScoringModel, SmsMessage, SmsTemplate, StarCutoff,
)
from credit.services import ERR_NO_FACTORS, legacy_grade_import, scoring_model_copy
from credit.selectors import scoring_model_published
from core.templatetags.crm import money
from customers.models import BlacklistEntry
from tests.credit.publishing import second_officer
from tests.credit.test_batches import PERIOD, good_customer
from tests.factories import CustomerFactory, LineFactory

pytestmark = pytest.mark.django_db


def zh(message, **params) -> str:
    """A message constant as the (Chinese) page shows it."""
    with translation.override("zh-hans"):
        return str(message) % params if params else str(message)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def draft(org):
    return scoring_model_copy(model=scoring_model_published(), by=org.credit_officer)


def cutoffs(model) -> dict:
    return dict(StarCutoff.objects.filter(scoring_model=model).values_list("star", "min_score"))


def draft_form(model, **changes) -> dict:
    data = {"name": model.name, "notes": model.notes,
            **{f"cutoff_{star}": str(score) for star, score in cutoffs(model).items()}}
    return {**data, **changes}


def bins_form(factor, rows, **extra) -> dict:
    data = {"dimension": factor.dimension, "weight": str(factor.weight), "bins-TOTAL_FORMS": str(len(rows)),
            "bins-INITIAL_FORMS": "0", "bins-MIN_NUM_FORMS": "0", "bins-MAX_NUM_FORMS": "1000", **extra}
    for i, (lower, upper, category, points) in enumerate(rows):
        data.update({f"bins-{i}-lower": lower, f"bins-{i}-upper": upper, f"bins-{i}-category": category,
                     f"bins-{i}-points": points})
    return data


def page_names(draft):
    factor = draft.factors.get(feature="tenure_months")
    return [reverse("credit:model-edit", args=[draft.pk]), reverse("credit:factor-edit", args=[factor.pk]),
            reverse("credit:sms-templates"), reverse("credit:sms-template", args=[SmsTemplate.objects.first().pk]),
            reverse("credit:extended-policies"),
            reverse("credit:extended-policy", args=[ExtendedServicePolicy.objects.first().pk]),
            reverse("credit:blacklist")]


def test_every_configuration_page_renders_for_a_credit_officer_and_is_403_for_an_account_manager(org, draft):
    officer, manager = signed_in(org.credit_officer), signed_in(org.am1)
    for url in page_names(draft):
        assert officer.get(url).status_code == 200, url
        assert manager.get(url).status_code == 403, url
    publish = reverse("credit:model-publish", args=[draft.pk])
    assert manager.post(publish, {"reason": "想发布"}).status_code == 403
    assert ScoringModel.objects.get(pk=draft.pk).status == ModelStatus.DRAFT


def test_the_menu_offers_configuration_to_credit_officers_only(org):
    wanted = {reverse("credit:sms-templates"), reverse("credit:extended-policies"), reverse("arrears:policies")}
    officer = {i["url"] for i in signed_in(org.credit_officer).get(reverse("dashboard")).context["nav_items"]}
    manager = {i["url"] for i in signed_in(org.am1).get(reverse("dashboard")).context["nav_items"]}
    assert wanted <= officer and not wanted & manager


def test_falling_cutoffs_are_a_form_error_and_change_nothing(org, draft):
    before = cutoffs(draft)
    response = signed_in(org.credit_officer).post(reverse("credit:model-edit", args=[draft.pk]),
                                                  draft_form(draft, cutoff_4="70", cutoff_5="60"))
    assert response.status_code == 200
    assert zh(configuration.ERRORS["cutoffs_rising"], star=5, lower=4) in response.context["form"].non_field_errors()
    assert cutoffs(draft) == before


def test_cutoffs_of_a_draft_are_saved_and_the_history_says_who(org, draft):
    response = signed_in(org.credit_officer).post(reverse("credit:model-edit", args=[draft.pk]),
                                                  draft_form(draft, cutoff_5="110.00"))
    assert response.status_code == 302
    assert cutoffs(draft)[5] == Decimal("110.00")
    change = StarCutoff.history.filter(scoring_model_id=draft.pk, star=5).latest("history_date")
    assert change.history_user_id == org.credit_officer.pk and "5★ ≥ 110" in change.history_change_reason


def test_overlapping_bins_are_a_form_error_and_the_bins_stay(org, draft):
    factor = draft.factors.get(feature="tenure_months")
    before = list(factor.bins.values_list("lower", "upper", "points"))
    response = signed_in(org.credit_officer).post(
        reverse("credit:factor-edit", args=[factor.pk]),
        bins_form(factor, [("", "24", "", "0"), ("12", "", "", "10")]))
    assert response.status_code == 200
    assert zh(configuration.ERRORS["overlap"], first="[-∞, 24)", second="[12, ∞)") in (
        response.context["form"].non_field_errors())
    assert list(factor.bins.values_list("lower", "upper", "points")) == before
    zero_weight = signed_in(org.credit_officer).post(
        reverse("credit:factor-edit", args=[factor.pk]), bins_form(factor, [("", "", "", "5")], weight="0"))
    assert zero_weight.status_code == 200 and zero_weight.context["form"].errors["weight"]
    assert list(factor.bins.values_list("lower", "upper", "points")) == before


def test_a_factor_is_rebinned_added_and_removed_on_a_draft_only(org, draft):
    officer = signed_in(org.credit_officer)
    factor = draft.factors.get(feature="tenure_months")
    response = officer.post(reverse("credit:factor-edit", args=[factor.pk]),
                            bins_form(factor, [("", "24", "", "0"), ("24", "", "", "15"), ("", "", "", "")],
                                      weight="1.50"))
    assert response.status_code == 302, (response.context["form"].errors, response.context["form"].bins.errors)
    factor.refresh_from_db()
    assert factor.weight == Decimal("1.50")
    assert set(factor.bins.values_list("lower", "upper", "points")) == {
        (None, Decimal("24.00"), Decimal("0.00")), (Decimal("24.00"), None, Decimal("15.00"))}
    assert not draft.factors.filter(feature="late_bills_6m").exists()
    assert officer.post(reverse("credit:factor-add", args=[draft.pk]),
                        {"feature": "late_bills_6m", "dimension": "payment", "weight": "1"}).status_code == 302
    added = draft.factors.get(feature="late_bills_6m")
    twice = officer.post(reverse("credit:factor-add", args=[draft.pk]),
                         {"feature": "late_bills_6m", "dimension": "payment", "weight": "1"}, follow=True)
    assert zh(configuration.ERR_FACTOR_TWICE, feature=zh(Feature.LATE_BILLS_6M.label)) in twice.content.decode()
    assert draft.factors.filter(feature="late_bills_6m").count() == 1
    assert officer.post(reverse("credit:factor-remove", args=[added.pk])).status_code == 302
    assert not draft.factors.filter(feature="late_bills_6m").exists()
    # the running model: no edit page, and its factors are not draft factors (404)
    running = scoring_model_published()
    assert officer.get(reverse("credit:model-edit", args=[running.pk])).status_code == 302
    running_factor = running.factors.first()
    assert officer.get(reverse("credit:factor-edit", args=[running_factor.pk])).status_code == 404
    assert officer.post(reverse("credit:model-edit", args=[running.pk]), draft_form(running, cutoff_5="1")
                        ).status_code == 200
    assert cutoffs(running)[5] != Decimal("1")


def test_a_draft_factor_without_bins_cannot_be_published(org, draft):
    officer = signed_in(org.credit_officer)
    FactorBin.objects.filter(factor__scoring_model=draft, factor__feature="tenure_months").delete()
    response = officer.post(reverse("credit:model-publish", args=[draft.pk]), {"reason": "新版本"}, follow=True)
    assert zh(ERR_NO_FACTORS) in response.content.decode()
    assert ScoringModel.objects.get(pk=draft.pk).status == ModelStatus.DRAFT


def test_the_drafter_cannot_publish_alone_and_a_second_officer_approval_publishes(org, draft):
    """Before: one officer's POST to the publish URL made their own draft the running model. Now it is a request;
    the asker cannot approve it, an officer who edited the draft cannot either; a second officer's approval
    publishes it, and the next nightly run rates under it."""
    officer, second_user, old = signed_in(org.credit_officer), second_officer(), scoring_model_published()
    editor_user = second_officer()
    assert signed_in(editor_user).post(reverse("credit:model-edit", args=[draft.pk]),
                                       draft_form(draft, notes="编辑过")).status_code == 302
    no_reason = officer.post(reverse("credit:model-publish", args=[draft.pk]), {"reason": ""})
    assert no_reason.status_code == 302 and not FourEyesRequest.objects.exists()
    assert officer.post(reverse("credit:model-publish", args=[draft.pk]), {"reason": "提高5星门槛"}).status_code == 302
    request = FourEyesRequest.objects.get(kind=FourEyesKind.SCORING_MODEL_PUBLISH, subject_id=draft.pk)
    assert ScoringModel.objects.get(pk=draft.pk).status == ModelStatus.DRAFT and scoring_model_published() == old
    page = officer.get(reverse("credit:model-edit", args=[draft.pk])).content.decode()
    assert 'id="publication-waiting"' in page and "提高5星门槛" in page and "approve-publication" not in page
    # the asker, by the page and by the service: refused, nothing published
    officer.post(reverse("credit:four-eyes-approve", args=[request.pk]), {"reason": ""})
    with pytest.raises(ValidationError) as own:
        four_eyes_approve(request=request, by=org.credit_officer)
    assert own.value.error_dict["__all__"][0].code == "own_request"
    # another officer who edited the draft: refused too
    response = signed_in(editor_user).post(reverse("credit:four-eyes-approve", args=[request.pk]), {}, follow=True)
    assert zh(ERR_DRAFT_EDITOR) in response.content.decode()
    assert ScoringModel.objects.get(pk=draft.pk).status == ModelStatus.DRAFT
    # while it waits the draft is frozen: what the second officer approves is what was asked for
    frozen = officer.post(reverse("credit:model-edit", args=[draft.pk]), draft_form(draft, cutoff_5="1"))
    assert frozen.status_code == 200 and cutoffs(draft)[5] != Decimal("1")
    # the second officer sees it on the draft's page and on the four-eyes list, and approves it
    second = signed_in(second_user)
    assert "approve-publication" in second.get(reverse("credit:model-edit", args=[draft.pk])).content.decode()
    assert request in second.get(reverse("credit:four-eyes")).context["object_list"]
    assert second.post(reverse("credit:four-eyes-approve", args=[request.pk]), {"reason": "已复核"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == ModelStatus.PUBLISHED and draft.published_by == second_user and draft.published_at
    decision = draft.history.latest("history_date")
    assert decision.history_user_id == second_user.pk
    assert decision.history_change_reason == f"published v{draft.version} (#{request.pk}): 提高5星门槛"
    old.refresh_from_db()
    assert old.status == ModelStatus.RETIRED
    assert old.history.latest("history_date").history_change_reason == f"retired by v{draft.version}"
    # the next nightly run rates under the new version
    customer = good_customer()
    dispatch_run(BASE_KIND, PERIOD)
    assert Rating.objects.get(customer=customer).policy_version == f"base-v{draft.version}"
    # the audit page: who asked, who approved, why, the version
    admin = signed_in(org.admin)
    model_audit = admin.get(reverse("audit"), {"model": "credit.scoringmodel"}).content.decode()
    assert f"published v{draft.version} (#{request.pk}): 提高5星门槛" in model_audit
    request_audit = admin.get(reverse("audit"), {"model": "credit.foureyesrequest"}).content.decode()
    for user in (org.credit_officer, second_user):
        assert display_name(user) in request_audit
    assert "提高5星门槛" in request_audit and "已复核" in request_audit


def test_the_admin_offers_no_way_around_a_waiting_publication(org, draft):
    """While a draft's publication waits, the Django admin shows it read-only and a save is refused: nobody edits
    what the second officer is about to approve, and no admin path publishes it."""
    officer, admin = signed_in(org.credit_officer), signed_in(org.admin)
    factor = draft.factors.get(feature="tenure_months")
    change = reverse("admin:credit_factor_change", args=[factor.pk])
    assert admin.get(change).context["has_change_permission"]  # a draft nobody asked to publish: editable
    assert officer.post(reverse("credit:model-publish", args=[draft.pk]), {"reason": "提高5星门槛"}).status_code == 302
    assert not admin.get(change).context["has_change_permission"]
    assert admin.post(change, {"dimension": factor.dimension, "feature": factor.feature, "weight": "9"}
                      ).status_code == 403
    model_change = reverse("admin:credit_scoringmodel_change", args=[draft.pk])
    assert admin.post(model_change, {"version": draft.version, "name": "改名"}).status_code == 403
    factor.weight = Decimal("9")
    with pytest.raises(ValidationError):  # the model itself refuses, whatever the path (shell, command)
        factor.save()
    draft.refresh_from_db()
    assert draft.name != "改名" and draft.status == ModelStatus.DRAFT
    assert draft.factors.get(feature="tenure_months").weight != Decimal("9")


def test_the_impact_preview_shows_star_shares_before_and_after_on_the_draft_page(org, draft):
    for _ in range(3):
        good_customer()
    officer = signed_in(org.credit_officer)
    # every cut-off out of reach: everyone the draft rates falls to 0★
    assert officer.post(reverse("credit:model-edit", args=[draft.pk]), draft_form(
        draft, cutoff_1="901", cutoff_2="902", cutoff_3="903", cutoff_4="904", cutoff_5="905")).status_code == 302
    assert officer.post(reverse("credit:model-preview", args=[draft.pk])).status_code == 302
    page = officer.get(reverse("credit:model-edit", args=[draft.pk]))
    shares = {row["star"]: row for row in page.context["shares"]}
    assert sum(row["before"] for row in shares.values()) == page.context["preview"].customers
    assert all(shares[s]["after"] == 0 for s in (1, 2, 3, 4, 5))
    assert 'id="star-shares"' in page.content.decode() and not page.context["preview_stale"]
    change = page.context["preview"].credit_change
    assert f"授信总额变化 {money(change)}。" in page.content.decode()  # ¥1,234.00, not "1234.00 元"
    factor = draft.factors.get(feature="tenure_months")
    assert officer.post(reverse("credit:factor-edit", args=[factor.pk]),
                        bins_form(factor, [("", "", "", "5")])).status_code == 302
    assert officer.get(reverse("credit:model-edit", args=[draft.pk])).context["preview_stale"]  # compute it again


# --- SMS templates ---------------------------------------------------------------------------------------------

def test_the_sms_preview_renders_a_sample_customer_and_refuses_an_unknown_placeholder(org):
    customer = CustomerFactory(name="李雷", join_date=date(2010, 1, 1))
    LineFactory(customer=customer)
    legacy_grade_import(customer=customer, grade="AA")  # 4★, 200 CNY
    template = SmsTemplate.objects.get(event="limit_changed")
    officer = signed_in(org.credit_officer)
    url = reverse("credit:sms-template", args=[template.pk])
    preview = officer.get(url, {"body": "尊敬的{name}，您的{star}星额度为{limit}元。", "active": "on",
                                "customer": customer.pk, "preview": "1"})
    assert preview.status_code == 200
    assert preview.context["preview"] == "尊敬的李雷，您的4星额度为200.00元。"
    unknown = officer.get(url, {"body": "尊敬的{nmae}，额度{limit}元", "customer": customer.pk, "preview": "1"})
    assert "{nmae}" in " ".join(unknown.context["form"].errors["body"]) and unknown.context["preview"] is None
    saved = officer.post(url, {"body": "尊敬的{name}，{balance}", "active": "on"})
    assert saved.status_code == 200 and saved.context["form"].errors["body"]
    assert SmsTemplate.objects.get(pk=template.pk).body == template.body
    braces = officer.post(url, {"body": "尊敬的{name，额度", "active": "on"})
    assert braces.status_code == 200 and braces.context["form"].errors["body"]


def test_a_saved_template_is_the_text_of_the_next_message(org):
    template = SmsTemplate.objects.get(event="star_assigned")
    response = signed_in(org.credit_officer).post(reverse("credit:sms-template", args=[template.pk]),
                                                  {"body": "【测试】{name}：{star}星，额度{limit}元", "active": "on"})
    assert response.status_code == 302
    assert SmsTemplate.history.filter(id=template.pk).latest("history_date").history_user_id == org.credit_officer.pk
    customer = CustomerFactory(name="韩梅梅", join_date=date(2010, 1, 1))
    LineFactory(customer=customer)
    legacy_grade_import(customer=customer, grade="A")  # the star is assigned: the touchpoint SMS
    body = SmsMessage.objects.get(customer=customer, event="star_assigned").body
    assert body.startswith("【测试】韩梅梅：3星，额度50") and body.endswith("元")  # 50 or 50.00 by the path


# --- Extended credit service policies ---------------------------------------------------------------------------

def policy_form(policy, **changes) -> dict:
    data = {"active": "on" if policy.active else "", "min_star": policy.min_star, "max_amount": policy.max_amount,
            "max_amount_per_month": policy.max_amount_per_month, "max_count_per_month": policy.max_count_per_month,
            "max_persons_per_month": policy.max_persons_per_month, "validity_days": policy.validity_days,
            "effective_hours": policy.effective_hours, "giver_floor": policy.giver_floor,
            "channels": policy.channels, "reason": "调整"}
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_an_extended_policy_with_a_month_below_one_request_is_a_form_error_and_nothing_changes(org):
    policy = ExtendedServicePolicy.objects.get(service="balance_transfer")
    response = signed_in(org.credit_officer).post(reverse("credit:extended-policy", args=[policy.pk]),
                                                  policy_form(policy, max_amount="500.00"))
    assert response.status_code == 200 and response.context["form"].errors["max_amount_per_month"]
    assert ExtendedServicePolicy.objects.get(pk=policy.pk).version == policy.version


def test_ending_a_service_is_a_new_version_and_the_next_request_is_refused(org):
    policy = ExtendedServicePolicy.objects.get(service="balance_transfer")
    giver, receiver = CustomerFactory(join_date=date(2010, 1, 1)), CustomerFactory(join_date=date(2010, 1, 1))
    LineFactory(customer=giver)
    receiver_line = LineFactory(customer=receiver)
    legacy_grade_import(customer=giver, grade="AA")
    response = signed_in(org.credit_officer).post(reverse("credit:extended-policy", args=[policy.pk]),
                                                  policy_form(policy, active="", reason="暂停转赠"))
    assert response.status_code == 302
    ended = ExtendedServicePolicy.objects.get(pk=policy.pk)
    assert not ended.active and ended.version == policy.version + 1
    assert ended.history.latest("history_date").history_change_reason == "暂停转赠"
    with pytest.raises(ValidationError) as refused:
        extended.extended_service_request(service="balance_transfer", giver=giver,
                                          receiver_msisdn=receiver_line.msisdn, amount=Decimal("10.00"),
                                          channel="app", by=org.credit_officer)
    assert [e.code for errors in refused.value.error_dict.values() for e in errors] == ["inactive"]


def test_the_admin_applies_the_same_placeholder_and_limit_rules(org):
    """A rule shown is a rule applied at every path: the administrators' admin refuses what the pages refuse."""
    admin = signed_in(org.admin)
    template = SmsTemplate.objects.get(event="barred")
    response = admin.post(reverse("admin:credit_smstemplate_change", args=[template.pk]),
                          {"event": template.event, "body": "因欠费{amout}元停机", "active": "on"})
    assert response.status_code == 200 and response.context["adminform"].form.errors["body"]
    assert SmsTemplate.objects.get(pk=template.pk).body == template.body
    policy = ExtendedServicePolicy.objects.get(service="credit_sharing")
    data = {k: v for k, v in policy_form(policy, max_amount_per_month="10.00").items() if k != "reason"}
    response = admin.post(reverse("admin:credit_extendedservicepolicy_change", args=[policy.pk]),
                          {**data, "service": policy.service, "version": policy.version})
    assert response.status_code == 200 and response.context["adminform"].form.errors["max_amount_per_month"]
    assert ExtendedServicePolicy.objects.get(pk=policy.pk).version == policy.version


def test_a_blacklist_entry_is_corrected_with_a_reason_and_never_below_what_was_paid(org):
    customer = CustomerFactory(join_date=date(2010, 1, 1))
    LineFactory(customer=customer)
    entry = blacklist.blacklist_entry_add(customer=customer, reason="恶意欠费", amount_owed=Decimal("300.00"),
                                          by=org.credit_officer)
    url = reverse("credit:blacklist-edit", args=[entry.pk])
    assert signed_in(org.am1).get(url).status_code == 403
    officer = signed_in(org.credit_officer)
    shown = officer.get(url)
    assert shown.status_code == 200 and "此后已还款 ¥0.00。" in shown.content.decode()  # money, not "0.00 元"
    assert url in officer.get(reverse("credit:blacklist")).content.decode()
    zero = officer.post(url, {"evidence": "", "amount_owed": "0.00", "reason": "已结清"})
    assert zero.status_code == 200 and zero.context["form"].errors["amount_owed"]
    assert BlacklistEntry.objects.get(pk=entry.pk).amount_owed == Decimal("300.00")
    done = officer.post(url, {"evidence": "法院判决书", "amount_owed": "280.00", "reason": "核减滞纳金"})
    assert done.status_code == 302
    entry.refresh_from_db()
    assert (entry.amount_owed, entry.evidence) == (Decimal("280.00"), "法院判决书")
    change = entry.history.latest("history_date")
    assert (change.history_user_id, change.history_change_reason) == (org.credit_officer.pk, "核减滞纳金")
    blacklist.blacklist_entries_clear(customer=customer, reason="已结清", by=org.credit_officer)
    assert officer.get(url).status_code == 404  # ended: cleared entries are not edited


def test_the_requester_withdraws_a_waiting_publication_which_unfreezes_the_draft(org, draft):
    """A publication request the asker no longer wants is withdrawn with a reason (only by the asker or an
    administrator): nothing is published, the draft can change again, and the history says who, when, why."""
    officer, other = signed_in(org.credit_officer), second_officer()
    assert officer.post(reverse("credit:model-publish", args=[draft.pk]), {"reason": "提高5星门槛"}).status_code == 302
    request = FourEyesRequest.objects.get(kind=FourEyesKind.SCORING_MODEL_PUBLISH, subject_id=draft.pk)
    page = officer.get(reverse("credit:model-edit", args=[draft.pk])).content.decode()
    assert 'id="withdraw-publication"' in page
    assert 'id="withdraw-publication"' not in signed_in(other).get(
        reverse("credit:model-edit", args=[draft.pk])).content.decode()
    # another officer may not withdraw it (they approve or reject it); no reason: refused
    assert signed_in(other).post(reverse("credit:four-eyes-withdraw", args=[request.pk]),
                                 {"reason": "不要了"}).status_code == 403
    officer.post(reverse("credit:four-eyes-withdraw", args=[request.pk]), {"reason": ""})
    request.refresh_from_db()
    assert request.status == FourEyesStatus.PENDING
    back = reverse("credit:model-edit", args=[draft.pk])
    response = officer.post(reverse("credit:four-eyes-withdraw", args=[request.pk]),
                            {"reason": "规则还要调整", "next": back})
    assert response.status_code == 302 and response.url == back
    request.refresh_from_db()
    assert request.status == FourEyesStatus.WITHDRAWN and request.decided_by == org.credit_officer
    assert request.decision_reason == "规则还要调整"
    assert ScoringModel.objects.get(pk=draft.pk).status == ModelStatus.DRAFT
    # a withdrawn request cannot be approved any more, and the draft is editable again
    signed_in(other).post(reverse("credit:four-eyes-approve", args=[request.pk]), {"reason": "同意"})
    assert ScoringModel.objects.get(pk=draft.pk).status == ModelStatus.DRAFT
    assert officer.post(reverse("credit:model-edit", args=[draft.pk]),
                        draft_form(draft, notes="继续修改")).status_code == 302
    assert ScoringModel.objects.get(pk=draft.pk).notes == "继续修改"
    history = request.history.latest("history_date")
    assert history.history_user_id == org.credit_officer.pk and history.history_change_reason == "规则还要调整"
    audit = signed_in(org.admin).get(reverse("audit"), {"model": "credit.foureyesrequest"}).content.decode()
    assert "规则还要调整" in audit
    # asked again, an administrator may withdraw it too
    officer.post(reverse("credit:model-publish", args=[draft.pk]), {"reason": "再次申请"})
    again = FourEyesRequest.objects.get(kind=FourEyesKind.SCORING_MODEL_PUBLISH, subject_id=draft.pk,
                                        status=FourEyesStatus.PENDING)
    assert signed_in(org.admin).post(reverse("credit:four-eyes-withdraw", args=[again.pk]),
                                     {"reason": "管理员撤回"}).status_code == 302
    again.refresh_from_db()
    assert again.status == FourEyesStatus.WITHDRAWN and again.decided_by == org.admin
