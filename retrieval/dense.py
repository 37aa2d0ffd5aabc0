"""FAISS inner-product search over normalized chunk vectors, addressed by int64 chunk ids.

Below `APPROXIMATE_FROM` vectors an exact scan is fast and perfect (IndexIDMap2 over a flat
index). Above it the index becomes an inverted file (IVF): k-means cells trained on the vectors
already there, searching `nprobe` of them. IVF, unlike HNSW, can remove vectors by id, which
incremental updates need. `nprobe` is not a guess: it is the smallest that reaches
`TARGET_RECALL` against an exact search for queries made near the index's vectors, and when no
affordable `nprobe` does (vectors with no cluster structure), the index stays exact. The kind,
its parameters and the measured recall are recorded in the manifest.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:  # faiss loads when an index with vectors is first used
    import faiss

Vectors = npt.NDArray[np.float32]

APPROXIMATE_FROM = 50_000  # an exact scan of 50k 384-dim vectors is ~3 ms here; beyond, IVF wins
TARGET_RECALL = 0.98  # recall@10 against exact search
MIN_NPROBE = 16
MAX_PROBE_SHARE = 0.25  # probing more of the cells than this costs about an exact scan
CALIBRATION_QUERIES = 200
QUERY_COSINE = 0.85  # calibration queries' similarity to the vectors they were made from
RECALIBRATE_AFTER = 0.2  # train and measure again once this share of vectors came or went


def serve_single_queries() -> None:
    """One thread per search in a process that answers questions. A question is one vector;
    OpenMP's fan-out over 2 cores made a 44k exact scan 4x slower under load here (8 ms vs
    31 ms p50, benchmarks/) and oversubscribes when the bot answers two questions at once."""
    import faiss

    faiss.omp_set_num_threads(1)


def ivf_cells(n: int) -> int:
    """The usual sqrt rule: about 4·sqrt(n) cells, so each holds a few hundred vectors."""
    return max(64, int(4 * math.sqrt(n)))


@dataclass(frozen=True, kw_only=True)
class Calibration:
    """What the last IVF calibration measured, kept in the manifest with the index (also by an
    exact index that IVF could not replace, so that it is not retried on every update)."""

    nprobe: int | None  # the smallest that reached TARGET_RECALL; None: none affordable did
    recall: float  # recall@10 at `nprobe` (at the cap when None)
    at_vectors: int  # how many vectors it was measured on
    # Vectors added or removed since: a rolling corpus (as many in as out) keeps the count
    # flat while its cells drift, so churn, not the net count, decides when to retrain.
    changed_since: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "nprobe": self.nprobe,
            "recall@10": self.recall,
            "at_vectors": self.at_vectors,
            "changed_since": self.changed_since,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Calibration:
        """KeyError, TypeError or ValueError when `data` is not a calibration."""
        nprobe = data["nprobe"]
        return cls(
            nprobe=None if nprobe is None else int(nprobe),
            recall=float(data["recall@10"]),
            at_vectors=int(data["at_vectors"]),
            changed_since=int(data.get("changed_since", 0)),
        )


def calibrate(ivf: faiss.IndexIVF, vectors: Vectors, k: int = 10) -> Calibration:
    """The smallest nprobe (doubling from MIN_NPROBE) whose recall@k reaches TARGET_RECALL.

    Queries are a fixed sample of the indexed vectors moved off the data by noise (to cosine
    `QUERY_COSINE` with where they started), as a question lies near its passages rather than
    on one: the index's own vectors sit inside their cells and would flatter the recall. A
    result counts as found when it scores at least the exact k-th score, so tied duplicates
    are not misses.
    """
    import faiss

    rng = np.random.default_rng(0)
    pick = rng.choice(len(vectors), size=min(CALIBRATION_QUERIES, len(vectors)), replace=False)
    dim = vectors.shape[1]
    spread = math.sqrt((1 / QUERY_COSINE**2 - 1) / dim)  # |noise|^2 = dim * spread^2
    queries = vectors[pick] + rng.standard_normal((len(pick), dim)).astype(np.float32) * spread
    queries = np.ascontiguousarray(queries / np.linalg.norm(queries, axis=1, keepdims=True))
    scores, _ = faiss.knn(queries, vectors, k, metric=faiss.METRIC_INNER_PRODUCT)
    kth = scores[:, k - 1] - 1e-5
    cap = max(MIN_NPROBE, int(ivf.nlist * MAX_PROBE_SHARE))
    nprobe = MIN_NPROBE
    while True:
        ivf.nprobe = nprobe
        found_scores, found = ivf.search(queries, k)
        hits = (found_scores >= kth[:, None]) & (found != -1)
        recall = round(float(hits.sum(axis=1).mean() / k), 4)
        if recall >= TARGET_RECALL or nprobe >= cap:
            reached = nprobe if recall >= TARGET_RECALL else None
            return Calibration(nprobe=reached, recall=recall, at_vectors=len(vectors))
        nprobe = min(2 * nprobe, cap)


class DenseIndex:
    """Chunk vectors by chunk id. An update changes a `copy()`, never the index it was given."""

    def __init__(self, index: faiss.Index, calibration: Calibration | None = None) -> None:
        self._index = index
        self.calibration = calibration
        self.changed = calibration.changed_since if calibration else 0  # churn since measured

    @classmethod
    def empty(cls, dim: int) -> DenseIndex:
        import faiss

        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dim)))

    def copy(self) -> DenseIndex:
        """An independent copy (vectors, cells and what was measured), to change freely."""
        import faiss

        copied = DenseIndex(faiss.clone_index(self._index), self.calibration)
        copied.changed = self.changed
        return copied

    @property
    def kind(self) -> str:
        return "ivf" if self._ivf() is not None else "flat"

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def describe(self) -> dict[str, Any]:
        """The index's kind, parameters and calibration, for the manifest (`load` reads it)."""
        ivf = self._ivf()
        calibration = (
            {"calibration": replace(self.calibration, changed_since=self.changed).to_json()}
            if self.calibration
            else {}
        )
        if ivf is None:
            return {"kind": "flat", "metric": "inner_product", **calibration}
        return {
            "kind": "ivf",
            "metric": "inner_product",
            "nlist": int(ivf.nlist),
            "nprobe": int(ivf.nprobe),
            **calibration,
        }

    def _ivf(self) -> faiss.IndexIVF | None:
        import faiss

        try:
            return faiss.extract_index_ivf(self._index)
        except RuntimeError:
            return None

    def add(self, ids: list[int], vectors: Vectors) -> None:
        if len(ids) != len(vectors):
            raise ValueError(f"ids and vectors differ in length: {len(ids)} != {len(vectors)}")
        if len(ids):
            vectors = np.ascontiguousarray(vectors, dtype=np.float32)
            self._index.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))
            self.changed += len(ids)

    def remove(self, ids: list[int]) -> int:
        if not ids:
            return 0
        # faiss's wrapper takes the ids and picks the selector the index supports (IVF with a
        # hash table needs another kind than the id map); its stubs list only IDSelector.
        removed = int(self._index.remove_ids(np.asarray(ids, dtype=np.int64)))  # type: ignore[arg-type]
        self.changed += removed
        return removed

    def ids(self) -> set[int]:
        import faiss

        if isinstance(self._index, faiss.IndexIDMap2):  # exact (see `empty`)
            return set(faiss.vector_to_array(self._index.id_map).tolist())
        ivf = self._ivf()
        lists = ivf.invlists if ivf is not None else None
        if ivf is None or lists is None:
            raise ValueError("the dense index is neither exact nor IVF")
        found: set[int] = set()
        for cell in range(ivf.nlist):
            size = lists.list_size(cell)
            if size:
                found.update(faiss.rev_swig_ptr(lists.get_ids(cell), size).tolist())
        return found

    def vectors(self) -> tuple[npt.NDArray[np.int64], Vectors]:
        """All (ids, vectors), to rebuild the index in another form."""
        ids = np.fromiter(sorted(self.ids()), dtype=np.int64)
        if not len(ids):
            return ids, np.zeros((0, self.dim), dtype=np.float32)
        return ids, self.vectors_of(ids.tolist())

    def fit(self, approximate_from: int | None = None) -> DenseIndex:
        """The right kind for the current size: exact below the threshold (`APPROXIMATE_FROM`
        unless given); above it IVF with a calibrated nprobe, or exact when IVF cannot reach the
        target recall affordably."""
        n = len(self)
        if n < (APPROXIMATE_FROM if approximate_from is None else approximate_from):
            return self._as_exact(None)
        if self.calibration and self.changed <= RECALIBRATE_AFTER * n:
            return self  # measured recently enough (as IVF, or found not worth it)
        import faiss

        ids, vectors = self.vectors()
        ivf = faiss.IndexIVFFlat(
            faiss.IndexFlatIP(self.dim), self.dim, ivf_cells(n), faiss.METRIC_INNER_PRODUCT
        )
        ivf.train(vectors)
        # remove/reconstruct by id; faiss's stubs do not list DirectMap
        ivf.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
        ivf.add_with_ids(vectors, ids)
        calibration = calibrate(ivf, vectors)
        if calibration.nprobe is None:
            return self._as_exact(calibration)
        ivf.nprobe = calibration.nprobe
        return DenseIndex(ivf, calibration)

    def _as_exact(self, calibration: Calibration | None) -> DenseIndex:
        """The same vectors in an exact index (this one, if it already is), with `calibration`."""
        flat = self
        if self.kind != "flat":
            ids, vectors = self.vectors()
            flat = DenseIndex.empty(self.dim)
            flat.add(ids.tolist(), vectors)
        flat.calibration = calibration
        flat.changed = 0
        return flat

    def search(self, vector: Vectors, k: int) -> list[tuple[int, float]]:
        """Chunk ids and cosine similarities of the `k` nearest vectors, best first."""
        if len(self) == 0 or k <= 0:
            return []
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        scores, ids = self._index.search(query, min(k, len(self)))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i != -1]

    def vectors_of(self, ids: list[int]) -> Vectors:
        """The stored vectors of `ids` (the background a question is measured against: a
        cosine means little on its own, e5-family models put almost any two texts at 0.7-0.9
        and another model has another range; see `EvidenceReader.background`)."""
        if not ids:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._index.reconstruct(int(i)) for i in ids])

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, described: Mapping[str, Any] | None = None) -> DenseIndex:
        """The index saved at `path`, with what `describe()` said of it then; KeyError,
        TypeError or ValueError when that description is damaged."""
        import faiss

        measured = (described or {}).get("calibration")
        calibration = None if measured is None else Calibration.from_json(measured)
        return cls(faiss.read_index(str(path)), calibration)
