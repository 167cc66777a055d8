"""Coding on several worker processes, or on a Dask cluster, for corpora too large for one process.

Each worker loads the model once and codes whole batches (the clauses of a batch are embedded
together, as in one process); the batches come back in input order, so output, progress and
``--resume`` work as they do in one process. Processes on this machine are joblib's (loky); a
Dask cluster is reached through joblib's ``dask`` backend, and its workers need paxclassify
installed and the model folder at the same path.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import config
from .coding import Coding, Document, batched
from .errors import PaxClassifyError


@functools.lru_cache(maxsize=2)
def _loaded(model_path: str, backend: str, threads: int):
    from .model import Model

    return Model.load(model_path, backend=backend, threads=threads)


def _code(model_path: str, backend: str, threads: int, encoder, batch: list[Document], options: dict) -> list[Coding]:
    """Code one batch in a worker (the model is loaded on the worker's first batch)."""
    if encoder is None:
        model = _loaded(model_path, backend, threads)
    else:
        from .model import Model

        model = Model.load(model_path, encoder=encoder)
    return model.code(batch, **options)


@contextlib.contextmanager
def _dask(address: str):
    """joblib's dask backend on the cluster whose scheduler is at ``address``."""
    try:
        import joblib
        from dask.distributed import Client
    except ImportError as exc:
        raise PaxClassifyError(f"--dask-scheduler needs dask.distributed ({exc.name} is missing): pip install 'paxclassify[dask]'") from exc
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise PaxClassifyError(f"{address}: cannot reach a Dask scheduler there ({exc.__class__.__name__}: {exc})") from exc
    try:
        with joblib.parallel_backend("dask"):
            yield
    finally:
        client.close()


def code_batches_in_parallel(
    documents: Iterable[Document],
    model_path: Path | None = None,
    *,
    jobs: int = -1,
    scheduler: str | None = None,
    backend: str = "onnx",
    encoder=None,
    batch_size: int = 64,
    **options,
) -> Iterator[list[Coding]]:
    """The codings of ``documents``, batch by batch in input order, coded by ``jobs`` worker
    processes (-1: one per core) or, with ``scheduler`` (a Dask scheduler address), by the
    workers of that cluster.

    encoder : picklable encoder for the workers instead of the model's own (tests pass a fake one)
    options : :meth:`classify.model.Model.code`'s (threshold, top_k)
    """
    import joblib

    path = str(Path(model_path or config.model_dir()).resolve())
    # workers that share a machine each take one thread: n workers on n cores, none contending
    threads = 0 if scheduler is None and jobs == 1 else 1
    with _dask(scheduler) if scheduler else contextlib.nullcontext():
        run = joblib.Parallel(n_jobs=jobs if scheduler is None else -1, return_as="generator")
        yield from run(joblib.delayed(_code)(path, backend, threads, encoder, batch, options) for batch in batched(documents, batch_size))
