"""What a course team member does in the builder and on the play page, as browser steps."""


def field(page, name, tag="input"):
    return page.locator(f'#lb-panel .lb-row[data-field="{name}"] {tag}').first


def add_step(page, gap, kind):
    gap.locator(".lb-add").click()
    gap.get_by_role("menuitem", name=kind).click()


def find_learner(page, scope, query, select, label):
    """Type ``query`` in the learner search inside ``scope``, press Find, pick ``label`` in ``select``."""
    page.fill(f"{scope} input[type=search]", query)
    page.locator(scope).get_by_role("button", name="Find", exact=True).click()
    page.wait_for_selector(f"{select} option[value]:not([value=''])", state="attached")
    page.select_option(select, label=label)


def play(page, live_server, learner, action, **fields):
    """One button of the sandbox's play page for ``learner`` in PY101; returns the page's message."""
    if not page.url.endswith("/play/"):
        page.goto(f"{live_server.url}/play/")
    page.select_option("select[name=learner]", label=learner)
    page.select_option("select[name=course]", "course-v1:Demo+PY101+2026")
    for name, value in fields.items():
        if page.locator(f"select[name={name}]").count():
            page.select_option(f"select[name={name}]", value)
        elif isinstance(value, bool):
            page.set_checked(f"input[name={name}]", value)
        else:
            page.fill(f"input[name={name}]", str(value))
    page.click(f"button[value={action}]")
    page.wait_for_selector("ul.messagelist")
    return page.inner_text("ul.messagelist")
