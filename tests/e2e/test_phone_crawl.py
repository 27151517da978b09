"""On a 390 px phone, no page the warehouse and supplier roles use is wider than the screen (the
page itself never scrolls sideways; a wide table may scroll inside its own card). Every GET page of
the crawl (tests/demo_crawl.py) on the demo data, in Chromium."""
from __future__ import annotations

import pytest

from scm.extensions import db
from tests.demo_crawl import crawl_urls, demo_app_data
from tests.e2e.conftest import shot

PHONE_WIDTH = 390
# The page's own width, and the first elements that stick out of the viewport (to say what to fix).
MEASURE = """() => {
  const width = document.documentElement.scrollWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > window.innerWidth + 1 && !el.closest('.table-wrap')) {
      wide.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '') + ' ' + Math.round(r.right));
      if (wide.length >= 3) break;
    }
  }
  return [width, wide];
}"""


@pytest.mark.parametrize("role", ["warehouse", "supplier"])
def test_no_page_of_the_phone_roles_is_wider_than_the_screen(live_app, live_server, page, role):
    with live_app.app_context():
        demo = demo_app_data(live_app)
        urls = crawl_urls(db.session, role, live_app)
        db.session.remove()
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", f"{role}@demo.local")
    page.fill("input[name=password]", demo.password)
    page.click("button[type=submit]")
    too_wide = []
    for url in urls:
        response = page.goto(live_server + url)
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        width, wide = page.evaluate(MEASURE)
        if width > PHONE_WIDTH:
            too_wide.append(f"{url}: {width} px ({', '.join(wide)})")
            shot(page, f"too-wide-{role}-{url.strip('/').replace('/', '_') or 'home'}")
    assert not too_wide, f"pages wider than a {PHONE_WIDTH} px phone as {role}:\n" + "\n".join(too_wide)
