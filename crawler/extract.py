"""Article text and metadata from a fetched HTML page: the project's only use of trafilatura.

``extract(body)`` turns the raw bytes of a page into an :class:`Extracted` record (title,
authors, dates, language, main text, canonical URL...) or ``None`` when the page holds no
article text. The crawler runs :func:`extract_dict` in a process pool, so the result also
travels as a plain dict (:meth:`Extracted.to_dict` / :meth:`Extracted.from_dict`).

What the pipeline is, and why:

* **Decoding** (:func:`decode_html`) is done here, not by lxml or trafilatura. A declared
  charset is only a hint: many pages declare one charset and are another, or declare it
  after a megabyte of inline script where no parser looks. Valid UTF-8 wins over any
  declaration (the chance that non-UTF-8 text of any length is valid UTF-8 is negligible).
* **Text** comes from trafilatura in *precision* mode without comments. On the shared
  news corpus (439 real pages with ground truth, ``benchmarks/extraction_quality.py``) it
  scores the best token F1 of the settings tried, and it lets the least boilerplate (which
  would churn between fetches) into the text: token precision 0.960 against 0.929 for
  ``trafilatura.extract()`` defaults, F1 0.963 against 0.946. Precision mode sometimes
  stops at an ad slot in mid-article; when its text is a small fraction of what the
  default *balanced* mode finds, the balanced text is used instead. A leading paragraph
  that repeats the headline is dropped (the title is a field of its own).
* **Structured data**: a page rendered in the browser has no article text in its HTML;
  its body is then read from the data the page embeds for its scripts (JSON-LD
  ``articleBody``, a Next.js blob, a hydration script: :mod:`crawler.structured`). The
  text trafilatura found also gives way to such a body when the page does not show it:
  the HTML then holds a lead, a caption, other stories or a notice (``_replaces``).
* **Metadata** comes from trafilatura (title, authors, date, sitename, tags), plus the
  page's own markup read directly with lxml for what trafilatura does not give reliably:
  ``<link rel=canonical>``, the stated language, the stated publication and modification
  times (with their time of day, where trafilatura gives only the day) and the ``<h1>``
  that tells a headline from the site name appended to ``<title>``.

Only stable values enter the result: trafilatura's volatile fields (``filedate``,
``fingerprint``, ``id``) are never copied, so extracting the same bytes twice gives the
same record, which is what version detection relies on.

Size: this module does not truncate input; the crawler refuses pages over its size
limit before they are read, so whatever reaches :func:`extract` is parsed in full.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from importlib.metadata import version
from typing import Any
from urllib.parse import urljoin

import charset_normalizer
import trafilatura
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints
from lxml.html import HtmlElement  # type: ignore[import-untyped]
from trafilatura.settings import Document
from trafilatura.utils import load_html
from trafilatura.xml import xmltotxt
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

from crawler.noise import (
    Removed,
    dateline_time,
    drop_noise_paragraphs,
    is_dateline,
    strip_boilerplate,
)
from crawler.structured import (
    count_sentences,
    holds_the_title,
    json_ld_paragraphs,
    script_paragraphs,
    structured_paragraphs,
)

__all__ = [
    "EXTRACTOR_VERSION",
    "Extracted",
    "ParsedPage",
    "baseline_text",
    "decode_html",
    "extract",
    "extract_dict",
    "extract_parsed",
    "parse_page",
]

LOGGER = logging.getLogger(__name__)

EXTRACTOR_VERSION = f"trafilatura {version('trafilatura')}"

# Precision-mode text shorter than this share of the balanced-mode text means precision
# mode cut the article short (typically at an ad or newsletter box in mid-article).
# On the corpus the cut-short pages keep 8-16 % of the text, and the shortest legitimate
# precision result 28 %, so the threshold sits between the two.
_TRUNCATED_SHARE = 0.22
# Precision text at least this long is never checked against balanced mode: the second
# extraction costs as much as the first, and every cut-short page on the corpus was
# shorter than 1,100 characters.
_CHECK_BELOW_CHARS = 2_000

# A body from the page's data (JSON-LD articleBody, or a body in its scripts) replaces
# the text trafilatura found when the page does not show that body (see _replaces):
# - a text that is part of the body (a subhead, an embed, the author's box: what the HTML
#   kept of a body the browser renders) when the body is _DECLARED_SHARE times as long
#   and the page shows at most _PART_SHOWN_SHARE of it;
# - a text that is not part of the body, when the body is _DECLARED_SHARE times as long
#   and the page shows at most _SHOWN_SHARE of it, or when the body is shorter but still
#   _MIN_BODY_SHARE of the text and the page shows at most _PART_SHOWN_SHARE of it (the
#   text is then other stories, a cookie notice, a caption);
# - a JSON-LD body _DECLARED_SHARE times as long as the text, on a page that shows less
#   than 1/_DECLARED_SHARE of its length as text at all.
# A script body may carry ads and other stories that the page does not show; what a body
# holds beyond a text that is part of it must read as prose, with _MIN_SENTENCES_PER_1000
# sentence ends in every 1,000 characters at least: the one corpus page whose script
# gathers its article with the shop links and ad slots around it has 1.2, where the rest
# of a real body has 5.5 to 18. Client-rendered copies of the corpus pages (benchmarks/
# churn_corpus.py) show 0-20 % of the bodies they hold (most of them none). A live blog's
# JSON-LD holds one entry: 9 % as long as the text of the one live blog in the corpus.
# The texts of the 439 corpus pages are the same as before these rules.
_DECLARED_SHARE = 2
_SHOWN_SHARE = 0.5
_PART_SHOWN_SHARE = 0.2
_MIN_BODY_SHARE = 0.25
_MIN_SENTENCES_PER_1000 = 3
# Pieces of a paragraph (without whitespace) looked for in the page's text: this long, one
# at every _PIECE_EVERY characters (its start among them: a page that shows the first
# line of a long paragraph, in a teaser, does not show the paragraph).
_SHOWN_PIECE = 40
_PIECE_EVERY = 200
_NO_SPACE = re.compile(r"\s+")
# Scripts that set a client-side app's state: window.__NUXT__ = ..., window.__INITIAL_STATE__
# = ..., self.__next_f.push(...) (React server components), Fusion.globalContent = ...
_ISLAND_START = re.compile(
    r"(?:window\.|self\.)?(?:__[A-Za-z0-9_]+__\s*=|__next_f\.push\(|Fusion\.globalContent\s*=)"
)
_ISLAND_PREFIX = 200  # characters of a script's start looked at
_SCRIPT_TYPES = frozenset({"text/javascript", "application/javascript", "module"})
_VISIBLE_TEXT = etree.XPath(
    "descendant::text()[not(ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::template or ancestor::textarea)]"
)

# With these settings htmldate (trafilatura's date finder) reads only markup: meta tags,
# <time>, JSON-LD and the URL. Its "extensive" search also reads dates out of the visible
# text, where the likeliest date on a page without metadata is "© 2024" in the footer:
# a date that changes every January and would make a new version of every such article.
# Same-day accuracy on the 258 fundus pages is 252 either way.
_DATE_PARAMS: dict[str, object] = {"original_date": True, "extensive_search": False}

# How much of a non-UTF-8 body is searched for a <meta charset> (w3lib looks at 4 KB;
# pages put it after large inline scripts) and handed to the charset detector.
_META_SEARCH_BYTES = 256 * 1024
_DETECT_BYTES = 256 * 1024
_META_CHARSET = re.compile(
    rb"<meta\s[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE
)
_MAX_CONTROL_SHARE = 0.05

# Separators between a headline and the site name in <title>: spaced "|", "-", "–", "—",
# "·", ":" or the CJK full-width "｜" and "：" (written unspaced).
_TITLE_SEPARATOR = re.compile(r"\s+[|\-–—·•:]\s+|\s*[|｜：]\s*")
_MAX_SUFFIX_CHARS = 60
_NON_WORD = re.compile(r"\W+")

_LANGUAGE_TAG = re.compile(r"([a-z]{2,3})(?:[-_][a-z0-9]{2,8})*$", re.IGNORECASE)
# Elements of trafilatura's output that only wrap blocks.
_WRAPPERS = frozenset({"body", "div", "section", "article", "main"})
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_UTF16_32 = re.compile(r"^utf[-_]?(16|32)", re.IGNORECASE)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\ufffd]")


@dataclass(frozen=True)
class Extracted:
    """What one page says about its article. Dates are ISO 8601 strings as stated."""

    title: str | None
    authors: list[str]
    published: str | None
    modified: str | None
    language: str | None
    text: str
    description: str | None
    sitename: str | None
    tags: list[str]
    canonical_url: str | None
    encoding: str
    extractor: str

    def to_dict(self) -> dict[str, object]:
        """A plain JSON-able dict (lists copied), e.g. to return from a worker process."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Extracted:
        """Rebuild from :meth:`to_dict` output; unknown keys are ignored, missing ones raise."""
        values = {f.name: d[f.name] for f in fields(cls)}
        values["authors"] = list(values["authors"])
        values["tags"] = list(values["tags"])
        return cls(**values)


