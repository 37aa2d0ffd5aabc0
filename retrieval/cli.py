"""`newsqa`: build the index, ask questions, score a question set. Korean for users, exit codes for scripts."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from retrieval import config
from retrieval.config import Settings, load_settings, retired_settings
from retrieval.errors import QuestionError, SettingsError, user_message

if TYPE_CHECKING:
    from retrieval.evaluate import Case
    from retrieval.pipeline import IndexReport

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class KoreanArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(
            EXIT_USAGE,
            f"명령을 이해하지 못했습니다({message}). `{self.prog} --help`로 사용법을 확인하세요.\n",
        )


def _quotes(value: str) -> int:
    """-k, within the range NEWSQA_TOP_K has in the settings table."""
    low, high = config.TOP_K.low, config.TOP_K.high
    try:
        k = int(value)
    except ValueError:
        k = 0
    if not config.TOP_K.accepts(k):
        raise argparse.ArgumentTypeError(f"-k는 {low:g}에서 {high:g} 사이의 정수여야 합니다")
    return k


def _rate(value: str) -> float:
    try:
        rate = float(value)
    except ValueError:
        rate = -1.0
    if not 0 < rate < 0.5:
        raise argparse.ArgumentTypeError("--target은 0과 0.5 사이의 숫자여야 합니다")
    return rate


def _index_option(parser: argparse.ArgumentParser) -> None:
    """`--index`, the same on every command that reads or writes an index."""
    parser.add_argument(
        "--index", type=Path, dest="index_dir", help="색인 폴더 (기본: .newsqa/index)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = KoreanArgumentParser(
        prog="newsqa", description="한국어 뉴스 기사 질의응답: 기사 문장을 그대로 인용해 답합니다."
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="진행 기록(로그)을 자세히 보여 줍니다"
    )
    commands = parser.add_subparsers(
        dest="command",
        required=True,
        parser_class=KoreanArgumentParser,
        metavar="{index,ask,check,eval,calibrate,bot}",
    )

    index = commands.add_parser(
        "index", help="기사 폴더를 읽어 색인을 만들거나 바뀐 기사만 갱신합니다"
    )
    index.add_argument(
        "--articles", type=Path, help="기사 폴더 또는 .txt/.md/.html/.jsonl 파일 (기본: seeds/)"
    )
    _index_option(index)
    index.add_argument("--model", help="임베딩 모델 이름 또는 로컬 경로, 'none'이면 어휘 검색만")
    index.add_argument(
        "--full", action="store_true", help="기존 색인을 무시하고 처음부터 다시 만듭니다"
    )
    index.add_argument("--json", action="store_true", help="마지막 줄에 요약을 JSON으로 출력합니다")
    index.add_argument(
        "--watch",
        action="store_true",
        help="기사 폴더를 계속 지켜보며 바뀐 기사를 그때그때 색인합니다 (끝내려면 Ctrl+C)",
    )

    ask = commands.add_parser(
        "ask", help="질문에 기사 인용문과 출처로 답합니다 (질문이 없으면 표준 입력에서 한 줄씩)"
    )
    ask.add_argument(
        "question",
        nargs="?",
        help="질문 (생략하면 터미널에서는 물어보고, 파이프에서는 한 줄에 하나씩 읽습니다)",
    )
    _index_option(ask)
    ask.add_argument(
        "--articles",
        type=Path,
        help="기본 색인 폴더에 색인이 없을 때 먼저 색인할 기사 폴더 (기본: seeds/)",
    )
    ask.add_argument("--model", help="질문 임베딩 모델 (기본: 색인을 만든 모델)")
    ask.add_argument("-k", type=_quotes, dest="top_k", help="인용문 최대 개수 (1~3, 기본 3)")
    ask.add_argument("--json", action="store_true", help="질문마다 JSON 객체 한 줄로 출력합니다")

    check = commands.add_parser(
        "check", help="색인 파일 전체의 체크섬을 확인합니다 (ask는 크기와 구조만 확인)"
    )
    _index_option(check)

    evaluate = commands.add_parser("eval", help="질문 세트(JSONL)로 검색·인용 품질을 측정합니다")
    evaluate.add_argument("questions", type=Path, help="질문 세트 파일 (seed_qa_dev.jsonl 형식)")
    _index_option(evaluate)
    evaluate.add_argument(
        "--articles",
        type=Path,
        help="기본 색인 폴더에 색인이 없을 때 먼저 색인할 기사 폴더 (기본: seeds/)",
    )
    evaluate.add_argument("--model", help="질문 임베딩 모델 (기본: 색인을 만든 모델)")
    evaluate.add_argument("--json", action="store_true", help="결과를 JSON으로 출력합니다")
    evaluate.add_argument(
        "--details",
        action="store_true",
        help="질문마다 결과(인용문, 출처, 판정)를 함께 보여 줍니다",
    )

    calibrate = commands.add_parser(
        "calibrate",
        help="질문 세트(JSONL)로 이 색인과 모델에 맞는 답변 정책을 맞춥니다 (색인 폴더에 저장)",
    )
    calibrate.add_argument("questions", type=Path, help="질문 세트 파일 (eval과 같은 형식)")
    _index_option(calibrate)
    calibrate.add_argument(
        "--target",
        type=_rate,
        default=None,
        help="답이 있는 질문을 '찾지 못함'으로 답할 비율의 목표 (기본 0.03)",
    )
    calibrate.add_argument(
        "--json", action="store_true", help="교차 검증 결과를 JSON으로 출력합니다"
    )
    bot = commands.add_parser("bot", help="디스코드 봇을 실행합니다 (DISCORD_TOKEN 필요)")
    bot.add_argument(
        "--sync", action="store_true", help="슬래시 명령을 디스코드에 등록하고 끝냅니다"
    )
    bot.add_argument("--guild", type=int, help="--sync와 함께: 이 서버(ID)에만 바로 등록합니다")
    return parser


def run_bot(args: argparse.Namespace) -> int:
    import bot
    from bot.config import load_bot_settings

    try:
        settings, limits = _settings(args), load_bot_settings()
    except SettingsError as exc:  # as `python -m bot` says it: a usage problem
        _say(exc.sentence())
        return EXIT_USAGE
    return bot.run(settings, limits, sync=args.sync, guild=args.guild)


def _settings(args: argparse.Namespace) -> Settings:
    """The environment's settings (and `.env`'s, loaded by `main`), overridden by the flags."""
    fields = ("articles", "index_dir", "model", "top_k")
    overrides = {f: getattr(args, f, None) for f in fields}
    settings = config.validate(load_settings().with_overrides(**overrides))
    for notice in retired_settings():
        _say(notice)
    return settings


def _say(line: str) -> None:
    print(line, file=sys.stderr)


def run_index(args: argparse.Namespace) -> int:
    from retrieval.pipeline import build_index

    settings = _settings(args)
    if args.watch:
        return _watch(settings, args)
    _print_report(build_index(settings, full=args.full, say=_say), args.json)
    return EXIT_OK


def _watch(settings: Settings, args: argparse.Namespace) -> int:
    """`index --watch`: a summary line per commit, until Ctrl+C."""
    from retrieval.pipeline import build_index
    from retrieval.watch import watch

    if args.full:
        _print_report(build_index(settings, full=True, say=_say), args.json)
    _say(f"'{settings.articles}' 폴더를 지켜보고 있습니다. 끝내려면 Ctrl+C를 누르세요.")
    watch(settings, lambda report: _print_report(report, args.json), _say)
    return EXIT_OK


def _print_report(report: IndexReport, as_json: bool) -> None:
    for skipped in report.skipped:
        _say(f"건너뜀: {skipped.path} — {skipped.reason}")
    for notice in report.notices:
        _say(notice)
    from retrieval.render import summary_text

    print(summary_text(report.summary), flush=True)
    if as_json:
        print(json.dumps(report.summary.as_json(), ensure_ascii=False), flush=True)


PROMPT = "질문> "


def _questions(args: argparse.Namespace) -> Iterable[str]:
    """The question given, or one per line of standard input: prompted for on a terminal."""
    if args.question is not None:
        yield args.question
        return
    if sys.stdin.isatty():
        yield from _prompted()
        return
    for line in sys.stdin:
        if line.strip():
            yield line.rstrip("\n")


def _prompted() -> Iterator[str]:
    """Questions typed at a terminal, each asked for (on stderr, so answers stay clean on
    stdout), until Ctrl+D."""
    _say("질문을 입력하고 Enter를 누르세요. 끝내려면 Ctrl+D를 누르세요.")
    while True:
        print(PROMPT, end="", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        if not line:
            print(file=sys.stderr)
            return
        if line.strip():
            yield line.rstrip("\n")


def run_ask(args: argparse.Namespace) -> int:
    from retrieval import kiwi_analyser
    from retrieval.manifest import MANIFEST

    settings = _settings(args)
    if (settings.index_dir / MANIFEST).exists():
        # Kiwi's load overlaps the imports and the index opening. Not started when there is
        # no index: that fails at once, and the exit would wait for Kiwi (the thread must be
        # joined, see `kiwi_analyser.warm_up_in_background`); a build starts it itself.
        kiwi_analyser.warm_up_in_background()
    from retrieval.pipeline import Pipeline
    from retrieval.render import answer_text, error_json

    # Sizes and structure only: checksums read the whole index (`newsqa check` does that).
    pipeline = Pipeline.open(settings, auto_build=True, verify=False, say=_say)
    for notice in pipeline.notices:
        _say(notice)
    status = EXIT_OK
    for question in _questions(args):
        try:
            answer = pipeline.ask(question)
        except QuestionError as exc:
            status = EXIT_USAGE if args.question is not None else status
            print(
                json.dumps(error_json(question, exc.sentence()), ensure_ascii=False)
                if args.json
                else exc.sentence()
            )
            continue
        if args.json:
            print(json.dumps(answer.to_dict(), ensure_ascii=False), flush=True)
        else:
            print(answer_text(answer) + "\n", flush=True)
    return status


def _cases(path: Path) -> list[Case] | None:
    """The question set, or None after telling the user in one sentence why it can't be read."""
    from retrieval.evaluate import read_cases

    if not path.is_file():
        _say(f"질문 세트 파일 '{path}'을(를) 찾을 수 없습니다. 경로를 확인하세요.")
        return None
    try:
        return read_cases(path)
    except ValueError as exc:
        _say(f"질문 세트를 읽을 수 없습니다({exc}). 한 줄에 JSON 객체 하나씩 있어야 합니다.")
        return None


