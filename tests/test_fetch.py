"""classify data fetch against a real HTTP server on 127.0.0.1 serving fixture files we write."""

import hashlib
import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pandas as pd
import pytest
from fixtures import FakeEncoder
from click.testing import CliRunner
from fixtures import TOPICS, write_pax_fixture

import training.fetch
from classify.cli import cli
from training.errors import FetchError, OfflineError
from training.fetch import MANIFEST, FetchSettings, fetch, flatten_records, parse_page
from training.sources import find_sources

CODINGS_PATH = "/download/pax_data.csv"
CORPUS_PATH = "/download/pax_corpus.csv"
API_PATH = "/api/agreements/issues/"
PER_PAGE = 5
# Small chunks: a cut-off response loses at most its last unfinished chunk, so with tiny
# fixture files the resumed download has something to resume from.
FAST = FetchSettings(retries=3, backoff=0.5, timeout=10, chunk_size=256)


def build_site_files(folder: Path) -> tuple[bytes, bytes, list[dict]]:
    """A codings CSV, a full-text corpus CSV and API records, all in PA-X formats, our own text."""
    pax = write_pax_fixture(folder)
    codings = pd.read_csv(pax / "codings.csv")
    # numeric metadata columns, as in the real export (pages, characters, a country code): not categories
    at = list(codings.columns).index("AgtId") + 1
    for name, values in (("Lgt", codings.AgtId % 7 + 1), ("N_characters", codings.AgtId * 13), ("Loc1GWNO", 600)):
        codings.insert(at, name, values)
    codings.to_csv(pax / "codings.csv", index=False)
    meta = pd.read_csv(pax / "meta.csv").set_index("AgtId")
    corpus = pd.DataFrame(
        {
            "AgtId": codings.AgtId,
            "Agt": codings.Agt,
            "Agreement text": [
                "\n\n".join(f"{i}. {s.strip()}." for i, s in enumerate(meta.at[a, "description"].split(". "), start=1))
                for a in codings.AgtId
            ],
        }
    )
    records = []
    for row in codings.itertuples():
        issues = []
        for code in TOPICS:
            if getattr(row, code):
                issues.append({"code": code, "name": code, "qualified_code": f"X/{code}", "level": 1, "dataset": "main",
                               "weight": 0, "details": f"Page 2,\r\n... 4. {TOPICS[code][row.Index % 2]}"})
        records.append({"id": int(row.AgtId), "agreement_name": row.Agt, "date_signed": "2015-09-20", "issues": issues})
    return (pax / "codings.csv").read_bytes(), corpus.to_csv(index=False).encode(), records


