"""Writing files and folders so that readers never see half of one, and nothing the user had is lost.

A file is written to a temporary file in its folder and moved into place (``os.replace``); a model
folder is written complete beside the old one and swapped in, the old one kept as
``<name>.previous``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from pathlib import Path


@contextlib.contextmanager
def open_atomic(path: Path, mode: str = "w"):
    """A file object whose content appears at ``path`` only when the ``with`` block ends without
    error: a failure leaves neither a half-written file nor a damaged old one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())  # what a caller acknowledges after this returns survives a crash
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    with open_atomic(path) as f:
        f.write(text)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    with open_atomic(path, "wb") as f:
        f.write(data)


def write_npz_atomic(path: Path, **arrays) -> None:
    import numpy as np

    with open_atomic(path, "wb") as f:
        np.savez(f, **arrays)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@contextlib.contextmanager
def folder_atomic(path: Path, *, keep_previous: bool = True):
    """A temporary folder beside ``path``, to fill in the ``with`` block; when the block ends
    without error it replaces ``path``, whose old content is kept as ``<path>.previous``.

    The swap is one atomic step where Linux offers it (renameat2 RENAME_EXCHANGE); elsewhere a
    kill between the two renames leaves the old folder in ``<path>.previous``. Folders left by
    killed writers are removed on the next call.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_abandoned(path)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-{os.getpid()}-", dir=path.parent))
    try:
        yield tmp
        previous = path.with_name(path.name + ".previous")
        if path.exists():
            if keep_previous and previous.exists():
                shutil.rmtree(previous)
            if _exchange(tmp, path):  # ``path`` is the new folder, ``tmp`` the old one
                if keep_previous:
                    os.replace(tmp, previous)
                else:
                    shutil.rmtree(tmp)
            else:
                if keep_previous:
                    os.replace(path, previous)
                else:
                    shutil.rmtree(path)
                os.replace(tmp, path)
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def remove_abandoned(path: Path) -> None:
    """Delete half-written folders left next to ``path`` by runs that were killed.

    Their names carry the writer's process id; a folder is only removed once that process is gone.
    """
    for tmp in path.parent.glob(f".{path.name}.tmp-*-*"):
        pid = tmp.name[len(f".{path.name}.tmp-") :].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or not tmp.is_dir():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            pass  # alive, but someone else's


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0
