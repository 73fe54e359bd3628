"""Service accounts (the billing system) are API-only: no browser login, no session, however it was made."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from core.auth import SERVICE_ACCOUNT_LOGIN

pytestmark = pytest.mark.django_db


def test_the_login_form_refuses_a_service_account_with_a_form_error(client, org):
    org.billing_service.set_password("billing-pass-2026")
    org.billing_service.save()
    response = client.post(reverse("login"), {"username": org.billing_service.username,
                                              "password": "billing-pass-2026"})
    assert response.status_code == 200  # the form again, with its error
    assert str(SERVICE_ACCOUNT_LOGIN) in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("customers:list")).status_code == 302  # still signed out


def test_staff_still_log_in(client, org):
    org.am1.set_password("am1-pass-2026")
    org.am1.save()
    assert client.post(reverse("login"), {"username": org.am1.username, "password": "am1-pass-2026"}).status_code == 302
    assert client.get(reverse("customers:list")).status_code == 200


def test_a_session_of_a_service_account_made_by_other_means_is_not_honoured(client, org):
    client.force_login(org.billing_service)  # a session row exists, bypassing the login form
    assert client.get(reverse("customers:list")).status_code == 302  # to the login page: nobody is signed in
    assert client.get(reverse("dashboard")).status_code == 302
    assert client.get("/api/customers/").status_code in (401, 403)  # the API's session authentication too


def test_the_service_account_keeps_working_with_its_token(client, org):
    token = Token.objects.create(user=org.billing_service)
    assert client.get("/api/customers/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200


# ---------------------------------------------------------------- staff change their own password

def test_staff_change_their_own_password_from_the_user_menu(client, org):
    org.am1.set_password("old-pass-2026")
    org.am1.save()
    client.force_login(org.am1)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("password_change") in page and "修改密码" in page  # in the top bar's user menu, in Chinese
    response = client.post(reverse("password_change"), {"old_password": "old-pass-2026",
                                                         "new_password1": "Lotus-river-8142",
                                                         "new_password2": "Lotus-river-8142"})
    assert response.status_code == 302
    org.am1.refresh_from_db()
    assert org.am1.check_password("Lotus-river-8142")
    assert client.get(reverse("customers:list")).status_code == 200  # still signed in


@pytest.mark.parametrize("new, why", [("short1", "太短"), ("12345678901", "只包含数字"), ("password123", "太常见")])
def test_the_new_password_meets_the_validators_in_settings(client, org, new, why):
    org.am1.set_password("old-pass-2026")
    org.am1.save()
    client.force_login(org.am1)
    response = client.post(reverse("password_change"), {"old_password": "old-pass-2026", "new_password1": new,
                                                         "new_password2": new})
    assert response.status_code == 200 and why in " ".join(response.context["form"].errors["new_password2"])
    org.am1.refresh_from_db()
    assert org.am1.check_password("old-pass-2026")


def test_a_wrong_old_password_changes_nothing(client, org):
    org.am1.set_password("old-pass-2026")
    org.am1.save()
    client.force_login(org.am1)
    response = client.post(reverse("password_change"), {"old_password": "guess", "new_password1": "Lotus-river-8142",
                                                         "new_password2": "Lotus-river-8142"})
    assert response.status_code == 200 and "old_password" in response.context["form"].errors
