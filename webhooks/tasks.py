from celery import shared_task

from webhooks import services


@shared_task
def webhooks_dispatch() -> dict:
    """Every few seconds (django-celery-beat): queue new decision events per subscriber, send what is due."""
    queued = services.deliveries_enqueue()
    return {"queued": queued, **services.deliveries_send()}
