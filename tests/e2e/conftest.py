"""A live server on a free port and Debian's Chromium driven by Playwright; screenshots are kept in
test-artifacts/e2e/ for a person to look at."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Iterator

import pytest
from werkzeug.serving import make_server

from scm.extensions import db

CHROMIUM = os.environ.get("SCM_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (.ci/run does)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage",
                  "--no-first-run", "--disable-component-update", "--disable-sync"])
        yield chromium
        chromium.close()


@pytest.fixture
def live_app(make_app):  # type: ignore[no-untyped-def]
    """The real app with CSRF on, as a user gets it; e-mail goes to a captured outbox."""
    return make_app(WTF_CSRF_ENABLED=True, TESTING=False, PROPAGATE_EXCEPTIONS=False, SCM_MAIL_BACKEND="outbox")


@pytest.fixture
def live_server(live_app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def seeded(live_app):  # type: ignore[no-untyped-def]
    """Run `fn(session)` inside the live app and commit: test data for a journey."""
    def run(fn):  # type: ignore[no-untyped-def]
        with live_app.app_context():
            result = fn(db.session)
            db.session.commit()
            db.session.close()
        return result
    return run


@pytest.fixture
def page(browser, request):  # type: ignore[no-untyped-def]
    """A phone-sized page (warehouse staff use phones); screenshots go to test-artifacts/e2e/."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    tab = context.new_page()
    tab.set_default_timeout(15000)
    yield tab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}-final.png"), full_page=True)
    context.close()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
