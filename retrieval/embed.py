"""Sentence embeddings with sentence-transformers, loaded only when an index needs vectors.

torch and sentence-transformers are imported inside `load_embedder`, so lexical-only work never
pays for them. Model hubs may be unreachable: a model that is neither a local path nor in the
local cache is fetched only when the hub answers quickly, otherwise `ModelUnavailable` is raised
(before torch is imported: seconds) and callers fall back to lexical search.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported where used: the lexical path never needs it
    import numpy as np

import logging
import os
import re
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar
from urllib.parse import urlparse

from retrieval.config import EMBED_PRECISION
from retrieval.errors import ModelUnavailable

log = logging.getLogger(__name__)
Model = TypeVar("Model")

DEFAULT_MODEL = "dragonkue/multilingual-e5-small-ko"
NO_MODEL = {"", "none", "off", "lexical"}
HUB_PROBE_SECONDS = 2.0


class Embedder(Protocol):
    name: str
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Prefixes:
    """E5-family models were trained with these markers; other models use none."""

    query: str = ""
    passage: str = ""


E5_NAME = re.compile(r"(^|[-_])e5([-_]|$)", re.IGNORECASE)


def prefixes_for(name: str) -> Prefixes:
    """E5 models by their name ("multilingual-e5-small-ko"), not by any "e5" in a path."""
    base = name.rstrip("/").rsplit("/", 1)[-1]
    return Prefixes("query: ", "passage: ") if E5_NAME.search(base) else Prefixes()


def model_id(name: str) -> str:
    """Local model paths are recorded absolute, so the index works from any directory."""
    path = Path(name).expanduser()
    return str(path.resolve()) if path.exists() else name


class SentenceTransformerEmbedder:
    """Normalized float32 vectors from a `SentenceTransformer`, ready for inner-product search."""

    precision = "fp32"  # of the model's linear layers; the vectors are float32 either way

    def __init__(self, model: object, name: str, prefixes: Prefixes, batch_size: int = 32) -> None:
        self.model = model
        self.name = name
        self.prefixes = prefixes
        self.batch_size = batch_size
        self._lock = threading.Lock()
        # Renamed in sentence-transformers 6; older releases only have the long name.
        dimension = getattr(model, "get_embedding_dimension", None)
        dimension = dimension or model.get_sentence_embedding_dimension  # type: ignore[attr-defined]
        self.dim = int(dimension())

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:  # fast tokenizers are not safe to share across threads
            return self._encode_locked(texts, prefix)

    def _encode_locked(self, texts: list[str], prefix: str) -> np.ndarray:
        import numpy as np

        vectors = self.model.encode(  # type: ignore[attr-defined]
            [prefix + t for t in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self.prefixes.passage)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self.prefixes.query)


def wants_model(name: str | None) -> bool:
    return name is not None and name.strip().lower() not in NO_MODEL


def hub_reachable(timeout: float = HUB_PROBE_SECONDS) -> bool:
    """A quick TCP probe, so an offline machine fails in seconds instead of minutes of retries.
    The name lookup runs in a thread given the same deadline: a resolver that gets no answer
    retries for longer than the connection's own timeout covers."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes"}:
        return False
    endpoint = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    address = (endpoint.hostname or "", endpoint.port or 443)
    reached: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection(address, timeout):
                reached.append(True)
        except OSError:
            pass

    thread = threading.Thread(target=probe, name="hub-probe", daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(reached)


def in_hub_cache(name: str) -> bool:
    """Whether the local model cache holds `name`, asked of huggingface_hub (light) rather than
    by loading the model (which imports torch first)."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - comes with sentence-transformers
        return False
    folders = [None, os.environ.get("SENTENCE_TRANSFORMERS_HOME") or None]
    for cache_dir in dict.fromkeys(folders):
        for filename in ("modules.json", "config.json"):
            try:
                found = try_to_load_from_cache(name, filename, cache_dir=cache_dir)
            except Exception:  # noqa: BLE001 - not a valid hub name: nothing cached under it
                return False
            if isinstance(found, str):
                return True
    return False


def _quiet_loaders() -> None:
    """Progress bars from the model loaders would interleave with the CLI's output."""
    try:
        from transformers.utils import logging as hf_logging

        # transformers' logging helpers are untyped
        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    except ImportError:  # pragma: no cover
        pass


def load_embedder(
    name: str, device: str = "cpu", precision: str = "fp32"
) -> SentenceTransformerEmbedder:
    """Load a model by local path or hub name; raise `ModelUnavailable` with the reason.

    `precision` (NEWSQA_EMBED_PRECISION) is fp32 by default. int8 dynamic quantization is 1.5x
    faster here, but on the real multilingual-e5-small weights its vectors are only cosine 0.97
    (p5 0.96) to fp32 ones and the dense search alone finds the right article first for 75.8%
    of the korquad dev questions against 83.5% in fp32 (benchmarks/precision.py; random weights
    had hidden this, at cosine 0.9999)."""
    if precision not in EMBED_PRECISION.choices:  # the settings table refuses others first
        raise ValueError(f"precision must be one of {EMBED_PRECISION.choices}, not {precision!r}")
    local = Path(name).expanduser()
    if not local.exists() and not in_hub_cache(name) and not hub_reachable():
        raise ModelUnavailable(
            f"model {name!r} is not a local folder, not cached, and the model hub is unreachable"
        )
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ModelUnavailable(f"sentence-transformers is not installed: {exc}") from exc

    _quiet_loaders()
    try:
        if local.exists():
            model = SentenceTransformer(str(local), device=device)
        else:
            try:
                model = SentenceTransformer(name, device=device, local_files_only=True)
            except OSError:
                if not hub_reachable():
                    raise ModelUnavailable(
                        f"model {name!r} is not cached and the model hub is unreachable"
                    ) from None
                model = SentenceTransformer(name, device=device)
    except ModelUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - any loader failure means "no model"
        raise ModelUnavailable(f"model {name!r} could not be loaded: {exc}") from exc
    if precision == "int8" and device == "cpu":
        try:
            model = quantize_int8(model)
        except (AttributeError, RuntimeError) as exc:  # the API is deprecated in PyTorch
            log.warning("int8 quantization unavailable (%s); embedding in fp32", exc)
            precision = "fp32"
    log.info("loaded embedding model %s (%s)", name, precision)
    embedder = SentenceTransformerEmbedder(model, name, prefixes_for(name))
    embedder.precision = precision
    return embedder


def quantize_int8(model: Model) -> Model:
    """Linear layers with int8 weights and dynamically quantized activations (PyTorch's dynamic
    quantization): the matrix products dominate BERT-style encoders on CPU."""
    import warnings

    import torch

    with warnings.catch_warnings():  # the deprecation notice is for us, not for users
        warnings.simplefilter("ignore")
        quantized: Model = torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
            model, {torch.nn.Linear}, dtype=torch.qint8
        )  # untyped in torch.ao (deprecated); it returns the model it was given, quantized
        return quantized
