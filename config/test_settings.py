"""The test suite's settings: the production settings (DEBUG off), except that the test client's plain-HTTP
requests are not redirected to HTTPS (in production TLS ends at the proxy, which the tests do not have)."""

from config.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
