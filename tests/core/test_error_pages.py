"""403, 404 and 500 are the product's own styled pages, in Chinese by default and in English when chosen; the 500
page renders without the database or any context processor (it is what shows when those fail)."""

import pytest
from django.test import RequestFactory
from django.utils import translation

from core.api.errors import server_error

STYLED = 'href="/static/vendor/bootstrap.min.css"'
TEXT = {
    403: {"zh-hans": "您无权打开此页面", "en": "You may not open this page"},
    404: {"zh-hans": "页面不存在", "en": "Nothing here"},
    500: {"zh-hans": "系统出错了", "en": "Something went wrong on our side"},
}


def _styled(html: str, status: int, language: str) -> None:
    assert STYLED in html and 'href="/static/css/app.css"' in html, "not the styled page"
    assert f'id="error-{status}"' in html
    assert TEXT[status][language] in html, f"{status} page in {language} lacks {TEXT[status][language]!r}"
    assert f'lang="{language}"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_404_is_styled_in_the_chosen_language(client, org, language, settings):
    settings.DEBUG = False
    client.force_login(org.am1)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    _styled(response.content.decode(), 404, language)
    assert 'id="top-bar"' in response.content.decode()  # the user keeps the top bar to go on


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_403_is_styled_in_the_chosen_language(client, org, language, settings):
    settings.DEBUG = False
    client.force_login(org.am1)  # an account manager may not open the audit page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/audit/")
    assert response.status_code == 403
    _styled(response.content.decode(), 403, language)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_500_renders_without_database_or_context(language):
    """No django_db mark: any query would fail the test. Django's handler renders 500.html with an empty context."""
    request = RequestFactory().get("/customers/")
    with translation.override(language):
        response = server_error(request)
    assert response.status_code == 500
    _styled(response.content.decode(), 500, language)


def test_api_errors_stay_json():
    response = server_error(RequestFactory().get("/api/customers/"))
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
