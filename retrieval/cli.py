"""`newsqa`: build the index, ask questions, score a question set. Korean for users, exit codes for scripts."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval import config
from retrieval.cli_parser import EXIT_USAGE, build_parser
from retrieval.cli_questions import questions
from retrieval.config import Settings, load_settings, retired_settings
from retrieval.errors import (
    ArticlesMissing,
    NewsqaError,
    QuestionError,
    SettingsError,
    at_index,
    user_message,
)
from retrieval.notices import Notice
from retrieval.wording import notice_text

if TYPE_CHECKING:
    from retrieval.evaluate import Case
    from retrieval.pipeline import IndexReport, Pipeline

EXIT_OK, EXIT_ERROR = 0, 1
log = logging.getLogger(__name__)


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
    overrides = {f: v for f in fields if (v := getattr(args, f, None)) is not None}
    settings = config.validate(config.read_settings(without=overrides).with_overrides(**overrides))
    for notice in retired_settings():
        _tell(notice)
    return settings


def _say(line: str) -> None:
    print(line, file=sys.stderr)


def _tell(notice: Notice) -> None:
    _say(notice_text(notice))


def run_index(args: argparse.Namespace) -> int:
    from retrieval.pipeline import build_index

    settings = _settings(args)
    if args.watch:
        return _watch(settings, args)
    _print_report(build_index(settings, full=args.full, say=_tell), args.json)
    return EXIT_OK


def _watch(settings: Settings, args: argparse.Namespace) -> int:
    """`index --watch`: a summary line per commit, until Ctrl+C."""
    from retrieval.pipeline import build_index
    from retrieval.watch import watch

    if not settings.articles.exists():  # said as `newsqa index` says it, before watching
        raise ArticlesMissing.no_path(settings.articles)
    if args.full:
        _print_report(build_index(settings, full=True, say=_tell), args.json)
    _say(f"'{settings.articles}' 폴더를 지켜보고 있습니다. 끝내려면 Ctrl+C를 누르세요.")
    watch(settings, lambda report: _print_report(report, args.json), _tell)
    return EXIT_OK


def _opened(settings: Settings, verify: bool = True) -> Pipeline:
    """The pipeline (the index built first when there is none), its notices told."""
    from retrieval.pipeline import Pipeline

    pipeline = Pipeline.open(settings, auto_build=True, verify=verify, say=_tell)
    for notice in pipeline.notices:
        _tell(notice)
    return pipeline


def _print_report(report: IndexReport, as_json: bool) -> None:
    for notice in report.told():
        _tell(notice)
    from retrieval.render import summary_text

    print(summary_text(report.summary), flush=True)
    if as_json:
        print(json.dumps(report.summary.as_json(), ensure_ascii=False), flush=True)


def run_ask(args: argparse.Namespace) -> int:
    from retrieval import kiwi_analyser
    from retrieval.manifest import MANIFEST

    settings = _settings(args)
    if (settings.index_dir / MANIFEST).exists():
        # Kiwi's load overlaps the imports and the index opening. Not started when there is
        # no index: that fails at once, and the exit would wait for Kiwi (the thread must be
        # joined, see `kiwi_analyser.warm_up_in_background`); a build starts it itself.
        kiwi_analyser.warm_up_in_background()
    from retrieval.render import answer_json, answer_text, error_json

    # Sizes and structure only: checksums read the whole index (`newsqa check` does that).
    pipeline = _opened(settings, verify=False)
    status = EXIT_OK
    for question in questions(args.question):
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
            print(json.dumps(answer_json(answer), ensure_ascii=False), flush=True)
        else:
            print(answer_text(answer) + "\n", flush=True)
    return status


def _cases(path: Path) -> list[Case] | None:
    """The question set, or None after telling the user in one sentence why it can't be read."""
    from retrieval.errors import QuestionSetError
    from retrieval.evaluate import read_cases

    if path.is_dir():
        _say(f"'{path}'은(는) 폴더입니다. 질문 세트 파일(.jsonl)을 지정하세요.")
        return None
    if not path.is_file():
        _say(f"질문 세트 파일 '{path}'을(를) 찾을 수 없습니다. 경로를 확인하세요.")
        return None
    try:
        cases = read_cases(path)
    except QuestionSetError as exc:
        _say(exc.sentence())
        return None
    if not cases:
        _say(f"질문 세트 '{path}'에 질문이 없습니다. 한 줄에 질문 하나씩 JSON으로 적어 주세요.")
        return None
    return cases


