"""Fail (exit 1) when a `newsqa eval --json` report read on stdin is below its floors.

    newsqa eval QA.jsonl --json | python scripts/check_floor.py "mode==hybrid" "article_hit@1>=0.95"

CI runs it on the seed dev set in hybrid mode with the real model (.ci/run).
"""

from __future__ import annotations

import json
import operator
import re
import sys

FLOOR = re.compile(r"^([\w@]+)(>=|<=|==)([\w.]+)$")
COMPARE = {">=": operator.ge, "<=": operator.le, "==": operator.eq}


def main(argv: list[str]) -> int:
    report = json.loads(sys.stdin.read())
    failed = []
    for floor in argv:
        match = FLOOR.match(floor)
        if not match:
            print(
                f"not a floor: {floor!r} (want name>=value, name<=value or name==value)",
                file=sys.stderr,
            )
            return 2
        name, sign, value = match.groups()
        measured = report.get(name)
        try:
            wanted: object = float(value)
        except ValueError:
            wanted = value  # "mode==hybrid"
        ok = measured is not None and COMPARE[sign](measured, wanted)
        print(f"{'ok  ' if ok else 'FAIL'} {name} = {measured} (floor {sign} {value})")
        if not ok:
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
