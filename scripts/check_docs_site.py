"""Open the built docs site from disk in headless Chromium and check that the math is typeset:
``python scripts/check_docs_site.py site`` (run by ``make docs``). Each page with formulas must contain
KaTeX output, no KaTeX error and no raw ``$`` outside code; no page may log a console error or make a
request that leaves the disk; links go to ``page.html`` files (the site works without a server)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser import browser_page  # noqa: E402

MATH_PAGES = [
    "softmax.html",
    "backprop.html",
    "derivatives.html",
    "explorer.html",
    "notebooks/1_softmax_cross_entropy.html",
]
# visible text outside code, math and the page chrome
PROSE = """() => { const main = document.querySelector('.md-content') || document.body;
  const copy = main.cloneNode(true);
  copy.querySelectorAll('pre, code, .katex, script, style, .highlight, .jp-InputArea, .jp-OutputArea').forEach(e => e.remove());
  return copy.textContent; }"""


def check(site: Path) -> list[str]:
    problems = []
    with browser_page() as (page, record):
        for name in ["index.html", *MATH_PAGES]:
            path = site / name
            if not path.is_file():
                problems.append(f"{name}: missing from the built site")
                continue
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            page.wait_for_timeout(300)
            if name in MATH_PAGES:
                typeset = page.locator(".katex").count()
                errors = page.locator(".katex-error").count()
                raw = page.evaluate(PROSE).count("$")
                if typeset == 0 or errors or raw:
                    problems.append(f"{name}: {typeset} typeset formulas, {errors} KaTeX errors, {raw} raw '$'")
            links = page.eval_on_selector_all(".md-nav a[href]", "as => as.map(a => a.getAttribute('href'))")
            folders = [href for href in links if href.endswith("/") and not href.startswith(("http", "#"))]
            if folders:
                problems.append(f"{name}: links to folders (no index.html from disk): {folders[:3]}")
        # The one known exception: Material's search fetches its index, which a browser refuses from disk
        # (its 'offline' plugin would load a shim from a CDN instead); search works when the site is served.
        errors = [text for text in record["errors"] if "search_index" not in text]
        missing = record["errors"].count("Failed to load resource: net::ERR_FILE_NOT_FOUND")
        searches = sum("search_index" in text for text in record["errors"])
        errors = [text for text in errors if text != "Failed to load resource: net::ERR_FILE_NOT_FOUND"] + [
            "Failed to load resource: net::ERR_FILE_NOT_FOUND"
        ] * max(0, missing - searches)
        problems += [f"console error: {text}" for text in errors]
        problems += [
            f"request off the disk: {url}" for url in record["requests"] if not url.startswith(("file:", "data:"))
        ]
    return problems


if __name__ == "__main__":
    site = Path(sys.argv[1] if len(sys.argv) > 1 else "site").resolve()
    found = check(site)
    for problem in found:
        print(f"docs site: {problem}", file=sys.stderr)
    if found:
        sys.exit(1)
    print(
        f"docs site: math typeset on {len(MATH_PAGES)} pages, no console error, no request; open {site / 'index.html'}"
    )
