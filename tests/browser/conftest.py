"""Headless Chromium (Debian's package) driven by Playwright, against the sandbox on a live server."""
import os
import shutil
from pathlib import Path

import pytest

PY101 = "course-v1:Demo+PY101+2026"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots"))
DOC_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# Playwright's sync API runs an event loop in this thread; the live server's ORM calls are in
# another thread, and the test's own ORM calls happen between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make test-browser installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """``screenshot(name)`` saves the whole page in var/screenshots/; ``docs=True`` also in
    docs/screenshots/ (the README's pictures) when DOC_SCREENSHOTS=1, so a test run does not
    rewrite committed files."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _take(name, *, docs=False, full_page=True):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        if docs and os.environ.get("DOC_SCREENSHOTS") == "1":
            DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOC_SCREENSHOTS / path.name)
        return path

    return _take


@pytest.fixture
def admin_login(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("staff", "staff@example.com", "correct-horse")

    def _login():
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "staff")
        page.fill("#id_password", "correct-horse")
        page.click("input[type=submit]")
        page.wait_for_selector("#site-name")

    return _login


@pytest.fixture
def course_team_login(page, live_server, django_user_model, monkeypatch):
    """A PY101 course team member (not a superuser): the pickers offer PY101 and its learners only.
    PY101 has two blocks, so one completed block is 50 %."""
    from django.contrib.auth.models import Permission  # pylint: disable=import-outside-toplevel

    from sandbox.lms import services  # pylint: disable=import-outside-toplevel
    from sandbox.lms.host_backend import SandboxHost  # pylint: disable=import-outside-toplevel

    services.create_course(PY101, units=[["intro"], ["problem:quiz"]])
    services.create_course("course-v1:Other+X+2026")
    ada = services.create_learner("ada", "ada@example.com", first_name="Ada")
    services.enroll(ada, PY101)
    user = django_user_model.objects.create_user("teacher", "teacher@example.com", "correct-horse", is_staff=True,
                                                 first_name="Tess", last_name="Teacher")
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="lms_automations"))
    monkeypatch.setattr(SandboxHost, "staff_course_keys", lambda self, who: None if who.is_superuser else {PY101})

    def _login():
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "teacher")
        page.fill("#id_password", "correct-horse")
        page.click("input[type=submit]")
        page.wait_for_selector("#site-name")

    return _login
