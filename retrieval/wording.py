"""The Korean the edges show for what the core reports: notices, and the line that leads an
answer. Only the CLI (`retrieval.cli`, `retrieval.render`) and the bot import this; the core
returns data (`retrieval.notices`, `Answer.answered`) and never words it."""

from __future__ import annotations

from typing import assert_never

from retrieval.errors import user_message
from retrieval.notices import (
    BuildingFirst,
    FileSkipped,
    KeptIndexReleased,
    KeptPrevious,
    ModelMissing,
    Notice,
    OtherPrecision,
    PolicyForOtherModel,
    PolicyUnreadable,
    RetiredSetting,
    UpdateFailed,
    VectorsDropped,
    WaitingForWriter,
)
from retrieval.types import Answer

NOT_FOUND = "관련 기사를 찾지 못했습니다. 질문을 바꾸거나 더 구체적으로 물어봐 주세요."
FOUND = "기사에서 찾은 관련 문장입니다."


def answer_message(answer: Answer) -> str:
    """The sentence that leads an answer: what was found, or that nothing was."""
    return FOUND if answer.answered else NOT_FOUND


def notice_text(notice: Notice) -> str:
    """One Korean line for `notice`."""
    match notice:
        case WaitingForWriter(folder):
            return f"다른 색인 작업이 '{folder}'에 쓰는 중이라 끝날 때까지 기다립니다."
        case BuildingFirst(index_dir, articles):
            return (
                f"'{index_dir}'에 색인이 없어 '{articles}'의 기사로 먼저 만듭니다"
                "(처음 한 번만 기사 수에 따라 시간이 걸립니다)."
            )
        case FileSkipped(path, reason):
            return f"건너뜀: {path} — {reason}"
        case KeptPrevious(article_id):
            return f"'{article_id}'은(는) 읽지 못해 이전에 색인한 내용을 그대로 둡니다."
        case ModelMissing(model):
            return (
                f"임베딩 모델 '{model}'을(를) 불러올 수 없어 어휘(BM25) 검색만 사용합니다"
                "(모델 없이 쓰려면 `--model none` 또는 NEWSQA_MODEL=none으로 지정하세요)."
            )
        case VectorsDropped(model):
            return (
                f"모델 없이(`--model none`) 갱신해 색인에 있던 '{model}' 모델의 벡터를 지웠고, 이제 "
                "어휘(BM25) 검색만 합니다(벡터를 다시 만들려면 모델을 지정해 `newsqa index --full`을 "
                "실행하세요)."
            )
        case OtherPrecision(indexed, precision):
            return (
                f"색인의 벡터는 {indexed} 정밀도로 만들어졌는데 지금은 {precision}이라 덜 정확할 "
                "수 있으니, NEWSQA_EMBED_PRECISION을 맞추거나 `newsqa index --full`로 색인을 "
                "다시 만드세요."
            )
        case KeptIndexReleased(generations):
            return (
                f"디스크 공간이 부족해 보관하던 이전 색인({', '.join(generations)})을 지우고 "
                "다시 저장합니다."
            )
        case PolicyUnreadable(reason):
            return f"{reason.rstrip('.')}. 기본 답변 정책을 씁니다."
        case PolicyForOtherModel(path, model):
            return (
                f"'{path}'의 답변 정책은 다른 임베딩 모델({model or '없음'})로 맞춘 것이라 "
                "기본 정책을 씁니다. `newsqa calibrate`로 다시 맞추세요."
            )
        case RetiredSetting(name):
            return (
                f"{name}은(는) 더 이상 쓰지 않습니다: 답할지는 답변 정책이 정합니다"
                "(`newsqa calibrate`로 맞춥니다)."
            )
        case UpdateFailed(error):
            return user_message(error) or f"색인을 갱신하지 못했습니다({error})."
        case _:
            assert_never(notice)