def run_eval(args: argparse.Namespace) -> int:
    from retrieval.evaluate import evaluate
    from retrieval.render import outcome_json, outcome_text, report_text

    cases = _cases(args.questions)
    if cases is None:
        return EXIT_USAGE
    pipeline = _opened(_settings(args))
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
    from retrieval import calibrate, calibration_set, policy
    from retrieval.render import calibration_saved, calibration_text

    cases = _cases(args.questions)
    if cases is None:
        return EXIT_USAGE
    settings = _settings(args)
    pipeline = _opened(settings)
    source = args.questions.name
    examples = {"lexical": calibration_set.collect(pipeline, cases, use_model=False, source=source)}
    if pipeline.embedder is not None:
        examples["hybrid"] = calibration_set.collect(pipeline, cases, use_model=True, source=source)
    target = args.target or calibrate.TARGET_FALSE_NOT_FOUND
    default = policy.default()
    started: list[str] = []

    def progress(line: str) -> None:  # the fit's steps, in English, go to the log
        if not started:
            started.append(line)
            _say(f"질문 {len(cases)}개로 답변 정책을 맞추는 중입니다(몇 분 걸릴 수 있습니다).")
        log.info("calibrate: %s", line)

    fitted = calibrate.fitted_policy(
        default,
        examples,
        name=f"calibrated:{source}",
        model=pipeline.index.model,
        command=" ".join(["newsqa", *sys.argv[1:]]),
        target=target,
        progress=progress,
    )
    baseline = calibrate.figures_of(default, examples)
    figures = fitted.fitted["cross_validated"]
    right = calibrate.compared(figures, baseline)
    installed = args.force or calibrate.improves(fitted, baseline)
    path = settings.index_dir / policy.INDEX_FILE
    previous = _keep_previous(path) if installed else None
    if installed:
        policy.write(fitted, path)
    if args.json:
        print(
            json.dumps(
                {
                    "policy": str(path) if installed else None,
                    "previous": str(previous) if previous else None,
                    "cross_validated": figures,
                    "default_policy": baseline,
                },
                ensure_ascii=False,
            )
        )
    else:
        print(calibration_text(figures, baseline, right))
        if installed:
            print(calibration_saved(path, previous))
    if not installed:
        _say(
            "새 정책이 교차 검증에서 기본 정책보다 맞게 처리한 질문이 적어 저장하지 않았으니, "
            "질문(특히 답이 없는 질문)을 더 모으거나 그래도 쓰려면 --force를 붙이세요."
        )
        return EXIT_ERROR
    return EXIT_OK


def _keep_previous(path: Path) -> Path | None:
    """The calibrated policy a new one replaces, copied aside under the time it was replaced
    (never over an earlier copy): calibrating never loses one."""
    if not path.is_file():
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    kept = path.with_name(f"{path.stem}.previous-{stamp}{path.suffix}")
    n = 1
    while kept.exists():
        n += 1
        kept = path.with_name(f"{path.stem}.previous-{stamp}-{n}{path.suffix}")
    shutil.copy2(path, kept)
    return kept


def run_list(args: argparse.Namespace) -> int:
    from retrieval.index import NewsIndex
    from retrieval.listing import list_articles
    from retrieval.render import listing_output

    index = NewsIndex.open(_settings(args).index_dir, verify=False)  # a bad --since: BadDate
    print(listing_output(list_articles(index, args.since, args.query), as_json=args.json))
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
    print(f"답변 정책: {answering.name}" + (f" ({notice_text(notice)})" if notice else ""))
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "index": run_index,
    "ask": run_ask,
    "list": run_list,
    "check": run_check,
    "eval": run_eval,
    "calibrate": run_calibrate,
    "bot": run_bot,
}


def _index_dir(args: argparse.Namespace) -> Path:
    """The index folder a command ran on, for the repair command an error names."""
    given = getattr(args, "index_dir", None)
    if given is not None:
        return Path(given)
    try:
        return load_settings().index_dir
    except SettingsError:
        return config.Settings().index_dir


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
        if isinstance(exc, NewsqaError):
            message: str | None = exc.sentence_at(_index_dir(args))
        else:
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
        said = (
            "색인을 읽다가 내부 오류가 났습니다. `newsqa check`로 색인을 확인하고, "
            "손상되었다면 `newsqa index --full`로 다시 만드세요."
        )
        _say(at_index(said, _index_dir(args)))
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
