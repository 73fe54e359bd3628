"""Campaign writes. The pages, the API and the demo all go through these functions; each is atomic."""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.choices import Role
from core.roles import user_role
from customers.models import Customer
from marketing import policies, selectors
from marketing.choices import CampaignStatus, MemberHow, OpinionVerdict, RiskControl
from marketing.models import Campaign, CampaignDecision, CampaignMember, Notification, ReviewOpinion
from marketing.signals import campaign_submitted
from marketing.sql import segment_tag_sql

EDITABLE_FIELDS = policies.EDITABLE_FIELDS
ERR_NOT_EDITABLE = _("Only a draft or a returned campaign can be edited (this one is %(status)s).")
ERR_NOT_RUNNING = _("Customers are tagged only while the campaign runs (this one is %(status)s).")
ERR_HOW = _("A customer is tagged as acquired or converted.")
ERR_OPINION_STATE = _("Opinions are given while the campaign is in review.")
ERR_OPINION_ROLE = _("Only a credit officer reviewing the campaign gives opinions.")
ERR_ANSWER_STATE = _("The reviewer's opinions are answered while the campaign is returned for changes.")
ERR_ANSWER_ROLE = _("Only marketing staff revising the campaign answer the reviewer's opinions.")
ERR_ANSWER_UNKNOWN = _("%(id)s is not a \"must change\" opinion of the round that returned this campaign.")


def _errors(errors: dict):
    return ValidationError({field: ValidationError(str(message), code=field) for field, message in errors.items()})


def _clean_segment(campaign: Campaign):
    clean, errors = policies.clean_segment(campaign.segment)
    if errors:
        raise _errors({f"segment.{k}" if k != "segment" else k: v for k, v in errors.items()})
    campaign.segment = clean


@transaction.atomic
def campaign_create(*, author, **fields) -> Campaign:
    campaign = Campaign(author=author, **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
    _clean_segment(campaign)
    selectors.target_queryset(rules=campaign.segment)  # ids that do not exist are an error now, not at launch
    campaign.full_clean()
    campaign._change_reason = "created"
    campaign.save()
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, by, answers: dict | None = None, **fields) -> Campaign:
    """Revise a draft or a returned campaign; `answers` ({opinion id: text}) answer the reviewer's "must
    change" opinions with the revision (see opinions_answer)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_editable:
        raise _errors({"status": ERR_NOT_EDITABLE % {"status": campaign.get_status_display()}})
    for key, value in fields.items():
        if key in EDITABLE_FIELDS:
            setattr(campaign, key, value)
    _clean_segment(campaign)
    selectors.target_queryset(rules=campaign.segment)
    campaign.full_clean()
    campaign._change_reason = "edited"
    campaign._history_user = by
    campaign.save()
    if answers:
        opinions_answer(campaign=campaign, by=by, answers=answers)
    return campaign


@transaction.atomic
def opinions_answer(*, campaign: Campaign, by, answers: dict) -> list[ReviewOpinion]:
    """The author's answer to each "must change" opinion of the round that returned the campaign
    ({opinion id: what was changed, or why not}); a blank answer leaves that opinion as it was. A resubmission
    needs every one answered, and the officer reads the answers beside the changes in the next round."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.RETURNED:
        raise ValidationError({"answers": ValidationError(str(ERR_ANSWER_STATE), code="status")})
    if user_role(by) not in policies.DRAFTING_ROLES:
        raise ValidationError({"answers": ValidationError(str(ERR_ANSWER_ROLE), code="role")})
    answerable = {o.pk: o for o in campaign.opinions.filter(review_round=campaign.review_round,
                                                            verdict=OpinionVerdict.MUST_CHANGE)}
    now, saved = timezone.now(), []
    for key, text in answers.items():
        opinion = answerable.get(int(key)) if str(key).isdigit() else None
        if opinion is None:
            raise ValidationError({"answers": ValidationError(str(ERR_ANSWER_UNKNOWN % {"id": key}), code="unknown")})
        text = (text or "").strip()
        if not text or text == opinion.answer:
            continue
        opinion.answer, opinion.answered_by, opinion.answered_at = text, by, now
        opinion.full_clean()
        opinion._history_user = by
        opinion._change_reason = "answered"
        opinion.save()
        saved.append(opinion)
    return saved


