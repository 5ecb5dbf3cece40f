"""Lexicon suggestions against a large dictionary: the token trie of `core/lexicon.py` beside an
Aho-Corasick automaton (pyahocorasick) over the same terms, on the 500 CDR test abstracts.

    python benchmarks/lexicon.py [--terms 100000]

The terms are the BC5CDR train entities plus made-up ones (1-4 words drawn from the
abstracts' vocabulary) up to ``--terms``. Both find case-folded, whole-word occurrences. The
automaton's count is every whole-word match, overlapping ones too: it does less work than
the lexicon, which keeps the longest from each start. pyahocorasick is optional
(``pip install pyahocorasick``).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BC5CDR, header

from workbench.core import Document, Span, tokenize
from workbench.core.lexicon import Lexicon, fold
from workbench.formats import collect, get


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--terms", type=int, default=100_000)
    args = parser.parse_args()
    train = collect(get("conll"), BC5CDR / "train.tsv")
    test = collect(get("pubtator"), BC5CDR / "CDR_TestSet.PubTator.txt")
    texts = [Document(d.text, tokenize(d.text)) for d in test]
    vocab = sorted({d.text[t.start : t.end] for d in texts for t in d.tokens})
    rng = random.Random(0)
    lex = Lexicon()
    for d in train:
        lex.add(d)
    while len(lex) < args.terms:
        words = [rng.choice(vocab) for _ in range(rng.randint(1, 4))]
        text = " ".join(words)
        lex.add(Document(text, tokenize(text), [Span(0, len(text), "Chemical")]))
    words = sum(len(d.tokens) for d in texts)

    t0 = time.perf_counter()
    found = sum(len(lex.spans(d)) for d in texts)
    ours = time.perf_counter() - t0

    rows = [("token trie (workbench.core.lexicon)", ours, found)]
    try:
        import ahocorasick
    except ImportError:
        ahocorasick = None
    if ahocorasick is not None:
        auto = ahocorasick.Automaton()
        for key, _label in lex.terms():
            term = " ".join(key)
            auto.add_word(term, len(term))
        auto.make_automaton()
        t0 = time.perf_counter()
        hits = 0
        for d in texts:
            # the same normalisation, tokens joined by one space: word boundaries are spaces
            folded = " ".join(fold(d.text[t.start : t.end]) for t in d.tokens)
            for end, length in auto.iter(folded):
                start = end - length + 1
                if (start == 0 or folded[start - 1] == " ") and (
                    end + 1 == len(folded) or folded[end + 1] == " "
                ):
                    hits += 1
        aho = time.perf_counter() - t0
        rows.append(("Aho-Corasick (pyahocorasick), matches only", aho, hits))
    print(header(f"Lexicon suggestions: {len(lex):,} terms, 500 CDR test abstracts"))
    print(f"- {words:,} tokens\n")
    print("| matcher | seconds | tokens/s | ms per abstract | matches |\n|---|---|---|---|---|")
    for name, secs, n in rows:
        print(f"| {name} | {secs:.3f} | {words / secs:,.0f} | {1000 * secs / 500:.2f} | {n:,} |")


if __name__ == "__main__":
    main()
