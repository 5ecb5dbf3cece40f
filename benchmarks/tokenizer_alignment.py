"""How many PubTator mentions of the CDR test set start and end on tokenizer boundaries."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BC5CDR, header

from workbench.formats import pubtator


def main() -> None:
    docs = pubtator.read(BC5CDR / "CDR_TestSet.PubTator.txt")
    total = aligned = 0
    misses: list[str] = []
    for doc in docs:
        starts = {t.start for t in doc.tokens}
        ends = {t.end for t in doc.tokens}
        for s in doc.spans:
            total += 1
            if s.start in starts and s.end in ends:
                aligned += 1
            else:
                ctx = doc.text[max(0, s.start - 10) : s.end + 10].replace("\n", " ")
                misses.append(f"{doc.external_id}: `{doc.text[s.start : s.end]}` in `…{ctx}…`")
    print(header("Tokenizer alignment on the CDR test set (PubTator gold mentions)"))
    print(
        f"| documents | mentions | aligned | share |\n|---|---|---|---|\n"
        f"| {len(docs)} | {total:,} | {aligned:,} | {aligned / total:.2%} |\n"
    )
    print("Mentions that do not align (stored exactly all the same):\n")
    for m in misses:
        print(f"- {m}")


if __name__ == "__main__":
    main()
