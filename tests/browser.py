"""Helpers for browser tests: accessibility scans, waiting under a strict CSP, keyboard use."""

import time
from pathlib import Path

AXE_SOURCE = (Path(__file__).resolve().parent.parent / "node_modules" / "axe-core"
              / "axe.min.js")
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page):
    """Run axe-core on the page; return violations of impact serious or critical.

    page.evaluate is not subject to the page's Content-Security-Policy, unlike an added
    script tag, so axe runs on the page exactly as citizens get it.
    """
    page.wait_for_load_state()
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "options => axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    return [
        {"id": violation["id"], "impact": violation["impact"],
         "targets": [node["target"] for node in violation["nodes"]]}
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def wait_until(page, expression, timeout=30.0):
    """Poll a JavaScript expression until it is truthy.

    Playwright's wait_for_function evaluates a string with eval, which the CSP forbids.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(f"() => Boolean({expression})"):
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {expression}")


def solve_altcha(page):
    """Tick the ALTCHA box as a person does and wait until the proof of work is done."""
    page.click("altcha-widget label")
    wait_until(page, "document.querySelector('altcha-widget').getState() === 'verified'")


def tab_to(page, selector, limit=120):
    """Press Tab until the element matching selector has focus; return its focus style."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return page.evaluate("""() => {
                const style = getComputedStyle(document.activeElement);
                return {outline: style.outlineStyle, width: style.outlineWidth,
                        shadow: style.boxShadow};
            }""")
    raise AssertionError(f"Tab never reached {selector}")