_drafted_by = selectors.drafted_by  # the pages ask the same question to offer only the steps the user may take


def _notify(campaign: Campaign, recipients, message: str, now):
    Notification.objects.bulk_create([
        Notification(recipient_id=uid, campaign=campaign, message=message[:300], created_at=now)
        for uid in sorted(set(recipients))])


def _parties(campaign: Campaign, *, action: str, by) -> list[int]:
    """Who hears of a step: credit officers when it arrives for review; the author and reviewers otherwise."""
    if action in ("submit", "resubmit"):
        officers = User.objects.filter(groups__name=Role.CREDIT_OFFICER, is_active=True).values_list("pk", flat=True)
        return [pk for pk in officers if pk != campaign.author_id]
    reviewers = CampaignDecision.objects.filter(campaign=campaign, action__in=[
        "start_review", "approve", "return", "reject"]).values_list("by_id", flat=True)
    return [pk for pk in {campaign.author_id, *reviewers} if pk != by.pk]


@transaction.atomic
def campaign_transition(*, campaign: Campaign, to_status: str, by, reason: str = "") -> Campaign:
    """The one way a campaign changes state: checks the transition table, the actor and the four-eyes rule,
    records the decision (who, when, why, with the risk assessment for credit decisions), tags the segment at
    launch and notifies the parties."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    rule = policies.transition_for(campaign.status, to_status)
    assessment = None
    if rule is not None and rule.is_decision:
        assessment = selectors.risk_assessment(campaign=campaign, user=by, live=True)  # decided on figures now
    gaps = selectors.review_gaps(campaign=campaign) if rule is not None and rule.action in (
        "approve", "resubmit") else None
    refusal = policies.transition_refusal(
        current=campaign.status, target=to_status, role=user_role(by), is_author=_drafted_by(campaign, by),
        reason=reason, blocking=assessment["blocking"] if assessment else (), gaps=gaps)
    if refusal:
        field, code, message = refusal
        raise ValidationError({field: ValidationError(message, code=code)})
    now = timezone.now()
    from_status = campaign.status
    if rule.action in ("submit", "resubmit"):
        campaign.review_round += 1
    stored = selectors.assessment_to_json(assessment) if assessment else {}
    if to_status == CampaignStatus.APPROVED:
        campaign.forecast = stored
    if to_status == CampaignStatus.RUNNING:
        campaign.launched_at = now
    if to_status == CampaignStatus.CLOSED:
        campaign.closed_at = now
    campaign.status = to_status
    campaign._change_reason = f"{rule.action}: {reason}".strip(": ")[:100]
    campaign._history_user = by
    campaign.save()
    CampaignDecision.objects.create(campaign=campaign, action=rule.action, from_status=from_status,
                                    to_status=to_status, by=by, at=now, reason=reason,
                                    review_round=campaign.review_round, assessment=stored)
    if to_status == CampaignStatus.RUNNING:
        segment_tag(campaign=campaign, by=by, now=now)
    if rule.action in ("submit", "resubmit"):  # the review reads the segment counted once, not on every view
        pk = campaign.pk
        transaction.on_commit(lambda: campaign_submitted.send(sender=Campaign, campaign_id=pk))
    # a stored notification is text: written in the operator's language (the UI's default), not in whatever
    # language the request or the command that caused it ran in (a management command runs in English)
    with translation.override(settings.LANGUAGE_CODE):
        message = _("%(campaign)s: %(from)s → %(to)s by %(user)s.") % {
            "campaign": campaign.name, "from": CampaignStatus(from_status).label,
            "to": CampaignStatus(to_status).label, "user": by.get_full_name() or by.username}
    if reason:
        message += " " + reason
    _notify(campaign, _parties(campaign, action=rule.action, by=by), message, now)
    return campaign


AWAITING_REVIEW = (CampaignStatus.SUBMITTED, CampaignStatus.IN_REVIEW)


def segment_figures_refresh(*, campaign_id: int) -> dict | None:
    """Count the segment of a campaign awaiting review (per region and star, with the offers already reaching it)
    and store it for the review page (selectors.segment_figures_count); None when it no longer awaits review."""
    campaign = Campaign.objects.filter(pk=campaign_id, status__in=AWAITING_REVIEW).first()
    if campaign is None:
        return None
    figures = selectors.segment_figures_count(campaign=campaign)
    # not a change of the plan: no history row, no updated_at
    Campaign.objects.filter(pk=campaign.pk).update(segment_figures=figures)
    return figures


def segment_tag(*, campaign: Campaign, by, now=None) -> int:
    """Tag every customer of the segment as targeted, in one INSERT … SELECT (no Python loop over a province)."""
    now = now or timezone.now()
    target_sql, params = selectors.campaign_target(campaign=campaign).values("pk").query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(segment_tag_sql(target_sql),
                    [campaign.pk, MemberHow.TARGETED.value, now, by.pk if by else None, *params])
        return cur.rowcount


@transaction.atomic
def member_tag(*, campaign: Campaign, customer: Customer, how: str, by, override_reason: str = "") -> CampaignMember:
    """Tag a customer acquired or converted by a running campaign (billing or staff); a targeted customer who
    takes the offer becomes converted, counted from now (results measure from the day tagged). A customer
    outside the campaign's segment is refused unless a credit officer overrides, with the reason kept."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.RUNNING:
        raise _errors({"campaign": ERR_NOT_RUNNING % {"status": campaign.get_status_display()}})
    if how not in (MemberHow.ACQUIRED, MemberHow.CONVERTED):
        raise _errors({"how": ERR_HOW})
    in_segment = selectors.campaign_target(campaign=campaign).filter(pk=customer.pk).exists()
    refusal = policies.tag_refusal(in_segment=in_segment, role=user_role(by), override_reason=override_reason)
    if refusal:
        field, code, message = refusal
        raise ValidationError({field: ValidationError(str(message), code=code)})
    member, _created = CampaignMember.objects.update_or_create(
        campaign=campaign, customer=customer,
        defaults={"how": how, "tagged_at": timezone.now(), "tagged_by": by,
                  "override_reason": "" if in_segment else override_reason.strip()})
    return member


@transaction.atomic
def opinions_record(*, campaign: Campaign, by, opinions: dict[str, tuple[str, str]]) -> list[ReviewOpinion]:
    """The reviewer's opinion per risk control ({control: (verdict, comment)}) for the current round."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in policies.REVIEWABLE_STATUSES:
        raise _errors({"status": ERR_OPINION_STATE})
    if user_role(by) not in policies.DECIDING_ROLES:
        raise _errors({"reviewer": ERR_OPINION_ROLE})
    if _drafted_by(campaign, by):
        raise _errors({"reviewer": policies.ERR_OWN_CAMPAIGN})
    now, saved = timezone.now(), []
    for control, (verdict, comment) in opinions.items():
        if control not in RiskControl.values:
            raise _errors({"control": _("Unknown risk control %(c)s.") % {"c": control}})
        opinion = ReviewOpinion.objects.filter(campaign=campaign, review_round=campaign.review_round,
                                               control=control).first() or ReviewOpinion(
            campaign=campaign, review_round=campaign.review_round, control=control)
        opinion.verdict, opinion.comment, opinion.reviewer, opinion.at = verdict, comment, by, now
        opinion.full_clean()
        opinion._history_user = by
        opinion.save()
        saved.append(opinion)
    return saved