# ---------------------------------------------------------------------------- decoding


def _codec(label: str | None) -> str | None:
    """Python codec name for a charset label, with the WHATWG mappings browsers use
    (latin-1 -> cp1252, gb2312 -> gb18030, shift_jis -> cp932); None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'")
    # A declared UTF-16/32 without a BOM is a known authoring error; browsers ignore it too.
    if not label or _UTF16_32.match(label):
        return None
    return resolve_encoding(label)


def _try_decode(body: bytes, encoding: str | None) -> str | None:
    if encoding is None:
        return None
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _detect(body: bytes) -> str | None:
    """Best guess for bytes that are not UTF-8 and whose declaration did not fit."""
    matches = charset_normalizer.from_bytes(body[:_DETECT_BYTES])
    best = matches.best()
    if best is None:
        return None
    # Latin-script text often fits several single-byte code pages equally well (cp1250,
    # cp1252, cp1257...); cp1252 is what browsers assume for undeclared pages, so it wins ties.
    for match in matches:
        if (
            "cp1252" in match.could_be_from_charset
            and match.chaos <= best.chaos
            and match.coherence >= best.coherence
        ):
            return "cp1252"
    return _codec(best.encoding)


def _mostly_utf8(body: bytes) -> str | None:
    """The body decoded as UTF-8 with replacement characters, if most of its non-ASCII
    sequences are valid UTF-8: a UTF-8 page with a few stray bytes, not a legacy encoding
    (whose accented letters are almost never valid UTF-8 sequences)."""
    text = body.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - body.count("\ufffd".encode())
    good = len(_NON_ASCII.findall(text)) - text.count("\ufffd")
    return text if good >= bad else None


def decode_html(body: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode a page body; returns ``(text, codec name used)``. Never raises.

    Order: a byte-order mark; valid UTF-8 (whatever is declared), also with a few stray
    invalid bytes replaced; the ``declared`` charset (the HTTP header's) if the bytes
    decode with it; the page's own ``<meta charset>``; detection; finally cp1252 with
    replacement characters.
    """
    if not body:
        return "", "utf-8"
    bom_encoding, bom = read_bom(body)
    if bom_encoding is not None and bom is not None:
        encoding = codecs.lookup(bom_encoding).name
        return body[len(bom) :].decode(encoding, errors="replace"), encoding
    text = _try_decode(body, "utf-8") or _mostly_utf8(body)
    if text is not None:
        return text, "utf-8"
    for candidate in _legacy_candidates(body, declared):
        text = _try_decode(body, candidate)
        if text is not None and candidate is not None:
            return text, candidate
    return body.decode("cp1252", errors="replace"), "cp1252"


