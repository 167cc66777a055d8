"""classify review as a coder meets it: the server started as a command (``--port 0
--no-browser``, its printed URL parsed), driven over HTTP and in Debian's headless chromium.

The browser tests skip only where chromium or playwright is missing and CI is unset; in CI
(``.ci/run`` installs both) they fail instead, so they never silently stop running.
"""

import http.client
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from classify.review.store import CLAUSES

REPO = Path(__file__).resolve().parent.parent
STATEMENT = "examples/statement.txt"  # the server runs in REPO: the page shows this path
SCREENSHOT = REPO / "docs" / "review.png"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
URL = re.compile(r"^http://127\.0\.0\.1:(\d+)/\?token=(\S+)$")
# our own text, for a two-page PDF
PDF_PAGES = [["CEASEFIRE ARRANGEMENTS", "1. The parties agree to an immediate and complete ceasefire."],
             ["2. All prisoners held in connection with the conflict shall be released within thirty days."]]
# a categories file in PA-X's layout with definitions in our own words, framed as the codebook frames them
DEFINITIONS = {
    "TjPrire": "Frees people held in connection with the conflict, or lists them for release.",
    "ImE": "Sets up a body or procedure to enforce or review how the agreement is carried out.",
    "TjVic": "Provides for the victims of the conflict.",
    "TjMis": "Provides for finding people missing since the conflict, or learning what became of them.",
    "StDef": "Addresses how the state defines itself: its territory, its nature, its relations.",
    "Terr": "Refers to terrorism, or measures against it.",
    "GeFa": "Provides for families as a unit, beyond passing mention of a family member.",
}


class Server:
    """``classify review INPUTS --port 0 --no-browser`` in a subprocess, on the shipped model."""

    def __init__(self, *inputs, out: Path, data: Path | None = None):
        self.log = open(out.parent / f"{out.name}-server.log", "a+")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "classify", "review", *map(str, inputs), "--port", "0", "--no-browser", "--out", str(out), "--coder", "tester",
             *(["--data", str(data)] if data else [])],
            cwd=REPO, stdout=subprocess.PIPE, stderr=self.log, text=True,
        )
        lines = queue.Queue()
        threading.Thread(target=lambda: [*map(lines.put, self.proc.stdout), lines.put(None)], daemon=True).start()
        deadline = time.monotonic() + 180  # the first run on a machine exports the ONNX model
        while True:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is None:
                self.stop()
                self.log.seek(0)
                pytest.fail(f"classify review printed no URL; its stderr: {self.log.read()}")
            if m := URL.match(line.strip()):
                break
        self.url, self.port, self.token = line.strip(), int(m[1]), m[2]
        self.cookie = f"paxreview-{self.port}={self.token}"

    def request(self, method, path, *, body=None, token=True, headers=None):
        """(status, headers, text); http.client sends ``path`` as given, ``..`` and all."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {**({"X-Review-Token": self.token} if token else {}), **(headers or {})}
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = body if isinstance(body, str) else json.dumps(body)
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        return r.status, r.headers, r.read().decode("utf-8", "replace")

    def state(self, doc_id):
        status, _, text = self.request("GET", f"/api/state/{doc_id}")
        assert status == 200, text
        return json.loads(text)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def missing(why):
    if os.environ.get("CI"):
        pytest.fail(f"{why}: CI must run the browser tests (.ci/run installs chromium and the test extra)")
    pytest.skip(why)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from test_formats import make_pdf

    root = tmp_path_factory.mktemp("review")
    (root / "agreement.pdf").write_bytes(make_pdf(PDF_PAGES))
    (root / "data").mkdir()
    (root / "data" / "categories.csv").write_text("code,name,group,definition_short\n" + "".join(
        f'{code},{code},Group,"Binary variable, takes the value of 1 if the agreement {d[0].lower()}{d[1:]} If no such provisions appear, the value is 0."\n'
        for code, d in DEFINITIONS.items()))
    s = Server(STATEMENT, root / "agreement.pdf", out=root / "reviewed", data=root / "data")
    s.out = root / "reviewed"
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed (pip install -e '.[test]')")
    path = shutil.which("chromium")
    if path is None:
        missing("Debian's chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_document(page, server, doc_id):
    page.goto(server.url)  # the token, once: then a cookie
    page.click(f"a:text-is('{doc_id}')")
    page.wait_for_selector("body[data-ready='1']", state="attached")


def settled(page):
    """Wait until every save the page sent has been answered."""
    page.wait_for_selector("body[data-saving='0']", state="attached")
    return page.inner_text("#msg")


def status_of(page, code):
    return page.get_attribute(f"#side li[data-code='{code}']", "class").split()[1]


def saved(server, doc_id):
    """The document's state file as on disk: what training will read."""
    return json.loads((server.out / "state" / f"{doc_id}.json").read_text())["decisions"]


