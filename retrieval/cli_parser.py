"""The `newsqa` command line's grammar: commands, options and their Korean help and errors."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from retrieval import config

EXIT_USAGE = 2


# argparse's own messages, in Korean (the options' help and our type errors are Korean already).
ARGPARSE_ERRORS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"unrecognized arguments: (.*)"), lambda m: f"알 수 없는 인자: {m[1]}"),
    (
        re.compile(r"the following arguments are required: (.*)"),
        lambda m: f"빠진 인자: {_named(m[1])}",
    ),
    (
        re.compile(r"argument (.*?): invalid choice: (.*?) \(choose from (.*)\)"),
        lambda m: f"{_named(m[1])}에 {m[2]}은(는) 없음, 가능한 값: {m[3].replace(chr(39), '')}",
    ),
    (
        re.compile(r"argument (.*?): invalid \w+ value: (.*)"),
        lambda m: f"{m[1]}의 값 {m[2]}을(를) 읽을 수 없음",
    ),
    (re.compile(r"argument (.*?): expected .*arguments?"), lambda m: f"{m[1]} 뒤에 값이 필요함"),
    (
        re.compile(r"argument (.*?): ignored explicit argument (.*)"),
        lambda m: f"{m[1]}에는 값({m[2]})을 붙일 수 없음",
    ),
    (
        re.compile(r"ambiguous option: (.*?) could match (.*)"),
        lambda m: f"{m[1]}이(가) 여러 옵션과 맞음: {m[2]}",
    ),
    # Ours (`ArgumentTypeError`) are Korean; anything else keeps the option it is about.
    (
        re.compile(r"argument (.*?): (.*)"),
        lambda m: m[2] if re.search("[가-힣]", m[2]) else f"{m[1]}: {m[2]}",
    ),
)


def _named(argument: str) -> str:
    """The list of commands argparse names the command argument by, as "명령"."""
    return "명령" if argument.startswith("{") else argument


def korean_error(message: str) -> str:
    """argparse's error `message` in Korean; as it is when argparse says something new."""
    for pattern, korean in ARGPARSE_ERRORS:
        found = pattern.fullmatch(message)
        if found:
            return korean(found)
    return message


class KoreanFormatter(argparse.HelpFormatter):
    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[Any],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, "사용법: " if prefix is None else prefix)


class KoreanArgumentParser(argparse.ArgumentParser):
    """argparse with its usage, section titles, help option and errors in Korean."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", KoreanFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "인자"
        self._optionals.title = "옵션"
        self.add_argument("-h", "--help", action="help", help="이 도움말을 보여 주고 끝냅니다")

    def error(self, message: str) -> NoReturn:
        self.exit(
            EXIT_USAGE,
            f"명령을 이해하지 못했습니다({korean_error(message)}). "
            f"`{self.prog} --help`로 사용법을 확인하세요.\n",
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


if TYPE_CHECKING:
    Commands = argparse._SubParsersAction[KoreanArgumentParser]


def _asking_options(parser: argparse.ArgumentParser) -> None:
    """`--articles` and `--model`, the same on the commands that ask questions."""
    parser.add_argument(
        "--articles",
        type=Path,
        help="기본 색인 폴더에 색인이 없을 때 먼저 색인할 기사 폴더 (기본: seeds/)",
    )
    parser.add_argument("--model", help="질문 임베딩 모델 (기본: 색인을 만든 모델)")


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
        metavar="{index,ask,list,check,eval,calibrate,bot}",
    )
    adders = (_add_index, _add_ask, _add_list, _add_check, _add_eval, _add_calibrate, _add_bot)
    for add in adders:
        add(commands)
    return parser


def _add_index(commands: Commands) -> None:
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


def _add_ask(commands: Commands) -> None:
    ask = commands.add_parser(
        "ask", help="질문에 기사 인용문과 출처로 답합니다 (질문이 없으면 표준 입력에서 한 줄씩)"
    )
    ask.add_argument(
        "question",
        nargs="?",
        help="질문 (생략하면 터미널에서는 물어보고, 파이프에서는 한 줄에 하나씩 읽습니다)",
    )
    _index_option(ask)
    _asking_options(ask)
    ask.add_argument("-k", type=_quotes, dest="top_k", help="인용문 최대 개수 (1~3, 기본 3)")
    ask.add_argument("--json", action="store_true", help="질문마다 JSON 객체 한 줄로 출력합니다")


def _add_list(commands: Commands) -> None:
    listing = commands.add_parser(
        "list", help="색인된 기사를 최신순으로 보여 줍니다 (제목, 언론사, 날짜, 기자, id)"
    )
    _index_option(listing)
    listing.add_argument("--since", help="이 날짜 이후의 기사만 (예: 2024-10-02, 2024-10, 2024)")
    listing.add_argument("--query", help="제목·언론사·기자 이름에 이 낱말이 모두 든 기사만")
    listing.add_argument("--json", action="store_true", help="JSON 객체 하나로 출력합니다")


def _add_check(commands: Commands) -> None:
    check = commands.add_parser(
        "check", help="색인 파일 전체의 체크섬을 확인합니다 (ask는 크기와 구조만 확인)"
    )
    _index_option(check)


def _add_eval(commands: Commands) -> None:
    evaluate = commands.add_parser("eval", help="질문 세트(JSONL)로 검색·인용 품질을 측정합니다")
    evaluate.add_argument("questions", type=Path, help="질문 세트 파일 (seed_qa_dev.jsonl 형식)")
    _index_option(evaluate)
    _asking_options(evaluate)
    evaluate.add_argument("--json", action="store_true", help="결과를 JSON으로 출력합니다")
    evaluate.add_argument(
        "--details",
        action="store_true",
        help="질문마다 결과(인용문, 출처, 판정)를 함께 보여 줍니다",
    )


def _add_calibrate(commands: Commands) -> None:
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
    calibrate.add_argument(
        "--force",
        action="store_true",
        help="새 정책이 교차 검증에서 기본 정책보다 나빠도 저장합니다",
    )


def _add_bot(commands: Commands) -> None:
    bot = commands.add_parser("bot", help="디스코드 봇을 실행합니다 (DISCORD_TOKEN 필요)")
    bot.add_argument(
        "--sync", action="store_true", help="슬래시 명령을 디스코드에 등록하고 끝냅니다"
    )
    bot.add_argument("--guild", type=int, help="--sync와 함께: 이 서버(ID)에만 바로 등록합니다")
