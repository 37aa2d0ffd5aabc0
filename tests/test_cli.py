"""The `newsqa` command: JSON shapes, stdin mode, settings from .env, and one-line errors."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval import generations
from retrieval.cli import main
from retrieval.cli_questions import PROMPT
from retrieval.manifest import MANIFEST

ASK_KEYS = {"question", "answered", "message", "quotes", "sources", "retrieval"}
SUMMARY_KEYS = [
    "added",
    "updated",
    "removed",
    "unchanged",
    "chunks_embedded",
    "chunks_total",
    "took_s",
]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_index_json_summary_is_the_last_line(env, capsys) -> None:
    code, out, _ = run(capsys, "index", "--json")
    assert code == 0
    summary = json.loads(out.strip().splitlines()[-1])
    assert list(summary) == SUMMARY_KEYS
    assert summary["added"] == 5 and summary["chunks_total"] > 0
    code, out, _ = run(capsys, "index", "--json")
    assert json.loads(out.strip().splitlines()[-1])["unchanged"] == 5


def test_ask_builds_the_index_first_and_prints_the_json_shape(env, capsys) -> None:
    code, out, err = run(capsys, "ask", "지아이랩의 대표는 누구인가요?", "--json")
    assert code == 0 and (env / MANIFEST).is_file()
    assert err.startswith("'.newsqa/index'에 색인이 없어 ") and "먼저 만듭니다" in err  # not silent
    answer = json.loads(out)
    assert list(answer)[:3] == ["question", "answered", "message"] and ASK_KEYS <= set(answer)
    assert answer["answered"] is True and isinstance(answer["message"], str)
    assert answer["retrieval"]["mode"] == "lexical" and answer["retrieval"]["took_ms"] >= 0
    for quote in answer["quotes"]:
        assert {"text", "article_id", "score"} <= set(quote)
    for source in answer["sources"]:
        assert {"article_id", "title", "outlet", "date", "author", "url"} <= set(source)
        assert source["date"] is None or re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", source["date"])
    assert "전창호" in " ".join(q["text"] for q in answer["quotes"])


@pytest.mark.usefixtures("seeds_indexed")
def test_human_output_is_korean_text_with_sources(env, capsys) -> None:
    code, out, _ = run(capsys, "ask", "벤처기업협회는 언제 설립됐나요?")
    assert code == 0
    assert "1995년" in out and "출처" in out and "[1]" in out and "뉴스21" in out


@pytest.mark.usefixtures("seeds_indexed")
def test_sources_name_their_reporter_in_the_text_and_the_json(env, capsys) -> None:
    question = "강기정 시장이 AI 기업 대표들과 도시락 오찬 간담회를 연 곳은 어디인가요?"
    code, out, _ = run(capsys, "ask", question)
    assert code == 0
    assert "[1] " in out and " · 무등일보 · 2024-10-02 · 이삼섭 기자" in out
    code, out, _ = run(capsys, "ask", question, "--json")
    source = json.loads(out)["sources"][0]
    assert (source["article_id"], source["author"]) == ("001_3a6c26851f6077eb", "이삼섭")


@pytest.mark.usefixtures("seeds_indexed")
def test_stdin_questions_one_json_per_line(env, capsys, monkeypatch) -> None:
    import io

    monkeypatch.setattr(
        sys,
        "stdin",
        io.StringIO(
            "체인브리지의 대표이사는 누구인가요?\n\n코스피가 5000포인트를 돌파한 날은?\n"
            + "가" * 600
            + "\n"
        ),
    )
    code, out, _ = run(capsys, "ask", "--json", "-k", "1")
    lines = [json.loads(line) for line in out.strip().splitlines()]
    assert [line["answered"] for line in lines] == [True, False, False]
    assert len(lines[0]["quotes"]) == 1
    assert lines[2].get("error") is True and "질문이 너무 깁니다" in lines[2]["message"]


def test_empty_question_is_one_clear_line(env, capsys) -> None:
    code, out, err = run(capsys, "ask", "   ")
    assert code == 2 and out.strip() == "질문이 비어 있습니다. 궁금한 내용을 입력해 주세요."


@pytest.mark.usefixtures("seeds_indexed")
def test_corrupt_index_is_one_line_that_says_how_to_rebuild(env, capsys) -> None:
    (env / MANIFEST).write_text("{broken")
    code, out, err = run(capsys, "ask", "지아이랩의 대표는?")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "newsqa index --full" in err


@pytest.mark.usefixtures("seeds_indexed")
def test_the_rebuild_an_error_names_is_of_the_index_it_ran_on(env, capsys, tmp_path) -> None:
    """Run as printed, `newsqa index --full` would rebuild the default index, not this one."""
    copy = tmp_path / "copy of index"
    shutil.copytree(env, copy)
    (copy / MANIFEST).write_text("{broken")
    code, _, err = run(capsys, "ask", "지아이랩의 대표는?", "--index", str(copy))
    assert code == 1 and f"`newsqa index --full --index '{copy}'`" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.usefixtures("seeds_indexed")
def test_check_reads_every_checksum_that_ask_skips(env, capsys) -> None:
    """`ask` checks sizes only, so its start stays flat; `check` finds same-size damage."""
    code, out, _ = run(capsys, "check")
    assert code == 0 and "온전합니다" in out and "기사 5건" in out
    assert out.strip().splitlines()[-1] == "답변 정책: default"
    manifest = generations.read_manifest(env)
    lexical = sorted((env / manifest.generation / "lexical").glob("*.idx"))[0]
    # In place, as disk damage would be: truncating a file that a loaded index has mapped
    # into memory (tantivy does) would crash this test process.
    with lexical.open("r+b") as handle:
        handle.seek(lexical.stat().st_size // 2)
        byte = handle.read(1)[0]
        handle.seek(-1, 1)
        handle.write(bytes([byte ^ 0xFF]))
    code, out, err = run(capsys, "check")
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "체크섬" in err and "newsqa index --full" in err


def test_missing_articles_folder_is_one_line(env, capsys, tmp_path) -> None:
    code, _, err = run(capsys, "index", "--articles", str(tmp_path / "nope"))
    assert code == 1 and len(err.strip().splitlines()) == 1 and "--articles" in err


def test_bad_files_are_named_and_skipped(env, capsys, seeds: Path) -> None:
    (seeds / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    code, out, err = run(capsys, "index", "--json")
    assert code == 0 and "broken.txt" in err and "바이너리" in err
    assert json.loads(out.strip().splitlines()[-1])["added"] == 5


def test_ask_that_builds_the_index_names_the_files_it_skipped(env, capsys, seeds: Path) -> None:
    (seeds / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    code, _, err = run(capsys, "ask", "지아이랩의 대표는 누구인가요?")
    assert code == 0 and "broken.txt" in err and "바이너리" in err


def test_missing_model_is_one_notice_and_lexical_answers(env, capsys, monkeypatch) -> None:
    monkeypatch.setenv("NEWSQA_MODEL", "dragonkue/multilingual-e5-small-ko")
    code, out, err = run(capsys, "index", "--json")
    assert code == 0 and err.count("\n") == 1 and "어휘(BM25) 검색만" in err
    assert "`--model none`" in err and "NEWSQA_MODEL=none" in err  # how to say it on purpose
    assert json.loads(out.strip().splitlines()[-1])["chunks_embedded"] == 0


def test_settings_come_from_dotenv(capsys, seeds: Path, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / ".env").write_text(
        f"NEWSQA_ARTICLES={seeds}\nNEWSQA_INDEX_DIR={tmp_path / 'from-dotenv'}\nNEWSQA_MODEL=none\n"
    )
    for key in ("NEWSQA_ARTICLES", "NEWSQA_INDEX_DIR", "NEWSQA_MODEL"):
        monkeypatch.delenv(key, raising=False)
    code, _, _ = run(capsys, "index")
    assert code == 0 and (tmp_path / "from-dotenv" / MANIFEST).is_file()


@pytest.fixture
def two_questions(tmp_path: Path) -> Path:
    questions = tmp_path / "qa.jsonl"
    questions.write_text(
        "\n".join(
            json.dumps(q, ensure_ascii=False)
            for q in [
                {
                    "id": "a",
                    "question": "지아이랩의 대표는 누구인가요?",
                    "answers": ["전창호"],
                    "articles": ["003_9ef72064848059dd"],
                },
                {
                    "id": "b",
                    "question": "코스피가 5000포인트를 돌파한 날은?",
                    "answers": [],
                    "articles": [],
                },
            ]
        ),
        encoding="utf-8",
    )
    return questions


@pytest.mark.usefixtures("seeds_indexed")
def test_eval_reports_every_metric(env, capsys, two_questions: Path) -> None:
    code, out, _ = run(capsys, "eval", str(two_questions), "--json")
    report = json.loads(out)
    assert code == 0
    for key in (
        "article_hit@1",
        "article_hit@3",
        "answer_in_quotes",
        "mrr",
        "abstained_unanswerable",
        "false_abstention",
        "latency_ms_p50",
        "latency_ms_p95",
        "answer_ms_p50",
        "encode_ms_p50",
    ):
        assert key in report
    assert report["article_hit@1"] == 1.0 and report["abstained_unanswerable"] == 1.0


@pytest.mark.usefixtures("seeds_indexed")
def test_eval_details_show_each_question_and_its_verdict(env, capsys, two_questions) -> None:
    code, out, _ = run(capsys, "eval", str(two_questions), "--details")
    assert code == 0
    assert "[a] 맞음 · 기대한 답: 전창호" in out and "[b] 맞음(답 없음)" in out
    assert "“" in out and out.rstrip().splitlines()[-1].startswith("질문 인코딩 p50")
    code, out, _ = run(capsys, "eval", str(two_questions), "--details", "--json")
    details = json.loads(out)["questions"]
    assert [(q["id"], q["verdict"]) for q in details] == [("a", "right"), ("b", "rejected")]
    assert details[0]["answer"]["quotes"] and details[0]["expected"]["answers"] == ["전창호"]
    assert details[0]["answer"]["retrieval"]["policy"] == "default"


ARGPARSE_ENGLISH = re.compile(
    r"usage:|options:|positional arguments|show this help|unrecognized|required|invalid|"
    r"expected one|choose from|ambiguous|ignored explicit"
)


@pytest.mark.parametrize(
    "argv",
    [
        ["ask", "질문", "-k", "9"],
        ["ask", "-k"],
        ["ask", "질문", "--bogus"],
        ["frobnicate"],
        [],
        ["calibrate"],
        ["list", "--since"],
        ["ask", "질문", "--json=yes"],
    ],
)
def test_usage_errors_are_korean(capsys, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "명령을 이해하지 못했습니다" in err
    assert not ARGPARSE_ENGLISH.search(err) and "{index" not in err, err


def test_help_is_korean(capsys) -> None:
    for argv in (["--help"], ["ask", "--help"], ["calibrate", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        out = capsys.readouterr().out
        assert out.startswith("사용법: newsqa") and "옵션:" in out
        assert not ARGPARSE_ENGLISH.search(out), out


def help_entries(capsys, *argv: str) -> dict[str, str]:
    """What `newsqa … --help` lists under its headings: each argument (or command) with the text
    printed after it, on the same line or the next, deeper-indented one ("" when there is none)."""
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0
    entries: dict[str, str] = {}
    name, listing = None, False
    for line in capsys.readouterr().out.splitlines():
        indent = len(line) - len(line.lstrip())
        if indent == 0:  # a heading ("options:") starts a listing; usage or description ends it
            listing, name = line.endswith(":"), None
        elif listing and indent <= 4:  # an argument, or a command under the list of commands
            name, _, text = line.strip().partition("  ")
            entries[name] = text.strip()
        elif listing and name is not None and not entries[name]:
            entries[name] = line.strip()
    return entries


def test_every_command_and_option_has_help_text(capsys) -> None:
    listed = help_entries(capsys)
    (choices,) = [name for name in listed if name.startswith("{")]
    commands = choices.strip("{}").split(",")
    assert {"index", "ask", "check", "eval", "calibrate", "bot"} <= set(commands)
    for command in commands:
        assert listed.get(command), f"newsqa {command} has no help text"
        for name, text in help_entries(capsys, command).items():
            assert text, f"newsqa {command}: {name} has no help text"


@pytest.mark.slow
def test_python_dash_m_retrieval_runs(env) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "retrieval", "ask", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and "질문" in result.stdout


def test_an_empty_question_set_is_refused_and_a_rate_with_nothing_to_count_is_a_dash(
    env, capsys, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    for command in ("eval", "calibrate"):
        code, out, err = run(capsys, command, str(empty))
        assert code == 2 and "질문이 없습니다" in err and not out
        code, out, err = run(capsys, command, str(tmp_path))
        assert code == 2 and "폴더입니다" in err and not out
    one = tmp_path / "one.jsonl"
    line = {"question": "지아이랩의 대표는?", "answers": ["전창호"], "articles": ["x"]}
    one.write_text(json.dumps(line, ensure_ascii=False), encoding="utf-8")
    code, out, _ = run(capsys, "eval", str(one))
    rows = dict(re.split(r"\s{2,}", row.strip(), maxsplit=1) for row in out.strip().splitlines())
    assert code == 0 and rows["답 없는 질문 기권율"] == "-" and rows["검색 방식"] != "lexical"
    assert "None" not in out


def test_watching_a_folder_that_is_not_there_says_so_before_watching(env, capsys, tmp_path):
    code, out, err = run(capsys, "index", "--watch", "--articles", str(tmp_path / "nope"))
    assert code == 1 and "없습니다" in err and "지켜보고" not in err + out
    assert len(err.strip().splitlines()) == 1


def test_eval_refuses_malformed_sets_with_the_line(env, capsys, tmp_path: Path) -> None:
    questions = tmp_path / "bad.jsonl"
    questions.write_text('{"question": "지아이랩?", "answers": "전창호"}\n', encoding="utf-8")
    code, _, err = run(capsys, "eval", str(questions))
    assert code == 2 and "1번째 줄" in err and "answers" in err
    questions.write_bytes('{"question": "지아이랩?"}\n'.encode("cp949"))
    code, _, err = run(capsys, "eval", str(questions))
    assert code == 2 and err.startswith("질문 세트를 읽을 수 없습니다(bad.jsonl: UTF-8")


@pytest.mark.usefixtures("seeds_indexed")
def test_an_invalid_question_in_a_set_is_said_in_its_details(env, capsys, tmp_path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "e", "question": "  "}\n', encoding="utf-8")
    code, out, _ = run(capsys, "eval", str(questions), "--details")
    assert code == 0 and "질문이 비어 있습니다" in out and "찾지 못했습니다" not in out
    code, out, _ = run(capsys, "eval", str(questions), "--details", "--json")
    (detail,) = json.loads(out)["questions"]
    assert detail["verdict"] == "rejected" and detail["answer"]["error"] is True
    assert "질문이 비어 있습니다" in detail["answer"]["message"]


@pytest.mark.slow
def test_output_into_a_closed_pipe_is_quiet(env, tmp_path: Path) -> None:
    run_index = subprocess.run(
        [sys.executable, "-m", "retrieval", "index"], capture_output=True, timeout=120
    )
    assert run_index.returncode == 0
    questions = "\n".join(["지아이랩의 대표는 누구인가요?"] * 200)
    result = subprocess.run(
        f"{sys.executable} -m retrieval ask --json | head -c 10",
        shell=True,
        input=questions,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stderr and "오류" not in result.stderr


@pytest.mark.usefixtures("seeds_indexed")
def test_broken_analyser_install_is_one_line(env, capsys, monkeypatch) -> None:
    """Kiwi now loads in a background thread at start; its failure must still reach the user."""
    import kiwipiepy

    from retrieval import kiwi_analyser

    def missing_model(**_: object) -> None:
        raise Exception("Cannot open extract.mdl for WordDetector")  # as kiwipiepy 0.24 does

    monkeypatch.setattr(kiwi_analyser, "_kiwi", None)
    monkeypatch.setattr(kiwi_analyser, "_warming", None)
    monkeypatch.setattr(kiwipiepy, "Kiwi", missing_model)
    code, out, err = run(capsys, "ask", "지아이랩의 대표는?")
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [err.strip()] and "kiwipiepy_model" in err
    assert kiwi_analyser._warming is not None and not kiwi_analyser._warming.is_alive()


def test_index_summary_times_the_whole_run(env, capsys, monkeypatch) -> None:
    """An unchanged corpus is not analysed, yet reading it, loading and writing take time."""
    import time

    from retrieval import ingest

    run(capsys, "index")
    real_read = ingest.read_corpus
    monkeypatch.setattr(
        ingest, "read_corpus", lambda *a, **k: time.sleep(0.5) or real_read(*a, **k)
    )
    code, out, _ = run(capsys, "index", "--json")
    summary = json.loads(out.strip().splitlines()[-1])
    assert code == 0 and summary["unchanged"] == 5 and summary["took_s"] >= 0.5
    shown = re.search(r"· (\d+\.\d)초$", out.strip().splitlines()[0])
    assert shown and float(shown.group(1)) >= 0.5


class Terminal(io.StringIO):
    """Standard input as a person at a terminal gives it."""

    def isatty(self) -> bool:
        return True


@pytest.mark.usefixtures("seeds_indexed")
def test_ask_without_a_question_at_a_terminal_prompts_for_one(env, capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal("지아이랩의 대표는 누구인가요?\n\n"))
    code, out, err = run(capsys, "ask")
    assert code == 0 and "전창호" in out and "질문: 지아이랩의 대표는 누구인가요?" in out
    assert "Ctrl+D" in err and err.count(PROMPT) == 3  # two lines read, then the end


@pytest.mark.usefixtures("seeds_indexed")
def test_a_flag_wins_over_a_variable_set_wrong(env, capsys, monkeypatch) -> None:
    """`ask -k 1` with NEWSQA_TOP_K=7 in the environment: the flag says what to use."""
    monkeypatch.setenv("NEWSQA_TOP_K", "7")
    code, out, _ = run(capsys, "ask", "지아이랩의 대표는 누구인가요?", "-k", "1", "--json")
    assert code == 0 and len(json.loads(out)["quotes"]) == 1
    code, _, err = run(capsys, "ask", "지아이랩의 대표는 누구인가요?")
    assert code != 0 and "NEWSQA_TOP_K" in err