def test_every_request_needs_the_token_and_no_path_reaches_a_file(server):
    decision = {"version": 0, "code": "TjPrire", "value": 1, "clauses": [2]}
    for method, path in [("GET", "/"), ("GET", "/doc/statement"), ("GET", "/static/review.js"), ("GET", "/api/state/statement"), ("POST", "/api/decide/statement")]:
        assert server.request(method, path, token=False, body=decision if method == "POST" else None)[0] == 403, path
    assert server.request("GET", "/", token=False, headers={"X-Review-Token": "wrong"})[0] == 403
    assert server.request("GET", "/?token=wrong", token=False)[0] == 403
    # a page of another site could make the browser send the cookie, but not the header
    assert server.request("POST", "/api/decide/statement", token=False, headers={"Cookie": server.cookie}, body=decision)[0] == 403

    # the token in the URL, once: a cookie that scripts cannot read and other sites cannot send
    status, headers, _ = server.request("GET", f"/doc/statement?token={server.token}", token=False)
    assert status == 303 and headers["Location"].endswith("/doc/statement")
    cookie = headers["Set-Cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    status, headers, text = server.request("GET", "/doc/statement", token=False, headers={"Cookie": server.cookie})
    assert status == 200 and "Each Party shall release" in text
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]

    for path in ["/doc/../../pyproject.toml", "/doc/..%2F..%2Fpyproject.toml", "/doc/%2Fetc%2Fpasswd", "/doc//etc/passwd",
                 "/static/../app.py", "/static/..%2Fapp.py", "/static/%2e%2e%2fstore.py", "/static/review.js/../../store.py",
                 "/../../../etc/passwd", "/api/state/..%2F..%2Fpyproject.toml"]:
        status, _, text = server.request("GET", path)
        assert status == 404 and "[build-system]" not in text and "root:" not in text and "import" not in text, path


def test_bad_decisions_are_refused_with_a_message(server):
    version = server.state("statement")["version"]
    for body, message in [
        ({"code": "Xyz", "value": 1, "clauses": [1]}, "unknown category code 'Xyz'"),
        ({"code": "TjPrire", "value": 1, "clauses": [99]}, "clause 99 is not in this document (it has 5 clauses)"),
        ({"code": "TjPrire", "value": 7, "clauses": [2]}, "TjPrire: the value must be 0 (absent), 1 (present), or 2-3 where PA-X grades the category; got 7"),
    ]:
        status, _, text = server.request("POST", "/api/decide/statement", body={**body, "version": version})
        assert status == 400 and json.loads(text)["error"].startswith(message)
    status, _, text = server.request("POST", "/api/decide/statement", body="{not json")
    assert (status, json.loads(text)["error"]) == (400, "the request body must be a JSON object")
    assert server.request("POST", "/api/decide/nothing-here", body={"version": 0, "code": "Ce", "value": 1, "clauses": []})[0] == 404
    assert server.state("statement")["version"] == version