class Site:
    """What the test server serves, what it should do wrong, and what it was asked."""

    def __init__(self, files: dict[str, bytes], records: list[dict]):
        self.files = files
        self.records = records
        self.plans: dict[str, list] = {}  # path (with query) -> actions for the next requests: 500, "truncate", 404
        self.ranges = True
        self.etags: dict[str, str] = {}  # path -> ETag sent with the file (and checked against If-Range)
        self.requests: list[tuple[str, str | None]] = []
        self.url = ""

    def page(self, n: int, host: str) -> bytes | None:
        pages = max(1, -(-len(self.records) // PER_PAGE))
        if not 1 <= n <= pages:
            return None
        body = {
            "count": len(self.records),
            "next": f"http://{host}{API_PATH}?page={n + 1}" if n < pages else None,
            "previous": None,
            "results": self.records[(n - 1) * PER_PAGE : n * PER_PAGE],
        }
        return json.dumps(body).encode()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass

    def do_GET(self):
        site: Site = self.server.site
        site.requests.append((self.path, self.headers.get("Range")))
        plan = site.plans.get(self.path)
        action = plan.pop(0) if plan else None
        if action in (500, 503):
            self.send_error(action)
            return
        parts = urlsplit(self.path)
        if parts.path == API_PATH:
            n = dict(parse_qsl(parts.query)).get("page", "1")
            body, kind = site.page(int(n) if n.isdigit() else 0, self.headers["Host"]), "application/json"
        else:
            body, kind = site.files.get(parts.path), "text/csv"
        if body is None or action == 404:
            self.send_error(404)
            return
        etag = site.etags.get(parts.path)
        if action == "truncate":  # promise the whole file, send half, hang up
            self.send_response(200)
            if etag:
                self.send_header("ETag", etag)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        start = 0
        m = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        if_range = self.headers.get("If-Range")
        if m and site.ranges and (if_range is None or if_range == etag):
            start = int(m.group(1))
            if start >= len(body):
                self.send_error(416)
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        self.wfile.write(body[start:])


@pytest.fixture
def no_proxy(monkeypatch):
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for var in ("PAXCLASSIFY_PAX_URL", *training.fetch.URL_ENV.values()):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def sleeps(monkeypatch):
    """Backoff waits, recorded instead of slept."""
    waits = []
    monkeypatch.setattr(training.fetch, "_sleep", waits.append)
    return waits


@pytest.fixture
def site(tmp_path, no_proxy):
    codings, corpus, records = build_site_files(tmp_path / "site-src")
    s = Site({CODINGS_PATH: codings, CORPUS_PATH: corpus}, records)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.site = s
    s.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield s
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def paths_asked(site, path):
    return [r for r in site.requests if r[0] == path]


# ---------------------------------------------------------------- the happy path, and training on it


def test_fetch_writes_a_folder_that_trains_as_it_is(tmp_path, site, sleeps):
    from training.train import TrainSettings, train

    dest = tmp_path / "labelled"
    result = fetch(dest, base_url=site.url, settings=FAST)
    assert result.created_dest
    assert [f["file"] for f in result.files] == ["pax_codings.csv", "pax_corpus.csv", "pax_api_issue_details.csv"]
    assert all(f["status"] == "fetched" for f in result.files)
    assert sleeps == []
    assert (dest / "pax_codings.csv").read_bytes() == site.files[CODINGS_PATH]
    assert (dest / "pax_corpus.csv").read_bytes() == site.files[CORPUS_PATH]
    assert not list(dest.glob("*.part")) and not (dest / ".api-pages").exists()

    manifest = json.loads((dest / MANIFEST).read_text())
    codings = manifest["files"]["pax_codings.csv"]
    assert codings["url"] == site.url + CODINGS_PATH
    assert codings["sha256"] == sha(site.files[CODINGS_PATH]) and codings["rows"] == 48 and codings["kind"] == "codings"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", codings["fetched_at"])
    assert manifest["files"]["pax_corpus.csv"]["rows"] == 48
    api = manifest["files"]["pax_api_issue_details.csv"]
    n_issues = sum(len(r["issues"]) for r in site.records)
    assert api["rows"] == n_issues and api["pages"] == 10 and api["url"] == site.url + API_PATH + "?page=1"
    assert api["sha256"] == sha((dest / "pax_api_issue_details.csv").read_bytes())
    assert "CC BY-NC-SA" in manifest["licence"]

    flat = pd.read_csv(dest / "pax_api_issue_details.csv")
    assert list(flat.columns[:4]) == ["AgtId", "agreement_name", "date_signed", "code"] and flat.columns[-1] == "details"
    assert flat.iloc[0]["details"].startswith("Page 2,\r\n... 4. ")

    assert {k: [p.name for p in v] for k, v in find_sources(dest).items()} == {
        "codings": ["pax_codings.csv"],
        "fulltext": ["pax_corpus.csv"],
        "api_details": ["pax_api_issue_details.csv"],
    }
    result = train(dest, tmp_path / "model", settings=TrainSettings(min_positive=5, n_folds=3), cache_dir=tmp_path / "cache", encoder=FakeEncoder())
    assert [c["code"] for c in result.manifest["categories"]] == ["Ce", "TjPrire", "GeWom", "HrDet"]
    assert result.manifest["training_data"]["rows_by_source"]["quote"] > 0


def test_rerun_skips_complete_files_and_force_fetches_again(tmp_path, site, sleeps):
    dest = tmp_path / "d"
    fetch(dest, base_url=site.url, settings=FAST)
    asked = len(site.requests)
    again = fetch(dest, base_url=site.url, settings=FAST)
    assert [f["status"] for f in again.files] == ["skipped"] * 3
    assert len(site.requests) == asked
    (dest / "pax_codings.csv").write_text("edited by hand")  # no longer what the manifest says
    again = fetch(dest, base_url=site.url, only=["codings"], settings=FAST)
    assert [f["status"] for f in again.files] == ["fetched"]
    assert (dest / "pax_codings.csv").read_bytes() == site.files[CODINGS_PATH]
    forced = fetch(dest, base_url=site.url, only=["corpus"], force=True, settings=FAST)
    assert [f["status"] for f in forced.files] == ["fetched"]


# ---------------------------------------------------------------- failures


def test_page_that_fails_once_is_retried_with_backoff(tmp_path, site, sleeps):
    site.plans[API_PATH + "?page=2"] = [500]
    site.plans[CODINGS_PATH] = [503, 503]
    messages = []
    result = fetch(tmp_path / "d", base_url=site.url, only=["codings", "api"], settings=FAST, log=messages.append)
    assert [f["status"] for f in result.files] == ["fetched", "fetched"]
    assert len(paths_asked(site, API_PATH + "?page=2")) == 2
    assert sleeps == [0.5, 1.0, 0.5]  # exponential: 0.5, 1 for the codings; 0.5 for the page
    assert messages[0] == "pax_codings.csv: HTTP 503 Service Unavailable; retrying in 0.5s (1/3)"
    assert messages[2] == "API page 2: HTTP 500 Internal Server Error; retrying in 0.5s (1/3)"


def test_truncated_download_is_detected_and_resumed_with_range(tmp_path, site, sleeps):
    site.plans[CODINGS_PATH] = ["truncate"]
    result = fetch(tmp_path / "d", base_url=site.url, only=["codings"], settings=FAST)
    assert result.files[0]["sha256"] == sha(site.files[CODINGS_PATH])
    (first, no_range), (second, resume_from) = paths_asked(site, CODINGS_PATH)
    assert no_range is None and re.fullmatch(r"bytes=\d+-", resume_from)
    assert 0 < int(resume_from[6:-1]) <= len(site.files[CODINGS_PATH]) // 2
    assert len(sleeps) == 1


def test_truncated_download_starts_again_when_server_ignores_range(tmp_path, site, sleeps):
    site.ranges = False
    site.plans[CORPUS_PATH] = ["truncate", "truncate"]
    result = fetch(tmp_path / "d", base_url=site.url, only=["corpus"], settings=FAST)
    assert (tmp_path / "d" / "pax_corpus.csv").read_bytes() == site.files[CORPUS_PATH]
    assert result.files[0]["rows"] == 48
    assert len(paths_asked(site, CORPUS_PATH)) == 3


def test_partial_file_of_a_changed_file_is_not_spliced(tmp_path, site, sleeps):
    dest = tmp_path / "d"
    site.etags[CODINGS_PATH] = '"v1"'
    site.plans[CODINGS_PATH] = ["truncate"]
    with pytest.raises(FetchError, match="the connection broke off mid-download"):
        fetch(dest, base_url=site.url, only=["codings"], settings=FetchSettings(retries=0, chunk_size=256))
    assert (dest / "pax_codings.csv.part").stat().st_size > 0
    site.files[CODINGS_PATH] = site.files[CODINGS_PATH].replace(b"Testland", b"Otherland")  # a new release
    site.etags[CODINGS_PATH] = '"v2"'
    site.requests.clear()
    fetch(dest, base_url=site.url, only=["codings"], settings=FAST)
    assert (dest / "pax_codings.csv").read_bytes() == site.files[CODINGS_PATH]
    assert site.requests == [(CODINGS_PATH, site.requests[0][1])] and site.requests[0][1].startswith("bytes=")
    assert not list(dest.glob("*.part*"))


def test_partial_file_from_another_url_is_discarded(tmp_path, site, sleeps):
    dest = tmp_path / "d"
    site.plans[CODINGS_PATH] = ["truncate"]
    with pytest.raises(FetchError):
        fetch(dest, base_url=site.url, only=["codings"], settings=FetchSettings(retries=0, chunk_size=256))
    site.files["/mirror/codings.csv"] = site.files[CODINGS_PATH].replace(b"Testland", b"Otherland")
    site.requests.clear()
    fetch(dest, base_url=site.url, urls={"codings": site.url + "/mirror/codings.csv"}, only=["codings"], settings=FAST)
    assert site.requests == [("/mirror/codings.csv", None)]
    assert (dest / "pax_codings.csv").read_bytes() == site.files["/mirror/codings.csv"]


def test_truncated_api_page_is_retried(tmp_path, site, sleeps):
    site.plans[API_PATH + "?page=3"] = ["truncate"]
    result = fetch(tmp_path / "d", base_url=site.url, only=["api"], settings=FAST)
    assert result.files[0]["pages"] == 10
    assert len(paths_asked(site, API_PATH + "?page=3")) == 2


def test_gives_up_after_retries_and_resumes_next_run(tmp_path, site, sleeps):
    dest = tmp_path / "d"
    site.plans[API_PATH + "?page=4"] = [500] * 4
    with pytest.raises(FetchError) as info:
        fetch(dest, base_url=site.url, only=["api"], settings=FAST)
    assert str(info.value) == f"{site.url}{API_PATH}?page=4: HTTP 500 Internal Server Error (4 attempts); run the same command again to resume"
    assert len(list((dest / ".api-pages").glob("page-*.json"))) == 3
    assert not (dest / "pax_api_issue_details.csv").exists()
    site.requests.clear()
    fetch(dest, base_url=site.url, only=["api"], settings=FAST)
    assert [r[0] for r in site.requests][0] == API_PATH + "?page=4"  # pages 1-3 came from disk
    assert (dest / "pax_api_issue_details.csv").is_file()


def test_404_is_a_clear_error(tmp_path, site, sleeps):
    url = site.url + "/download/moved.csv"
    with pytest.raises(FetchError) as info:
        fetch(tmp_path / "d", base_url=site.url, urls={"codings": url}, only=["codings"], settings=FAST)
    assert str(info.value) == (
        f"{url}: HTTP 404 Not Found: the PA-X codings CSV is not at this address (PA-X export links change between releases). "
        "Find the current link on the PA-X site and pass it with --codings-url (or $PAXCLASSIFY_PAX_CODINGS_URL)"
    )
    assert sleeps == [] and len(site.requests) == 1  # a 404 is not retried
    assert not list((tmp_path / "d").glob("pax_codings.csv*"))


def test_html_page_instead_of_csv_is_rejected(tmp_path, site, sleeps):
    site.files[CODINGS_PATH] = b"<!DOCTYPE html><html><body>Log in to download</body></html>"
    with pytest.raises(FetchError, match=re.escape(
        f"{site.url}{CODINGS_PATH}: expected the PA-X codings CSV (columns AgtId, Ce, GeWom, PP); found an HTML/XML page. "
        "The export may have moved: pass --codings-url (or $PAXCLASSIFY_PAX_CODINGS_URL)"
    )):
        fetch(tmp_path / "d", base_url=site.url, only=["codings"], settings=FAST)
    assert not (tmp_path / "d" / "pax_codings.csv").exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_offline_connection_refused(tmp_path, no_proxy, sleeps):
    base = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(OfflineError) as info:
        fetch(tmp_path / "d", base_url=base, only=["codings"], settings=FetchSettings(retries=2, backoff=0.1))
    assert str(info.value).startswith(f"cannot reach 127.0.0.1:{base.rsplit(':', 1)[1]} (")
    assert str(info.value).endswith(
        "this machine looks offline. Check the internet connection (or proxy settings), or point --base-url / $PAXCLASSIFY_PAX_URL at a reachable mirror"
    )
    assert sleeps == [0.1, 0.2]


def test_offline_name_resolution_fails_at_once(tmp_path, no_proxy, sleeps, monkeypatch):
    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)  # nothing leaves the machine
    with pytest.raises(OfflineError, match=re.escape("cannot reach www.peaceagreements.org (the name does not resolve): this machine looks offline.")):
        fetch(tmp_path / "d", only=["codings"], settings=FAST)
    assert sleeps == []


def test_urls_come_from_options_then_environment_then_defaults(monkeypatch, no_proxy):
    from training.fetch import source_urls

    assert source_urls()["codings"] == "https://www.peaceagreements.org/download/pax_data.csv"
    monkeypatch.setenv("PAXCLASSIFY_PAX_URL", "http://mirror.test/pax/")
    monkeypatch.setenv("PAXCLASSIFY_PAX_API_URL", "http://mirror.test/v2/api?page=1")
    urls = source_urls()
    assert urls == {"codings": "http://mirror.test/pax/download/pax_data.csv", "corpus": "http://mirror.test/pax/download/pax_corpus.csv", "api": "http://mirror.test/v2/api?page=1"}
    assert source_urls("http://other.test", {"corpus": "https://x.test/c.csv"})["corpus"] == "https://x.test/c.csv"
    with pytest.raises(FetchError, match=re.escape("ftp://x/c.csv: expected an http:// or https:// URL for the PA-X full-text corpus CSV")):
        source_urls(overrides={"corpus": "ftp://x/c.csv"})


# ---------------------------------------------------------------- pages and records


def test_parse_page_styles():
    url = "http://h.test/api?page=1&size=2"
    assert parse_page({"results": [1], "next": "/api?page=2"}, url) == ([1], "http://h.test/api?page=2")
    assert parse_page({"data": [1], "links": {"next": None}}, url) == ([1], None)
    assert parse_page({"agreements": [1], "page": 1, "total_pages": 2}, url) == ([1], "http://h.test/api?size=2&page=2")
    assert parse_page({"items": [1], "page": 2, "pages": 2}, url) == ([1], None)
    assert parse_page([1, 2], url) == ([1, 2], "http://h.test/api?size=2&page=2")
    assert parse_page([], url) == ([], None)
    with pytest.raises(FetchError, match=re.escape("http://h.test/api?page=1&size=2: expected the page's records under 'results' (or data, agreements, items); found keys detail")):
        parse_page({"detail": "Not authorised"}, url)


def test_flatten_flat_records_with_the_sample_fields():
    # the fields of one page of the PA-X API, as in pax_api_sample_issue_details.csv (our own values)
    flat = [{"AgtId": 7, "agreement_name": "Test accord", "date_signed": "2015-01-02", "code": "Ce", "code_name": "Ceasefire",
             "qualified_code": "Ssr/Ce", "qualified_name": "Security sector\u2192Ceasefire", "level": 1, "parent": "Ssr",
             "dataset": "main", "weight": 0, "details": "Page 1,\n... 3. The guns fall silent."}]
    assert flatten_records(flat) == [{**flat[0]}]
    nested = [{"AgtId": 8, "name": "Other accord", "codes": [{"code": "GeWom", "name": "Women", "text": "Page 2, x: y"}, {"name": "no code"}]}]
    [row] = flatten_records(nested)
    assert (row["AgtId"], row["agreement_name"], row["code"], row["code_name"], row["details"], row["parent"]) == (8, "Other accord", "GeWom", "Women", "Page 2, x: y", "")


def test_same_page_twice_stops(tmp_path, site, sleeps):
    site.page = lambda n, host: json.dumps([{"AgtId": 1, "code": "Ce", "details": "same"}]).encode()
    with pytest.raises(FetchError, match="the API ignores the page number, stopped"):
        fetch(tmp_path / "d", base_url=site.url, only=["api"], settings=FAST)


def test_max_pages_bounds_the_loop(tmp_path, site, sleeps):
    with pytest.raises(FetchError, match=re.escape("more than 3 pages; stopped")):
        fetch(tmp_path / "d", base_url=site.url, only=["api"], settings=FetchSettings(max_pages=3))


# ---------------------------------------------------------------- command line


def test_cli_data_fetch(tmp_path, site, sleeps):
    dest = tmp_path / "new" / "labelled"
    r = CliRunner().invoke(cli, ["data", "fetch", "--dest", str(dest), "--base-url", site.url], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == f"Created {dest}"
    assert re.fullmatch(r"pax_codings\.csv: 48 rows, [\d,]+ bytes, sha256 [0-9a-f]{12}  \(fetched \S+\)", lines[1])
    assert re.fullmatch(r"pax_api_issue_details\.csv: \d+ rows from 10 page\(s\), .*", lines[3])
    assert lines[4] == f"Manifest: {dest / MANIFEST}"
    r = CliRunner().invoke(cli, ["data", "fetch", "--dest", str(dest), "--base-url", site.url, "--only", "codings"], catch_exceptions=False)
    assert r.stdout.splitlines()[0].endswith("(already complete, skipped)")


def test_cli_data_fetch_404(tmp_path, site, sleeps):
    url = site.url + "/nothing.csv"
    r = CliRunner(env={"PAXCLASSIFY_PAX_CORPUS_URL": url}).invoke(cli, ["data", "fetch", "--dest", str(tmp_path), "--only", "corpus"])
    assert r.exit_code == 1
    assert r.stderr == (
        f"Error: {url}: HTTP 404 Not Found: the PA-X full-text corpus CSV is not at this address (PA-X export links change "
        "between releases). Find the current link on the PA-X site and pass it with --corpus-url (or $PAXCLASSIFY_PAX_CORPUS_URL)\n"
    )


def test_every_subcommand_has_help_with_example():
    import click

    def walk(group, prefix):
        for name, command in group.commands.items():
            yield f"{prefix}{name}", command
            if isinstance(command, click.Group):
                yield from walk(command, f"{prefix}{name} ")

    for name, command in walk(cli, ""):
        assert command.help and "Example:" in command.help, name