def run_eval(args: argparse.Namespace) -> int:
    from retrieval.evaluate import evaluate
    from retrieval.pipeline import Pipeline
    from retrieval.render import outcome_json, outcome_text, report_text

    cases = _cases(args.questions)
    if cases is None:
        return EXIT_USAGE
    pipeline = Pipeline.open(_settings(args), auto_build=True, say=_say)
    for notice in pipeline.notices:
        _say(notice)
    report, outcomes = evaluate(pipeline, cases)
    if args.json:
        details = {"questions": [outcome_json(o) for o in outcomes]} if args.details else {}
        print(json.dumps({**report, **details}, ensure_ascii=False))
        return EXIT_OK
    if args.details:
        for outcome in outcomes:
            print(outcome_text(outcome) + "\n")
    print(report_text(report))
    return EXIT_OK


def run_calibrate(args: argparse.Namespace) -> int:
    from retrieval import calibrate, policy
    from retrieval.pipeline import Pipeline
    from retrieval.render import calibration_text

    cases = _cases(args.questions)
    if cases is None:
        return EXIT_USAGE
    settings = _settings(args)
    pipeline = Pipeline.open(settings, auto_build=True, say=_say)
    for notice in pipeline.notices:
        _say(notice)
    source = args.questions.name
    examples = {"lexical": calibrate.collect(pipeline, cases, use_model=False, source=source)}
    if pipeline.embedder is not None:
        examples["hybrid"] = calibrate.collect(pipeline, cases, use_model=True, source=source)
    target = args.target or calibrate.TARGET_FALSE_NOT_FOUND
    fitted = calibrate.fitted_policy(
        policy.default(),
        examples,
        name=f"calibrated:{source}",
        model=pipeline.index.model,
        command=" ".join(["newsqa", *sys.argv[1:]]),
        target=target,
        progress=lambda line: _say(f"맞추는 중: {line}"),
    )
    path = settings.index_dir / policy.INDEX_FILE
    policy.write(fitted, path)
    figures = fitted.fitted["cross_validated"]
    if args.json:
        print(json.dumps({"policy": str(path), "cross_validated": figures}, ensure_ascii=False))
    else:
        print(calibration_text(figures, path))
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    from retrieval import policy
    from retrieval.index import NewsIndex
    from retrieval.manifest import MANIFEST

    settings = _settings(args)
    index = NewsIndex.open(settings.index_dir, verify=True)
    manifest = index.manifest
    megabytes = sum(manifest.sizes.values()) / 1e6
    print(
        f"색인이 온전합니다: 기사 {len(index.articles)}건, 청크 {index.chunk_count}개, "
        f"파일 {len(manifest.files)}개({megabytes:.1f} MB)의 크기와 체크섬이 "
        f"{MANIFEST}의 기록과 일치합니다."
    )
    answering, notice = policy.for_index(settings.index_dir, index.model)
    print(f"답변 정책: {answering.name}" + (f" ({notice})" if notice else ""))
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "index": run_index,
    "ask": run_ask,
    "check": run_check,
    "eval": run_eval,
    "calibrate": run_calibrate,
    "bot": run_bot,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    config.load_env_file()  # once, here: the library reads only the environment
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.ERROR,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        _say("중단했습니다.")
        return 130
    except BrokenPipeError:  # `newsqa ask … | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit flush
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the edge: every error becomes one sentence
        message = user_message(exc)
        if message is None:
            logging.getLogger("newsqa").debug("unexpected error", exc_info=True)
            message = f"예기치 못한 오류가 발생했습니다({type(exc).__name__}: {exc}). -v로 다시 실행해 자세한 기록을 확인하세요."
            if args.verbose:
                raise
        _say(message)
        return EXIT_ERROR
    except BaseException as exc:  # a Rust panic in tantivy is pyo3's PanicException, no Exception
        if type(exc).__name__ != "PanicException" or args.verbose:
            raise
        _say(
            "색인을 읽다가 내부 오류가 났습니다. `newsqa check`로 색인을 확인하고, "
            "손상되었다면 `newsqa index --full`로 다시 만드세요."
        )
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
