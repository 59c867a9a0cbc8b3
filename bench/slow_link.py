"""Every step page in Chromium on an emulated 2G link (240 kbit/s each way, 800 ms round trip):
what a first visit and a repeat visit download, and how long until the page has loaded.

    python -m bench.slow_link BASE_URL PLAN_ID [EMAIL PASSWORD]

against a running server (DEBUG off, static files collected, as `make bench` serves them), logged
in as the demo user. Prints JSON. First load: the browser's cache emptied, cookies kept (logged
in); repeat load: the same page again, as a browser does it (a conditional request for the HTML,
hashed static files from its cache). Bytes are what crossed the wire (headers and compressed
bodies, Chromium's `encodedDataLength`); time is navigation start to the load event.
Uses Debian's Chromium through Playwright, as the browser tests do (JALON_CHROMIUM to change).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

CHROMIUM = os.environ.get("JALON_CHROMIUM", "/usr/bin/chromium")
LINK = {
    "offline": False,
    "latency": 800,  # ms, round trip
    "downloadThroughput": 240_000 / 8,  # bytes per second
    "uploadThroughput": 240_000 / 8,
}
GOAL_FIRST_BYTES = 20_000
GOAL_FIRST_SECONDS = 2.5


def measure(base: str, plan_id: int, email: str, password: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(viewport={"width": 360, "height": 780}, locale="fr-FR")
        page = context.new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        received: list[int] = []
        cdp.on("Network.loadingFinished", lambda event: received.append(event["encodedDataLength"]))
        cdp.send("Network.emulateNetworkConditions", LINK)

        def visit(url: str) -> dict[str, Any]:
            received.clear()
            response = page.goto(url, wait_until="load")
            seconds = page.evaluate(
                "() => { const n = performance.getEntriesByType('navigation')[0];"
                " return n.loadEventEnd / 1000; }"
            )
            page.wait_for_timeout(100)  # the last loadingFinished events
            return {
                "status": response.status if response else None,
                "bytes": sum(received),
                "requests": len(received),
                "seconds": round(seconds, 2),
            }

        steps: list[dict[str, Any]] = []
        for number in range(1, 7):
            url = f"{base}/plans/{plan_id}/steps/{number}/"
            cdp.send("Network.clearBrowserCache")
            first = visit(url)
            repeat = visit(url)
            steps.append({"step": number, "first": first, "repeat": repeat})
        browser.close()
    return {
        "link": {"kbit_per_s": 240, "round_trip_ms": 800},
        "steps": steps,
        "worst_first_bytes": max(s["first"]["bytes"] for s in steps),
        "worst_first_seconds": max(s["first"]["seconds"] for s in steps),
        "goals": {"first_bytes": GOAL_FIRST_BYTES, "first_seconds": GOAL_FIRST_SECONDS},
    }


if __name__ == "__main__":
    base, plan = sys.argv[1], int(sys.argv[2])
    email = sys.argv[3] if len(sys.argv) > 3 else "demo@example.org"
    password = sys.argv[4] if len(sys.argv) > 4 else "jalon-demo"
    print(json.dumps(measure(base.rstrip("/"), plan, email, password), indent=2))
