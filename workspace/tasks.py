from celery import shared_task

from core.tasks import dispatch_run, night_of
from workspace.home_facts import HOME_FACTS_KIND, old_facts_forget


@shared_task
def home_facts_nightly(day: str | None = None) -> int:
    """Scheduled 05:55 daily, after the status refresh, the ratings and the star snapshot: the home page's
    "at a glance" figures of the night for the province and each region (workspace.home_facts)."""
    night = night_of(day)
    old_facts_forget(night)
    return dispatch_run(HOME_FACTS_KIND, night.isoformat()).pk