def _legacy_candidates(body: bytes, declared: str | None) -> Iterator[str | None]:
    """Codecs to try, in order, for a body that is not UTF-8 (lazily: detection is slow)."""
    if declared and "=" in declared:  # a whole Content-Type header value
        declared = http_content_type_encoding(declared)
    yield _codec(declared)
    yield _codec(html_body_declared_encoding(body))  # w3lib reads the first 4 KB properly
    late = _META_CHARSET.search(body, 0, _META_SEARCH_BYTES)
    yield _codec(late[1].decode("ascii")) if late else None
    yield _detect(body)


# ---------------------------------------------------------------------------- markup


def _meta_content(tree: HtmlElement, *names: str) -> str | None:
    """First non-empty ``content`` of a <meta> whose name, property or itemprop is in names."""
    wanted = {name.lower() for name in names}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or ""
        if key.strip().lower() in wanted:
            content = str(meta.get("content") or "").strip()
            if content:
                return content
    return None


def _canonical_url(tree: HtmlElement, url: str | None) -> str | None:
    """The page's ``<link rel=canonical>``, made absolute against ``url``; http(s) only."""
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = (link.get("href") or "").strip()
        if "canonical" in rel and href:
            absolute = urljoin(url or "", str(href))
            if absolute.startswith(("http://", "https://")):
                return absolute
            return None
    return None


