"""Download PA-X from its site into a data folder that ``classify train --data`` reads as it is.

Three sources, each written under a fixed name:

* ``codings``: the PA-X codings CSV (one row per agreement, category columns) -> ``pax_codings.csv``
* ``corpus``: the full-text corpus export (``AgtId``, ``Agreement text``) -> ``pax_corpus.csv``
* ``api``: the clause-level API, paginated JSON, flattened to one row per agreement and code
  (``AgtId, ..., code, ..., details``) -> ``pax_api_issue_details.csv``

Downloads are retried with exponential backoff, resumed (HTTP Range on a ``.part`` file;
API pages already saved are not asked for again; files the manifest lists as complete are
skipped), and recorded in ``fetch-manifest.json`` (URL, date, bytes, SHA-256, rows).

The default URLs are guesses at the PA-X site's export links, which change between releases
and could not be checked from the project's machines: every one can be overridden (see
:func:`source_urls`). PA-X is CC BY-NC-SA 4.0 and its terms forbid republishing it: what this
module downloads is for the user's own machine, never for a repository.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from .errors import FetchError, OfflineError
from classify import config
from classify.atomic import sha256, write_text_atomic

DEFAULT_BASE_URL = "https://www.peaceagreements.org"
BASE_URL_ENV = config.PAX_URL
SOURCES = ("codings", "corpus", "api")
# Paths under the base URL. Best guesses, not verified (see the module docstring).
DEFAULT_PATHS = {
    "codings": "/download/pax_data.csv",
    "corpus": "/download/pax_corpus.csv",
    "api": "/api/agreements/issues/?page=1",
}
URL_ENV = config.PAX_FILE_URLS
URL_OPTION = {s: f"--{s}-url" for s in SOURCES}
FILES = {"codings": "pax_codings.csv", "corpus": "pax_corpus.csv", "api": "pax_api_issue_details.csv"}
# What training.sources must recognise each file as (by its columns).
EXPECTED_KIND = {"codings": "codings", "corpus": "fulltext", "api": "api_details"}
DESCRIPTION = {"codings": "PA-X codings CSV", "corpus": "PA-X full-text corpus CSV", "api": "PA-X clause-level API"}
MANIFEST = "fetch-manifest.json"
API_PAGES_DIR = ".api-pages"  # raw pages, kept until the flattened CSV is written (for resuming)
API_COLUMNS = ["AgtId", "agreement_name", "date_signed", "code", "code_name", "qualified_code", "qualified_name", "level", "parent", "dataset", "weight", "details"]
RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}
_sleep = time.sleep  # tests replace it
LICENCE = "PA-X, CC BY-NC-SA 4.0 (c) University of Edinburgh; www.peaceagreements.org. Do not republish or commit these files."


@dataclass
class FetchSettings:
    """How hard to try. ``backoff`` seconds before the first retry, doubling up to ``max_backoff``."""

    retries: int = 5
    backoff: float = 1.0
    max_backoff: float = 60.0
    timeout: float = 60.0
    max_pages: int = 10_000
    chunk_size: int = 1 << 16


@dataclass
class FetchResult:
    dest: Path
    files: list[dict] = field(default_factory=list)  # manifest entries, each with "status": fetched / skipped
    manifest_path: Path | None = None
    created_dest: bool = False


class _Retryable(Exception):
    """A failure worth another try (5xx, 429, a cut-off download)."""

    def __init__(self, message: str, wait: float | None = None):
        super().__init__(message)
        self.wait = wait


def source_urls(base_url: str | None = None, overrides: dict[str, str | None] | None = None) -> dict[str, str]:
    """The URL of every source: an explicit override, else ``base_url`` + the default path.

    ``base_url`` defaults to ``$PAXCLASSIFY_PAX_URL``, else the PA-X site. Per-source
    overrides default to ``$PAXCLASSIFY_PAX_CODINGS_URL`` / ``_CORPUS_URL`` / ``_API_URL``.
    """
    base = (base_url or config.pax_url() or DEFAULT_BASE_URL).rstrip("/")
    urls = {}
    for s in SOURCES:
        given = (overrides or {}).get(s) or config.pax_url(s)
        urls[s] = given or base + DEFAULT_PATHS[s]
        if urlsplit(urls[s]).scheme not in ("http", "https"):
            raise FetchError(f"{urls[s]}: expected an http:// or https:// URL for the {DESCRIPTION[s]}")
    return urls


def fetch(
    dest: Path,
    *,
    base_url: str | None = None,
    urls: dict[str, str | None] | None = None,
    only: list[str] | None = None,
    force: bool = False,
    settings: FetchSettings | None = None,
    progress: bool = False,
    log: Callable[[str], None] | None = None,
) -> FetchResult:
    """Download the PA-X sources into ``dest`` and record them in its manifest.

    Parameters
    ----------
    dest : Path
        Folder to write (created if missing). Other files in it are left alone.
    base_url, urls
        Where to download from; see :func:`source_urls`.
    only : list of str, optional
        A subset of SOURCES (default: all).
    force : bool
        Download again files the manifest lists as complete and unchanged.
    progress : bool
        Show tqdm progress bars on stderr.
    log : callable, optional
        Receives one-line notices (retries). Nothing is printed otherwise.

    Raises FetchError (OfflineError when the site cannot be reached at all).
    """
    settings = settings or FetchSettings()
    urls = source_urls(base_url, urls)
    selected = [s for s in SOURCES if not only or s in only]
    dest = Path(dest)
    created = not dest.exists()
    dest.mkdir(parents=True, exist_ok=True)
    manifest_path = dest / MANIFEST
    manifest = read_fetch_manifest(dest)
    result = FetchResult(dest=dest, manifest_path=manifest_path, created_dest=created)
    session = _session()
    try:
        for source in selected:
            name, url = FILES[source], urls[source]
            target = dest / name
            previous = manifest["files"].get(name)
            if not force and previous and previous.get("url") == url and target.is_file() and sha256(target) == previous.get("sha256"):
                result.files.append({**previous, "status": "skipped"})
                continue
            if source == "api":
                extra = _fetch_api(session, url, dest, settings, progress=progress, log=log, restart=force)
            else:
                _download(session, url, target, source, settings, progress=progress, log=log, restart=force)
                extra = {}
            kind = _check_kind(target, source, url)
            rows = extra.pop("rows") if "rows" in extra else _count_rows(target)
            entry = {
                "source": source,
                "file": name,
                "url": url,
                "fetched_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
                "bytes": target.stat().st_size,
                "sha256": sha256(target),
                "rows": rows,
                "kind": kind,
                **extra,
            }
            manifest["files"][name] = entry
            _write_json_atomic(manifest_path, manifest)
            result.files.append({**entry, "status": "fetched"})
    finally:
        session.close()
    return result


def read_fetch_manifest(dest: Path) -> dict:
    """The manifest of a data folder (an empty one if there is none yet)."""
    path = Path(dest) / MANIFEST
    empty = {"licence": LICENCE, "files": {}}
    if not path.is_file():
        return empty
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FetchError(f"{path}: cannot be read as JSON ({exc}); delete it to fetch everything again") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise FetchError(f"{path}: not a fetch manifest (expected an object with 'files'); delete it to fetch everything again")
    return {**empty, **manifest}


# ---------------------------------------------------------------- HTTP


def _session():
    import requests

    try:
        from importlib.metadata import version

        ua = f"paxclassify/{version('paxclassify')}"
    except Exception:
        ua = "paxclassify"
    s = requests.Session()
    s.headers["User-Agent"] = ua
    return s


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _unreachable(exc) -> str | None:
    """'dns' or 'connect' when ``exc`` means the host could not be reached at all, else None."""
    import requests
    import urllib3.exceptions as u

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connect"
    if not isinstance(exc, requests.exceptions.ConnectionError) or isinstance(exc, requests.exceptions.ProxyError):
        return None
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    name_error = getattr(u, "NameResolutionError", ())
    text = str(exc)
    if (name_error and isinstance(reason, name_error)) or any(
        s in text for s in ("Name or service not known", "Temporary failure in name resolution", "nodename nor servname", "getaddrinfo failed")
    ):
        return "dns"
    if isinstance(reason, u.NewConnectionError) or "Connection refused" in text:
        return "connect"
    return None


def _reason(exc: BaseException) -> str:
    import requests

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, requests.exceptions.Timeout):
        return "no answer in time"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the connection broke off mid-download"
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return str(reason or exc).split(": ", 1)[-1][:200]
    return str(exc)[:200]


def _offline(url: str, why: str) -> OfflineError:
    return OfflineError(
        f"cannot reach {_host(url)} ({why}): this machine looks offline. Check the internet connection "
        f"(or proxy settings), or point --base-url / ${BASE_URL_ENV} at a reachable mirror"
    )


def _with_retries(what: str, url: str, attempt: Callable[[], object], settings: FetchSettings, log) -> object:
    """Run ``attempt`` until it succeeds, retrying network failures and _Retryable ones."""
    import requests

    last: BaseException | None = None
    for n in range(settings.retries + 1):
        try:
            return attempt()
        except _Retryable as exc:
            last, wait = exc, exc.wait
        except requests.exceptions.RequestException as exc:
            if _unreachable(exc) == "dns":  # no point retrying: this name does not resolve here
                raise _offline(url, "the name does not resolve") from exc
            if not isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout, requests.exceptions.ChunkedEncodingError)):
                raise FetchError(f"{url}: {exc}") from exc
            last, wait = exc, None
        if n == settings.retries:
            break
        delay = min(settings.backoff * 2**n, settings.max_backoff)
        if wait is not None:
            delay = min(max(delay, wait), settings.max_backoff)
        if log:
            log(f"{what}: {_reason(last)}; retrying in {delay:g}s ({n + 1}/{settings.retries})")
        _sleep(delay)
    if _unreachable(last):
        raise _offline(url, _reason(last)) from last
    raise FetchError(
        f"{url}: {_reason(last)} ({settings.retries + 1} attempts); run the same command again to resume"
    ) from last


def _check_status(response, url: str, source: str) -> None:
    code = response.status_code
    if code in RETRY_STATUSES:
        wait = response.headers.get("Retry-After", "")
        raise _Retryable(f"HTTP {code} {response.reason}", wait=float(wait) if wait.isdigit() else None)
    if code == 404:
        raise FetchError(
            f"{url}: HTTP 404 Not Found: the {DESCRIPTION[source]} is not at this address (PA-X export links change "
            f"between releases). Find the current link on the PA-X site and pass it with {URL_OPTION[source]} (or ${URL_ENV[source]})"
        )
    if code >= 400:
        raise FetchError(f"{url}: HTTP {code} {response.reason} for the {DESCRIPTION[source]}")


def _content_range(value: str | None) -> tuple[int | None, int | None]:
    """(first byte, total size) from a Content-Range header like ``bytes 100-999/1000``."""
    try:
        unit, _, rest = (value or "").partition(" ")
        span, _, total = rest.partition("/")
        start = int(span.split("-")[0])
        return start, (int(total) if total.strip() != "*" else None)
    except ValueError:
        return None, None


def _download(session, url: str, target: Path, source: str, settings: FetchSettings, *, progress: bool, log, restart: bool) -> None:
    """``url`` to ``target`` through ``target.part``, resuming what a previous try left there.

    ``target.part.json`` records which URL the partial file came from and the server's
    validator (ETag / Last-Modified), sent as If-Range so a file changed on the server is
    downloaded whole again instead of being spliced.
    """
    from tqdm.auto import tqdm

    part = target.with_name(target.name + ".part")
    info_path = target.with_name(target.name + ".part.json")
    info = _read_part_info(info_path)
    if restart or info.get("url") != url or not info.get("resumable"):
        part.unlink(missing_ok=True)  # not ours to resume: another URL, or nothing says where it came from
        info = {}

    def attempt():
        nonlocal info
        if part.exists() and not info.get("resumable"):
            part.unlink()  # e.g. a compressed response: its bytes are not the file's bytes
        have = part.stat().st_size if part.exists() else 0
        headers = {"Accept-Encoding": "identity"}  # byte ranges and lengths refer to the file itself
        if have:
            headers["Range"] = f"bytes={have}-"
            if info.get("validator"):
                headers["If-Range"] = info["validator"]
        with session.get(url, headers=headers, stream=True, timeout=settings.timeout) as r:
            if r.status_code == 416 and have:
                part.unlink()
                raise _Retryable("the server cannot resume the earlier partial download; starting again", wait=0)
            _check_status(r, url, source)
            if r.status_code == 206:
                start, total = _content_range(r.headers.get("Content-Range"))
                if start != have:
                    part.unlink(missing_ok=True)
                    raise _Retryable(f"the server resumed at byte {start}, not {have}; starting again", wait=0)
                mode = "ab"
            else:  # 200: the whole file (the server ignores Range, the file changed, or nothing to resume)
                have, mode = 0, "wb"
                length = r.headers.get("Content-Length")
                encoded = r.headers.get("Content-Encoding", "identity") != "identity"
                total = int(length) if length and length.isdigit() and not encoded else None
                etag = r.headers.get("ETag", "")
                validator = etag if etag and not etag.startswith("W/") else r.headers.get("Last-Modified")
                info = {"url": url, "resumable": not encoded, "validator": validator}
                _write_json_atomic(info_path, info)
            with tqdm(total=total, initial=have, unit="B", unit_scale=True, unit_divisor=1024, desc=target.name, disable=not progress, leave=True) as bar:
                with open(part, mode) as f:
                    for chunk in r.iter_content(settings.chunk_size):
                        f.write(chunk)
                        bar.update(len(chunk))
        size = part.stat().st_size
        if total is not None and size != total:
            if not info.get("resumable"):
                part.unlink(missing_ok=True)
            raise _Retryable(f"the download stopped at {size} of {total} bytes")

    _with_retries(target.name, url, attempt, settings, log)
    os.replace(part, target)
    info_path.unlink(missing_ok=True)


def _read_part_info(path: Path) -> dict:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def _get_json(session, url: str, source: str, settings: FetchSettings):
    with session.get(url, headers={"Accept": "application/json", "Accept-Encoding": "identity"}, timeout=settings.timeout) as r:
        _check_status(r, url, source)
        content = r.content
        length = r.headers.get("Content-Length")
        if length and length.isdigit() and len(content) != int(length):
            raise _Retryable(f"the page stopped at {len(content)} of {length} bytes")
    try:
        return json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        start = content[:60].decode("utf-8", "replace").strip()
        raise FetchError(
            f"{url}: expected JSON from the {DESCRIPTION[source]}; found {start!r}... "
            f"The API address may have changed: pass {URL_OPTION[source]} (or ${URL_ENV[source]})"
        ) from exc


# ---------------------------------------------------------------- API pages


def _with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"] + [("page", str(page))]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _page_number(url: str) -> int:
    for k, v in parse_qsl(urlsplit(url).query):
        if k == "page" and v.isdigit():
            return int(v)
    return 1


def parse_page(body, url: str) -> tuple[list, str | None]:
    """The records of one API page and the URL of the next page (None on the last).

    Understands a bare JSON list (the next page is ``page=N+1``, until an empty list) and an
    object holding the records under ``results`` / ``data`` / ``agreements`` / ``items`` with
    a ``next`` link (also ``links.next``) or ``page`` and ``pages`` / ``total_pages`` numbers.
    """
    if isinstance(body, list):
        return body, (_with_page(url, _page_number(url) + 1) if body else None)
    if not isinstance(body, dict):
        raise FetchError(f"{url}: expected a JSON object or list of records; found {type(body).__name__}")
    records = next((body[k] for k in ("results", "data", "agreements", "items", "records") if isinstance(body.get(k), list)), None)
    if records is None:
        raise FetchError(f"{url}: expected the page's records under 'results' (or data, agreements, items); found keys {', '.join(map(str, body)) or 'none'}")
    nxt = body.get("next")
    links = body.get("links")
    if not nxt and isinstance(links, dict):
        nxt = links.get("next")
    if not nxt:
        current = body.get("page", body.get("current_page"))
        total = next((body[k] for k in ("pages", "total_pages", "num_pages", "last_page") if isinstance(body.get(k), int)), None)
        if isinstance(current, int) and total is not None and current < total:
            nxt = _with_page(url, current + 1)
    return records, (urljoin(url, nxt) if isinstance(nxt, str) and nxt else None)


_AGT_KEYS = ("AgtId", "agt_id", "agtid", "agreement_id")


def _first(d: dict, keys):
    for k in keys:
        if d.get(k) not in (None, ""):
            return d[k]
    return None


def flatten_records(records: list, url: str = "") -> list[dict]:
    """Rows with API_COLUMNS from API records.

    A record is either one agreement with its codes in a list (``issues`` / ``codes``), each
    code with ``code``, ``details`` and names; or already one agreement and code (the fields
    of ``pax_api_sample_issue_details.csv``).
    """
    rows = []
    for rec in records:
        if not isinstance(rec, dict):
            raise FetchError(f"{url}: expected API records to be JSON objects; found {type(rec).__name__}")
        issues = _first(rec, ("issues", "codes", "issue_details"))
        nested = isinstance(issues, list)
        items = issues if nested else ([rec] if "code" in rec else [])
        agt = _first(rec, _AGT_KEYS) or (rec.get("id") if nested else None)
        agreement = {
            "AgtId": agt,
            "agreement_name": _first(rec, ("agreement_name", "Agt", "name", "title") if nested else ("agreement_name", "Agt", "title")),
            "date_signed": _first(rec, ("date_signed", "Dat", "date")),
        }
        for item in items:
            if not isinstance(item, dict):
                continue
            row = dict(agreement)
            row["AgtId"] = _first(item, _AGT_KEYS) or agt
            row["code"] = item.get("code")
            row["code_name"] = _first(item, ("code_name", "name") if nested else ("code_name",))
            for col in ("qualified_code", "qualified_name", "level", "parent", "dataset", "weight"):
                row[col] = item.get(col)
            row["details"] = _first(item, ("details", "text", "tagged_text"))
            if row["AgtId"] in (None, "") or row["code"] in (None, ""):
                continue
            rows.append({c: ("" if row.get(c) is None else row[c]) for c in API_COLUMNS})
    if records and not rows and any(isinstance(r, dict) and (r.get("issues") or "code" in r) for r in records):
        keys = sorted({k for r in records if isinstance(r, dict) for k in r})
        raise FetchError(f"{url}: API records have no AgtId and code; found keys {', '.join(keys[:15])}")
    return rows


def _fetch_api(session, url: str, dest: Path, settings: FetchSettings, *, progress: bool, log, restart: bool) -> dict:
    """Every API page from ``url`` on, saved one by one (so a rerun resumes), then flattened."""
    from tqdm.auto import tqdm

    pages_dir = dest / API_PAGES_DIR
    if restart and pages_dir.exists():
        shutil.rmtree(pages_dir)
    pages_dir.mkdir(exist_ok=True)
    origin = urlsplit(url)[:2]
    rows: list[dict] = []
    seen: set[str] = set()
    previous_records = None
    page_url: str | None = url
    n = 0
    with tqdm(desc="API pages", unit="page", disable=not progress, leave=True) as bar:
        while page_url is not None:
            n += 1
            if n > settings.max_pages:
                raise FetchError(f"{url}: more than {settings.max_pages} pages; stopped (the API keeps offering a next page)")
            if page_url in seen:
                raise FetchError(f"{page_url}: the API's next link leads back to a page already read; stopped")
            if urlsplit(page_url)[:2] != origin:
                raise FetchError(f"{page_url}: the API's next link leaves {_host(url)}; not followed")
            seen.add(page_url)
            saved = pages_dir / f"page-{n:05d}.json"
            body = _saved_page(saved, page_url)
            if body is None:
                this_url = page_url
                body = _with_retries(f"API page {n}", this_url, lambda: _get_json(session, this_url, "api", settings), settings, log)
                _write_json_atomic(saved, {"url": page_url, "body": body})
            records, next_url = parse_page(body, page_url)
            if records and records == previous_records:
                raise FetchError(f"{page_url}: the same records as the page before; the API ignores the page number, stopped")
            previous_records = records
            rows.extend(flatten_records(records, page_url))
            page_url = next_url
            bar.update(1)
    if not rows:
        raise FetchError(f"{url}: the {DESCRIPTION['api']} returned no records with AgtId, code and details in {n} page(s)")
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=API_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_text_atomic(dest / FILES["api"], buf.getvalue())
    shutil.rmtree(pages_dir)
    return {"rows": len(rows), "pages": n, "agreements": len({str(r["AgtId"]) for r in rows})}


def _saved_page(path: Path, url: str):
    if not path.is_file():
        return None
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return saved.get("body") if isinstance(saved, dict) and saved.get("url") == url else None


# ---------------------------------------------------------------- files


def _check_kind(path: Path, source: str, url: str) -> str:
    """The kind training.sources recognises ``path`` as; FetchError (and the file removed) if not the expected one."""
    from .sources import KINDS, sniff

    kind = sniff(path)
    expected = EXPECTED_KIND[source]
    if kind == expected:
        return kind
    head = path.read_bytes()[:512].lstrip().lower()
    if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<")):
        found = "an HTML/XML page"
    else:
        try:
            import pandas as pd

            columns = list(pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns)
            found = "columns " + ", ".join(map(str, columns[:12])) + (", ..." if len(columns) > 12 else "")
        except Exception as exc:
            found = f"no readable CSV ({exc.__class__.__name__})"
    path.unlink()
    required = ", ".join(sorted(KINDS[expected]))
    raise FetchError(
        f"{url}: expected the {DESCRIPTION[source]} (columns {required}); found {found}. "
        f"The export may have moved: pass {URL_OPTION[source]} (or ${URL_ENV[source]})"
    )


def _count_rows(path: Path) -> int:
    import pandas as pd

    return int(len(pd.read_csv(path, usecols=[0], encoding="utf-8-sig")))


def _write_json_atomic(path: Path, obj) -> None:
    write_text_atomic(path, json.dumps(obj, indent=2, ensure_ascii=False) + "\n")