def test_a_coder_reviews_a_document_and_every_decision_is_kept(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url)
    assert "closest calls (the categories scored nearest their thresholds" in page.inner_text("p.hint")  # the queue's order, in words
    assert re.match(r"closest calls on average 0\.\d{3} from their thresholds: .+ \d\.\d{3} \((above|below) \d\.\d{3}\)", page.inner_text("td.why >> nth=0"))
    open_document(page, server, "statement")
    codes = page.locator("#side li.cat").evaluate_all("items => items.map(e => e.dataset.code)")
    assert {"TjPrire", "StDef", "Terr"} <= set(codes)  # as the README shows
    page.click("#side li[data-code='TjPrire']")  # its evidence is highlighted
    assert "Each Party shall release" in page.inner_text(".clause.hl")
    # the codebook's definition (framing left out), and grades in PA-X's words
    assert page.text_content("#side li[data-code='TjPrire'] .def") == DEFINITIONS["TjPrire"]
    assert page.locator("#side li[data-code='TjPrire'] button.grade").all_inner_texts() == ["1 rhetorical", "2 substantive", "3 detailed modalities"]
    # every suggested tag carries its score, strong where it passes the category's threshold
    for tag in page.locator(".tag.open").all():
        code, score = tag.get_attribute("data-code"), float(tag.locator(".score").inner_text())
        threshold = page.evaluate(f"JSON.parse(document.getElementById('state').textContent).scores['{code}'][1]")
        assert ("strong" if score >= threshold else "weak") in tag.get_attribute("class").split(), code
    assert page.locator("#c1 .tag.open", has_text="TjPrire").inner_text() == "TjPrire0.84"
    assert page.get_attribute("#c1", "data-role") == "operative" and "agreement or statement" in page.inner_text("p.doctype")  # the clause's role, the document's type

    # accept two (a button, a key), reject one (a key): clause 4's non-use of force is not terrorism
    page.click("#side li[data-code='TjPrire'] button.accept")
    assert settled(page) == "Saved"
    page.click("#side li[data-code='StDef']")
    page.keyboard.press("a")
    page.click("#side li[data-code='Terr']")
    page.keyboard.press("r")
    settled(page)
    page.click("#side li[data-code='TjPrire']")
    page.keyboard.press("3")  # PA-X grades prisoner release 1-3
    settled(page)
    # each decision names one clause: the best evidence, not every clause suggested (StDef's and Terr's were 3 and 0, 3 and 1)
    assert {c: d["clauses"] for c, d in saved(server, "statement").items()} == {"TjPrire": [1], "StDef": [3], "Terr": [3]}

    # the possible tier: categories cut by the count cap, decided like the others
    assert page.locator("#possible ~ ul li[data-code='ImE']").count() == 1
    n_possible = page.evaluate("JSON.parse(document.getElementById('state').textContent).suggestions.filter(s => s.tier === 'possible').length")
    assert page.locator("#possible ~ ul li").count() == 8 < n_possible  # the best ones; the others on request
    page.click(f"#side button.more:text-is('Show {n_possible - 8} more possible')")
    assert page.locator("#possible ~ ul li").count() == n_possible
    page.click("#side button.more:text-is('Show the best 8 possible')")
    assert page.locator("#side li[data-code='ImE']").count() == 1 and "ImE" not in page.inner_text("#c3 .tags")  # its tags show when selected
    page.click("#side li[data-code='Ce'] button.reject")  # the non-use of force is no ceasefire
    settled(page)
    # moving the evidence: the joint commission of clause 5, not clause 4, is the enforcement mechanism
    page.click("#side li[data-code='ImE']")
    assert page.inner_text(".clause.sel .t").startswith("4. The Parties reaffirm")
    assert page.locator("#c3 .tag.open", has_text="ImE").count() == 1
    page.click("#c4")
    assert page.inner_text("#side li[data-code='ImE'] .target") == "Accept (a) moves it to \u201c5. A joint commission of senior officials shall\u2026\u201d (the selected clause)"
    page.keyboard.press("a")
    assert settled(page) == "Saved"
    decisions = saved(server, "statement")
    assert (decisions["ImE"]["value"], decisions["ImE"]["clauses"]) == (1, [4]) and (decisions["Ce"]["value"], decisions["Ce"]["clauses"]) == (0, [3])
    assert page.locator("#c4 .tag.accepted", has_text="ImE").count() == 1 and page.locator("#c3 .tag", has_text="ImE").count() == 0
    assert status_of(page, "ImE") == "accepted" and page.locator("#possible ~ ul li[data-code='ImE']").count() == 1
    page.click("#side li[data-code='Terr']")
    page.keyboard.press("2")  # a grade where PA-X has none: refused, and said so in the page
    assert "Terr is not graded in PA-X" in settled(page)
    assert page.get_attribute("#msg", "class") == "err"

    # add victims to clause 3 with the keyboard: J/K to the clause, / to search, Enter
    page.click("#side li[data-code='TjPrire']")  # its evidence, clause 2, is selected
    page.keyboard.press("J")
    page.keyboard.press("J")
    page.keyboard.press("K")
    assert page.inner_text(".clause.sel .t").startswith("3. The Parties shall exchange lists of persons missing")
    page.keyboard.press("/")
    page.keyboard.type("prisoner")
    assert {"TjPrire", "WggPri"} <= set(page.locator("#hits code").all_inner_texts())
    assert page.locator("#hits li", has=page.locator("code", has_text="TjPrire")).locator(".def").inner_text() == DEFINITIONS["TjPrire"]
    page.fill("#q", "enforce or review")  # words of a definition find its category
    assert page.locator("#hits code").all_inner_texts() == ["ImE"]
    page.fill("#q", "victims")
    assert page.inner_text("#hits li.on code") == "TjVic"
    page.keyboard.press("Enter")
    assert settled(page) == "Saved"

    page.reload()
    page.wait_for_selector("body[data-ready='1']", state="attached")
    assert {c: status_of(page, c) for c in ("TjPrire", "StDef", "Terr", "TjVic", "ImE", "Ce")} == {
        "TjPrire": "accepted", "StDef": "accepted", "Terr": "rejected", "TjVic": "accepted", "ImE": "accepted", "Ce": "rejected"}
    assert page.inner_text("#side li[data-code='TjPrire'] button.grade.on") == "3 detailed modalities"
    assert page.locator("#c2 .tag.accepted", has_text="TjVic").count() == 1
    assert page.locator("#c3 .tag.rejected", has_text="Terr").count() == 1
    state = server.state("statement")
    assert {c: (d["value"], d["coder"]) for c, d in state["decisions"].items()} == {
        "TjPrire": (3, "tester"), "StDef": (1, "tester"), "Terr": (0, "tester"), "TjVic": (1, "tester"), "ImE": (1, "tester"), "Ce": (0, "tester")}
    assert state["decisions"]["TjVic"]["clauses"] == [2]
    assert "TjVic,3. The Parties shall exchange lists of persons missing" in (server.out / CLAUSES).read_text()

    page.click("#side li[data-code='TjPrire']")
    page.mouse.move(0, 0)
    page.eval_on_selector("#side", "side => { side.scrollTop = side.querySelector(\"li[data-code='TjPrire']\").offsetTop - 60; }")
    shot = tmp_path / "review.png"
    page.screenshot(path=shot)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("PAXCLASSIFY_SCREENSHOT"):  # refresh the README's picture: only our own statement is in it
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)

    # marking done while suggestions are undecided is refused, in the page
    page.keyboard.press("d")
    assert "not decided yet" in settled(page)
    assert errors == []
    page.close()