def _language(tree: HtmlElement) -> str | None:
    """The stated language as a lower-case primary subtag ("en-GB" -> "en")."""
    candidates = [
        tree.get("lang"),
        tree.get("xml:lang"),  # XHTML; lxml's HTML parser keeps the prefix in the name
        _meta_content(tree, "content-language", "og:locale", "language", "dc.language"),
    ]
    for meta in tree.iter("meta"):
        if (meta.get("http-equiv") or "").lower() == "content-language":
            candidates.insert(2, meta.get("content"))
    for candidate in candidates:
        # a tag like "en", "pt-BR", "de_DE"; sites also put "utf-8" or "English" there
        match = _LANGUAGE_TAG.match(str(candidate or "").strip())
        if match:
            return match[1].lower()
    return None


def _iso(value: str | None) -> str | None:
    """An ISO 8601 rendering of a stated date/time, or None if it is not one."""
    if not value:
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if len(value) <= 10:  # a date without time stays a date
        return parsed.date().isoformat()
    return parsed.isoformat()


def _json_ld_objects(tree: HtmlElement) -> list[dict[str, Any]]:
    """All JSON-LD objects on the page, flattened out of lists and ``@graph``."""
    found: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                found.append(item)
                stack.extend(v for k, v in item.items() if k == "@graph")
    return found


def _stated_dates(tree: HtmlElement) -> tuple[str | None, str | None]:
    """Publication and modification times as the page states them in its metadata."""
    published = _iso(_meta_content(tree, "article:published_time", "datePublished"))
    modified = _iso(_meta_content(tree, "article:modified_time", "og:updated_time", "dateModified"))
    if published is None or modified is None:
        for obj in _json_ld_objects(tree):
            if "datePublished" not in obj and "dateModified" not in obj:
                continue
            published = published or _iso(_as_str(obj.get("datePublished")))
            modified = modified or _iso(_as_str(obj.get("dateModified")))
            if published and modified:
                break
    if modified is None:
        modified = _iso(_meta_content(tree, "last-modified", "dcterms.modified"))
    return published, modified


def _as_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


# ---------------------------------------------------------------------------- extraction


