"""The saved decisions of a review, and the two files ``classify train`` reads from them.

A review folder (``--out``) holds:

- ``state/<document>.json``: the record, one file per document: its version, whether it is done,
  and per category the coder's value (0 absent, 1 present, 2-3 PA-X's grade) and clauses;
- ``reviewed_codings.csv``: one row per reviewed document (``AgtId``, ``Agt`` = the document id, then one
  column per PA-X category; a present sub-code makes its parent 1, as PA-X codes them), which
  ``classify train --codings`` reads;
- ``reviewed_clauses.csv``: one row per decided clause in the PA-X segment export layout (``AgtId``,
  ``category``, ``tagged_text``, ``value``, ``coder``, ``timestamp``, ``decision``), for people
  and other tools: ``classify train --reviewed`` reads ``state/``, which also holds the text of
  every clause of a reviewed document.

What a decision teaches (``training.dataset``): accept and add make their clause a positive of the
category (the page sends one clause on accept: the one selected, else the best evidence clause);
reject makes the evidence clause shown a full-weight negative, and the agreement-level 0; done
makes every undecided category 0 at agreement level. The document's clauses no decision names
carry its agreement-level codings, as a full text's clauses do (``dataset.review_document_rows``).

The two CSVs are rewritten from ``state/`` after every save. Every file is written through a
temporary file, fsync and an atomic rename, so a server killed at any moment leaves each file
either as it was or as it was acknowledged, never half-written.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

from ..errors import PaxClassifyError
from ..atomic import open_atomic
from ..coding import OWN_IDS, agt_id  # noqa: F401 (the review's ids are predict's)

STATE = "state"
CODINGS = "reviewed_codings.csv"
CLAUSES = "reviewed_clauses.csv"
# the SHA-256 of the CSVs as last written: a CSV matching neither it nor the state was edited by hand
WRITTEN = ".written.json"
LOCK = ".lock"


class ReviewError(PaxClassifyError):
    """A review folder is broken or in use, or a decision could not be saved."""


class DecisionError(ReviewError):
    """A decision the workbench refuses: an unknown category, a clause not in the document, a bad value."""


class ConflictError(ReviewError):
    """A save made on an outdated copy of a document (another tab saved first)."""


# what the coder did, recorded with each decision (its provenance as a training example)
ACCEPT, REJECT, ADD = "accept", "reject", "add"


@dataclass
class Decision:
    value: int  # 0 absent (a rejected suggestion), 1 present, 2-3 PA-X's grade
    clauses: list[int]  # indices of the clauses that carry the category (for 0: the ones rejected)
    coder: str
    timestamp: str
    # accept (a suggestion), add (a category the model did not suggest) or reject; files written
    # before it was recorded read as accept or reject by their value
    decision: str = ""

    def __post_init__(self):
        if not self.decision:
            self.decision = REJECT if self.value == 0 else ACCEPT


@dataclass
class DocState:
    id: str
    agt_id: int
    source: str | None = None
    version: int = 0
    done: bool = False
    decisions: dict[str, Decision] = field(default_factory=dict)
    # the text of every clause of the document once a decision is saved: training learns from a
    # reviewed document without the document (one PA-X lacks included), and a changed document is
    # noticed. Files written before held only the clauses the decisions name.
    clauses: dict[int, str] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"id": self.id, "version": self.version, "done": self.done, "decisions": {c: asdict(d) for c, d in self.decisions.items()}}


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def _file_name(doc_id: str) -> str:
    name = quote(doc_id, safe="")  # "sub/agr" -> "sub%2Fagr": one flat folder, no path from an id
    if len(name) > 150:
        name = name[:100] + "-" + hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:16]
    return name + ".json"


def _dump(s: DocState) -> str:
    """A state file with one decision per line, so an error in a hand-edited file can name its line."""
    head = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in
            {"id": s.id, "agt_id": s.agt_id, "source": s.source, "version": s.version, "done": s.done}.items()]

    def block(name, items):
        lines = [f"    {json.dumps(str(k))}: {json.dumps(v, ensure_ascii=False)}" for k, v in items]
        return f"  {json.dumps(name)}: {{" + ("\n" + ",\n".join(lines) + "\n  }" if lines else "}")

    body = head + [block("decisions", ((c, asdict(d)) for c, d in s.decisions.items())), block("clauses", sorted(s.clauses.items()))]
    return "{\n" + ",\n".join(body) + "\n}\n"


def _line(text: str, section: str | None, key: str | None = None) -> int:
    """The line of ``key`` (within ``section``) in a state file, or of ``section``; 1 if not found."""
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines) if section and ln.lstrip().startswith(json.dumps(section))), 0)
    if key is None:
        return start + 1
    return next((i + 1 for i in range(start, len(lines)) if lines[i].lstrip().startswith(json.dumps(key) + ":")), start + 1)


def _write_durably(path: Path, text: str) -> None:
    """Replace ``path`` atomically; the rename is durable once its folder is synced (``_sync``)."""
    with open_atomic(path) as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())  # before the rename: the new name never points at unwritten data


def _sync(*folders: Path) -> None:
    """Make the renames in ``folders`` survive a power cut (once per save, not once per file)."""
    for folder in folders:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _problem(known: dict | None, code, value, clauses, n_clauses: int | None) -> str | None:
    """Why a decision cannot be saved; ``known`` None (training, which has its own category
    table) takes any code and the values 0-3."""
    if known is not None and code not in known:
        return f"unknown category code {code!r}: choose one from the list (search by code or name)"
    graded = known[code]["graded"] if known is not None else True
    top = 3 if graded else 1
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
        if graded or value not in (2, 3):
            return f"{code}: the value must be 0 (absent), 1 (present), or 2-3 where PA-X grades the category; got {value!r}"
        return f"{code} is not graded in PA-X: its value is 1 (present) or 0 (absent); got {value!r}"
    if not isinstance(clauses, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in clauses):
        return f"{code}: clauses must be a list of clause numbers; got {clauses!r}"
    bad = [i for i in clauses if i < 0 or (n_clauses is not None and i >= n_clauses)]
    if bad:
        return f"clause {bad[0]} is not in this document (it has {n_clauses} clauses)" if n_clauses is not None else f"clause {bad[0]} is not a clause number"
    return None


DECISION_KEYS = {"value", "clauses", "coder", "timestamp"}


def read_state(path: Path, known: dict | None = None) -> DocState:
    """One state file. Raises ReviewError naming the file and line of what is wrong with it.
    ``known``: code -> catalogue entry, to check codes and grades against (None: any code)."""
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text)
    except UnicodeDecodeError as exc:
        raise ReviewError(f"{path}: not UTF-8 text (byte {exc.start}); restore the file, or delete it to drop its decisions") from None
    except json.JSONDecodeError as exc:
        raise ReviewError(f"{path}: line {exc.lineno}: not valid JSON ({exc.msg}); fix the file, or delete it to drop its decisions") from None
    except OSError as exc:
        raise ReviewError(f"{path}: cannot be read ({exc.strerror or exc})") from None

    def fail(problem, section=None, key=None):
        raise ReviewError(f"{path}: line {_line(text, section, key)}: {problem}")

    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        fail('expected an object with the document\'s "id"')
    for key, ok, what in (("agt_id", lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number"),
                          ("version", lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, "a whole number, 0 or more"),
                          ("done", lambda v: isinstance(v, bool), "true or false"),
                          ("decisions", lambda v: isinstance(v, dict), "an object"),
                          ("clauses", lambda v: isinstance(v, dict), "an object")):
        if not ok(raw.get(key)):
            fail(f'"{key}" must be {what}', key)
    clauses = {}
    for key, value in raw["clauses"].items():
        if not key.isdigit() or not isinstance(value, str):
            fail('"clauses" maps clause numbers to their text', "clauses", key)
        clauses[int(key)] = value
    decisions = {}
    for code, d in raw["decisions"].items():
        if not isinstance(d, dict) or not DECISION_KEYS <= set(d) <= DECISION_KEYS | {"decision"}:
            fail(f'{code}: expected "value", "clauses", "coder", "timestamp" and "decision"', "decisions", code)
        why = _problem(known, code, d["value"], d["clauses"], None)
        missing = next((i for i in d["clauses"] if i not in clauses), None) if why is None else None
        if why is None and missing is not None:
            why = f'{code}: clause {missing} has no text under "clauses"'
        kind = d.get("decision", "")
        if why is None and kind not in ("", ACCEPT, ADD, REJECT):
            why = f'{code}: "decision" must be accept, add or reject; got {kind!r}'
        if why is None and kind and (kind == REJECT) != (d["value"] == 0):
            why = f'{code}: a {kind} has value {d["value"]}; a reject is 0, an accept or add 1-3'
        if why:
            fail(why, "decisions", code)
        decisions[code] = Decision(d["value"], list(d["clauses"]), str(d["coder"]), str(d["timestamp"]), kind)
    return DocState(raw["id"], raw["agt_id"], raw.get("source"), raw["version"], raw["done"], decisions, clauses)


def implied_parents(state: DocState, parent_of: dict) -> set[str]:
    """The categories a present decision's sub-code makes present (PA-X codes a parent with its
    sub-code), other than those decided themselves."""
    implied = set()
    for code, d in state.decisions.items():
        parent = parent_of.get(code) if d.value else None
        while parent and parent not in implied:
            implied.add(parent)
            parent = parent_of.get(parent)
    return implied - set(state.decisions)


def load_states(folder: Path) -> list[DocState]:
    """Every document saved in a review folder, read without taking its lock (a review may be
    running: training reads what it has saved). Raises ReviewError naming the file: a folder
    without ``state/``, a broken state file, two files for one document or one AgtId."""
    folder = Path(folder)
    state_dir = folder / STATE
    if not state_dir.is_dir():
        raise ReviewError(f"{folder}: expected a review folder holding {STATE}/ (written by classify review --out); found no {STATE}/ folder")
    states: dict[str, tuple[DocState, Path]] = {}
    owners: dict[int, Path] = {}
    for path in sorted(p for p in state_dir.glob("*.json") if not p.name.startswith(".")):
        state = read_state(path)
        if state.id in states:
            raise ReviewError(f"{path}: document {state.id!r} is also saved in {states[state.id][1]}; keep one of the two files")
        if owners.setdefault(state.agt_id, path) != path:
            raise ReviewError(f"{path}: document {state.id!r} has AgtId {state.agt_id}, as {owners[state.agt_id]} has; give one of them another id")
        states[state.id] = (state, path)
    return [s for s, _ in states.values()]


class Store:
    """The decisions of one review folder. ``catalogue``: every category a coder may use (dicts with
    ``code``, ``parent`` and ``graded``), in the codings file's column order.

    Raises ReviewError naming the file and line when the folder was broken by hand, and when
    another ``classify review`` is saving into it.
    """

    def __init__(self, folder: Path, catalogue: list[dict]):
        self.folder = Path(folder)
        self.state_dir = self.folder / STATE
        self.known = {c["code"]: c for c in catalogue}
        self.paths: dict[str, Path] = {}
        self.texts: dict[str, list[str]] = {}  # clause texts of the documents under review
        self.suggested: dict[str, set[str]] = {}  # the model's suggestions for each
        self._lock()
        self.states: dict[str, DocState] = {}
        for path in sorted(p for p in self.state_dir.glob("*.json") if not p.name.startswith(".")):
            state = self._read(path)
            if state.id in self.states:
                raise ReviewError(f"{path}: document {state.id!r} is also saved in {self.paths[state.id]}; keep one of the two files")
            self.states[state.id], self.paths[state.id] = state, path

    def close(self) -> None:
        """Let another server save into the folder (a killed one lets go by itself)."""
        if getattr(self, "_lock_file", None) is not None:
            self._lock_file.close()
            self._lock_file = None

    def _lock(self) -> None:
        """One server per folder: a second one would save from its own copy of the versions."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            return
        self._lock_file = open(self.state_dir / LOCK, "a")
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ReviewError(f"{self.folder}: another classify review is saving into this folder; stop it first, or pass another --out") from None

    def problem(self, code, value, clauses, n_clauses: int | None) -> str | None:
        """Why a decision cannot be saved, in words for the coder; None if it can."""
        return _problem(self.known, code, value, clauses, n_clauses)

    def _read(self, path: Path) -> DocState:
        return read_state(path, self.known)

    def attach(self, doc_id: str, source: str | None, clauses: list[str], suggested=()) -> None:
        """Put a document under review. Its saved decisions must name the clauses they named then:
        a document whose text changed since would get decisions on the wrong clauses.
        ``suggested``: the codes the model suggests for it, so a decision records whether the
        coder accepted a suggestion or added a category."""
        self.texts[doc_id] = clauses
        self.suggested[doc_id] = set(suggested)
        state = self.states.get(doc_id)
        if state is None:
            self.states[doc_id] = DocState(doc_id, agt_id(doc_id), source)
            return
        for i, text in sorted(state.clauses.items()):
            if i >= len(clauses) or clauses[i] != text:
                path = self.paths[doc_id]
                raise ReviewError(
                    f"{path}: line {_line(path.read_text(encoding='utf-8'), 'clauses', str(i))}: clause {i} of {doc_id!r} no longer reads as when it was "
                    f"reviewed (the document changed); review it into another --out, or restore its text"
                )

    def start(self) -> None:
        """Check the folder as a whole, then bring the CSVs up to date with the state (a server
        killed between writing a state file and the CSVs left them one decision behind)."""
        owners: dict[int, str] = {}
        for state in self.states.values():
            other = owners.setdefault(state.agt_id, state.id)
            if other != state.id:
                raise ReviewError(f"documents {other!r} and {state.id!r} would share AgtId {state.agt_id} in {CODINGS}; rename one of them")
        written = {}
        if (self.state_dir / WRITTEN).is_file():
            try:
                written = json.loads((self.state_dir / WRITTEN).read_text(encoding="utf-8"))
            except (ValueError, OSError):
                written = {}  # ours, and only a hint: the files are then checked against the state alone
        for name, text in self._derived().items():
            path = self.folder / name
            if not path.is_file():
                continue
            data = path.read_bytes()
            if _sha(data) not in (written.get(name), _sha(text.encode("utf-8"))):
                old, new = data.decode("utf-8", "replace").splitlines(), text.splitlines()
                line = next((i + 1 for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)) + 1)
                raise ReviewError(
                    f"{path}: line {line} differs from the decisions saved in {self.state_dir} (edited by hand?); the workbench rewrites "
                    f"this file from them, so make the change in the workbench, and restore or delete this file"
                )
        self._write_derived()

    def _current(self, doc_id: str, version) -> DocState:
        state = self.states[doc_id] if doc_id in self.texts else None
        if state is None:
            raise KeyError(doc_id)
        if version != state.version:
            raise ConflictError(
                f"not saved: this document was changed in another tab or window since this page was loaded (version {state.version}, "
                f"this page has {version}). Reload the page to see the latest decisions, then decide again"
            )
        return state

    def decide(self, doc_id: str, version: int, code: str, value: int | None, clauses: list[int], coder: str) -> DocState:
        """Record the coder's decision on one category (``value`` None takes it back). Raises
        KeyError for a document not under review, ConflictError, DecisionError."""
        state = self._current(doc_id, version)
        decisions = dict(state.decisions)
        if value is None:
            if code not in decisions:
                return state
            del decisions[code]
            done = False  # taking a decision back reopens the document
        else:
            why = self.problem(code, value, clauses, len(self.texts[doc_id]))
            if why:
                raise DecisionError(why)
            kind = REJECT if value == 0 else ACCEPT if code in self.suggested.get(doc_id, ()) else ADD
            decisions[code] = Decision(value, sorted(set(clauses)), coder, now(), kind)
            done = state.done
        return self._save(replace(state, version=state.version + 1, done=done, decisions=decisions))

    def set_done(self, doc_id: str, version: int, done: bool, undecided: list[str]) -> DocState:
        """Mark a document done (its coding complete) or not. ``undecided``: its suggestions with no decision."""
        state = self._current(doc_id, version)
        if not isinstance(done, bool):
            raise DecisionError(f"done must be true or false; got {done!r}")
        if done and undecided:
            raise DecisionError(f"{len(undecided)} suggestion(s) not decided yet ({', '.join(undecided)}): accept or reject each before marking the document done")
        return self._save(replace(state, version=state.version + 1, done=done))

    def _save(self, state: DocState) -> DocState:
        texts = self.texts[state.id]
        state.clauses = dict(enumerate(texts))
        path = self.paths.setdefault(state.id, self.state_dir / _file_name(state.id))
        _write_durably(path, _dump(state))
        self.states[state.id] = state  # only once it is on disk: a failed write changes nothing
        try:
            self._write_derived()
        except OSError as exc:
            _sync(self.state_dir)
            raise ReviewError(f"the decision is saved in {path}, but {exc.filename or self.folder} could not be rewritten ({exc.strerror or exc}); it is rewritten at the next save or start") from exc
        return state

    def _derived(self) -> dict[str, str]:
        """The text of the two CSVs, from the state of every document saved here."""
        columns = list(self.known)
        codings, clauses = io.StringIO(), io.StringIO()
        cw, kw = csv.writer(codings, lineterminator="\n"), csv.writer(clauses, lineterminator="\n")
        cw.writerow(["AgtId", "Agt", *columns])
        kw.writerow(["AgtId", "category", "tagged_text", "value", "coder", "timestamp", "decision"])
        for state in sorted(self.states.values(), key=lambda s: s.id):
            if not state.decisions and not state.done:
                continue
            # a done document's coding is complete: what the coder did not code is absent, except a
            # parent of a present sub-code, which PA-X codes present with it (as predict does)
            implied = implied_parents(state, {c: k["parent"] for c, k in self.known.items()})
            absent = 0 if state.done else ""
            cw.writerow([state.agt_id, state.id, *(state.decisions[c].value if c in state.decisions else 1 if c in implied else absent for c in columns)])
            for code, d in state.decisions.items():
                # value 0 rows are the evidence clauses of a rejected suggestion: negatives
                kw.writerows([state.agt_id, code, state.clauses[i], d.value, d.coder, d.timestamp, d.decision] for i in d.clauses)
        return {CODINGS: codings.getvalue(), CLAUSES: clauses.getvalue()}

    def _write_derived(self) -> None:
        derived = self._derived()
        for name, text in derived.items():
            _write_durably(self.folder / name, text)
        _write_durably(self.state_dir / WRITTEN, json.dumps({name: _sha(text.encode("utf-8")) for name, text in derived.items()}, indent=1) + "\n")
        _sync(self.state_dir, self.folder)
