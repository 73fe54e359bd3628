"""Hardening: CSP with nonces on every inline script, login throttling, deploy checks."""

import os
import re
import secrets
import subprocess
import sys

from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import reverse

from config import secret_key as secret_key_module

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


def manage(*args, env: dict, timeout=120) -> subprocess.CompletedProcess:
    """manage.py with the production settings module (the suite itself runs config.test_settings)."""
    env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # a test-only switch (browser tests), never set in production
    return subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_deploy_checks_are_clean_for_production_settings():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "crm.example.cn"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def compose_environment() -> dict:
    """The app containers' environment as docker compose sets it: ${VAR:-default} takes its default, ${VAR:?why}
    is required (given here as an operator would)."""
    text = (Path(settings.BASE_DIR) / "docker-compose.yml").read_text()
    environment = yaml.safe_load(text)["x-app"]["environment"]
    given = {"SECRET_KEY": secrets.token_urlsafe(50)}

    def interpolate(value: str) -> str:
        def one(match):
            name, op, arg = match.group(1), match.group(2), match.group(3)
            if name in given:
                return given[name]
            assert op == ":-", f"${{{name}}} has no default and is not given"
            return arg
        return re.sub(r"\$\{(\w+)(:-|:\?)([^}]*)\}", one, str(value))

    return {name: interpolate(value) for name, value in environment.items()}


def test_deploy_checks_are_clean_for_the_compose_stack():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"}}
    compose = compose_environment()
    assert compose["DEBUG"] == "false"
    result = manage("check", "--deploy", "--fail-level", "WARNING", env={**env, **compose})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_compose_requires_a_secret_key_instead_of_shipping_one():
    environment = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())["x-app"]["environment"]
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")


@pytest.mark.parametrize("key", ["x", "change-me-in-production", "dev-only-insecure-key-change-me", "a" * 64,
                                 "abcd" * 16, "django-insecure-" + secrets.token_urlsafe(50),
                                 secrets.token_urlsafe(20)])
def test_production_settings_refuse_a_weak_secret_key_at_start(key):
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": key}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "Refusing to start: SECRET_KEY is weak" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr  # a message, not a stack trace


def test_gunicorn_refuses_a_weak_secret_key_and_exits():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "x", "DJANGO_SETTINGS_MODULE": "config.settings"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run([str(gunicorn), "-c", "config/gunicorn.py", "--bind", "127.0.0.1:0", "--workers", "1",
                             "config.wsgi:application"], cwd=settings.BASE_DIR, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0 and "Refusing to start: SECRET_KEY is weak" in result.stderr + result.stdout


def test_a_strong_key_and_a_debug_session_are_accepted():
    assert secret_key_module.weakness(secrets.token_urlsafe(50)) is None
    assert secret_key_module.weakness(secrets.token_hex(32)) is None
    assert secret_key_module.secret_key("x", debug=True, key_file=Path("/nonexistent")) == "x"  # DEBUG asked for


def test_without_a_secret_key_one_is_generated_once_and_kept(tmp_path):
    key_file = tmp_path / ".data" / "secret_key"
    first = secret_key_module.secret_key(None, debug=False, key_file=key_file)
    assert secret_key_module.weakness(first) is None
    assert secret_key_module.secret_key("", debug=False, key_file=key_file) == first
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_debug_is_off_unless_asked_and_the_generated_key_is_shared_by_every_process():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    code = "import django; django.setup(); from django.conf import settings as s; print(s.DEBUG, s.SECRET_KEY)"
    runs = [subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True,
                           env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"}, timeout=60) for _ in range(2)]
    (debug, key), again = runs[0].stdout.split(), runs[1].stdout.split()
    assert debug == "False" and again == [debug, key], runs[0].stderr
    assert key == (Path(settings.BASE_DIR) / ".data" / "secret_key").read_text().strip()


def test_production_settings_are_strict():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50)}
    code = ("from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.DEBUG)")
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"],
                            cwd=settings.BASE_DIR, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["True", "True", "31536000", "True", "False"], result.stderr
