"""Coding many documents in parallel: each worker process loads the model once and codes chunks.

Works with any joblib backend: processes on this machine (``loky``, the default) or a Dask
cluster (``with joblib.parallel_backend("dask"):`` inside a ``dask.distributed.Client``).
``benchmarks/run.py --only scale`` times both on one machine.

    from benchmarks.scale_out import code_in_parallel
    codings = code_in_parallel(documents, n_jobs=2, backend="onnx")
"""

from __future__ import annotations

import functools

import joblib


@functools.lru_cache(maxsize=None)
def _loaded(model_path, backend, threads):
    """The model and encoder of this worker process, loaded on its first chunk."""
    from classify.embed import Encoder
    from classify.modelio import load_model

    if threads and backend == "torch":
        import torch

        torch.set_num_threads(threads)
    model = load_model(model_path)
    encoder = Encoder(model.embedding_model, backend=backend)
    if threads and backend != "torch":
        from classify.embed import OnnxSentenceEncoder

        encoder._model = OnnxSentenceEncoder(encoder.path, quantized=backend == "onnx-int8", threads=threads)
    return model, encoder


def code_chunk(documents, model_path=None, backend="torch", threads=0):
    """Code a list of ``classify.predict.Document`` in this process; returns their codings."""
    from classify.predict import code_documents

    model, encoder = _loaded(model_path, backend, threads)
    return code_documents(model, documents, encoder)


def code_in_parallel(documents, *, n_jobs=2, chunk_size=128, model_path=None, backend="torch", threads_per_job=None):
    """Codings of ``documents`` in order, chunks spread over ``n_jobs`` joblib workers.

    Each worker uses ``threads_per_job`` threads for the encoder (default: 1 when n_jobs > 1,
    so the workers do not fight over the cores).
    """
    threads = threads_per_job if threads_per_job is not None else (1 if n_jobs != 1 else 0)
    chunks = [documents[i : i + chunk_size] for i in range(0, len(documents), chunk_size)]
    if n_jobs == 1:
        results = [code_chunk(c, model_path, backend, threads) for c in chunks]
    else:
        results = joblib.Parallel(n_jobs=n_jobs)(joblib.delayed(code_chunk)(c, model_path, backend, threads) for c in chunks)
    return [coding for chunk in results for coding in chunk]
