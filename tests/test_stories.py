"""One story, one source: near-duplicate articles are grouped at index time (and kept grouped
as articles come and go), an answer quotes one copy and names the others."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval import errors, generations
from retrieval.cli import main
from retrieval.duplicates import regroup, signature
from retrieval.index import NewsIndex
from retrieval.pipeline import build_index
from retrieval.story_file import SIGNATURES, STORIES

SEED = "004_ecd383afc86f028b"
QUESTION = "벤처기업협회의 회원사는 몇 개인가요?"


def copy_with_another_outlet(
    seeds: Path,
    cut: tuple[str, ...] = ("주요 협약 내용은",),
    name: str = "copy",
    date: str = "2024-03-08",
) -> str:
    """The wire story as a second outlet ran it: its own byline and `date`, the paragraphs
    that start with `cut` dropped."""
    text = (seeds / f"{SEED}.txt").read_text(encoding="utf-8")
    text = text.replace("[뉴스21/장병기 기자]", "[연합뉴스/장병기 기자]")
    text = text.replace("등록 2024-03-07 19:33:20", f"등록 {date} 09:00:00")
    lines = [line for line in text.split("\n") if not line.startswith(cut)]
    (seeds / f"{name}.txt").write_text("\n".join(lines), "utf-8")
    return name


def ask(capsys, question: str = QUESTION) -> dict:
    assert main(["ask", question, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_two_copies_are_one_source_naming_the_other(env, seeds, capsys) -> None:
    copy = copy_with_another_outlet(seeds)
    assert main(["index"]) == 0
    capsys.readouterr()
    answer = ask(capsys)
    cited = [s["article_id"] for s in answer["sources"]]
    related = [s["article_id"] for s in answer["related"]]
    assert len({SEED, copy} & set(cited)) == 1 and not {SEED, copy} & set(related)
    [source] = [s for s in answer["sources"] if s["article_id"] in (SEED, copy)]
    [other] = source["same_story"]
    assert other["article_id"] == ({SEED, copy} - {source["article_id"]}).pop()
    expected = {SEED: ("뉴스21", "2024-03-07"), copy: ("연합뉴스", "2024-03-08")}
    assert (other["outlet"], other["date"]) == expected[other["article_id"]]
    assert main(["ask", QUESTION]) == 0
    out = capsys.readouterr().out
    outlet, date = expected[other["article_id"]]
    assert f"    같은 기사: {outlet} · {date}" in out


@pytest.mark.parametrize(("name", "date"), [("000_copy", "2024-03-06"), ("zzz_copy", "2024-03-08")])
def test_the_earliest_copy_is_quoted_and_the_other_named(
    env, seeds, capsys, name: str, date: str
) -> None:
    """Whichever way the search ranks two copies (their ids sort either side), the one
    published first is quoted."""
    copy = copy_with_another_outlet(seeds, cut=(), name=name, date=date)
    assert main(["index"]) == 0
    capsys.readouterr()
    answer = ask(capsys)
    first = SEED if date > "2024-03-07" else copy
    assert {q["article_id"] for q in answer["quotes"]} & {SEED, copy} == {first}
    [source] = [s for s in answer["sources"] if s["article_id"] == first]
    assert [m["article_id"] for m in source["same_story"]] == list({SEED, copy} - {first})


def test_a_copy_added_later_joins_the_story_and_leaves_it_when_removed(
    settings, seeds, capsys
) -> None:
    build_index(settings)
    assert NewsIndex.open(settings.index_dir).stories == {}
    copy = copy_with_another_outlet(seeds)
    report = build_index(settings)
    assert report.summary.added == 1 and report.summary.unchanged == 5
    stories = NewsIndex.open(settings.index_dir).stories
    assert set(stories) == {SEED, copy}
    assert [m.outlet for m in stories[copy]] == ["뉴스21", "연합뉴스"]  # in id order
    (seeds / "copy.txt").unlink()
    build_index(settings)
    assert NewsIndex.open(settings.index_dir).stories == {}


def test_a_looser_copy_is_one_story_however_it_was_indexed(settings, seeds) -> None:
    # two paragraphs cut: similarity 0.73, just above the threshold, where LSH is least sure
    copy = copy_with_another_outlet(seeds, cut=("주요 협약 내용은", "강기정 광주시장은"))
    build_index(settings)
    together = NewsIndex.open(settings.index_dir).stories
    assert set(together) == {SEED, copy}
    build_index(settings, full=True)
    assert NewsIndex.open(settings.index_dir).stories == together
    (seeds / "copy.txt").unlink()
    build_index(settings)
    copy_with_another_outlet(seeds, cut=("주요 협약 내용은", "강기정 광주시장은"))
    build_index(settings)  # the copy indexed after its source
    assert NewsIndex.open(settings.index_dir).stories == together


def test_the_seed_printed_twice_is_still_cleaned_and_no_seed_is_anothers_copy(
    settings, seeds
) -> None:
    copy_with_another_outlet(seeds)
    build_index(settings)
    index = NewsIndex.open(settings.index_dir)
    assert set(index.stories) == {SEED, "copy"}  # five outlets on one subject: not copies
    body = index.articles["002_1271b9cf7e65fcdf"].article.body
    assert body.count("136~145번째 업무협약을 체결했다") == 1


def test_damaged_signatures_are_refused_by_the_next_update(settings, seeds) -> None:
    build_index(settings)
    gen = settings.index_dir / generations.read_manifest(settings.index_dir).generation
    data = bytearray((gen / SIGNATURES).read_bytes())
    data[0] ^= 0xFF
    (gen / SIGNATURES).write_bytes(bytes(data))
    copy_with_another_outlet(seeds)
    with pytest.raises(errors.IndexCorrupt, match=SIGNATURES):
        build_index(settings)
    (gen / STORIES).write_text("{}", encoding="utf-8")
    with pytest.raises(errors.IndexCorrupt, match=STORIES):
        NewsIndex.open(settings.index_dir, verify=False).stories  # noqa: B018


def test_regroup_keeps_joins_and_splits() -> None:
    text = "광주시는 인공지능 산업을 키우기 위해 여러 기업과 협약을 맺고 지원을 늘리기로 했다. " * 6
    other = (
        "전남도는 해상풍력 단지를 조성하기 위해 어민들과 협의체를 꾸리고 보상안을 마련했다. " * 6
    )
    sigs = {
        "a": signature(text),
        "b": signature(text + "끝."),
        "c": signature(other),
        "d": signature("끝. " + text),
    }
    assert regroup([], sigs, list(sigs)) == [("a", "b", "d")]
    # "d" arrives later: it joins the story the others already were
    kept = {k: v for k, v in sigs.items() if k != "d"}
    assert regroup([("a", "b")], sigs, ["d"]) == [("a", "b", "d")]
    # "a" leaves: "b" and "d" still hold together; then "b" leaves too: no story is left
    assert regroup([("a", "b", "d")], {k: sigs[k] for k in "bcd"}, []) == [("b", "d")]
    assert regroup([("b", "d")], {k: sigs[k] for k in "cd"}, []) == []
    # "b" changed into another text: it leaves its story
    changed = {**kept, "b": signature(other + "다른 글.")}
    assert regroup([("a", "b")], changed, ["b"]) == [("b", "c")]


def test_a_copy_named_under_the_source_counts_for_the_story_hit_only() -> None:
    """The strict hit wants the expected article itself; the story hit also takes the copy the
    answer names under its source ("같은 기사"), since that copy holds the same words."""
    from retrieval.evaluate import Case, Outcome
    from retrieval.types import Answer, Quote, SameStory, Source

    copy = SameStory("b", "제목", "연합뉴스", None, None)
    quote = Quote("같은 문장.", "a", 0, 6, 1.0, 1)
    source = Source(1, "a", "제목", None, None, None, None, (copy,))
    answer = Answer(question="q", answered=True, quotes=(quote,), sources=(source,))
    wants_copy = Outcome(Case("1", "q", (), ("b",)), answer)
    assert not wants_copy.hit_at(1) and wants_copy.story_hit_at(1)
    wants_other = Outcome(Case("2", "q", (), ("c",)), answer)
    assert not wants_other.story_hit_at(1)
