"""Real-browser fixtures: the app served on a free local port, and a headless Chromium page.

Tests here drive /usr/bin/chromium through Playwright; where no browser exists they are skipped
with the reason. Set HEPBUILDER_SCREENSHOTS=DIR to keep screenshots of the pages they visit.
"""

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    # the print view opens the print dialog on its PDF; headless Chromium's print preview
    # crashed the page (and Playwright's driver with it) whenever a test stayed that long
    "--disable-print-preview",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    url: str
    app: object


def closing_responses(app):
    """`app`, with each response's close() called even when the server skips it.

    werkzeug's development server does not close a response when the browser drops the
    connection mid-write (a favicon fetch cancelled by the next navigation): the static file
    stays open until the garbage collector finds it, and its ResourceWarning fails whichever
    test is running then. Here the response is closed when its generator ends or is collected.
    """

    def serve(environ, start_response):
        response = app(environ, start_response)
        try:
            yield from response
        finally:
            close = getattr(response, "close", None)
            if close is not None:
                close()

    return serve


@pytest.fixture
def live_server(db_url, tmp_path, monkeypatch):
    """The app (CSRF on, as in production) served by werkzeug in a thread on 127.0.0.1:<free port>."""
    from hepbuilder.web import create_app

    monkeypatch.setenv("HEPBUILDER_INSTANCE_DIR", str(tmp_path / "instance"))
    app = create_app(
        {
            "DATABASE_URL": db_url,
            "SECRET_KEY": "browser-test-secret",
            "PUBLIC_URL": "",
            "WTF_CSRF_ENABLED": True,
        }
    )
    server = make_server("127.0.0.1", 0, closing_responses(app), threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=url, app=app)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium) to run browser tests"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - the test extra installs it
        pytest.skip(f"Playwright is not installed: {error}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser):
    """Open a fresh page (its own cookies) at a viewport size: new_page(PHONE)."""
    contexts = []

    def open_page(viewport: dict = DESKTOP):
        context = browser.new_context(viewport=viewport)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-sized (1280 px) headless Chromium page."""
    return new_page(DESKTOP)


@pytest.fixture
def phone_page(new_page):
    """A phone-sized (390 px) headless Chromium page with its own cookies."""
    return new_page(PHONE)


@pytest.fixture
def screenshot():
    """screenshot(page, name): saves DIR/name.png (full page) when HEPBUILDER_SCREENSHOTS=DIR is set."""
    directory = os.environ.get("HEPBUILDER_SCREENSHOTS")

    def take(page, name: str) -> None:
        if directory:
            Path(directory).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=True)

    return take
