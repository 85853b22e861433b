"""axe-core in the browser: the accessibility check of the browser tests.

axe-core is vendored, minified, under tests/browser/vendor/axe-core/ (the npm package
`axe-core`, version in AXE_VERSION, with its licence, MPL-2.0), so the tests need no network. To
upgrade: `npm pack axe-core@<version>`, copy `package/axe.min.js`, `LICENSE` and
`LICENSE-3RD-PARTY.txt` here, and change AXE_VERSION.

It is loaded as an init script of the browser context, which the pages' Content-Security-Policy
does not apply to.
"""

from pathlib import Path

from tests.browser.conftest import TIMEOUT_MS

AXE_VERSION = "4.14.1"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# What a person relying on a screen reader or a keyboard could not get past.
BLOCKING = {"serious", "critical"}


def use_axe(context) -> None:
    """Make axe available in every page of a Playwright browser context."""
    context.add_init_script(path=str(AXE))


def serious_violations(page, *, disabled_rules: tuple[str, ...] = ()) -> list[str]:
    """The serious and critical violations on the page as it is now, one line each."""
    assert page.evaluate("axe.version") == AXE_VERSION
    result = page.evaluate(
        """rules => axe.run(document, {
            resultTypes: ["violations"],
            rules: Object.fromEntries(rules.map(rule => [rule, {enabled: false}])),
        })""",
        list(disabled_rules),
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in result["violations"]
        if violation["impact"] in BLOCKING
    ]


LAPTOP = {"width": 1366, "height": 900}


def laptop_page(browser, live_server):
    """A fresh tab at a laptop's 1366×900, English, with axe loaded in every page (a fixture's
    body: `yield from laptop_page(browser, live_server)`)."""
    context = browser.new_context(base_url=live_server.url, viewport=LAPTOP, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    use_axe(context)
    yield context.new_page()
    context.close()
