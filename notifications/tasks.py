"""The mail queue's tasks: send one delivery; hand on those due again (beat, once a minute)."""

import logging

from celery import shared_task

from . import delivery

logger = logging.getLogger(__name__)


@shared_task(name="notifications.tasks.send_delivery")
def send_delivery(delivery_id: int) -> bool:
    """Never raises: what failed is on the row (or, if even that could not be written, the
    delivery stays as it was and retry_deliveries hands it on again)."""
    try:
        return delivery.send(delivery_id)
    except Exception:
        logger.warning("Delivery %s: sending failed; it will be tried again", delivery_id, exc_info=True)
        return False


@shared_task(name="notifications.tasks.retry_deliveries")
def retry_deliveries() -> int:
    return delivery.retry_due()
