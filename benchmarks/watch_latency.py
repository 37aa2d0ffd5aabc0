"""How long from an article file dropped into a watched folder until a question finds it.

Runs `newsqa index --watch` on a copy of the seeds, drops new articles one at a time (written in
one go, as a copy or a save does) and, for each, times: the drop to the watcher's commit line,
and the commit line to the first `ask` (in this process, reopening the index as the bot does on a
new generation) that quotes the new article. The watcher waits `SETTLE_S` (2 s) for a file to
settle before committing, so that is the floor of the first figure.

    .venv/bin/python benchmarks/watch_latency.py [--drops 5] [--model none|PATH]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval.config import Settings  # noqa: E402
from retrieval.pipeline import Pipeline  # noqa: E402

ARTICLE = """---
title: 광주 {n}호 연구소 개소
outlet: 벤치마크일보
date: 2026-11-30
---
광주시는 30일 제{n}호 양자암호 연구소를 첨단3지구에 열었다고 밝혔다.
연구소는 양자암호 통신 시험망을 운영한다.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drops", type=int, default=5)
    parser.add_argument("--model", default="none")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="newsqa-watch-"))
    articles, index = work / "news", work / "idx"
    shutil.copytree(ROOT / "seeds", articles)
    command = [sys.executable, "-m", "retrieval", "index", "--watch", "--articles", str(articles)]
    command += ["--index", str(index), "--model", args.model]
    watcher = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert watcher.stdout is not None
    to_commit: list[float] = []
    to_answer: list[float] = []
    try:
        print("first sync:", watcher.stdout.readline().strip())
        settings = Settings(articles=articles, index_dir=index, model=args.model)
        for n in range(1, args.drops + 1):
            dropped = time.perf_counter()
            (articles / f"lab{n}.md").write_text(ARTICLE.format(n=n), encoding="utf-8")
            line = watcher.stdout.readline().strip()
            committed = time.perf_counter()
            answer = Pipeline.open(settings).ask(f"제{n}호 양자암호 연구소는 어디에 열었어?")
            answered = time.perf_counter()
            found = answer.answered and answer.quotes[0].article_id == f"lab{n}"
            to_commit.append(committed - dropped)
            to_answer.append(answered - committed)
            print(
                f"drop {n}: commit after {to_commit[-1]:.2f} s ({line}); answered "
                f"{'from it' if found else 'WITHOUT it'} {to_answer[-1]:.2f} s later"
            )
    finally:
        watcher.kill()
        watcher.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"median over {args.drops} drops: dropped -> committed {statistics.median(to_commit):.2f} s, "
        f"committed -> answerable {statistics.median(to_answer):.2f} s "
        f"(settle wait 2.0 s of it; model {args.model})"
    )


if __name__ == "__main__":
    main()
