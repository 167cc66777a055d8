"""Resumable JSON-lines output: documents are appended as they are coded, whole lines only.

An interrupted ``classify predict ... --format jsonl -o out.jsonl --resume`` is rerun with the
same command: documents already in the file are skipped, the rest are appended. Each batch of
lines goes to the file in one ``write`` on a file opened for appending, then is flushed to disk,
so the file only ever grows by complete lines. Should a crash still leave an incomplete last
line (power loss mid-write), it is cut off when the file is reopened and that document is coded
again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .errors import InputError


def coding_key(doc_id: str, document: str | None) -> str:
    """What identifies a document across runs: its source (path, path#row) or, failing that, its id."""
    return document if document else doc_id


class JsonlOutput:
    """A JSON-lines file of codings that is appended to, batch by batch.

    Attributes
    ----------
    path : Path
    keys : set of str
        ``coding_key`` of every coding in the file when it was opened.
    repaired : int
        Bytes of an incomplete last line that were cut off on opening (0 normally).
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.keys: set[str] = set()
        self.repaired = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            self._read_existing()

    def _read_existing(self) -> None:
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise InputError(f"{self.path}: cannot be read to resume ({exc.strerror or exc})") from exc
        end = data.rfind(b"\n") + 1  # everything after the last newline is an incomplete line
        if end < len(data):
            self.repaired = len(data) - end
            with open(self.path, "r+b") as f:
                f.truncate(end)
                f.flush()
                os.fsync(f.fileno())
        for number, line in enumerate(data[:end].splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                self.keys.add(coding_key(str(record["id"]), record.get("document")))
            except (ValueError, TypeError, KeyError) as exc:
                raise InputError(
                    f"{self.path}: line {number} is not a coding written by classify predict --format jsonl; "
                    "resume only into a file this command wrote, or pick another --output"
                ) from exc

    def append(self, text: str) -> None:
        """Append complete lines (``text`` ends with a newline) in one write, then flush them to disk."""
        if not text:
            return
        data = text.encode("utf-8")
        assert data.endswith(b"\n"), "append whole lines only"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            view = memoryview(data)
            while view:  # a regular file takes it in one write; loop in case it does not
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
