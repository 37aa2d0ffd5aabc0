"""Fitting the policy: topics stay apart across folds, the fit learns what answers, the operating
point keeps false "not found" at the target, and `newsqa calibrate` stores it for the index."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import DEV_SET, fake_evidence
from retrieval import calibrate, calibration_set, errors, policy
from retrieval.answer import compose_answer
from retrieval.calibrate import Prepared, threshold_for
from retrieval.calibration_set import Example, group_of
from retrieval.cli import main
from retrieval.evaluate import Case, summarize

WORDS = ["협회", "설립", "연도", "대표", "회원사", "본사", "행사", "지원", "예산", "사업"]


def synthetic(n: int) -> list[Example]:
    """Questions over their own articles: an answerable one has a sentence with all its words
    and the answer; an unanswerable one only scattered words of its topic."""
    examples = []
    for i in range(n):
        a, b, c = WORDS[i % 10], WORDS[(i + 3) % 10], WORDS[(i + 6) % 10]
        question = [(a, "NNG"), (b, "NNG"), (c, "NNG")]
        answerable = i % 4 != 0
        best = f"{a} {b} {c} 정답{i}." if answerable else f"{a} 소식."
        articles = {f"x{i}": [f"{b} 행사.", best], f"y{i}": [f"{a} {b} 이야기."]}
        case = Case(
            str(i),
            " ".join(question[0]),
            (f"정답{i}",) if answerable else (),
            (f"x{i}",) if answerable else (),
        )
        examples.append(Example(case, f"topic{i % 7}", fake_evidence(question, articles), "syn"))
    return examples


@pytest.mark.slow  # fits with scikit-learn (its import alone is a second)
def test_the_fit_learns_to_quote_the_answer_and_to_refuse_the_rest() -> None:
    data = Prepared(synthetic(60), 0.9)
    base = policy.default()
    fitted = calibrate.fit_mode(data, base, "lexical", target=0.05)
    tuned = replace(base, join_gain=0.9, modes={**base.modes, "lexical": fitted})
    from retrieval.evaluate import Outcome

    outcomes = [
        Outcome(e.case, compose_answer(e.evidence, tuned, found))
        for e, found in zip(data.examples, data.passages, strict=True)
    ]
    report = summarize(outcomes)
    assert report["article_hit@1"] >= 0.95 and report["answer_in_quotes"] >= 0.95
    assert report["abstained_unanswerable"] >= 0.9 and report["false_abstention"] <= 0.05


@pytest.mark.slow
def test_cross_validation_answers_every_question_once_from_folds_without_its_topic() -> None:
    examples = synthetic(42)
    folds = calibration_set.folds(examples)
    assert sorted(i for fold in folds for i in fold) == list(range(42))
    for fold in folds:
        inside = {examples[i].group for i in fold}
        outside = {e.group for i, e in enumerate(examples) if i not in set(fold)}
        assert not inside & outside
    runs = calibrate.cross_validate(
        Prepared(examples, 0.9), policy.default(), "lexical", 0.05, (1.0, 3.0)
    )
    assert set(runs) == {1.0, 3.0} and all(len(r) == 42 for r in runs.values())


def test_the_threshold_leaves_at_most_the_target_share_of_answerable_questions_below() -> None:
    scores = [float(s) for s in range(100)]
    threshold = threshold_for(scores, [True] * 100, 0.05)
    assert sum(s < threshold for s in scores) == 5
    assert threshold_for([1.0, 2.0], [False, False], 0.05) == 0.0
    # The rules already refused more than the target: everything else is answered.
    refused = [float("-inf")] * 10 + scores
    assert threshold_for(refused, [True] * 110, 0.05) == pytest.approx(-1e-6)


def test_topics_are_pages_and_removed_paragraphs_join_their_page() -> None:
    titles = {"kq1_00": "체스", "kq1_01": "체스", "kq2_00": "블루스"}

    def group(case: Case) -> str:
        return group_of(case, list(titles), titles.__getitem__)

    assert group(Case("q1", "?", ("퀸",), ("kq1_01",))) == "title:체스"
    assert group(Case("q2", "?", (), (), ("kq1_02",))) == "title:체스"
    assert group(Case("q3", "?", (), ())) == "question:q3"
    assert group(Case("q4", "?", (), (), group="mine")) == "mine"


def test_a_small_set_counts_at_least_half_as_much_as_the_largest() -> None:
    big = [replace(e, source="big") for e in synthetic(40)]
    small = [replace(e, source="small") for e in synthetic(10)]
    weights = {e.source: e.weight for e in calibration_set.balanced(big + small)}
    assert weights == {"big": 1.0, "small": 2.0}


def test_too_few_kinds_of_question_is_one_sentence() -> None:
    answerable = [e for e in synthetic(20) if e.case.answerable]
    with pytest.raises(errors.CalibrationError, match="답이 있는 질문과 없는 질문"):
        calibrate.fit_mode(Prepared(answerable, 0.9), policy.default(), "lexical")


def test_a_fit_replaces_the_default_only_when_it_handles_as_many_questions_right() -> None:
    def report(hit: float, refused: float | None, answerable: int = 8, unanswerable: int = 2):
        return {
            "questions": answerable + unanswerable,
            "answerable": answerable,
            "unanswerable": unanswerable,
            "article_hit@1": hit,
            "abstained_unanswerable": refused,
        }

    assert calibrate.handled(report(0.75, 0.5)) == 7
    assert calibrate.handled(report(0.5, None, unanswerable=0)) == 4

    def fitted(*by_source: dict) -> policy.AnswerPolicy:
        cross = {f"set{i}": {"lexical": r} for i, r in enumerate(by_source)}
        return replace(policy.default(), fitted={"cross_validated": cross})

    baseline = {"lexical": report(0.75, 0.5)}  # 7 of 10 right
    assert calibrate.improves(fitted(report(0.75, 0.5)), baseline)
    assert not calibrate.improves(fitted(report(0.5, 0.5)), baseline)  # the 9 questions of a user
    assert calibrate.improves(fitted(report(1.0, 0.0, 4, 1), report(0.75, 1.0, 4, 1)), baseline)
    both = {**baseline, "hybrid": report(1.0, 1.0)}  # every mode must hold
    assert not calibrate.improves(fitted(report(1.0, 1.0)), both)


@pytest.mark.usefixtures("seeds_indexed")
def test_calibrate_stores_only_a_fit_that_does_not_do_worse_and_keeps_what_it_replaces(
    env: Path, capsys, tmp_path: Path, monkeypatch
) -> None:
    """The fit itself is stubbed (its cross-validated figures are given): what is decided and
    stored around it is what this checks."""
    questions = tmp_path / "two.jsonl"
    lines = [
        {
            "question": "지아이랩의 대표는 누구인가요?",
            "answers": ["전창호"],
            "articles": ["003_9ef72064848059dd"],
        },
        {
            "question": "코스피가 5000포인트를 돌파한 날은 언제인가요?",
            "answers": [],
            "articles": [],
        },
    ]
    questions.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in lines), "utf-8")
    handled: list[float] = []  # the stub's hit@1, in turn

    def fit(base, examples, name, model, command, target, progress):
        report = {
            "questions": 2,
            "answerable": 1,
            "unanswerable": 1,
            "article_hit@1": handled.pop(0),
            "abstained_unanswerable": 1.0,
        }
        return replace(
            base, name=name, fitted={"cross_validated": {"two.jsonl": {"lexical": report}}}
        )

    monkeypatch.setattr(calibrate, "fitted_policy", fit)
    stored = env / policy.INDEX_FILE
    handled.append(0.0)  # 1 of 2 right; the default answers the first and refuses the second
    code, out, err = run_cli(capsys, "calibrate", str(questions))
    assert code == 1 and not stored.exists() and "--force" in err and "1/2" in out and "2/2" in out
    handled.append(1.0)
    assert run_cli(capsys, "calibrate", str(questions))[0] == 0 and stored.exists()
    first = stored.read_bytes()
    handled.append(1.0)
    code, out, _ = run_cli(capsys, "calibrate", str(questions))
    kept = sorted(env.glob("policy.previous-*.json"))
    assert code == 0 and len(kept) == 1 and kept[0].read_bytes() == first and kept[0].name in out
    handled.append(0.0)
    assert run_cli(capsys, "calibrate", str(questions), "--force")[0] == 0
    assert len(list(env.glob("policy.previous-*.json"))) == 2  # the earlier copy is not overwritten


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.slow  # fits the policy with cross-validation on the dev set, end to end
def test_calibrate_stores_a_policy_the_index_then_answers_with(env: Path, capsys) -> None:
    if not DEV_SET.is_file():
        pytest.skip("shared/eval is not beside the repository")
    code = main(["calibrate", str(DEV_SET), "--json"])
    out = json.loads(capsys.readouterr().out)
    figures = out["cross_validated"]["seed_qa_dev.jsonl"]["lexical"]
    assert figures["questions"] == 28 and 0 <= figures["false_abstention"] <= 1
    assert out["default_policy"]["lexical"]["questions"] == 28
    # The default was fitted on these 28 questions, so a fold's fit may well do worse on them.
    assert (code == 0) == (out["policy"] is not None) == (env / policy.INDEX_FILE).exists()
    assert main(["calibrate", str(DEV_SET), "--json", "--force"]) == 0
    out = json.loads(capsys.readouterr().out)
    stored = policy.read(env / policy.INDEX_FILE)
    assert stored.name == "calibrated:seed_qa_dev.jsonl" and stored.model is None
    assert Path(out["policy"]).resolve() == (env / policy.INDEX_FILE).resolve()
    assert main(["calibrate", str(DEV_SET), "--json", "--force"]) == 0
    previous = json.loads(capsys.readouterr().out)["previous"]
    assert previous and policy.read(Path(previous)).name == stored.name  # never lost
    assert main(["ask", "벤처기업협회의 회원사는 몇 개인가요?", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["retrieval"]["policy"] == stored.name


def test_calibrate_on_a_set_without_unanswerable_questions_is_one_line(
    env, capsys, tmp_path
) -> None:
    questions = tmp_path / "only.jsonl"
    questions.write_text(
        json.dumps(
            {
                "id": "1",
                "question": "지아이랩의 대표는 누구인가요?",
                "answers": ["전창호"],
                "articles": ["003_9ef72064848059dd"],
            }
        ),
        encoding="utf-8",
    )
    assert main(["index"]) == 0  # built first: the first `calibrate` would say it builds it
    capsys.readouterr()
    assert main(["calibrate", str(questions)]) == 1
    _, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1 and "질문" in err and "Traceback" not in err
    assert not (env / policy.INDEX_FILE).exists()
