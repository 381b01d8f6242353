"""Headless Chromium for the report tests: load a page from file:// with the network off, report what
it saw (images decoded, headings, every resource requested) and take a screenshot.

Debian's ``chromium`` (the Makefile's ``setup`` installs it when missing). Under CI a missing
browser is a failure, elsewhere a skip, as a missing R is for the parity tests.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # network off: no name resolves, and any request that still tries goes to a dead proxy
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
]

PROBE = """<script id="nenaudit-probe">
window.addEventListener('load', () => {
  // after 'load' every image has loaded or failed; a decoded one has its natural size, a broken one 0 x 0
  const imgs = [...document.images].map((im) => ({src: (im.getAttribute('src') || '').slice(0, 40),
    decoded: im.complete && im.naturalWidth > 0, w: im.naturalWidth, h: im.naturalHeight}));
  const heads = [...document.querySelectorAll('h2')].map(h => h.textContent);
  const requested = performance.getEntriesByType('resource').map(e => e.name);
  const refs = [...document.querySelectorAll('[src],[href]')]
    .filter(e => e.id !== 'nenaudit-probe').map(e => e.getAttribute('src') || e.getAttribute('href'));
  const sheets = [...document.styleSheets].map(s => s.href);
  const pre = document.createElement('pre');
  pre.id = 'nenaudit-probe-result';
  pre.textContent = JSON.stringify({imgs, heads, requested, refs, sheets});
  document.body.appendChild(pre);
});
</script>"""


def chromium() -> str:
    """Path of the browser, or skip (fail under CI) when there is none."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        msg = "Debian's chromium is not installed (make setup installs it)"
        if os.environ.get("CI"):
            pytest.fail(msg + "; CI must run the browser test")
        pytest.skip(msg)
    return exe


def _run(args: list[str], profile: str) -> subprocess.CompletedProcess:
    env = {
        k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"
    }  # R's, if rpy2 started in this process
    return subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def probe(page: Path) -> dict:
    """Load a copy of ``page`` with a probe script appended and return what the probe saw."""
    page = Path(page)
    html = page.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        copy = page.with_name(page.stem + ".probe.html")
        copy.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
        try:
            p = _run(["--virtual-time-budget=15000", "--dump-dom", copy.resolve().as_uri()], tmp)
        finally:
            copy.unlink()
    m = re.search(r'<pre id="nenaudit-probe-result">(.*?)</pre>', p.stdout, re.S)
    assert m, f"the probe did not report (chromium exit {p.returncode}): {p.stderr[-2000:]}"
    text = (
        m.group(1)
        .replace("&quot;", '"')
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )
    return json.loads(text)


def screenshot(page: Path, out: Path, size: tuple[int, int] = (1280, 900)) -> Path:
    """The first screen of ``page`` as PNG at ``out`` (written next to it, then renamed)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_png = out.with_name(out.stem + ".part.png")
    with tempfile.TemporaryDirectory() as tmp:
        p = _run(
            [
                f"--window-size={size[0]},{size[1]}",
                f"--screenshot={tmp_png}",
                "--hide-scrollbars",
                Path(page).resolve().as_uri(),
            ],
            tmp,
        )
    assert tmp_png.is_file() and tmp_png.stat().st_size > 10_000, p.stderr[-2000:]
    tmp_png.replace(out)
    return out
