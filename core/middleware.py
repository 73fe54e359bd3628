from django.conf import settings


class DefaultLanguageMiddleware:
    """Pages are Simplified Chinese unless the user picked another language (cookie).

    The browser's Accept-Language is ignored for pages, so a staff PC set to English still gets the
    operator's default; the API keeps honouring Accept-Language for its clients.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/") and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
