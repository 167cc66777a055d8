"""Benchmark of classify review on the longest agreement in pax_fulltext_sample.csv (151,000
characters): the time to open its page in chromium and the time to save one decision, each next
to a reference timed in the same run, alternating with it, on the same loopback and browser.

    python benchmarks/review.py                      # --data ../shared/pax, 10 repeats
    python benchmarks/review.py --repeats 20

References: the same page's HTML, without its script, served as a static file by Python's
http.server (what any page of that size costs the browser), and a POST of the same body to that
server, which answers without touching the disk (what a bare round trip costs); and for the save,
one durable atomic write of the document's state file (the least a crash-safe save costs). The agreement is
written to a temporary folder that is deleted afterwards (PA-X text is never committed). Results
are merged into benchmarks/results.json as "review". Needs Debian's chromium and the test extra.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import http.server
import json
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from benchmarks.run import RESULTS, machine  # noqa: E402
from classify.review.store import _sync, _write_durably  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
GOAL_OPEN_S = 2.0


def start_review(csv_path: Path, out: Path) -> tuple[subprocess.Popen, str, float]:
    """The workbench on the agreement, and the seconds until it printed its URL (model, suggestions)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "classify", "review", str(csv_path), "--text-column", "Agreement text", "--id-column", "AgtId",
                             "--port", "0", "--no-browser", "--out", str(out), "--coder", "bench"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [*map(lines.put, proc.stdout), lines.put(None)], daemon=True).start()
    while (line := lines.get(timeout=600)) is not None:
        if re.match(r"^http://127\.0\.0\.1:\d+/\?token=\S+$", line.strip()):
            return proc, line.strip(), time.perf_counter() - t0
    raise SystemExit("classify review stopped before printing its URL")


