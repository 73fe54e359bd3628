"""Alert lifecycle through the one service, with its audit trail."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from retention import services
from retention.choices import AlertStatus
from retention.models import AlertEvent
from tests.factories import CustomerFactory
from tests.retention.conftest import open_alert

pytestmark = pytest.mark.django_db


def test_full_lifecycle_to_retained_records_offer_cost_and_history(org):
    alert = open_alert(org.book[org.am1.pk][0])
    services.alert_transition(alert=alert, to_status=AlertStatus.CONTACTED, by=org.am1, note="called")
    services.alert_transition(alert=alert, to_status=AlertStatus.OFFER_MADE, by=org.am1, offer="topup_bonus",
                              offer_cost=Decimal("48.00"))
    alert = services.alert_transition(alert=alert, to_status=AlertStatus.RETAINED, by=org.am1,
                                      outcome="renewed for 12 months")
    assert alert.status == AlertStatus.RETAINED and alert.closed_at is not None
    assert (alert.offer, alert.offer_cost, alert.outcome) == ("topup_bonus", Decimal("48.00"), "renewed for 12 months")
    history = list(AlertEvent.objects.filter(alert=alert).values_list("from_status", "to_status", "by"))
    assert history == [("open", "contacted", org.am1.pk), ("contacted", "offer_made", org.am1.pk),
                       ("offer_made", "retained", org.am1.pk)]


def test_forbidden_transition_names_the_status_field_and_changes_nothing():
    alert = open_alert(CustomerFactory())
    with pytest.raises(ValidationError) as error:
        services.alert_transition(alert=alert, to_status=AlertStatus.RETAINED, by=None)
    assert set(error.value.message_dict) == {"status"}
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN and not AlertEvent.objects.exists()


def test_offer_made_needs_the_offer_and_dismissal_a_note():
    alert = open_alert(CustomerFactory(), status=AlertStatus.CONTACTED)
    with pytest.raises(ValidationError) as error:
        services.alert_transition(alert=alert, to_status=AlertStatus.OFFER_MADE, by=None)
    assert set(error.value.message_dict) == {"offer"}
    with pytest.raises(ValidationError) as error:
        services.alert_transition(alert=alert, to_status=AlertStatus.DISMISSED, by=None)
    assert set(error.value.message_dict) == {"note"}


def test_a_closed_alert_frees_the_customer_for_a_new_one():
    customer = CustomerFactory()
    alert = open_alert(customer)
    services.alert_transition(alert=alert, to_status=AlertStatus.CHURNED, by=None)
    assert open_alert(customer).pk != alert.pk