def _paragraphs(doc: Document | None) -> list[str]:
    """The extracted text as paragraphs: one per block trafilatura found (paragraph,
    heading, list, quote, table...), with line breaks inside a block (``<br>``, list
    items, table rows) kept as single newlines. Same words as trafilatura's own text."""
    if doc is None or doc.body is None:
        return []
    blocks: list[str] = []
    _collect_blocks(doc.body, blocks)
    paragraphs = []
    for block in blocks:
        lines = (line.strip() for line in block.splitlines())
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return drop_noise_paragraphs(paragraphs)


def _collect_blocks(container: Any, blocks: list[str]) -> None:
    """Text of each block in a trafilatura output tree, descending into wrapper <div>s
    (kept by its fallback extractors); loose text between blocks is a block of its own."""
    if container.text:
        blocks.append(container.text)
    for child in container:
        tail, child.tail = child.tail, None  # the tree is this run's own; the tail is not child's
        if child.tag in _WRAPPERS:
            _collect_blocks(child, blocks)
        else:
            blocks.append(xmltotxt(child, False))
        if tail:
            blocks.append(tail)


def _dateline_modified(removed: list[Removed]) -> str | None:
    """The moment the page's dateline states, when exactly one dateline with a lead word
    ("Updated", "Aktualisiert am") was removed: several are a teaser list's own."""
    stated = {
        moment
        for block in removed
        if block.rule == "dateline" and is_dateline(block.text, needs_lead=True)
        for moment in [dateline_time(block.text)]
        if moment is not None
    }
    return stated.pop() if len(stated) == 1 else None


def _first_headline(tree: HtmlElement) -> str | None:
    """Text of the page's first non-empty <h1>, whitespace collapsed."""
    for h1 in tree.iter("h1"):
        text = " ".join(h1.text_content().split())
        if text:
            return text
    return None


def _clean_title(title: str | None, headline: str | None, sitename: str | None) -> str | None:
    """The article's headline without the site name that <title> tags usually append.

    "Storm hits coast | Daily Planet" becomes "Storm hits coast" when the page's <h1> is
    that prefix, or when the appended part names the site.
    """
    if not title:
        return headline
    if (
        headline
        and headline != title
        and title.startswith(headline)
        and len(headline) >= 0.5 * len(title)
        and _TITLE_SEPARATOR.match(title[len(headline) :])
    ):
        return headline
    if sitename:
        site = sitename.casefold()
        for match in reversed(list(_TITLE_SEPARATOR.finditer(title))):
            suffix = title[match.end() :]
            if site in suffix.casefold() and len(suffix) <= _MAX_SUFFIX_CHARS:
                return title[: match.start()].strip() or title
    return title


def _without_title(paragraphs: list[str], title: str | None) -> list[str]:
    """Drop a leading paragraph that is the title (or most of it): the title is its own field."""
    if not title or len(paragraphs) < 2:
        return paragraphs
    first, whole = _comparable(paragraphs[0]), _comparable(title)
    if first and whole.startswith(first) and len(first) >= 0.6 * len(whole):
        return paragraphs[1:]
    return paragraphs


def _comparable(text: str) -> str:
    return " ".join(_NON_WORD.split(text.casefold())).strip()


def _split_authors(author: str | None) -> list[str]:
    if not author:
        return []
    names: list[str] = []
    for name in author.split(";"):
        name = name.strip()
        if name and name not in names:
            names.append(name)
    return names


def _looks_binary(html: str) -> bool:
    """True when the decoded start of the body is mostly control or replacement characters."""
    head = html[:4096]
    return len(_CONTROL_CHARS.findall(head)) > _MAX_CONTROL_SHARE * len(head)


def _trafilatura(
    tree: HtmlElement, url: str | None, *, with_metadata: bool, favor_precision: bool
) -> Document | None:
    """One trafilatura run on (a copy of) the parsed page; comments are never article text."""
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=with_metadata,
        favor_precision=favor_precision,
        include_comments=False,
        date_extraction_params=_DATE_PARAMS,
    )
    return doc if isinstance(doc, Document) else None