def test_a_second_tab_cannot_overwrite_the_first_and_pdf_pages_show(server, browser):
    context = browser.new_context()
    first, second = context.new_page(), context.new_page()
    open_document(first, server, "agreement")
    open_document(second, server, "agreement")
    assert first.inner_text(".pagebreak >> nth=1") == "Page 2"
    assert first.locator(".clause", has_text="All prisoners held").locator(".pg").inner_text() == "p.\u00a02"
    code = first.locator("#side li.cat").first.get_attribute("data-code")

    first.click(f"#side li[data-code='{code}'] button.accept")
    assert settled(first) == "Saved"
    second.click(f"#side li[data-code='{code}'] button.reject")
    assert "changed in another tab or window" in settled(second)
    assert second.get_attribute("#msg", "class") == "err"
    assert status_of(second, code) == "open"
    second.reload()
    second.wait_for_selector("body[data-ready='1']", state="attached")
    assert status_of(second, code) == "accepted"
    assert server.state("agreement")["decisions"][code]["value"] >= 1
    context.close()


def test_a_decision_acknowledged_survives_a_killed_server(tmp_path):
    out = tmp_path / "reviewed"
    server = Server(STATEMENT, out=out)
    status, _, text = server.request("POST", "/api/decide/statement", body={"version": 0, "code": "TjPrire", "value": 2, "clauses": [1]})
    assert status == 200, text
    server.proc.send_signal(signal.SIGKILL)  # the moment the save is acknowledged
    server.proc.wait()
    server.log.close()

    again = Server(STATEMENT, out=out)  # the killed server's lock on the folder went with it
    try:
        state = again.state("statement")
        assert state["version"] == 1 and state["decisions"]["TjPrire"]["value"] == 2
        assert "TjPrire,2. Each Party shall release" in (out / CLAUSES).read_text()
    finally:
        again.stop()


def test_done_needs_the_suggestions_decided_and_leaves_undecided_possible_ones_absent(server):
    status, _, html = server.request("GET", "/doc/agreement")
    payload = json.loads(re.search(r'<script type="application/json" id="state">(.*?)</script>', html, re.S)[1])
    tiers = {s["code"]: s["tier"] for s in payload["suggestions"]}
    possible = [c for c, t in tiers.items() if t == "possible"]
    assert possible, "the agreement's count cap cuts some categories"
    state = server.state("agreement")
    for code, tier in tiers.items():
        if tier == "suggested" and code not in state["decisions"]:
            status, _, text = server.request("POST", "/api/decide/agreement", body={"version": state["version"], "code": code, "value": 0, "clauses": []})
            assert status == 200, text
            state = json.loads(text)
    status, _, text = server.request("POST", "/api/done/agreement", body={"version": state["version"], "done": True})
    assert status == 200 and json.loads(text)["done"], text
    codings = (server.out / "reviewed_codings.csv").read_text().splitlines()
    header, row = codings[0].split(","), next(r for r in codings[1:] if ",agreement," in r).split(",")
    assert {c: row[header.index(c)] for c in possible if c in header} == {c: "0" for c in possible if c in header}
