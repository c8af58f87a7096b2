"""The intake page on a phone's first visit: bytes transferred (HTML + CSS + JS, as the server sends them
compressed) and Lighthouse 12 mobile performance and accessibility scores, next to Lighthouse on a bare
Flask page measured in the same run.

    python bench/pwa_audit.py        (needs `npm ci` for lighthouse, and Debian's chromium)

Targets (issue "Offline-first PWA"): at most 100 KB compressed without the scanner library; both
scores at least 95.
"""

from __future__ import annotations

import html.parser
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.harness import ROOT, free_port, gunicorn, wait_until_up  # noqa: E402

LIGHTHOUSE = os.path.join(ROOT, "node_modules", ".bin", "lighthouse")
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
IMPORT = re.compile(r"""^import\s[^"']*["']([^"']+)["'];""", re.MULTILINE)
VOLUNTEER, PASSWORD = "benevole@demo.intake.fr", "demo-intake-2026"


class Assets(html.parser.HTMLParser):
    """The stylesheets and scripts a page loads."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.urls.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])


def request(port, method, path, headers=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request(method, path, body, headers or {})
    response = connection.getresponse()
    return response, response.read()


def signed_in_at_a_point(port) -> str:
    """The volunteer's session cookie, signed in and at the first collection point, through the real forms."""
    page, body = request(port, "GET", "/login")
    cookie = page.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body.decode()).group(1)
    form = urllib.parse.urlencode({"email": VOLUNTEER, "password": PASSWORD, "csrf_token": token})
    response, _ = request(port, "POST", "/login", {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
                          form)
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    page, body = request(port, "GET", "/intake/setup", {"Cookie": cookie})
    text = body.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text).group(1)
    point = re.search(r'name="collection_point_id"[^>]*>\s*<option[^>]*value="(\d+)"', text).group(1)
    form = urllib.parse.urlencode({"collection_point_id": point, "source_id": "0", "csrf_token": token})
    response, _ = request(port, "POST", "/intake/setup",
                          {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}, form)
    assert response.status == 302, response.status
    return response.getheader("Set-Cookie", cookie).split(";", 1)[0]


def transfer(port, cookie) -> dict:
    """Bytes of the intake page and of each stylesheet and script it loads, as sent (compressed)."""
    headers = {"Cookie": cookie, "Accept-Encoding": "br, gzip"}
    response, page = request(port, "GET", "/intake", headers)
    assert response.status == 200, response.status
    parser = Assets()
    parser.feed(page.decode())
    sizes = {"/intake (HTML)": (len(page), response.getheader("Content-Encoding") or "identity")}
    waiting = list(parser.urls)
    while waiting:
        url = waiting.pop(0)
        if url in sizes:
            continue
        response, body = request(port, "GET", url, headers)
        assert response.status == 200, url
        sizes[url] = (len(body), response.getheader("Content-Encoding") or "identity")
        if url.endswith(".js"):  # the modules it imports statically load with the page too
            text = request(port, "GET", url)[1].decode()
            waiting += [urllib.parse.urljoin(url, name) for name in IMPORT.findall(text)]
    return sizes


def lighthouse(url, cookie: str | None, report: str) -> dict:
    command = [LIGHTHOUSE, url, "--only-categories=performance,accessibility", "--output=json",
               f"--output-path={report}", "--quiet", "--max-wait-for-load=30000",
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking"]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, cwd=ROOT)
    with open(report) as result:
        audit = json.load(result)
    return {name: round(category["score"] * 100) for name, category in audit["categories"].items()}


def main() -> None:
    if not os.path.exists(LIGHTHOUSE):
        sys.exit("lighthouse is not installed: run `npm ci` (it is a devDependency, pinned at 12.2.3)")
    with tempfile.TemporaryDirectory() as folder:
        env = {"INTAKE_INSTANCE_PATH": folder, "INTAKE_ENV": "development"}
        for command in (["upgrade"], ["demo", "--items", "60"]):
            subprocess.run([sys.executable, "-m", "flask", "--app", "intake", *command], cwd=ROOT, check=True,
                           env={**os.environ, **env}, capture_output=True)
        port = free_port()
        server = gunicorn("intake:create_app()", env, port)
        try:
            wait_until_up(port)
            cookie = signed_in_at_a_point(port)
            sizes = transfer(port, cookie)
            scores = lighthouse(f"http://127.0.0.1:{port}/intake", cookie, os.path.join(folder, "intake.json"))
        finally:
            server.terminate()
            server.wait()
        port = free_port()
        server = gunicorn("bench.bare_app:create_hello_app()", {}, port)
        try:
            wait_until_up(port)
            bare = lighthouse(f"http://127.0.0.1:{port}/hello", None, os.path.join(folder, "bare.json"))
        finally:
            server.terminate()
            server.wait()

    total = sum(size for size, _ in sizes.values())
    print("Intake page, first load, as sent (Accept-Encoding: br, gzip); the scanner library is not on it:")
    for url, (size, encoding) in sizes.items():
        print(f"  {url:<28} {size / 1024:6.1f} KB  {encoding}")
    print(f"  {'total':<28} {total / 1024:6.1f} KB   (target <= 100 KB)")
    print("Lighthouse 12.2.3, mobile (simulated slow 4G, 4x CPU slowdown):")
    print(f"  intake page      performance {scores['performance']:3d}  accessibility {scores['accessibility']:3d}"
          "   (targets >= 95)")
    print(f"  bare Flask page  performance {bare['performance']:3d}  accessibility {bare['accessibility']:3d}"
          "   (baseline, same run)")
    print(f"  ratio intake / bare performance: {scores['performance'] / bare['performance']:.2f}")


if __name__ == "__main__":
    main()