@dataclass
class ParsedPage:
    """A page body decoded and parsed once, for everything that reads it in a worker.

    ``removed`` and ``from_data`` are filled by :func:`extract_parsed`: the boilerplate
    blocks it took out of ``tree`` (which it changes in place), for checks that look at
    the whole page, and whether the text it gave is a body from the page's data rather
    than what its HTML shows."""

    html: str
    encoding: str
    tree: HtmlElement
    removed: list[Removed] = field(default_factory=list)
    from_data: bool = False


def parse_page(body: bytes, declared_encoding: str | None = None) -> ParsedPage | None:
    """The body decoded (:func:`decode_html`) and parsed, or None when it is empty, binary
    or not HTML at all."""
    html, encoding = decode_html(body, declared_encoding)
    if not html.strip() or _looks_binary(html):
        return None
    tree = load_html(html)
    if tree is None:
        return None
    return ParsedPage(html, encoding, tree)


def extract(
    body: bytes, *, url: str | None = None, declared_encoding: str | None = None
) -> Extracted | None:
    """Extract the article from a page body, or None when it holds no article text."""
    page = parse_page(body, declared_encoding)
    return extract_parsed(page, url=url) if page is not None else None


def extract_parsed(page: ParsedPage, *, url: str | None = None) -> Extracted | None:
    """:func:`extract` on a page parsed already; its tree loses its boilerplate blocks."""
    tree, encoding = page.tree, page.encoding
    # Read the page's own markup first: bare_extraction works on a copy of the tree.
    canonical = _canonical_url(tree, url)
    language = _language(tree)
    headline = _first_headline(tree)
    stated_published, modified = _stated_dates(tree)
    # Boilerplate that churns between loads (teasers, counters, "5 minutes ago", promos)
    # goes before trafilatura sees the page: left in mid-article it would both enter the
    # text and change what trafilatura keeps of the article around it.
    page.removed = strip_boilerplate(tree)
    # A page that states no modification time in its metadata may state it in its one
    # "Updated 14:32 GMT, 3 November 2026" line, taken out above: it goes with the fetch.
    modified = modified or _dateline_modified(page.removed)

    doc = _trafilatura(tree, url, with_metadata=True, favor_precision=True)
    # Nothing at all in precision mode means no article in the HTML (a section front, a
    # link list): balanced mode would return the navigation, so it is not asked. A page
    # rendered in the browser holds its article in its data instead (JSON-LD, a Next.js
    # blob, a hydration script), where a section front holds none.
    paragraphs = _paragraphs(doc)
    if doc is None or not paragraphs:
        paragraphs = _structured_paragraphs(tree, doc)
        if not paragraphs:
            return None
        doc = doc or _metadata(tree, url)
        page.from_data = True
    elif unshown := _body_the_page_does_not_show(tree, paragraphs, doc):
        paragraphs = unshown
        page.from_data = True
    elif sum(map(len, paragraphs)) < _CHECK_BELOW_CHARS:
        balanced = _trafilatura(tree, url, with_metadata=False, favor_precision=False)
        balanced_paragraphs = _paragraphs(balanced)
        if sum(map(len, paragraphs)) < _TRUNCATED_SHARE * sum(map(len, balanced_paragraphs)):
            paragraphs = balanced_paragraphs
    title = _clean_title(doc.title or None, headline, doc.sitename or None)
    return Extracted(
        title=title,
        authors=_split_authors(doc.author),
        published=stated_published or doc.date or None,
        modified=modified,
        language=language,
        text="\n\n".join(_without_title(paragraphs, title)),
        description=doc.description or None,
        sitename=doc.sitename or None,
        tags=[tag for tag in (doc.tags or []) if tag],
        canonical_url=canonical,
        encoding=encoding,
        extractor=EXTRACTOR_VERSION,
    )


