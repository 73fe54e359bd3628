"""Hardening: CSP with nonces on every inline script, login throttling, deploy checks."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)([^>]*)>")


@pytest.mark.parametrize("url_name", ["dashboard", "customers:list", "credit:report", "retention:report",
                                      "batch-runs", "api-docs"])
def test_pages_send_a_csp_and_every_inline_script_carries_its_nonce(client, org, url_name):
    client.force_login(org.admin)
    response = client.get(reverse(url_name))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'unsafe-inline'" not in script_src
    html = response.content.decode()
    inline = INLINE_SCRIPT.findall(html)
    if inline:  # the header names a nonce only when the page used one
        nonce = re.search(r"'nonce-([^']+)'", script_src).group(1)
        for attributes in inline:
            assert f'nonce="{nonce}"' in attributes, f"inline script without the nonce on {url_name}"
    assert not re.search(r"\son[a-z]+=\"", html), "inline event handlers are blocked by the CSP"


def test_five_failed_logins_lock_the_account_from_that_address(client, org, settings):
    org.am1.set_password("right-password-1")
    org.am1.save()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": org.am1.username, "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    assert client.post(reverse("login"), {"username": org.am1.username, "password": "wrong"}).status_code == 429
    locked = client.post(reverse("login"), {"username": org.am1.username, "password": "right-password-1"})
    assert locked.status_code == 429 and "_auth_user_id" not in client.session
    other_address = client.post(reverse("login"), {"username": org.am1.username, "password": "right-password-1"},
                                REMOTE_ADDR="10.0.0.9")
    assert other_address.status_code == 302  # the lock is per username and address


def test_a_successful_login_resets_the_failures(client, org):
    org.am2.set_password("right-password-2")
    org.am2.save()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("login"), {"username": org.am2.username, "password": "wrong"})
    assert client.post(reverse("login"), {"username": org.am2.username, "password": "right-password-2"}
                       ).status_code == 302
    client.logout()
    client.post(reverse("login"), {"username": org.am2.username, "password": "wrong"})
    assert client.post(reverse("login"), {"username": org.am2.username, "password": "right-password-2"}
                       ).status_code == 302


def test_deploy_checks_are_clean_for_production_settings():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "crm.example.cn"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # a test-only switch (browser tests), never set in production
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_are_strict():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50)}
    code = ("from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.DEBUG)")
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"],
                            cwd=settings.BASE_DIR, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["True", "True", "31536000", "True", "False"], result.stderr
