"""How fast is a word diff of two long article versions?

Builds a 10,000-word text from the shared news corpus (``ground_truth.jsonl``; synthetic
text when the corpus is absent), edits about 2% of its words (mostly replaced, some
inserted or deleted, at random but seeded), and times :func:`storage.diff.word_diff` on
the two versions against the baseline the diff must not be slower than:
``difflib.SequenceMatcher(None, a_words, b_words).get_opcodes()`` on the same texts split
into words. Prints one JSON line::

    {"name": "diff_ms", "value": <median ms>, "target": "<= <difflib median ms>", "unit": "ms", ...}

with the ratio of the two in the detail. Run:
``.venv/bin/python benchmarks/diff_speed.py [--runs N] [--quick]`` (``--quick``: 7 runs).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_DIR))

from storage.diff import count_words, word_diff  # noqa: E402

WORDS = 10_000
CHANGE_SHARE = 0.02
SEED = 20240501
RUNS, QUICK_RUNS = 21, 7
CORPUS_DIR = Path(os.environ.get("MEDIAWATCH_CORPUS") or REPO_DIR.parent / "shared" / "corpus")


def corpus_paragraphs() -> list[list[str]] | None:
    """Paragraphs (as word lists) of the corpus texts, in corpus order; None without corpus."""
    path = CORPUS_DIR / "ground_truth.jsonl"
    if not path.is_file():
        return None
    paragraphs: list[list[str]] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                text = json.loads(line).get("text") or ""
                paragraphs.extend(p.split() for p in text.split("\n") if p.strip())
    return paragraphs


def synthetic_paragraphs(rng: random.Random) -> list[list[str]]:
    """Zipf-distributed words from a small vocabulary, in sentences and paragraphs."""
    vocabulary = [f"w{n}" for n in range(3000)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    paragraphs = []
    for _ in range(WORDS // 40 + 1):
        words = rng.choices(vocabulary, weights, k=40)
        words[0] = words[0].capitalize()
        words[-1] += "."
        paragraphs.append(words)
    return paragraphs


def build_texts(rng: random.Random) -> tuple[str, str, str]:
    """(old text, new text, where the text came from)."""
    paragraphs = corpus_paragraphs()
    origin = "corpus ground_truth.jsonl"
    if paragraphs is None:
        paragraphs, origin = synthetic_paragraphs(rng), "synthetic (corpus absent)"
    old: list[list[str]] = []
    total = 0
    for para in paragraphs:
        take = para[: WORDS - total]
        old.append(take)
        total += len(take)
        if total >= WORDS:
            break
    vocabulary = [w for para in old for w in para]
    new = [list(para) for para in old]
    positions = [(p, i) for p, para in enumerate(new) for i in range(len(para))]
    # Edit from the end so earlier positions stay valid after inserts and deletes.
    for p, i in sorted(rng.sample(positions, int(WORDS * CHANGE_SHARE)), reverse=True):
        kind = rng.random()
        if kind < 0.7:
            new[p][i] = rng.choice(vocabulary)
        elif kind < 0.85:
            new[p].insert(i, rng.choice(vocabulary))
        else:
            del new[p][i]
    return _join(old), _join(new), origin


def _join(paragraphs: list[list[str]]) -> str:
    return "\n\n".join(" ".join(para) for para in paragraphs if para)


def median_ms(func: Callable[[], object], runs: int) -> float:
    func()  # warm up: regex compilation, caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(pages: object, quick: bool, runs: int | None = None) -> list[dict[str, Any]]:
    """The diff_ms figure; ``pages`` is unused (the texts come from the corpus's ground truth)."""
    runs = runs or (QUICK_RUNS if quick else RUNS)
    old, new, origin = build_texts(random.Random(SEED))
    a_words, b_words = old.split(), new.split()
    value = median_ms(lambda: word_diff(old, new), runs)
    baseline = median_ms(
        lambda: difflib.SequenceMatcher(None, a_words, b_words).get_opcodes(), runs
    )
    ops = word_diff(old, new)
    assert "".join(o.text for o in ops if o.op != "insert") == old
    assert "".join(o.text for o in ops if o.op != "delete") == new
    added, removed = count_words(ops)
    detail = (
        f"ratio to difflib {value / baseline:.2f}; "
        f"{origin}; {len(a_words)} -> {len(b_words)} words, {int(WORDS * CHANGE_SHARE)} edits "
        f"(70% replace, 15% insert, 15% delete); word_diff: {len(ops)} ops, +{added} -{removed} "
        f"words; target: difflib.SequenceMatcher(None, a_words, b_words).get_opcodes() "
        f"(autojunk on) on str.split() words, {baseline:.1f} ms; median of {runs} runs"
    )
    row = {
        "name": "diff_ms",
        "value": round(value, 2),
        "target": f"<= {baseline:.2f}",
        "unit": "ms",
        "detail": detail,
    }
    print(json.dumps(row), flush=True)
    return [row]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, help=f"timed runs of each (default {RUNS})")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_RUNS} runs")
    args = parser.parse_args()
    measure(None, args.quick, args.runs)


if __name__ == "__main__":
    main()