def _structured_paragraphs(tree: HtmlElement, doc: Document | None) -> list[str]:
    """The article body the page holds in its structured data (:mod:`crawler.structured`),
    as paragraphs without noise; [] when it holds none."""
    title, description = _title_and_description(tree, doc)
    return drop_noise_paragraphs(structured_paragraphs(tree, title=title, description=description))


def _body_the_page_does_not_show(
    tree: HtmlElement, paragraphs: list[str], doc: Document
) -> list[str]:
    """The body the page's structured data holds instead of the text trafilatura found,
    when the page does not show that body: its article is rendered in the browser, and
    what the HTML holds is a teaser, a lead, a caption, or other stories and notices. []
    when the text stands.

    The JSON-LD ``articleBody`` (the body the page declares, cheap to read) is looked at
    on every page; a body in the page's other scripts when the text is short, or when the
    page carries a data island for its scripts (see :func:`_has_data_island`): reading
    every script of every page would cost more than the check is worth."""
    title, description = _title_and_description(tree, doc)
    declared = drop_noise_paragraphs(json_ld_paragraphs(tree, title=title, description=description))
    if declared and _replaces(declared, paragraphs, tree, declared=True):
        # A declared body holding fewer of the title's words than a script's body must
        # (another story's, in a site's JSON-LD) gives way to a script body that does.
        if holds_the_title(declared, title=title, description=description):
            return declared
        found = _script_body(tree, title, description)
        return found if found and _replaces(found, paragraphs, tree) else declared
    if declared and _share_within(paragraphs, "".join(declared)) >= 0.5:
        return []  # the text is the body the page declares: the article
    if sum(map(len, paragraphs)) >= _CHECK_BELOW_CHARS and not _has_data_island(tree):
        return []
    found = _script_body(tree, title, description)
    if found and _replaces(found, paragraphs, tree):
        return found
    return []


def _script_body(tree: HtmlElement, title: str | None, description: str | None) -> list[str]:
    return drop_noise_paragraphs(script_paragraphs(tree, title=title, description=description))


def _replaces(
    body: list[str], paragraphs: list[str], tree: HtmlElement, *, declared: bool = False
) -> bool:
    """Whether a body from the page's data is the article rather than the text, because
    the page shows little of it (the rules are at ``_DECLARED_SHARE``). The page's visible
    text is read only when the sizes leave the question open."""
    size, body_size = sum(map(len, paragraphs)), sum(map(len, body))
    longer = body_size >= _DECLARED_SHARE * size
    text_is_part = _share_within(paragraphs, "".join(body)) >= 0.5
    if not longer and (text_is_part or body_size < _MIN_BODY_SHARE * size):
        # The text is the body, or most of it; or the body is a part of the page's story
        # (one entry of a live blog) rather than the story.
        return False
    if text_is_part and not _adds_prose(body, paragraphs):
        return False  # the text, and the page's links and ad slots around it
    if declared and longer and _visible_chars(tree, limit=body_size) * _DECLARED_SHARE < body_size:
        return True  # the page shows too little text to hold the body it declares
    shown = _share_within(body, _visible_text(tree))
    if longer and not text_is_part:
        return shown <= _SHOWN_SHARE
    # What the HTML kept of a body the browser renders; or a text that is not the body at
    # all (other stories, a notice) on a page that shows next to none of that body.
    return shown <= _PART_SHOWN_SHARE


def _adds_prose(body: list[str], paragraphs: list[str]) -> bool:
    """Whether the paragraphs of ``body`` that are not in ``paragraphs`` read as prose."""
    haystack = _NO_SPACE.sub("", "".join(paragraphs))
    added = [paragraph for paragraph in body if _held(paragraph, haystack) < 0.5]
    size = sum(map(len, added))
    return count_sentences(" ".join(added)) * 1000 >= _MIN_SENTENCES_PER_1000 * size


