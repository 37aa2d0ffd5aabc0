"""`.env.example` documents every setting the code reads, so none has to be found in the source."""

from __future__ import annotations

import re
from pathlib import Path

from retrieval.config import _ENV_FIELDS, ENV_PREFIX, RETIRED

ROOT = Path(__file__).resolve().parents[1]
NAME = re.compile(r"\b(?:NEWSQA_[A-Z][A-Z0-9_]*[A-Z0-9]|DISCORD_TOKEN)\b")  # not `NEWSQA_BOT_*`
DOCUMENTED = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)  # `NAME=` or `# NAME=`


def names_in_code() -> set[str]:
    """Names spelled out in retrieval/ and bot/, plus those `load_settings` builds from a prefix."""
    sources = [*(ROOT / "retrieval").rglob("*.py"), *(ROOT / "bot").rglob("*.py")]
    spelled = {n for path in sources for n in NAME.findall(path.read_text(encoding="utf-8"))}
    built = {ENV_PREFIX + suffix for suffix in _ENV_FIELDS}
    return (spelled | built) - {ENV_PREFIX + name for name in RETIRED}


def test_env_example_lists_every_setting_the_code_reads() -> None:
    documented = set(DOCUMENTED.findall((ROOT / ".env.example").read_text(encoding="utf-8")))
    code = names_in_code()
    assert {"NEWSQA_BOT_OWNERS", "NEWSQA_BOT_DEV_GUILD", "NEWSQA_TOP_K"} <= code  # the scan works
    assert sorted(code - documented) == []
