"""Korean names and descriptions for the slash commands (Discord shows them by the user's locale)."""

from __future__ import annotations

import discord
from discord import app_commands

KOREAN = {
    "ask": "질문",
    "question": "질문내용",
    "reindex": "재색인",
    "help": "도움말",
    "articles": "기사",
    "query": "검색어",
}


class KoreanTranslator(app_commands.Translator):
    """Command names in Korean for Korean clients; descriptions are already Korean by default."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale is not discord.Locale.korean:
            return None
        return KOREAN.get(string.message, string.message)