def _has_data_island(tree: HtmlElement) -> bool:
    """Whether the page carries the state of a client-side app, where such apps keep the
    article they render: a JSON ``<script>`` (Next.js ``__NEXT_DATA__``, Nuxt and others)
    or a script that sets a ``window.__STATE__`` or pushes React server components."""
    for script in tree.iter("script"):
        kind = (script.get("type") or "").strip().lower()
        if kind == "application/json" or script.get("id") == "__NEXT_DATA__":
            return True
        if not kind or kind in _SCRIPT_TYPES:
            start = (script.text or "")[:_ISLAND_PREFIX].lstrip()
            if _ISLAND_START.match(start):
                return True
    return False


def _share_within(paragraphs: list[str], text: str) -> float:
    """How much of ``paragraphs`` (by characters) is in ``text``: the share of each one's
    pieces that are (markup and data may each begin a paragraph with words the other
    lacks: a tag's name, a dateline; a teaser may end anywhere). Whitespace is left out on
    both sides, as markup splits and joins text in other places than data does."""
    haystack = _NO_SPACE.sub("", text)
    held = sum(len(paragraph) * _held(paragraph, haystack) for paragraph in paragraphs)
    return held / max(1, sum(map(len, paragraphs)))


def _held(paragraph: str, haystack: str) -> float:
    """The share of the paragraph's pieces in ``haystack`` (text without whitespace)."""
    squeezed = _NO_SPACE.sub("", paragraph)
    starts = range(0, max(1, len(squeezed) - _SHOWN_PIECE // 2), _PIECE_EVERY)  # the start at least
    return sum(squeezed[at : at + _SHOWN_PIECE] in haystack for at in starts) / len(starts)


def _visible_text(tree: HtmlElement) -> str:
    """The text a reader sees in the page's body (scripts, styles and templates are not
    seen), as one string."""
    return "".join(_VISIBLE_TEXT(next(tree.iter("body"), tree)))


def _visible_chars(tree: HtmlElement, *, limit: int) -> int:
    """Characters of text a reader sees in the page's body, counted up to ``limit``."""
    body = next(tree.iter("body"), tree)
    count = 0
    for text in _VISIBLE_TEXT(body):
        count += len(text.strip())
        if count >= limit:
            break
    return count


def _title_and_description(
    tree: HtmlElement, doc: Document | None
) -> tuple[str | None, str | None]:
    """The page's title and description, to tell its own body from others in its data."""
    title = (doc.title if doc is not None else None) or _meta_content(tree, "og:title")
    description = (doc.description if doc is not None else None) or _meta_content(
        tree, "og:description", "description", "twitter:description"
    )
    if not title:
        title = next((" ".join(t.text_content().split()) for t in tree.iter("title")), None)
    return title or _first_headline(tree), description


def _metadata(tree: HtmlElement, url: str | None) -> Document:
    """trafilatura's metadata of a page in which it found no article text (on a copy of
    the tree, as :func:`_trafilatura` works)."""
    metadata = trafilatura.extract_metadata(
        deepcopy(tree), default_url=url, date_config=_DATE_PARAMS, extensive=False
    )
    return metadata if isinstance(metadata, Document) else Document()


def baseline_text(html: str) -> str | None:
    """``trafilatura.extract`` with all its defaults: the reference the benchmark compares
    :func:`extract` against (kept here so that trafilatura is imported in one module only)."""
    return trafilatura.extract(html)


def extract_dict(
    body: bytes, url: str | None, declared_encoding: str | None
) -> dict[str, object] | None:
    """:func:`extract` for a process pool: plain dict or None; never raises for a bad page."""
    try:
        result = extract(body, url=url, declared_encoding=declared_encoding)
    except Exception:
        # A parser bug on one page must not take the worker (and its queue) down.
        LOGGER.exception("extraction failed for %s", url)
        return None
    return result.to_dict() if result is not None else None
