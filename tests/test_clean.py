"""Cleaning on the real seeds: each kind of page junk is gone, the article text stays verbatim."""

from __future__ import annotations

import pytest

from conftest import SEEDS
from retrieval.clean import SEAM, clean_page
from retrieval.ingest import read_articles


@pytest.fixture(scope="module")
def bodies() -> dict[str, str]:
    articles, skipped = read_articles(SEEDS)
    assert not skipped
    return {a.id[:3]: a.body for a in articles}


@pytest.fixture(scope="module")
def articles():
    found, _ = read_articles(SEEDS)
    return {a.id[:3]: a for a in found}


JUNK = {
    "menus and navigation": [
        "메뉴 건너뛰기",
        "close",
        "기사 메일전송",
        "기사수정",
        "목록 바로가기",
        "모바일 버전 바로가기",
        "이전 기사 보기",
        "연도별 콘텐츠 보기",
    ],
    "photo markers and credits": [
        "관련사진보기",
        "ⓒ",
        "/광주시 제공",
        "<광주시 제공>",
        "![]",
        "▲ 벤처기업협회 업무협약식",
    ],
    "comment boxes and reactions": ["댓글", "0/300", "슬퍼요", "후속기사 원해요", "독자의견"],
    "reader-support blurbs": ["원고료", "기사가 마음에 드시나요", "제보를 기다립니다", "카카오톡"],
    "reporter e-mails and bylines": [
        "@",
        "이삼섭기자",
        "박진표 기자",
        "박선강 기자",
        "[뉴스21/장병기 기자]",
    ],
    "tag lines": ["태그:", "#광주광역시"],
    "most-read sidebar": [
        "가장 많이 본 뉴스",
        "코스피",
        "서산",
        "갤럭시",
        "충우회",
        "중소기업은행장",
        "전자계약",
        "기자수첩",
    ],
}


@pytest.mark.parametrize("kind", sorted(JUNK))
def test_junk_is_removed_from_every_seed(bodies: dict[str, str], kind: str) -> None:
    found = [(aid, junk) for aid, body in bodies.items() for junk in JUNK[kind] if junk in body]
    assert not found, f"{kind} left in: {found}"


def test_photo_captions_printed_twice_are_dropped_with_their_duplicate(bodies) -> None:
    assert "지원 업체 부스를 둘러보고 있다" not in bodies["000"]
    assert "기념촬영을 하고 있다" not in bodies["000"]
    assert "현장 간담회에 앞서 캠프 내 입주기업을 둘러보고 있다" not in bodies["001"]


def test_a_body_that_repeats_itself_is_kept_once(bodies) -> None:
    body = bodies["002"]
    assert body.count("136~145번째 업무협약을 체결했다") == 1
    assert body.count("94개사가 이미 광주에 법인이나 사무소") == 1


def test_article_sentences_survive_verbatim(bodies) -> None:
    assert (
        "이번에 선정된 기업은 ▲경량화 솔루션을 적용한 AI 모델 개발 기업 '클리카'" in bodies["000"]
    )
    assert "현재 약 1만8200여개의 기업들을 회원사로 두고 있다." in bodies["004"]
    assert "오는 2026년 6월 광주연구개발특구" in bodies["001"]
    assert bodies["003"].startswith(
        "광주광역시가 지역산업 발전 및"
    )  # the "[아시아경제 … 기자]" byline is cut


def test_metadata_found_on_the_page(articles) -> None:
    assert articles["001"].title == '강 시장 만난 AI 기업들 "정착 위한 투자 필요"'
    assert articles["001"].date == "2024-10-02"  # "입력 2024.10.02. 17:11"
    assert articles["004"].date == "2024-03-07"  # "등록 2024-03-07 19:33:20"
    assert articles["003"].date == "2020-11"  # " date 2020-11 …"
    assert articles["003"].outlet == "아시아경제"  # "[아시아경제 호남취재본부 박선강 기자]"
    assert articles["004"].outlet == "뉴스21"
    assert articles["004"].title == "광주시, 벤처기업협회와 손잡고 인공지능 실증도시 조성에 박차"


def test_metadata_file_fills_only_what_the_page_lacks(articles) -> None:
    assert articles["000"].outlet == "오마이뉴스"
    assert articles["002"].outlet == "광주일보"
    assert articles["003"].outlet == "아시아경제"  # from the page, not overridden


def test_title_falls_back_to_the_lead_when_the_page_has_none(articles) -> None:
    assert articles["000"].title.startswith("광주광역시와 삼성전자가 손잡고")


def test_sidebar_ends_at_returning_prose() -> None:
    page = "\n".join(
        [
            "본문 첫 문장은 충분히 길어서 기사 본문으로 남아야 한다고 보는 것이 맞다.",
            "관련기사",
            "1. 다른 기사 제목",
            "짧은 줄",
            "사이드바가 끝나고 다시 나온 긴 본문 문장도 기사 본문으로 남아야 한다고 본다.",
        ]
    )
    body = clean_page(page).body
    assert "다른 기사 제목" not in body and "짧은 줄" not in body
    assert "다시 나온 긴 본문 문장" in body


