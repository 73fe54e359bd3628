from django.db import models
from django.utils.translation import gettext_lazy as _


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("PRC resident ID")
    PASSPORT = "passport", _("Passport")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class ServiceStatus(models.TextChoices):
    """Status of a line, and of a customer (their worst active line)."""

    ACTIVE = "active", _("Active")
    ONE_WAY_BARRED = "one_way_barred", _("One-way barred")
    TWO_WAY_BARRED = "two_way_barred", _("Two-way barred")
    IN_RETENTION = "in_retention", _("In number retention")
    CLOSED = "closed", _("Closed")


class CreditStar(models.IntegerChoices):
    """Stored on the customer; NULL means unrated (tenure < 6 months or blacklisted)."""

    ZERO = 0, _("0 star")
    ONE = 1, _("1 star")
    TWO = 2, _("2 stars")
    THREE = 3, _("3 stars")
    FOUR = 4, _("4 stars")
    FIVE = 5, _("5 stars")


class VipTier(models.TextChoices):
    ORDINARY_1 = "ordinary_1", _("Ordinary 1 star")
    ORDINARY_2 = "ordinary_2", _("Ordinary 2 star")
    ORDINARY_3 = "ordinary_3", _("Ordinary 3 star")
    ORDINARY_4 = "ordinary_4", _("Ordinary 4 star")
    GOLD = "gold", _("VIP gold")
    PLATINUM = "platinum", _("VIP platinum")
    DIAMOND = "diamond", _("VIP diamond")


class LifecycleStage(models.TextChoices):
    EXPLORATION = "exploration", _("Exploration")
    FORMATION = "formation", _("Formation")
    STABLE = "stable", _("Stable")
    DECLINE = "decline", _("Decline")


class ChannelKind(models.TextChoices):
    CHANNEL = "channel", _("Channel")
    OUTLET = "outlet", _("Outlet")
    AGENT = "agent", _("Agent")


class PriceBand(models.TextChoices):
    LOW = "low", _("Under 1,000 CNY")
    MID = "mid", _("1,000–3,000 CNY")
    HIGH = "high", _("Over 3,000 CNY")


class CallbackStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Identity confirmed")
    FAILED = "failed", _("Could not confirm")


class AccessChannel(models.TextChoices):
    PAGE = "page", _("Page")
    API = "api", _("API")
    EXPORT = "export", _("Export")


class RevealPurpose(models.TextChoices):
    """Why someone looks at an unmasked ID number and address (stored with every reveal)."""

    IDENTITY_CHECK = "identity_check", _("Verifying the customer's identity")
    SERVICE_REQUEST = "service_request", _("The customer's own service request")
    BILLING_DISPUTE = "billing_dispute", _("Billing dispute or collection")
    CREDIT_REVIEW = "credit_review", _("Credit review")
    LEGAL = "legal", _("Legal or compliance request")
    OTHER = "other", _("Other")


class DecisionKind(models.TextChoices):
    """What billing must act on (issue 20): each written with the decision, read from /api/billing/events/."""

    BARRED_ONE_WAY = "barred_one_way", _("Barred one-way")
    BARRED_TWO_WAY = "barred_two_way", _("Barred two-way")
    RESTORED = "restored", _("Restored")
    CLOSED = "closed", _("Closed")
    CREDIT_LIMIT_CHANGED = "credit_limit_changed", _("Credit limit changed")
    EMERGENCY_PASS_GRANTED = "emergency_pass_granted", _("Emergency pass granted")
    EMERGENCY_PASS_ENDED = "emergency_pass_ended", _("Emergency pass ended")
    EXEMPTION_SET = "exemption_set", _("Exemption set")


# What the outside world tells us about a customer besides billing (issue 13: the inputs real operators have).

class CareContactKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    SERVICE_CALL = "service_call", _("Service call")
    RETENTION_CALL = "retention_call", _("Call to the retention team")


class CareChannel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    OUTLET = "outlet", _("Outlet")
    ONLINE = "online", _("App or web")
    SOCIAL = "social", _("Social media")
    REGULATOR = "regulator", _("Via the regulator")
    OTHER = "other", _("Other")


class CareOutcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    UNRESOLVED = "unresolved", _("Unresolved")
    ESCALATED = "escalated", _("Escalated")
    OFFER_ACCEPTED = "offer_accepted", _("Retention offer accepted")
    OFFER_DECLINED = "offer_declined", _("Retention offer declined")


class ContractType(models.TextChoices):
    MONTH_TO_MONTH = "month_to_month", _("Month-to-month")
    ONE_YEAR = "one_year", _("One year")
    TWO_YEAR = "two_year", _("Two years")
    OTHER = "other", _("Other fixed term")


class HeldServiceCode(models.TextChoices):
    """Products a customer holds besides the mobile line (fixed, TV and add-ons)."""

    BROADBAND_DSL = "broadband_dsl", _("Broadband (DSL)")
    BROADBAND_FIBER = "broadband_fiber", _("Broadband (fibre)")
    LANDLINE = "landline", _("Landline")
    MULTIPLE_LINES = "multiple_lines", _("Multiple lines")
    IPTV = "iptv", _("TV")
    STREAMING_TV = "streaming_tv", _("Streaming TV")
    STREAMING_MOVIES = "streaming_movies", _("Streaming movies")
    ONLINE_SECURITY = "online_security", _("Online security")
    ONLINE_BACKUP = "online_backup", _("Online backup")
    DEVICE_PROTECTION = "device_protection", _("Device protection")
    TECH_SUPPORT = "tech_support", _("Tech support")
    CLOUD_STORAGE = "cloud_storage", _("Cloud storage")
    MUSIC = "music", _("Music")
    OTHER = "other", _("Other service")


class PaymentMethodCode(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CARD = "card", _("Bank card")
    CASH = "cash", _("Cash")
    E_WALLET = "e_wallet", _("E-wallet")
    ELECTRONIC_CHECK = "electronic_check", _("Electronic check")
    MAILED_CHECK = "mailed_check", _("Mailed check")
    VOUCHER = "voucher", _("Top-up voucher")
    OTHER = "other", _("Other")


class MemberHow(models.TextChoices):
    """How a customer came to be in a campaign (marketing.CampaignMember.how). Here, below marketing, because
    arrears reads it too: its report by campaign counts the customers a campaign acquired or converted."""

    TARGETED = "targeted", _("Targeted (segment at launch)")
    ACQUIRED = "acquired", _("Acquired (new customer)")
    CONVERTED = "converted", _("Converted (existing customer took the offer)")
