"""Whether a message to the bot is a greeting or a request for help rather than a question.

Such a message is answered with what the bot does and how to ask, never searched for. The
test is tight on purpose: every clause of the message must be, as a whole, one of a few
normalized greeting or help forms, so a real question that starts with "안녕하세요" or
mentions "도움" is still answered from the articles.
"""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 40  # a greeting or a help request is short; anything longer is read as a question
CLAUSE_BREAK = re.compile(r"[.!?,;:~…。\n]+")
LAUGHTER = re.compile(
    r"^(?:[ㅋㅠㅜ]+|ㅎ{2,})|(?:[ㅋㅠㅜ]+|ㅎ{2,})$"
)  # "ㅎㅎ", not the "ㅎ" of "ㅎㅇ"
ADDRESS = r"(?:(?:뉴스)?봇(?:아|야|님|씨)?|너|넌|너는)"  # "봇아 안녕", "너 뭐 할 수 있어"
GREETING = (
    r"(?:안녕(?:하세요|하세여|하십니까|요)?|안뇽|ㅎㅇ(?:ㅎㅇ)*|하이(?:루|요)?|헬로우?|hi|hello|hey"
    r"|반가워요?|반갑(?:습니다|네요|다)|처음뵙겠습니다)"
)
REQUEST = (
    r"(?:좀)?(?:알려|보여)?(?:줘|주세요|줄래|주실래요)"  # "도움말 보여줘", "사용법 알려주세요"
)
ENDING = r"(?:어|어요|니|나요|냐|습니까|는데|요)?"
HELP = (
    rf"(?:(?:도움말|도움|help|사용법|사용방법|쓰는법|명령어){REQUEST}?|도와(?:줘|주세요|줄래)"
    rf"|(?:뭐|뭘|무엇을|무얼)(?:할|해줄|물어볼)(?:수있{ENDING}|줄(?:알(?:아|아요|나요|냐)?|아니|아세요))"
    r"|(?:누구|뭐|무슨봇|어떤봇)(?:야|니|세요|예요|에요|이야|이에요|냐|인가요)"
    rf"|어떻게(?:써|쓰|사용해|사용하|질문해|질문하|물어봐|물어보){ENDING})"
)
FORM = re.compile(rf"{ADDRESS}?(?:{GREETING}|{HELP}){ADDRESS}?")


def is_help_request(text: str) -> bool:
    """True for "안녕", "ㅎㅇ", "도움말", "뭐 할 수 있어?" and the like, alone or combined
    ("안녕! 뭐 할 수 있어?"); False for anything else, including any real question."""
    text = unicodedata.normalize("NFC", text).lower()
    clauses = [_compact(c) for c in CLAUSE_BREAK.split(text)]
    clauses = [c for c in clauses if c]
    if not clauses or sum(map(len, clauses)) > MAX_CHARS:
        return False
    return all(FORM.fullmatch(clause) for clause in clauses)


def _compact(clause: str) -> str:
    """Letters and digits only (no spaces, emoji or symbols), without laughter at either end."""
    letters = "".join(ch for ch in clause if ch.isalnum())
    return LAUGHTER.sub("", letters)