def test_a_removed_line_leaves_a_seam_that_kept_neighbours_do_not_have() -> None:
    page = "\n".join(
        [
            "첫 문단은 기사 본문으로 충분히 길게 이어지는 문장이다.",
            "",
            "둘째 문단도 바로 이어지는 본문 문장으로 충분히 길다.",
            "행사장 모습. /광주시 제공",  # a caption the cleaner removes
            "셋째 문단은 캡션 다음에 오는 본문 문장으로 충분히 길다.",
            "• 글머리표가 붙은 줄도 본문으로 남는 충분히 긴 문장이다.",
        ]
    )
    assert clean_page(page).body == (
        "첫 문단은 기사 본문으로 충분히 길게 이어지는 문장이다.\n"  # a blank line is no seam
        "둘째 문단도 바로 이어지는 본문 문장으로 충분히 길다."
        + SEAM
        + "셋째 문단은 캡션 다음에 오는 본문 문장으로 충분히 길다."
        + SEAM  # the bullet marker was cut from this line's start
        + "글머리표가 붙은 줄도 본문으로 남는 충분히 긴 문장이다."
    )


def test_markdown_list_items_and_headings_stand_apart() -> None:
    """A quote joined "- 사업비는 320억원이다." to the paragraph after the list, marker and all."""
    page = "\n".join(
        [
            "광주시는 로봇산업 육성 전략을 발표했다고 20일 밝혔다.",
            "## 주요 내용과 일정",
            "시는 로봇 실증센터를 북구에 세운다고 밝혔다.",
            "- 사업비는 모두 320억원이다.",
            "- 완공은 2027년 말로 잡았다.",
            "전략 발표회는 시청 대회의실에서 열렸다.",
        ]
    )
    assert clean_page(page).body == (
        "광주시는 로봇산업 육성 전략을 발표했다고 20일 밝혔다."
        + SEAM
        + "주요 내용과 일정"
        + SEAM
        + "시는 로봇 실증센터를 북구에 세운다고 밝혔다."
        + SEAM
        + "사업비는 모두 320억원이다."
        + SEAM
        + "완공은 2027년 말로 잡았다."
        + SEAM
        + "전략 발표회는 시청 대회의실에서 열렸다."
    )
    # One line starting with a mark is no list: a footnote keeps the mark it explains.
    footnote = "올해 성장률은 2.1%로 예상된다고 밝혔다.\n* 표시는 잠정치로 바뀔 수 있다."
    assert clean_page(footnote).body == footnote


def test_text_is_read_as_nfc() -> None:
    import unicodedata

    nfd = unicodedata.normalize("NFD", "분해된 한글로 저장된 기사 본문 문장도 똑같이 읽힌다.")
    body = clean_page(nfd).body
    assert body == unicodedata.normalize("NFC", nfd) and unicodedata.is_normalized("NFC", body)
    title = unicodedata.normalize("NFD", "분해된 제목")
    page = clean_page(f"{title}\n{nfd}", title=title)
    assert page.title == "분해된 제목" and page.body == unicodedata.normalize("NFC", nfd)


def test_each_seed_names_its_reporter_and_the_byline_leaves_the_body(articles) -> None:
    """The reporters the seeds print, in each page's own byline form; the page that names
    none (only "신문과 통신 기자를 거쳐 …", a profile) gets none, not a guess."""
    found = {key: (a.author, a.date) for key, a in articles.items()}
    assert found == {
        "000": (None, None),  # 오마이뉴스 prints neither reporter nor date
        "001": ("이삼섭", "2024-10-02"),  # "입력 2024.10.02. 17:11 이삼섭 기자"
        "002": ("박진표", None),  # "/박진표 기자 lucky@kwangju.co.kr"
        "003": ("박선강", "2020-11"),  # "[아시아경제 호남취재본부 박선강 기자]"
        "004": ("장병기", "2024-03-07"),  # "• 장병기", "[뉴스21/장병기 기자]"
    }
    for article in articles.values():
        if article.author:
            assert f"{article.author} 기자" not in article.body
            assert f"{article.author}기자" not in article.body


def test_the_first_publication_date_wins_over_the_edit() -> None:
    sentence = "광주시는 2일 인공지능 기업들과 간담회를 열었다고 밝혔다."
    for header in (
        "수정 2024.10.05. 09:00\n입력 2024.10.02. 17:11",  # the edit printed first
        "입력 2024.10.02. 17:11 수정 2024.10.05. 09:00",
        "수정 2024.10.05. 09:00 입력 2024.10.02. 17:11",  # one line, the edit first
        "기사입력 2024-10-02 | 최종수정 2024-10-05",
    ):
        page = clean_page(f"제목이 여기 있습니다\n{header}\n{sentence}")
        assert (page.date, page.body) == ("2024-10-02", sentence), header
    assert clean_page(f"제목이 여기 있습니다\n수정 2024.10.05\n{sentence}").date is None


def test_a_reporter_named_in_the_text_or_a_caption_is_not_the_author() -> None:
    page = clean_page(
        "제목이 여기 있습니다\n"
        "[사진=홍길동 기자]\n"
        "강기정 시장은 취재진과 만나 김철수 기자 등의 질문에 이같이 답했다.\n"
        "시장은 앞으로도 인공지능 산업을 지원하겠다고 밝혔다."
    )
    assert page.author is None
    assert "김철수 기자" in page.body
