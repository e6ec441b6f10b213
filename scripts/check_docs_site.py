"""Open the built docs site from disk in headless Chromium and check that the math is typeset:
``python scripts/check_docs_site.py site`` (run by ``make docs``). Each page with formulas must contain
KaTeX output, no KaTeX error and no raw ``$`` outside code; no page may log a console error (none is
filtered out) or make a request that leaves the disk; links go to ``page.html`` files (the site works
without a server); at 1280 px every top tab is on screen and no table cell or code block is clipped;
search finds a page with the site opened from disk."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser import browser_page  # noqa: E402

MATH_PAGES = [
    "index.html",
    "softmax.html",
    "backprop.html",
    "derivatives.html",
    "explorer.html",
    "notebooks/1_softmax_cross_entropy.html",
]
# pages with wide tables or teaching comments in code: nothing may be clipped at the right
LAYOUT_PAGES = ["derivatives.html", "notebooks/2_last_layer.html", "notebooks/3_mse_vs_cross_entropy.html"]
WIDTH = 1280  # a laptop screen: every top-level section must be reachable from a visible tab
# visible text outside code, math and the page chrome
PROSE = """() => { const main = document.querySelector('.md-content') || document.body;
  const copy = main.cloneNode(true);
  copy.querySelectorAll('pre, code, .katex, script, style, .highlight, .jp-InputArea, .jp-OutputArea').forEach(e => e.remove());
  return copy.textContent; }"""
# the top tabs whose link is not fully inside the viewport
HIDDEN_TABS = """() => [...document.querySelectorAll('.md-tabs__link')].filter(a => {
  const box = a.getBoundingClientRect();
  return box.width === 0 || box.left < 0 || box.right > window.innerWidth; }).map(a => a.textContent.trim())"""
# table cells and code blocks whose content is wider than the box that shows it (clipped or scrolled away)
CLIPPED = """() => {
  const clipped = [];
  for (const el of document.querySelectorAll('.md-content td, .md-content th, .md-content pre, .md-typeset__scrollwrap')) {
    const box = el.getBoundingClientRect();
    if (el.scrollWidth > el.clientWidth + 1 || box.right > window.innerWidth + 1)
      clipped.push(el.tagName.toLowerCase() + ': ' + el.textContent.trim().slice(0, 40));
  }
  return clipped; }"""


def check(site: Path) -> list[str]:
    problems = []
    with browser_page(width=WIDTH) as (page, record):
        for name in dict.fromkeys(["index.html", *MATH_PAGES, *LAYOUT_PAGES]):
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
            if name in LAYOUT_PAGES:
                problems += [f"{name}: clipped at the right at {WIDTH} px: {what}" for what in page.evaluate(CLIPPED)]
            hidden = page.evaluate(HIDDEN_TABS)
            if hidden:
                problems.append(f"{name}: top tabs off screen at {WIDTH} px: {hidden}")
            links = page.eval_on_selector_all(".md-nav a[href]", "as => as.map(a => a.getAttribute('href'))")
            folders = [href for href in links if href.endswith("/") and not href.startswith(("http", "#"))]
            if folders:
                problems.append(f"{name}: links to folders (no index.html from disk): {folders[:3]}")
        problems += search_problems(page, site)
        problems += [f"console error: {text}" for text in record["errors"]]  # none filtered out
        problems += [
            f"request off the disk: {url}" for url in record["requests"] if not url.startswith(("file:", "data:"))
        ]
    return problems


def search_problems(page: Any, site: Path) -> list[str]:
    """Search works with the site opened from disk (the offline plugin's index as a script)."""
    page.goto((site / "index.html").as_uri())
    page.wait_for_load_state("load")
    page.keyboard.press("/")  # Material's shortcut: focus the search box
    page.locator("input.md-search__input").press_sequentially("zero_grad", delay=30)  # typed, as a reader does
    try:
        page.wait_for_selector(".md-search-result__item a[href*='training_loop']", timeout=10_000)
    except Exception:  # Playwright's timeout: report it as a finding
        return ["search: 'zero_grad' does not find the training-loop page with the site opened from disk"]
    return []


if __name__ == "__main__":
    site = Path(sys.argv[1] if len(sys.argv) > 1 else "site").resolve()
    found = check(site)
    for problem in found:
        print(f"docs site: {problem}", file=sys.stderr)
    if found:
        sys.exit(1)
    print(
        f"docs site: math typeset on {len(MATH_PAGES)} pages, tabs and tables fit {WIDTH} px, search works from disk, "
        f"no console error, no request; open {site / 'index.html'}"
    )
