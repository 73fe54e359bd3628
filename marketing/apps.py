from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "marketing"
    verbose_name = _("Marketing")

    def ready(self):
        from core.audit import register_reason_labels
        from marketing import batches  # noqa: F401  registers the usage-facts batch kind
        from marketing.choices import CampaignAction

        register_reason_labels(dict(CampaignAction.choices))
        from marketing import tasks
        from marketing.signals import campaign_submitted

        campaign_submitted.connect(tasks.on_campaign_submitted, dispatch_uid="marketing.segment_figures_count")
