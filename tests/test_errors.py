"""One error family: every exception newsqa defines lives in `retrieval/errors.py`, and each
user-facing one becomes one Korean sentence with what happened and what to do."""

from __future__ import annotations

import ast
import errno
from pathlib import Path

import pytest

from retrieval import errors

ROOT = Path(__file__).resolve().parents[1]


def defined_exceptions(path: Path) -> list[str]:
    """Classes in `path` whose name says they are an error (`…Error`, `…Unavailable`, …) or
    that derive from an exception."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef):
            bases = {ast.unparse(b) for b in node.bases}
            if any(b.endswith(("Error", "Exception")) for b in bases) or node.name.endswith(
                "Error"
            ):
                found.append(node.name)
    return found


def test_the_core_defines_exceptions_in_one_module_only() -> None:
    elsewhere = {
        path.name: names
        for path in sorted((ROOT / "retrieval").glob("*.py"))
        if path.name != "errors.py" and (names := defined_exceptions(path))
    }
    assert elsewhere == {}
    assert len(defined_exceptions(ROOT / "retrieval" / "errors.py")) >= 10


def test_loading_the_errors_module_loads_nothing_else_of_newsqa() -> None:
    top = ast.parse((ROOT / "retrieval" / "errors.py").read_text(encoding="utf-8")).body
    imported = {node.module for node in top if isinstance(node, ast.ImportFrom) and node.module} | {
        alias.name for node in top if isinstance(node, ast.Import) for alias in node.names
    }
    assert not {m for m in imported if m.split(".")[0] in {"retrieval", "bot"}}


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (
            errors.QuestionError("질문이 비어 있습니다", hint="궁금한 내용을 입력해 주세요."),
            "질문이 비어 있습니다. 궁금한 내용을 입력해 주세요.",
        ),
        (
            errors.IndexCorrupt("색인 파일 x.bin의 체크섬이 맞지 않음"),
            "색인이 손상되었습니다(색인 파일 x.bin의 체크섬이 맞지 않음). " + errors.REBUILD,
        ),
        (
            errors.IndexIncompatible("색인 형식 3"),
            "이 설정과 맞지 않는 색인입니다(색인 형식 3). " + errors.REBUILD,
        ),
        (
            errors.StoreError("'x'은(는) 색인 폴더가 아닌데 다른 파일이 있어 쓰지 않습니다"),
            "'x'은(는) 색인 폴더가 아닌데 다른 파일이 있어 쓰지 않습니다. --index로 색인 폴더를 다시 지정하세요.",
        ),
        (
            errors.NoIndex(Path("/tmp/nowhere")),
            "'/tmp/nowhere'에 색인이 없습니다. `newsqa index --index /tmp/nowhere`로 먼저 만드세요.",
        ),
        (
            errors.DiskFull(Path("idx")),
            "디스크 공간이 부족해 'idx'에 색인을 쓰지 못했습니다. 공간을 확보한 뒤 다시 실행하세요.",
        ),
        (
            errors.AnalyserUnavailable("no model files"),
            "한국어 형태소 분석기(Kiwi)를 불러오지 못했습니다(no model files). "
            "`pip install --force-reinstall kiwipiepy kiwipiepy_model`로 다시 설치하세요.",
        ),
        (
            errors.PolicyError("답변 정책 파일 p.json이(가) JSON 객체가 아닙니다"),
            "답변 정책 파일 p.json이(가) JSON 객체가 아닙니다. " + errors.REINSTALL,
        ),
    ],
)
def test_each_error_is_one_sentence_with_what_to_do(error: Exception, said: str) -> None:
    assert errors.user_message(error) == said


def test_errors_from_outside_the_family() -> None:
    full = OSError(errno.ENOSPC, "No space left on device")
    assert errors.user_message(full) == (
        "디스크 공간이 부족해 파일을 쓰지 못했습니다. 공간을 확보한 뒤 다시 실행하세요."
    )
    denied = PermissionError(errno.EACCES, "Permission denied", "/x/y")
    assert errors.user_message(denied) == (
        "파일을 읽거나 쓰지 못했습니다 (/x/y): Permission denied. 경로와 권한을 확인하세요."
    )
    assert errors.user_message(KeyError("bug")) is None  # a bug: the edge logs its traceback
