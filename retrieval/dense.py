"""FAISS inner-product search over normalized chunk vectors, addressed by int64 chunk ids.

Below `APPROXIMATE_FROM` vectors an exact scan is fast and perfect (IndexIDMap2 over a flat
index). Above it the index becomes an inverted file (IVF): k-means cells trained on the vectors
already there, searching `nprobe` of them. IVF, unlike HNSW, can remove vectors by id, which
incremental updates need. The kind and its parameters are recorded in the manifest.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

APPROXIMATE_FROM = 50_000  # an exact scan of 50k 384-dim vectors is ~3 ms here; beyond, IVF wins
NPROBE_SHARE = 0.04  # search this share of the cells (measured recall@10 >= 0.98, benchmarks/)
MIN_NPROBE = 16


def serve_single_queries() -> None:
    """One thread per search in a process that answers questions. A question is one vector;
    OpenMP's fan-out over 2 cores made a 44k exact scan 4x slower under load here (8 ms vs
    31 ms p50, benchmarks/) and oversubscribes when the bot answers two questions at once."""
    import faiss

    faiss.omp_set_num_threads(1)


def ivf_cells(n: int) -> int:
    """The usual sqrt rule: about 4·sqrt(n) cells, so each holds a few hundred vectors."""
    return max(64, int(4 * math.sqrt(n)))


class DenseIndex:
    def __init__(self, index: object) -> None:
        self._index = index

    @classmethod
    def empty(cls, dim: int) -> DenseIndex:
        import faiss

        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dim)))

    @property
    def kind(self) -> str:
        return "ivf" if self._ivf() is not None else "flat"

    @property
    def dim(self) -> int:
        return int(self._index.d)  # type: ignore[attr-defined]

    def __len__(self) -> int:
        return int(self._index.ntotal)  # type: ignore[attr-defined]

    def describe(self) -> dict[str, object]:
        ivf = self._ivf()
        if ivf is None:
            return {"kind": "flat", "metric": "inner_product"}
        return {
            "kind": "ivf",
            "metric": "inner_product",
            "nlist": int(ivf.nlist),
            "nprobe": int(ivf.nprobe),
        }

    def _ivf(self):  # noqa: ANN202 - a faiss.IndexIVF or None
        import faiss

        try:
            return faiss.extract_index_ivf(self._index)
        except RuntimeError:
            return None

    def add(self, ids: list[int], vectors: np.ndarray) -> None:
        if len(ids) != len(vectors):
            raise ValueError(f"ids and vectors differ in length: {len(ids)} != {len(vectors)}")
        if len(ids):
            vectors = np.ascontiguousarray(vectors, dtype=np.float32)
            self._index.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))  # type: ignore[attr-defined]

    def remove(self, ids: list[int]) -> int:
        if not ids:
            return 0
        return int(self._index.remove_ids(np.asarray(ids, dtype=np.int64)))  # type: ignore[attr-defined]

    def ids(self) -> set[int]:
        import faiss

        ivf = self._ivf()
        if ivf is None:
            return set(faiss.vector_to_array(self._index.id_map).tolist())  # type: ignore[attr-defined]
        found: set[int] = set()
        lists = ivf.invlists
        for cell in range(ivf.nlist):
            size = lists.list_size(cell)
            if size:
                found.update(faiss.rev_swig_ptr(lists.get_ids(cell), size).tolist())
        return found

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """All (ids, vectors), to rebuild the index in another form."""
        ids = np.fromiter(sorted(self.ids()), dtype=np.int64)
        if not len(ids):
            return ids, np.zeros((0, self.dim), dtype=np.float32)
        return ids, np.vstack([self._index.reconstruct(int(i)) for i in ids])  # type: ignore[attr-defined]

    def fit(self, approximate_from: int = APPROXIMATE_FROM) -> DenseIndex:
        """The right kind for the current size: IVF past the threshold (flat below it)."""
        n = len(self)
        if (n >= approximate_from) == (self.kind == "ivf"):
            return self
        import faiss

        ids, vectors = self.vectors()
        if n < approximate_from:
            flat = DenseIndex.empty(self.dim)
            flat.add(ids.tolist(), vectors)
            return flat
        cells = ivf_cells(n)
        quantizer = faiss.IndexFlatIP(self.dim)
        ivf = faiss.IndexIVFFlat(quantizer, self.dim, cells, faiss.METRIC_INNER_PRODUCT)
        ivf.train(vectors)
        ivf.set_direct_map_type(faiss.DirectMap.Hashtable)  # remove/reconstruct by id
        ivf.nprobe = max(MIN_NPROBE, int(cells * NPROBE_SHARE))
        ivf.add_with_ids(vectors, ids)
        return DenseIndex(ivf)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Chunk ids and cosine similarities of the `k` nearest vectors, best first."""
        if len(self) == 0 or k <= 0:
            return []
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        scores, ids = self._index.search(query, min(k, len(self)))  # type: ignore[attr-defined]
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i != -1]

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        import faiss

        return cls(faiss.read_index(str(path)))
