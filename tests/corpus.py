"""Access to the shared news corpus (real pages with ground-truth text) for tests and benchmarks.

The corpus lives outside the repository (``../shared/corpus`` next to it, or wherever
``MEDIAWATCH_CORPUS`` points) and is never copied in. Tests that need it call
:func:`require_corpus` first: it skips when the corpus is absent, but fails when ``CI=true``,
so a CI run can never go green by silently skipping the quality gates.

Usage::

    from tests.corpus import corpus_pages, require_corpus, token_f1

    def test_something() -> None:
        require_corpus()
        for page in corpus_pages():
            html = page.html_bytes()
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
CORPUS_DIR = Path(os.environ.get("MEDIAWATCH_CORPUS") or REPO_DIR.parent / "shared" / "corpus")
GROUND_TRUTH = "ground_truth.jsonl"

SCRAPINGHUB = "scrapinghub/article-extraction-benchmark"
FUNDUS = "flairNLP/fundus"


@dataclass(frozen=True)
class CorpusPage:
    """One corpus page: where its HTML is and what the ground truth says about it."""

    id: str
    file: Path
    url: str
    title: str | None
    text: str
    declared_charset: str | None
    source: str
    lead: str | None
    authors: tuple[str, ...]
    publishing_date: str | None

    def html_bytes(self) -> bytes:
        """The page exactly as fetched (un-gzipped, not decoded)."""
        with gzip.open(self.file, "rb") as fh:
            return fh.read()


def corpus_available() -> bool:
    """True when the corpus ground truth can be read."""
    return (CORPUS_DIR / GROUND_TRUTH).is_file()


def require_corpus() -> None:
    """Skip the calling test when the corpus is absent; fail instead when running in CI."""
    if corpus_available():
        return
    import pytest  # here, so that benchmarks can use this module without pytest

    message = (
        f"news corpus not found at {CORPUS_DIR} "
        "(set MEDIAWATCH_CORPUS or put it at ../shared/corpus next to the repository)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@functools.cache
def corpus_pages() -> list[CorpusPage]:
    """All corpus pages in ground-truth order (439 of them), read once per process."""
    pages = []
    with (CORPUS_DIR / GROUND_TRUTH).open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            pages.append(
                CorpusPage(
                    id=rec["id"],
                    file=CORPUS_DIR / rec["file"],
                    url=rec["url"],
                    title=rec.get("title"),
                    text=rec["text"],
                    declared_charset=rec.get("declared_charset"),
                    source=rec["source"],
                    lead=rec.get("lead"),
                    authors=tuple(rec.get("authors") or ()),
                    publishing_date=rec.get("publishing_date"),
                )
            )
    return pages


def corpus_page(page_id: str) -> CorpusPage:
    """One page by its ``id`` (KeyError when there is no such page)."""
    for page in corpus_pages():
        if page.id == page_id:
            return page
    raise KeyError(page_id)


# Chinese and Japanese are written without spaces, so a "word" there would be a whole
# sentence; each ideograph or kana counts as one token instead. Hangul is spaced like
# European scripts and stays in words.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN_RE = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])\w)+")


def tokens(text: str) -> list[str]:
    """Word tokens of ``text``: runs of letters/digits (case kept), single CJK characters."""
    return _TOKEN_RE.findall(text)


def token_f1(predicted: str, truth: str) -> float:
    """Token-level F1 of ``predicted`` against ``truth``.

    Both texts are bags (multisets) of :func:`tokens`; punctuation, whitespace and
    paragraph breaks are ignored, and word order does not matter. Precision is the share
    of predicted tokens found in the truth, recall the share of truth tokens found in the
    prediction, each token counted at most as often as it occurs on both sides. Two empty
    texts score 1.0; one empty text scores 0.0.
    """
    pred_counts = Counter(tokens(predicted))
    truth_counts = Counter(tokens(truth))
    if not pred_counts and not truth_counts:
        return 1.0
    overlap = sum((pred_counts & truth_counts).values())
    if overlap == 0:
        return 0.0
    precision = overlap / sum(pred_counts.values())
    recall = overlap / sum(truth_counts.values())
    return 2 * precision * recall / (precision + recall)
