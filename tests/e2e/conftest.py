"""Browser end-to-end tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against a live server.

No browser is downloaded: test.sh installs Debian's chromium where it can (root with apt-get); without
it these tests are skipped with that reason. A failing test leaves a screenshot in artifacts/screenshots/failed/
(next to the step screenshots of tests/e2e/test_roles.py: the one directory CI keeps).
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots" / "failed"

# Playwright's sync API runs an event loop in the test thread; the ORM calls of fixtures are still synchronous.
# Set for the whole session: the database set-up and flush around these tests need it too. (Test-only:
# tests/core/test_security.py keeps it out of the production check.)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    # On a developer's machine without Chromium the browser tests are skipped; on CI (CI=true) they run and fail
    # at the browser's launch, so a run without them, and without their screenshots, cannot pass.
    if shutil.which(CHROMIUM) is None and os.environ.get("CI") != "true":
        skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (test.sh installs Debian's chromium as root)")
        for item in items:
            if "tests/e2e/" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ["--no-sandbox"]}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and "page" in item.funcargs:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{item.name.replace('/', '_')}.png"
        item.funcargs["page"].screenshot(path=str(path), full_page=True)
        report.sections.append(("screenshot", str(path)))


@pytest.fixture
def csp_errors(page):
    """Console errors about the Content Security Policy: a page must cause none."""
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    return errors
