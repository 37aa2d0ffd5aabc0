"""Page metadata in the forms Korean news sites print (pure)."""

from __future__ import annotations

import pytest

from retrieval.page_metadata import author_in_line, author_name, date_in_line


@pytest.mark.parametrize(
    ("line", "author"),
    [  # the forms the seeds print
        ("입력 2024.10.02. 17:11 이삼섭 기자", "이삼섭"),
        ("이삼섭기자 seobi@mdilbo.com", "이삼섭"),
        ("/박진표 기자 lucky@kwangju.co.kr", "박진표"),
        ("[아시아경제 호남취재본부 박선강 기자] 광주광역시가 지역산업 발전", "박선강"),
        ("호남취재본부 박선강 기자 skpark82@asiae.co.kr", "박선강"),
        ("[뉴스21/장병기 기자] 광주시가 벤처기업협회와 손잡고", "장병기"),
        ("  • 장병기", "장병기"),
        ("[사진=홍길동 기자]", "홍길동"),
    ],
)
def test_bylines_name_their_reporter(line: str, author: str) -> None:
    assert author_in_line(line) == author


@pytest.mark.parametrize(
    "line",
    [
        "신문과 통신 기자를 거쳐 오마이뉴스 광주전라본부 상근기자로 일하고 있습니다.",
        "  1. 【기자수첩】 선거가 오면 나타나는 사람들",
        "  • 등록 2024-03-07 19:33:20",
        "강기정 시장은 기자들과 만나 이같이 말했다.",
        "[사진 기자]",
        "",
    ],
)
def test_other_lines_name_no_one(line: str) -> None:
    assert author_in_line(line) is None


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("입력 2024.10.02. 17:11 이삼섭 기자", "2024-10-02"),
        ("  등록 2024-03-07 19:33:20", None),  # a bullet's leftover space: the cleaner strips it
        ("등록 2024-03-07 19:33:20", "2024-03-07"),
        ("입력 2024.10.02 수정 2024.10.05", "2024-10-02"),
        ("수정 2024.10.05 09:00 입력 2024.10.02 17:11", "2024-10-02"),  # publication, not edit
        ("최종수정 2024.10.05 등록 2024.10.01", "2024-10-01"),
        ("수정 2024.10.05", None),  # only the edit: no publication date is known
        (" date 2020-11 이용섭 시장", None),
        ("date 2020-11 이용섭 시장", "2020-11"),
        ("광주시는 등록 2024.03.07 기준으로 집계했다.", None),  # a sentence, not a header
    ],
)
def test_publication_dates_in_lines(line: str, date: str | None) -> None:
    assert date_in_line(line) == date


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("박진표 기자", "박진표"),
        ("박진표 기자; 이삼섭 기자", "박진표"),
        ("이삼섭, 박진표", "이삼섭"),
        ("Jane Doe", "Jane Doe"),
        ("홍길동 특파원", "홍길동 특파원"),
        ("기자", None),  # a title alone names nobody
        ("사진기자; 이삼섭", "이삼섭"),
        ("선임 기자", None),
        ("  ", None),
        (None, None),
    ],
)
def test_stated_author_fields_give_the_reporter(value: str | None, name: str | None) -> None:
    assert author_name(value) == name
