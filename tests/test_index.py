"""Incremental indexing, deletion from both indexes, atomic saves and refused indexes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import CountingEmbedder
from retrieval import errors, generations
from retrieval.config import Settings
from retrieval.errors import ModelMismatch
from retrieval.index import NewsIndex
from retrieval.manifest import MANIFEST
from retrieval.notices import KeptPrevious
from retrieval.pipeline import Pipeline, build_index


def loader(embedder: CountingEmbedder):
    return lambda name: embedder


def dense_settings(settings: Settings, embedder: CountingEmbedder) -> Settings:
    return settings.with_overrides(model=embedder.name)


def test_first_build_embeds_every_chunk(settings, embedder) -> None:
    report = build_index(dense_settings(settings, embedder), load_model=loader(embedder))
    s = report.summary
    assert (s.added, s.updated, s.removed, s.unchanged) == (5, 0, 0, 0)
    assert s.chunks_embedded == s.chunks_total == len(embedder.passages) > 0
    index = NewsIndex.open(settings.index_dir)
    assert index.dense is not None and len(index.dense) == s.chunks_total
    assert index.manifest.model == embedder.name and index.manifest.dim == embedder.dim


def test_rerun_without_changes_embeds_nothing(settings, embedder) -> None:
    config = dense_settings(settings, embedder)
    build_index(config, load_model=loader(embedder))
    embedder.passages.clear()
    s = build_index(config, load_model=loader(embedder)).summary
    assert (s.added, s.updated, s.removed, s.unchanged, s.chunks_embedded) == (0, 0, 0, 5, 0)
    assert embedder.passages == []


def test_changed_article_reembeds_only_its_chunks(settings, embedder, seeds: Path) -> None:
    config = dense_settings(settings, embedder)
    build_index(config, load_model=loader(embedder))
    before = NewsIndex.open(settings.index_dir)
    target = seeds / "002_1271b9cf7e65fcdf.txt"
    target.write_text(
        target.read_text(encoding="utf-8")
        + "\n광주시는 새로 추가된 문장으로 퀀텀점프 계획을 발표했다.\n",
        encoding="utf-8",
    )
    embedder.passages.clear()
    s = build_index(config, load_model=loader(embedder)).summary
    after = NewsIndex.open(settings.index_dir)
    changed = len(after.chunks_of("002_1271b9cf7e65fcdf"))
    assert (s.added, s.updated, s.removed, s.unchanged) == (0, 1, 0, 4)
    assert s.chunks_embedded == changed == len(embedder.passages)
    assert all(
        "인공지능 기업들, 광주로 몰려온다" in text for text in embedder.passages
    )  # only 002's chunks
    for article_id in before.articles:  # untouched articles keep their chunk ids
        if article_id != "002_1271b9cf7e65fcdf":
            assert after.chunks_of(article_id) == before.chunks_of(article_id)
    assert len(after.dense) == s.chunks_total
    hits = after.lexical.search(["퀀텀점프"], 5)
    assert [after.chunk(i).article_id for i, _ in hits] == ["002_1271b9cf7e65fcdf"]


def test_deleted_article_leaves_both_indexes(settings, embedder, seeds: Path) -> None:
    config = dense_settings(settings, embedder)
    build_index(config, load_model=loader(embedder))
    old = NewsIndex.open(settings.index_dir)
    gone_ids = {c.id for c in old.chunks_of("004_ecd383afc86f028b")}
    (seeds / "004_ecd383afc86f028b.txt").unlink()
    s = build_index(config, load_model=loader(embedder)).summary
    assert (s.removed, s.unchanged, s.chunks_embedded) == (1, 4, 0)
    index = NewsIndex.open(settings.index_dir)
    assert "004_ecd383afc86f028b" not in index.articles
    assert not gone_ids & index.dense.ids()
    assert index.dense.ids() == index.chunk_ids()
    assert index.lexical.search(["벤처기업협회"], 10) == []
    assert "벤처기업협회" not in index.lexical


def test_lexical_only_index_is_embedded_once_a_model_is_available(settings, embedder) -> None:
    build_index(settings)  # model "none"
    assert not NewsIndex.open(settings.index_dir).has_vectors
    s = build_index(dense_settings(settings, embedder), load_model=loader(embedder)).summary
    assert s.unchanged == 5 and s.chunks_embedded == s.chunks_total


def test_crash_while_writing_keeps_the_previous_index(settings, seeds: Path, monkeypatch) -> None:
    build_index(settings)
    manifest = generations.read_manifest(settings.index_dir)
    (seeds / "001_3a6c26851f6077eb.txt").unlink()

    def crash(*args, **kwargs):
        raise OSError("disk died mid-write")

    monkeypatch.setattr("retrieval.lexical.write_changes", crash)
    with pytest.raises(OSError):
        build_index(settings)
    monkeypatch.undo()
    assert generations.read_manifest(settings.index_dir) == manifest
    assert len(NewsIndex.open(settings.index_dir).articles) == 5
    assert not list(settings.index_dir.glob(".*.tmp"))  # the half-written generation is gone


def test_crash_before_the_manifest_switch_keeps_the_previous_index(
    settings, seeds, monkeypatch
) -> None:
    build_index(settings)
    (seeds / "001_3a6c26851f6077eb.txt").unlink()
    real_replace = os.replace

    def crash_on_manifest(src, dst):
        if str(dst).endswith(MANIFEST):
            raise KeyboardInterrupt  # the process is killed between the two steps
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_manifest)
    with pytest.raises(KeyboardInterrupt):
        build_index(settings)
    monkeypatch.undo()
    assert len(NewsIndex.open(settings.index_dir).articles) == 5
    build_index(settings)  # the next run recovers and cleans up
    assert len(NewsIndex.open(settings.index_dir).articles) == 4


def test_damaged_file_is_refused(settings) -> None:
    build_index(settings)
    manifest = generations.read_manifest(settings.index_dir)
    target = next((settings.index_dir / manifest.generation / "articles").iterdir())
    data = bytearray(target.read_bytes())
    data[100] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(errors.IndexCorrupt, match="체크섬"):
        NewsIndex.open(settings.index_dir)


def test_unparseable_manifest_and_other_format_are_refused(settings) -> None:
    build_index(settings)
    path = settings.index_dir / MANIFEST
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps({**manifest, "format_version": 999}))
    with pytest.raises(errors.IndexIncompatible):
        NewsIndex.open(settings.index_dir)
    path.write_text("{truncated")
    with pytest.raises(errors.IndexCorrupt):
        NewsIndex.open(settings.index_dir)


def test_index_of_another_model_is_refused(settings, embedder) -> None:
    build_index(dense_settings(settings, embedder), load_model=loader(embedder))
    other = CountingEmbedder(name="other-model")
    with pytest.raises(ModelMismatch, match="--full"):
        Pipeline.open(settings.with_overrides(model="other-model"), load_model=loader(other))
    with pytest.raises(ModelMismatch, match="--full"):
        build_index(settings.with_overrides(model="other-model"), load_model=loader(other))
    s = build_index(
        settings.with_overrides(model="other-model"), full=True, load_model=loader(other)
    ).summary
    assert s.chunks_embedded == s.chunks_total


def test_vectors_of_another_precision_are_not_mixed_in(settings, embedder) -> None:
    embedder.precision = "int8"
    build_index(dense_settings(settings, embedder), load_model=loader(embedder))
    fp32 = CountingEmbedder()  # same model, fp32 (the default)
    with pytest.raises(ModelMismatch, match="NEWSQA_EMBED_PRECISION"):
        build_index(dense_settings(settings, fp32), load_model=loader(fp32))
    s = build_index(dense_settings(settings, fp32), full=True, load_model=loader(fp32)).summary
    assert s.chunks_embedded == s.chunks_total


def test_chunker_settings_change_is_refused(settings) -> None:
    build_index(settings)
    with pytest.raises(errors.IndexIncompatible) as refused:
        build_index(settings.with_overrides(chunk_chars=200))
    said = refused.value.sentence()
    assert "청크 400자" in said and "청크 200자" in said and "{" not in said  # no Python dict


def test_old_generations_are_collected(settings, seeds: Path) -> None:
    for i in range(4):
        (seeds / f"extra{i}.txt").write_text(
            f"광주시는 {i}번째 추가 기사를 색인했다고 밝혔다. 본문이 충분히 길어야 한다.",
            encoding="utf-8",
        )
        build_index(settings)
    kept = [p for p in settings.index_dir.glob("gen-*") if p.is_dir()]
    assert len(kept) == generations.KEEP_GENERATIONS


def test_chunk_ids_are_never_reused_and_vectors_match_chunks(settings, embedder, seeds) -> None:
    config = dense_settings(settings, embedder)
    build_index(config, load_model=loader(embedder))
    before = NewsIndex.open(settings.index_dir)
    first_free = before.next_chunk_id
    target = seeds / "000_8944c63ec2984883.txt"
    target.write_text(
        target.read_text(encoding="utf-8") + "\n새 문단이 추가되어 본문이 바뀌었다고 밝혔다.\n",
        encoding="utf-8",
    )
    (seeds / "004_ecd383afc86f028b.txt").unlink()
    build_index(config, load_model=loader(embedder))
    after = NewsIndex.open(settings.index_dir)
    new_ids = {c.id for c in after.chunks_of("000_8944c63ec2984883")}
    assert min(new_ids) >= first_free
    assert after.dense.ids() == after.chunk_ids()


def test_empty_article_set_leaves_the_index_alone(settings, tmp_path) -> None:
    from retrieval.errors import ArticlesMissing

    build_index(settings)
    manifest = generations.read_manifest(settings.index_dir)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ArticlesMissing, match="하나도 없어"):
        build_index(settings.with_overrides(articles=empty))
    assert generations.read_manifest(settings.index_dir) == manifest


def test_unreadable_file_keeps_its_indexed_copy(settings, seeds) -> None:
    build_index(settings)
    (seeds / "002_1271b9cf7e65fcdf.txt").write_bytes(b"\x00\x00binary now")
    report = build_index(settings)
    assert report.summary.removed == 0
    assert "002_1271b9cf7e65fcdf" in NewsIndex.open(settings.index_dir).articles
    assert KeptPrevious("002_1271b9cf7e65fcdf") in report.notices


def test_previous_generation_survives_a_crashed_save_and_the_next_save(
    settings, seeds, monkeypatch
) -> None:
    build_index(settings)
    (seeds / "extra.txt").write_text(
        "광주시는 추가 기사를 색인했다고 밝혔다. 본문이 충분히 길어야 한다.", encoding="utf-8"
    )
    build_index(settings)
    live = generations.read_manifest(settings.index_dir).generation
    real_replace = os.replace

    def crash_on_manifest(src, dst):
        if str(dst).endswith(MANIFEST):
            raise KeyboardInterrupt
        return real_replace(src, dst)

    (seeds / "extra.txt").unlink()
    monkeypatch.setattr(os, "replace", crash_on_manifest)
    with pytest.raises(KeyboardInterrupt):
        build_index(settings)
    monkeypatch.undo()
    build_index(settings)
    kept = {p.name for p in settings.index_dir.glob("gen-*")}
    assert live in kept and len(kept) == 2  # the orphan of the crash is collected, not the live one


def test_explicit_none_model_turns_a_dense_index_lexical(settings, embedder) -> None:
    build_index(dense_settings(settings, embedder), load_model=loader(embedder))
    summary = build_index(settings).summary  # settings.model == "none"
    assert summary.unchanged == 5 and summary.chunks_embedded == 0
    assert not NewsIndex.open(settings.index_dir).has_vectors


def test_a_folder_that_is_not_an_index_is_not_written(settings, tmp_path) -> None:
    folder = tmp_path / "my-documents"
    folder.mkdir()
    (folder / "thesis.docx").write_text("precious")
    with pytest.raises(errors.StoreError, match="색인 폴더가 아닌데"):
        build_index(settings.with_overrides(index_dir=folder))
    assert (folder / "thesis.docx").read_text() == "precious"


def unit_vectors(n: int, dim: int, topics: int | None, seed: int = 0):  # noqa: ANN201
    """Random unit vectors: around `topics` centres (like embeddings of news), or uniform."""
    import numpy as np

    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((n, dim)).astype(np.float32)
    if topics:
        centres = rng.standard_normal((topics, dim)).astype(np.float32) * 3
        vectors += centres[rng.integers(0, topics, n)]
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_large_dense_index_switches_to_ivf_and_keeps_ids() -> None:
    from retrieval.dense import TARGET_RECALL, DenseIndex

    vectors = unit_vectors(3000, 16, topics=40)
    flat = DenseIndex.empty(16)
    flat.add(list(range(100, 3100)), vectors)
    ivf = flat.fit(approximate_from=2000)
    assert ivf.kind == "ivf" and ivf.describe()["nlist"] >= 64
    measured = ivf.describe()["calibration"]
    assert measured["recall@10"] >= TARGET_RECALL and measured["nprobe"] == ivf.describe()["nprobe"]
    assert ivf.fit(approximate_from=2000) is ivf  # measured recently: not trained again
    assert ivf.ids() == set(range(100, 3100))
    assert ivf.remove([100, 101]) == 2 and 100 not in ivf.ids()
    hits = ivf.search(vectors[500], 1)
    assert hits[0][0] == 600 and hits[0][1] > 0.99
    back = ivf.fit(approximate_from=10_000)
    assert back.kind == "flat" and back.ids() == set(range(102, 3100))


def test_vectors_ivf_cannot_serve_well_stay_exact() -> None:
    """Uniform random vectors have no cells to speak of: IVF would need to probe most of them
    to reach the target recall, so the exact index is kept, and the reason recorded."""
    from retrieval.dense import TARGET_RECALL, DenseIndex

    flat = DenseIndex.empty(64)
    flat.add(list(range(3000)), unit_vectors(3000, 64, topics=None))
    kept = flat.fit(approximate_from=2000)
    described = kept.describe()
    assert kept.kind == "flat" and described["calibration"]["nprobe"] is None
    assert described["calibration"]["recall@10"] < TARGET_RECALL
    assert kept.fit(approximate_from=2000) is kept  # not retried until a fifth of it changed


def test_manifest_records_the_dense_index_kind(settings, embedder) -> None:
    build_index(dense_settings(settings, embedder), load_model=loader(embedder))
    assert generations.read_manifest(settings.index_dir).dense_index["kind"] == "flat"


class TopicEmbedder:
    """Vectors around one of eight centres chosen by a text's first word: clustered like real
    embeddings, so IVF can serve them."""

    name, dim = "topic-model", 16

    def _vectors(self, texts: list[str]):  # noqa: ANN202 - np.ndarray
        import hashlib

        import numpy as np

        centres = np.random.default_rng(7).standard_normal((8, self.dim)) * 3
        rows = []
        for text in texts:
            digest = hashlib.sha256(text.encode()).digest()
            noise = np.random.default_rng(int.from_bytes(digest[:8], "little"))
            topic = hashlib.sha256(text.split()[0].encode()).digest()[0] % 8
            rows.append(centres[topic] + noise.standard_normal(self.dim))
        vectors = np.asarray(rows, dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    embed_passages = embed_queries = _vectors


@pytest.mark.slow  # trains and calibrates an IVF index
def test_ivf_and_its_calibration_survive_save_and_load(settings, seeds, monkeypatch) -> None:
    """The measured nprobe goes into the manifest and comes back with the index, so the next
    small update keeps the IVF as it is instead of measuring again."""
    from retrieval import dense

    words = ["광주", "인공지능", "데이터", "기업", "대학", "센터", "투자", "인재"]
    for i in range(100):
        text = f"{words[i % 8]} 관련 소식 {i}번째 기사입니다. {words[i % 8]} 분야가 성장했다."
        (seeds / f"short-{i:03d}.txt").write_text(text, encoding="utf-8")
    monkeypatch.setattr(dense, "APPROXIMATE_FROM", 100)
    embedder = TopicEmbedder()
    topical = settings.with_overrides(model="topic-model")
    build_index(topical, load_model=lambda _: embedder)

    index = NewsIndex.open(topical.index_dir)
    described = index.manifest.dense_index
    assert index.dense.kind == "ivf" and described["kind"] == "ivf"
    assert index.dense.calibration == dense.Calibration.from_json(described["calibration"])
    assert described["nprobe"] == described["calibration"]["nprobe"]
    assert described["calibration"]["recall@10"] >= dense.TARGET_RECALL

    measured: list[int] = []
    real_calibrate = dense.calibrate
    monkeypatch.setattr(
        dense,
        "calibrate",
        lambda ivf, v: measured.append(len(v)) or real_calibrate(ivf, v),
    )
    (seeds / "short-new.txt").write_text("광주 관련 새 소식입니다.", encoding="utf-8")
    build_index(topical, load_model=lambda _: embedder)
    again = NewsIndex.open(topical.index_dir)
    assert measured == []  # within 20% of the last measurement: the same IVF, not retrained
    after = again.manifest.dense_index
    assert again.dense.kind == "ivf" and after["calibration"]["changed_since"] == 1
    assert {**after, "calibration": {**after["calibration"], "changed_since": 0}} == described
    assert again.dense.ids() == again.chunk_ids()

    # A rolling corpus: as many articles out as in, so the count stays flat, but a quarter of
    # the vectors changed, and the cells are trained and measured again.
    for i in range(25):
        (seeds / f"short-{i:03d}.txt").unlink()
        (seeds / f"rolled-{i:03d}.txt").write_text(
            f"{words[i % 8]} 후속 소식 {i}번째입니다.", encoding="utf-8"
        )
    build_index(topical, load_model=lambda _: embedder)
    rolled = NewsIndex.open(topical.index_dir)
    assert len(rolled.dense) == len(again.dense) and measured == [len(rolled.dense)]
    assert rolled.manifest.dense_index["calibration"]["changed_since"] == 0


def test_an_update_changes_nothing_it_was_given(settings, embedder, seeds) -> None:
    """The update returns new objects: the open index it read (its vectors too) stays whole,
    so it can keep answering while the next generation is written."""
    from retrieval.building import chunker_of
    from retrieval.ingest import read_corpus
    from retrieval.update import update_index

    config = dense_settings(settings, embedder)
    build_index(config, load_model=loader(embedder))
    old = NewsIndex.open(settings.index_dir)
    ids = old.dense.ids()
    (seeds / "004_ecd383afc86f028b.txt").unlink()  # its chunks leave the vectors
    articles = read_corpus(settings.articles).articles
    update, summary = update_index(old, articles, embedder, chunker_of(config))
    assert summary.removed == 1 and len(update.dense) < len(ids)
    assert old.dense.ids() == ids == old.chunk_ids()
    assert "004_ecd383afc86f028b" in old.articles


def test_the_summary_has_every_stage_and_cannot_change_after(settings) -> None:
    summary = build_index(settings).summary
    stages = {"read", "load", "analyse", "chunk", "stories", "embed", "lexical", "write"}
    assert set(summary.phases) == stages
    with pytest.raises(TypeError):
        summary.phases["write"] = 0.0  # frozen means frozen: the stages too


def test_an_open_index_sees_a_newer_generation(settings, seeds) -> None:
    """What the bot polls: a generation committed since this one, by any process."""
    build_index(settings)
    index = NewsIndex.open(settings.index_dir, verify=False)
    assert index.newer_generation() is None
    (seeds / "new.txt").write_text("광주시는 퀀텀점프 계획을 발표했다고 밝혔다.", encoding="utf-8")
    build_index(settings)
    newer = index.newer_generation()
    assert newer == generations.read_manifest(settings.index_dir).generation != index.generation
    (settings.index_dir / MANIFEST).write_text("{broken", encoding="utf-8")
    assert index.newer_generation() is None  # nothing readable to switch to


def test_the_manifest_reads_back_exactly_as_written(settings, embedder) -> None:
    """The typed manifest keeps the on-disk layout: every key, every value."""
    from retrieval.manifest import Manifest

    build_index(dense_settings(settings, embedder), load_model=loader(embedder))
    on_disk = json.loads((settings.index_dir / MANIFEST).read_text(encoding="utf-8"))
    assert Manifest.from_json(on_disk).to_json() == on_disk
    assert on_disk["dense"] is True and on_disk["dense_index"]["kind"] == "flat"
    assert generations.read_manifest(settings.index_dir) == Manifest.from_json(on_disk)


@pytest.mark.parametrize(
    "damage",
    [{"next_chunk_id": "12"}, {"chunker": {"max_chars": 400}}, {"files": None}, {"dense": True}],
)
def test_a_manifest_with_a_damaged_field_is_refused(settings, damage) -> None:
    build_index(settings)
    path = settings.index_dir / MANIFEST
    path.write_text(json.dumps({**json.loads(path.read_text()), **damage}), encoding="utf-8")
    with pytest.raises(errors.IndexCorrupt, match=MANIFEST):
        NewsIndex.open(settings.index_dir, verify=False)
