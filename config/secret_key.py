"""SECRET_KEY: from the environment, else generated once and kept in .data/secret_key (the embedded set-up, tests).

With DEBUG off a weak key from the environment stops the process at start (settings import) with a message saying
why: a known default, shorter than 50 characters, too few distinct characters, or a repeated pattern. Django's own
deploy check only warns; a signing key anyone can guess forges sessions, password-reset links and signed values.
"""

import secrets
import zlib
from pathlib import Path

MIN_LENGTH = 50  # Django's deploy check's minimum
MIN_DISTINCT = 10  # a 50-character hex key has about 14
MIN_COMPRESSED_RATIO = 0.7  # random keys do not compress (ratio about 1); "abcd" * 16 compresses to 0.4
KNOWN_DEFAULTS = frozenset({
    "change-me-in-production",  # docker-compose.yml before #19
    "dev-only-insecure-key-change-me",  # config/settings.py's development key before #19
    "build",  # the Dockerfile's collectstatic step before #19
    "secret", "changeme", "change-me", "secret-key", "secret_key", "django-secret-key", "your-secret-key",
    "please-change-me", "default", "password", "x",
})
WEAK_KEY = ("Refusing to start: SECRET_KEY is weak ({reason}). With DEBUG off the key signs sessions and password "
            "resets; set SECRET_KEY to a random value of at least {min} characters, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`, or unset it to use a key generated "
            "in .data/secret_key.")


def weakness(key: str) -> str | None:
    """Why the key is weak, or None when it is acceptable."""
    if key.strip().lower() in KNOWN_DEFAULTS or key.startswith("django-insecure-"):
        return "a published default"
    if len(key) < MIN_LENGTH:
        return f"{len(key)} characters, fewer than {MIN_LENGTH}"
    if len(set(key)) < MIN_DISTINCT:
        return f"only {len(set(key))} distinct characters"
    if len(zlib.compress(key.encode(), 9)) < MIN_COMPRESSED_RATIO * len(key.encode()):
        return "a repeated pattern"
    return None


def generated_key(path: Path) -> str:
    """The key kept in `path`, made on first use (owner-only file)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        candidate = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
        candidate.write_text(secrets.token_urlsafe(50))
        candidate.chmod(0o600)
        try:
            path.hardlink_to(candidate)  # atomic: two processes starting at once end with one key
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            candidate.unlink()
    return path.read_text().strip()


def secret_key(environ_value: str | None, *, debug: bool, key_file: Path) -> str:
    if not environ_value:
        return generated_key(key_file)
    reason = None if debug else weakness(environ_value)
    if reason:
        raise SystemExit(WEAK_KEY.format(reason=reason, min=MIN_LENGTH))
    return environ_value