def reference_server(page_html: bytes) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # as the workbench's server: no wait for a delayed ACK

        def _send(self, body: bytes, kind: str):
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            self._send(page_html, "text/html; charset=utf-8")

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            self._send(body, "application/json")

        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # the browser dropping a kept-alive connection

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def med(values):
    return round(statistics.median(values), 4)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("PAXCLASSIFY_DATA", REPO.parent / "shared" / "pax")))
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    import pandas as pd
    from playwright.sync_api import sync_playwright

    corpus = pd.read_csv(args.data / "pax_fulltext_sample.csv", dtype={"AgtId": str})
    longest = corpus.loc[corpus["Agreement text"].str.len().idxmax()]
    work = Path(tempfile.mkdtemp(prefix="paxclassify-review-bench-"))
    load_start = os.getloadavg()[0]
    proc = None
    try:
        longest.to_frame().T.to_csv(work / "longest.csv", index=False)
        proc, url, startup_s = start_review(work / "longest.csv", work / "reviewed")
        port, token = int(re.search(r":(\d+)/", url)[1]), url.split("token=")[1]
        doc_path = f"/doc/{longest.AgtId}"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", doc_path, headers={"X-Review-Token": token})
        page_html = conn.getresponse().read()
        static_html = re.sub(rb"<script src=[^>]*></script>", b"", page_html)
        reference = reference_server(static_html)
        ref_url = f"http://127.0.0.1:{reference.server_address[1]}/page.html"

        opened, opened_ref, saved_http, saved_ref, saved_durable, saved_browser, served, served_ref = [], [], [], [], [], [], [], []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url)  # the token, once: then a cookie
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}{doc_path}", wait_until="load")
                page.wait_for_selector("body[data-ready='1']", state="attached")
                opened.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                page.goto(ref_url, wait_until="load")
                opened_ref.append(time.perf_counter() - t0)
            # one decision saved from the page: a key, the server's write, the page redrawn
            page.goto(f"http://127.0.0.1:{port}{doc_path}")
            page.wait_for_selector("body[data-ready='1']", state="attached")
            n_clauses = page.locator(".clause").count()
            page.keyboard.press("j")
            for i in range(args.repeats):
                t0 = time.perf_counter()
                page.keyboard.press("a" if i % 2 == 0 else "u")
                page.wait_for_selector("body[data-saving='0']", state="attached")
                saved_browser.append(time.perf_counter() - t0)
            assert page.inner_text("#msg") == "Saved", page.inner_text("#msg")
            code = page.get_attribute("#side li.cat.sel", "data-code")
            browser.close()

        # the same save over HTTP, against the bare round trip (new connections: uvicorn closes idle ones after 5 s)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        ref = http.client.HTTPConnection("127.0.0.1", reference.server_address[1], timeout=60)
        version = json.loads(_get(conn, f"/api/state/{longest.AgtId}", token))["version"]
        for i in range(args.repeats):
            body = json.dumps({"version": version, "code": code, "value": None if i % 2 else 1, "clauses": [0]})
            t0 = time.perf_counter()
            conn.request("POST", f"/api/decide/{longest.AgtId}", body=body, headers={"X-Review-Token": token, "Content-Type": "application/json"})
            answer = conn.getresponse().read()
            saved_http.append(time.perf_counter() - t0)
            version = json.loads(answer)["version"]
            t0 = time.perf_counter()
            ref.request("POST", "/echo", body=body, headers={"Content-Type": "application/json"})
            ref.getresponse().read()
            saved_ref.append(time.perf_counter() - t0)
            # the least a crash-safe save costs: one durable atomic write of the document's state file
            [state_file] = (work / "reviewed" / "state").glob("[!.]*.json")
            text = state_file.read_text(encoding="utf-8")
            t0 = time.perf_counter()
            _write_durably(work / "durable.json", text)
            _sync(work)
            saved_durable.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            _get(conn, doc_path, token)
            served.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            ref.request("GET", "/page.html")
            ref.getresponse().read()
            served_ref.append(time.perf_counter() - t0)
        reference.shutdown()
    finally:
        if proc is not None:  # also when the run failed half-way: no server is left behind
            proc.terminate()
            proc.wait(30)
        shutil.rmtree(work, ignore_errors=True)

    result = {
        "date": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "machine": machine(),
        "command": "python benchmarks/review.py " + " ".join(sys.argv[1:]),
        "load_average_1min": [round(load_start, 2), round(os.getloadavg()[0], 2)],
        "document": {"AgtId": str(longest.AgtId), "characters": int(len(longest["Agreement text"])), "clauses": n_clauses, "page_bytes": len(page_html)},
        "repeats": args.repeats,
        "startup_s": round(startup_s, 2),
        "open_page_s": med(opened), "open_reference_s": med(opened_ref), "open_ratio": round(med(opened) / med(opened_ref), 2),
        "serve_page_s": med(served), "serve_reference_s": med(served_ref), "serve_ratio": round(med(served) / med(served_ref), 2),
        "save_in_page_s": med(saved_browser), "save_http_s": med(saved_http), "save_reference_s": med(saved_ref),
        "save_durable_write_s": med(saved_durable),
        "save_ratio": round(med(saved_http) / med(saved_ref), 2), "save_ratio_to_durable_write": round(med(saved_http) / med(saved_durable), 2),
        "goal_open_under_s": GOAL_OPEN_S, "goal_met": med(opened) < GOAL_OPEN_S,
        "runs": {"open": opened, "open_reference": opened_ref, "save_in_page": saved_browser, "save_http": saved_http, "save_reference": saved_ref, "save_durable_write": saved_durable},
    }
    results = json.loads(args.results.read_text(encoding="utf-8")) if args.results.is_file() else {}
    results["review"] = result
    args.results.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k not in ("machine", "runs")}, indent=1))


def _get(conn, path, token) -> bytes:
    conn.request("GET", path, headers={"X-Review-Token": token})
    return conn.getresponse().read()


if __name__ == "__main__":
    main()
