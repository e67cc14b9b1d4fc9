"""Boilerplate churn and real edits for real corpus pages, for tests and benchmarks.

A real news page changes on every load although its article does not: teasers, counters,
"N minutes ago", promos, ads and tokens around the article *and between its paragraphs*.
:func:`inject_churn` reproduces that on a corpus page: ``inject_churn(html, seed)`` always
adds the same kinds of boilerplate in the same number, and only their contents and their
places depend on ``seed`` (as between two loads of one page). :func:`apply_edit` makes the
edits an editor makes (one word, a paragraph added or removed, the headline), each of
which must make a new version.

Everything works on the page source as a string, so the page stays byte-for-byte what the
publisher served apart from the inserted or edited spans. Body paragraphs are found as
``<p>`` elements whose text is in a reference text (the ground truth, or what the
extractor kept); pages whose article is not written in ``<p>`` elements fall back to
runs of text between tags.

At least half of the inserted blocks carry no class or id at all (``<p>Updated 12
minutes ago</p>``, ``<div><span>3,482</span> shares</div>``), as on many real sites:
the filter must recognise them by what they say and how they are built, not by name.
"""

from __future__ import annotations

import html as htmlib
import json
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "EDIT_KINDS",
    "EditNotApplicable",
    "Span",
    "apply_edit",
    "body_spans",
    "inject_churn",
    "page_language",
]

EDIT_KINDS = ("word", "add_paragraph", "remove_paragraph", "headline")

# Regions whose "<p>" is not markup: scripts, styles, templates, comments.
_MASKED = re.compile(
    r"<(script|style|template|noscript|textarea)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I
)
_PARAGRAPH = re.compile(r"<p(?:\s[^>]*)?>(.*?)</p\s*>", re.S | re.I)
# A "<p>" whose span holds one of these was never closed where the regex thinks it was.
_NOT_ONE_PARAGRAPH = re.compile(
    r"<(?:p|div|section|article|h[1-6]|ul|ol|table|figure|aside|main)[\s>/]"
    r"|</(?:div|section|article|td|li|main)",
    re.I,
)
_TAG = re.compile(r"<[^>]*>")
_TEXT_CHUNK = re.compile(r">([^<]+)<")
_ANY_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^>]*?(/?)>")
# fmt: off
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "aside", "main", "li", "ul", "ol", "td", "th", "tr",
    "table", "blockquote", "figure", "header", "footer", "nav", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "dl", "dd", "dt",
})
# fmt: on
_LINE_BREAK = re.compile(r"\s*<br\s*/?>", re.I)
_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.I)
_BODY_CLOSE = re.compile(r"</body\s*>", re.I)
_H1_CLOSE = re.compile(r"</h1\s*>", re.I)
_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.I)
# A word that may be replaced: letters only, not part of an entity (&nbsp;) or of a longer
# token with digits; CJK runs are handled one character at a time.
_WORD = re.compile(
    r"(?<![&#\w])((?:[^\W\d_]|[\u0300-\u036f\u0900-\u0dff\u0e00-\u0e7f]){4,})(?![\w;])"
)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")

MIN_PARAGRAPH_CHARS = 30
MIN_CHUNK_CHARS = 40
MIN_P_ANCHORS = 3


class EditNotApplicable(ValueError):
    """The page offers no place for this kind of edit (no kept paragraph, no headline)."""


@dataclass(frozen=True)
class Span:
    """One body paragraph in the page source: ``html[start:end]``, its visible text, and
    ``after``: where a block may go after it (past the end of the element holding it)."""

    start: int
    end: int
    text: str
    after: int


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _visible(fragment: str) -> str:
    """Text of a paragraph's markup: inline tags join their neighbours, as on screen."""
    return _normalise(htmlib.unescape(_TAG.sub("", _LINE_BREAK.sub(" ", fragment))))


def _masked(html: str) -> str:
    """The page with scripts, styles and comments blanked out (same length, same offsets)."""
    return _MASKED.sub(lambda m: " " * len(m.group(0)), html)


def _whole_paragraphs(reference: str) -> Callable[[str], bool]:
    """A test for "this text is one or more whole paragraphs (lines) of ``reference``",
    not a sentence inside one (a pull quote repeats a sentence of the body)."""
    lines = "\x00".join(_normalise(line) for line in reference.splitlines() if line.strip())
    bounded = f"\x00{lines}\x00"

    def test(text: str) -> bool:
        pattern = "[ \x00]".join(map(re.escape, text.split(" ")))
        return re.search(f"\x00{pattern}\x00", bounded) is not None

    return test


def body_spans(html: str, reference: str | None = None, *, whole: bool = False) -> list[Span]:
    """The article's paragraphs in the page source, in document order.

    ``<p>`` elements whose text occurs in ``reference`` (the ground truth or the text an
    extractor kept); without a reference, ``<p>`` elements of 80 characters or more. When
    fewer than three ``<p>`` qualify, runs of text between tags that occur in the
    reference (``<br>``-separated text, ``<div>`` paragraphs) are used instead. With
    ``whole``, only text that is whole paragraphs of the reference qualifies.
    """
    masked = _masked(html)
    wanted = _normalise(reference) if reference is not None else None
    is_whole = _whole_paragraphs(reference) if whole and reference is not None else None

    def qualifies(text: str, minimum: int) -> bool:
        if wanted is None:
            return len(text) >= max(minimum, 80)
        if len(text) < minimum or text not in wanted:
            return False
        return is_whole is None or is_whole(text)

    spans = []
    for match in _PARAGRAPH.finditer(masked):
        if _NOT_ONE_PARAGRAPH.search(match.group(1)):
            continue
        text = _visible(html[match.start(1) : match.end(1)])
        if qualifies(text, MIN_PARAGRAPH_CHARS):
            spans.append(Span(match.start(), match.end(), text, match.end()))
    if len(spans) >= MIN_P_ANCHORS:
        return spans
    body = _BODY_OPEN.search(masked)
    chunks = []
    for match in _TEXT_CHUNK.finditer(masked, body.end() - 1 if body else 0):
        text = _normalise(htmlib.unescape(match.group(1)))
        if qualifies(text, MIN_CHUNK_CHARS):
            chunks.append(
                Span(match.start(1), match.end(1), text, _after_chunk(masked, match.end(1)))
            )
    return chunks if len(chunks) > len(spans) else spans


def _after_chunk(masked: str, end: int) -> int:
    """Where a block may go after a run of text ending at ``end``: at the first block
    boundary after it. That is after the ``<br>`` right behind it (text set as lines in a
    ``<div>``), before the next block that opens (also ends an unclosed ``<p>``), or after
    the end tag of the block that holds it; never inside a ``<p>``, which it would cut."""
    for tag in _ANY_TAG.finditer(masked, end):
        name = tag.group(2).lower()
        if name not in _BLOCK_TAGS or tag.group(3):
            continue
        if not tag.group(1):
            return tag.start()
        line_break = _LINE_BREAK.match(masked, end)
        if line_break is not None and name != "p":
            return line_break.end()
        return tag.end()
    return end


def page_language(html: str) -> str:
    """The primary language subtag of ``<html lang>``, ``"en"`` when there is none."""
    match = _LANG.search(html[:5000])
    return match[1].lower() if match else "en"


# ---------------------------------------------------------------------------- wording

# Per language: "read more" lead-ins, relative-time templates ({n} minutes / hours),
# counter units, newsletter pitches and calls to action, list headings, ad labels.
# Languages without an entry use English for everything but their relative time.
_LEAD_INS = {
    "en": ("Read more:", "Also read:", "Related:", "See also:", "READ MORE:", "More:"),
    "de": ("Lesen Sie auch:", "Mehr zum Thema:", "Auch interessant:", "Lesen Sie mehr:"),
    "es": ("Lea también:", "Te puede interesar:", "Leer más:", "Más información:"),
    "fr": ("Lire aussi :", "À lire aussi :", "Voir aussi :", "Lire la suite :"),
    "pt": ("Leia também:", "Leia mais:", "Veja também:", "Saiba mais:"),
    "it": ("Leggi anche:", "Potrebbe interessarti:", "Leggi di più:"),
}
_MINUTES_AGO = {
    "en": ("Updated {n} minutes ago", "{n} minutes ago", "Published {n} mins ago"),
    "de": ("vor {n} Minuten", "Aktualisiert vor {n} Minuten", "Zuletzt aktualisiert: vor {n} Min."),
    "es": ("hace {n} minutos", "Actualizado hace {n} minutos", "Hace {n} min"),
    "fr": ("il y a {n} minutes", "Mis à jour il y a {n} min", "Publié il y a {n} minutes"),
    "pt": ("há {n} minutos", "Atualizado há {n} minutos", "Há {n} min"),
    "it": ("{n} minuti fa", "Aggiornato {n} minuti fa"),
    "nl": ("{n} minuten geleden", "Bijgewerkt {n} minuten geleden"),
    "sv": ("för {n} minuter sedan", "Uppdaterad för {n} minuter sedan"),
    "da": ("for {n} minutter siden", "Opdateret for {n} minutter siden"),
    "no": ("for {n} minutter siden", "Oppdatert for {n} minutter siden"),
    "nb": ("for {n} minutter siden", "Oppdatert for {n} minutter siden"),
    "pl": ("{n} minut temu", "Aktualizacja: {n} minut temu"),
    "cs": ("před {n} minutami", "Aktualizováno před {n} minutami"),
    "tr": ("{n} dakika önce", "Güncellendi: {n} dakika önce"),
    "ru": ("{n} минут назад", "Обновлено {n} минут назад"),
    "ja": ("{n}分前", "更新 {n}分前"),
    "ko": ("{n}분 전", "업데이트 {n}분 전"),
}
_HOURS_AGO = {
    "en": ("{n} hours ago", "Last updated {n} hours ago"),
    "de": ("vor {n} Stunden", "Aktualisiert vor {n} Std."),
    "es": ("hace {n} horas", "Actualizado hace {n} h"),
    "fr": ("il y a {n} heures", "Mis à jour il y a {n} h"),
    "pt": ("há {n} horas", "Atualizado há {n} horas"),
    "it": ("{n} ore fa",),
    "nl": ("{n} uur geleden",),
    "sv": ("för {n} timmar sedan",),
    "da": ("for {n} timer siden",),
    "no": ("for {n} timer siden",),
    "nb": ("for {n} timer siden",),
    "pl": ("{n} godziny temu",),
    "cs": ("před {n} hodinami",),
    "tr": ("{n} saat önce",),
    "ru": ("{n} часа назад",),
    "ja": ("{n}時間前",),
    "ko": ("{n}시간 전",),
}
_UNITS = {
    "en": ("shares", "views", "comments", "reads", "likes"),
    "de": ("Kommentare", "Aufrufe", "Mal geteilt", "Leser"),
    "es": ("comentarios", "visitas", "compartidos", "lecturas"),
    "fr": ("commentaires", "vues", "partages", "lectures"),
    "pt": ("comentários", "visualizações", "compartilhamentos", "leituras"),
    "it": ("commenti", "visualizzazioni", "condivisioni", "letture"),
}
_PITCHES = {
    "en": (
        "Get the morning briefing in your inbox every weekday.",
        "Our free newsletter: the day's top stories, every evening in your inbox.",
        "Never miss a story: sign up for our weekly newsletter.",
        "The best of our journalism, straight to your inbox.",
        "Subscribe to the Business Daily newsletter for the stories that move markets.",
    ),
    "de": (
        "Der Newsletter am Morgen: die wichtigsten Nachrichten direkt in Ihr Postfach.",
        "Jetzt den kostenlosen Newsletter abonnieren und nichts mehr verpassen.",
        "Unser Newsletter bringt Ihnen jeden Abend die Themen des Tages.",
    ),
    "es": (
        "Recibe cada mañana el boletín con las noticias más importantes.",
        "Suscríbete a nuestro newsletter gratuito y no te pierdas nada.",
    ),
    "fr": (
        "Recevez chaque matin notre newsletter dans votre boîte mail.",
        "Abonnez-vous à la newsletter : l'essentiel de l'actualité chaque soir.",
    ),
    "pt": (
        "Receba a newsletter com as principais notícias no seu e-mail.",
        "Assine nossa newsletter gratuita e fique bem informado.",
    ),
    "it": ("Ricevi ogni mattina la newsletter con le notizie del giorno.",),
}
_CALLS = {
    "en": ("Sign up", "Subscribe", "Sign up now", "Subscribe for free"),
    "de": ("Jetzt anmelden", "Abonnieren", "Anmelden"),
    "es": ("Suscríbete", "Suscribirse"),
    "fr": ("S'inscrire", "Je m'abonne"),
    "pt": ("Inscreva-se", "Assine"),
    "it": ("Iscriviti",),
}
_MOST_READ = {
    "en": ("Most read", "Most popular", "Trending now", "Top stories"),
    "de": ("Meistgelesen", "Beliebte Artikel"),
    "es": ("Lo más leído", "Más visto"),
    "fr": ("Les plus lus", "À la une"),
    "pt": ("Mais lidas", "Mais vistas"),
    "it": ("I più letti",),
}
_RELATED = {
    "en": ("Related", "Related stories", "More on this story"),
    "de": ("Mehr zum Thema", "Das könnte Sie auch interessieren"),
    "es": ("Noticias relacionadas", "Te puede interesar"),
    "fr": ("Sur le même sujet", "À lire aussi"),
    "pt": ("Notícias relacionadas", "Veja também"),
    "it": ("Articoli correlati",),
}
_AD_LABELS = {
    "en": ("Advertisement", "ADVERTISEMENT", "Ad"),
    "de": ("Anzeige", "Werbung"),
    "es": ("Publicidad",),
    "fr": ("Publicité",),
    "pt": ("Publicidade",),
    "it": ("Pubblicità",),
}
_BREAKING = {
    "en": "Breaking",
    "de": "Eilmeldung",
    "es": "Última hora",
    "fr": "Alerte",
    "pt": "Urgente",
    "it": "Ultim'ora",
}
# fmt: off
_SUBJECTS = (
    "Council", "Regulator", "Union leaders", "Health officials", "Central bank",
    "Rail operator", "Coastal towns", "Researchers", "Ministers", "Farmers", "Airport",
    "Police",
)
# fmt: on
# fmt: off
_VERBS = (
    "approve", "reject", "delay", "unveil", "warn over", "back", "review", "cut", "expand",
    "defend",
)
# fmt: on
# fmt: off
_OBJECTS = (
    "new housing plan", "cuts to bus routes", "flood defences", "interest rate rise",
    "school funding", "merger of two lenders", "night flight ban", "wind farm expansion",
    "water price increase", "hospital waiting lists",
)
# fmt: on
_SECTIONS = ("World", "Politics", "Business", "Sport", "Culture", "Science", "Opinion", "Video")
_NEW_SENTENCES = {
    "en": "A spokesperson said on Thursday that a further review of the figures would be "
    "published next month, after questions were raised about how they had been compiled.",
    "de": "Ein Sprecher sagte am Donnerstag, eine weitere Prüfung der Zahlen werde im kommenden "
    "Monat veröffentlicht, nachdem Fragen zu ihrer Erhebung aufgekommen waren.",
    "es": "Un portavoz dijo el jueves que el próximo mes se publicará una nueva revisión de las "
    "cifras, después de que surgieran dudas sobre cómo se habían elaborado.",
    "fr": "Un porte-parole a indiqué jeudi qu'un nouvel examen des chiffres serait publié le mois "
    "prochain, après des questions sur la manière dont ils avaient été établis.",
}
_REPLACEMENTS = ("harbour", "quietly", "council", "morning", "nearly", "village", "western")
_CJK_REPLACEMENTS = "新大東"


def _pick(table: Mapping[str, Sequence[str]], lang: str, rng: random.Random) -> str:
    return rng.choice(table.get(lang) or table["en"])


def _headline(rng: random.Random) -> str:
    subject, verb, thing = rng.choice(_SUBJECTS), rng.choice(_VERBS), rng.choice(_OBJECTS)
    return f"{subject} {verb} {thing}"


def _link(rng: random.Random) -> str:
    headline = _headline(rng)
    slug = re.sub(r"\W+", "-", headline.lower()).strip("-")
    path = f"/2026/{rng.randint(1, 12):02d}/{slug}-{rng.randint(100, 999)}.html"
    return f'<a href="{path}">{headline}</a>'


def _count(rng: random.Random) -> str:
    value = rng.randint(3, 250_000)
    if value >= 10_000 and rng.random() < 0.5:
        return f"{value / 1000:.1f}K"
    return f"{value:,}"


def _token(rng: random.Random) -> str:
    return f"{rng.getrandbits(64):016x}"


# ---------------------------------------------------------------------------- blocks

# Each block maker returns (plain, classed) markup for one page load; which of the two a
# load uses is up to inject_churn. Plain blocks carry no class or id.
Block = Callable[[random.Random, str], tuple[str, str]]


def _read_more(rng: random.Random, lang: str) -> tuple[str, str]:
    lead, link = _pick(_LEAD_INS, lang, rng), _link(rng)
    return (
        f"<p><strong>{lead}</strong> {link}</p>",
        f'<p class="read-more"><strong>{lead}</strong> {link}</p>',
    )


def _related(rng: random.Random, lang: str) -> tuple[str, str]:
    items = "".join(f"<li>{_link(rng)}</li>" for _ in range(rng.randint(2, 4)))
    heading = _pick(_RELATED, lang, rng)
    return (
        f"<div><h3>{heading}</h3><ul>{items}</ul></div>",
        f'<aside class="related-articles"><h3>{heading}</h3><ul>{items}</ul></aside>',
    )


def _newsletter(rng: random.Random, lang: str) -> tuple[str, str]:
    pitch, call = _pick(_PITCHES, lang, rng), _pick(_CALLS, lang, rng)
    form = (
        '<form action="/newsletter" method="post"><input type="email" name="email">'
        f'<input type="hidden" name="token" value="{_token(rng)}"><button>{call}</button></form>'
    )
    plain = (
        f'<p>{pitch} <a href="/newsletters?src={_token(rng)[:6]}">{call}</a></p>'
        if rng.random() < 0.5
        else f"<div><p>{pitch}</p>{form}</div>"
    )
    return plain, f'<div class="newsletter-promo"><p>{pitch}</p>{form}</div>'


def _counters(rng: random.Random, lang: str) -> tuple[str, str]:
    units = list(_UNITS.get(lang) or _UNITS["en"])
    rng.shuffle(units)
    first, second = units[0], units[1]
    plain = (
        f"<div><span>{_count(rng)}</span> {first}</div>"
        if rng.random() < 0.5
        else f"<p>{_count(rng)} {first} · {_count(rng)} {second}</p>"
    )
    return plain, (
        f'<div class="share-count"><span>{_count(rng)}</span> {first} '
        f'<span class="comment-count">{_count(rng)} {second}</span></div>'
    )


def _relative_time(rng: random.Random, lang: str) -> tuple[str, str]:
    table = _MINUTES_AGO if rng.random() < 0.6 else _HOURS_AGO
    text = _pick(table, lang, rng).format(n=rng.randint(2, 59 if table is _MINUTES_AGO else 23))
    plain = (
        f"<p>{text}</p>" if rng.random() < 0.5 else f'<div><time datetime="">{text}</time></div>'
    )
    return plain, f'<p class="timestamp">{text}</p>'


def _most_read(rng: random.Random, lang: str) -> tuple[str, str]:
    heading = _pick(_MOST_READ, lang, rng)
    items = "".join(f"<li>{_link(rng)}</li>" for _ in range(5))
    return (
        f"<div><h3>{heading}</h3><ol>{items}</ol></div>",
        f'<section class="most-read"><h3>{heading}</h3><ol>{items}</ol></section>',
    )


def _ad_slot(rng: random.Random, lang: str) -> tuple[str, str]:
    token, label = _token(rng), _pick(_AD_LABELS, lang, rng)
    script = f'<script>(window.adq=window.adq||[]).push("{token}");</script>'
    return (
        f'<div data-slot="{token[:10]}">{script}<span>{label}</span></div>',
        f'<div class="ad-slot" id="ad-{token[:8]}" data-ad-token="{token}">{script}'
        f"<span>{label}</span></div>",
    )


def _script(rng: random.Random, lang: str) -> tuple[str, str]:
    token = _token(rng)
    script = (
        f'<script>window.__PAGE_TOKEN__="{token}";window.__T__={rng.randint(1, 10**9)};</script>'
    )
    return script, script


def _ticker(rng: random.Random, lang: str) -> tuple[str, str]:
    label = _BREAKING.get(lang, _BREAKING["en"])
    sections = list(_SECTIONS)
    rng.shuffle(sections)
    nav = "".join(f'<li><a href="/{s.lower()}/">{s}</a></li>' for s in sections[:6])
    return (
        f"<div><strong>{label}:</strong> {_link(rng)}</div>",
        f'<nav class="site-nav"><ul>{nav}</ul></nav>',
    )


# Inserted between body paragraphs, in this order of preference when there are few gaps.
_BODY_BLOCKS: tuple[Block, ...] = (
    _read_more,
    _relative_time,
    _counters,
    _newsletter,
    _related,
    _ad_slot,
    _most_read,
    _script,
)
_HEADER_BLOCKS: tuple[Block, ...] = (_counters, _relative_time)
_TOP_BLOCKS: tuple[Block, ...] = (_ticker, _ticker)
_BOTTOM_BLOCKS: tuple[Block, ...] = (_most_read, _newsletter, _ad_slot, _script)


def inject_churn(html: str, seed: int, *, reference: str | None = None) -> str:
    """The page as one load of it would look, with the boilerplate of ``seed``.

    Every seed inserts the same blocks (eight between body paragraphs where the body has
    the gaps, two after the ``<h1>``, two at the top and four at the bottom of
    ``<body>``); the seed decides their wording, numbers, links, tokens, places, and which
    blocks are plain (no class or id: at least half) rather than classed. ``reference``
    is the article's text, to find its paragraphs (see :func:`body_spans`).
    """
    rng = random.Random(seed)
    lang = page_language(html)
    masked = _masked(html)
    spans = body_spans(html, reference)
    gaps = sorted({span.after for span in spans[:-1]} - {spans[-1].after} if spans else set())
    body_blocks = list(_BODY_BLOCKS)
    inside = min(len(body_blocks), len(gaps))
    places = sorted(rng.sample(gaps, inside)) if inside else []
    # Blocks that find no gap in a short body go to the end of the article.
    after_body = spans[-1].after if spans else None
    planned: list[tuple[int, Block]] = list(zip(places, body_blocks[:inside], strict=True))
    if after_body is not None:
        planned += [(after_body, block) for block in body_blocks[inside:]]
    h1 = _H1_CLOSE.search(masked)
    if h1 is not None:
        planned += [(h1.end(), block) for block in _HEADER_BLOCKS]
    opening, closing = _BODY_OPEN.search(masked), _BODY_CLOSE.search(masked)
    top = opening.end() if opening else 0
    bottom = closing.start() if closing else len(html)
    planned += [(top, block) for block in _TOP_BLOCKS]
    planned += [(bottom, block) for block in _BOTTOM_BLOCKS]

    # At least half plain: every other block is plain, the rest is a coin toss.
    inserts: dict[int, list[str]] = {}
    for index, (offset, block) in enumerate(planned):
        plain, classed = block(rng, lang)
        use_plain = index % 2 == 0 or rng.random() < 0.5
        inserts.setdefault(offset, []).append(plain if use_plain else classed)
    pieces, last = [], 0
    for offset in sorted(inserts):
        pieces += [html[last:offset], "\n", "\n".join(inserts[offset]), "\n"]
        last = offset
    pieces.append(html[last:])
    return "".join(pieces)


# ---------------------------------------------------------------------------- edits


def _kept_spans(html: str, kept_text: str) -> list[Span]:
    """Body paragraphs that are whole paragraphs of the kept text; if the extractor ran
    the article into one paragraph, paragraphs found anywhere in it."""
    spans = body_spans(html, kept_text, whole=True) or body_spans(html, kept_text)
    if not spans:
        raise EditNotApplicable("no body paragraph of the page is in the kept text")
    return spans


def _same_text(spans: Sequence[Span], text: str) -> list[Span]:
    """Every copy of a paragraph (some pages carry the article twice, e.g. for print)."""
    return [span for span in spans if span.text == text]


def _replace_word(fragment: str, rng: random.Random, kept: str) -> str | None:
    """``fragment`` (HTML) with one word of its kept text replaced, or None if it has none."""
    pieces = re.split(r"(<[^>]*>)", fragment)
    candidates = []
    for index, piece in enumerate(pieces):
        if piece.startswith("<") or _normalise(htmlib.unescape(piece)) not in kept:
            continue
        candidates += [(index, match) for match in _WORD.finditer(piece)]
    if not candidates:
        return None
    index, match = rng.choice(candidates)
    word = match.group(1)
    if _CJK.search(word):
        position = next(i for i, c in enumerate(word) if _CJK.match(c))
        new_char = next(c for c in _CJK_REPLACEMENTS if c != word[position])
        new_word = word[:position] + new_char + word[position + 1 :]
    else:
        new_word = rng.choice([w for w in _REPLACEMENTS if w != word.lower()])
        if word[0].isupper():
            new_word = new_word.capitalize()
    piece = pieces[index]
    pieces[index] = piece[: match.start(1)] + new_word + piece[match.end(1) :]
    return "".join(pieces)


def _splice(html: str, edits: Sequence[tuple[int, int, str]]) -> str:
    """``html`` with each ``(start, end)`` range replaced; ranges must not overlap."""
    for start, end, new in sorted(edits, reverse=True):
        html = html[:start] + new + html[end:]
    return html


def _edit_word(html: str, rng: random.Random, kept_text: str) -> str:
    kept = _normalise(kept_text)
    spans = _kept_spans(html, kept_text)
    for span in rng.sample(spans, len(spans)):
        seed = rng.random()
        edits = []
        for copy in _same_text(spans, span.text):
            replaced = _replace_word(html[copy.start : copy.end], random.Random(seed), kept)
            if replaced is not None:
                edits.append((copy.start, copy.end, replaced))
        if edits:
            return _splice(html, edits)
    raise EditNotApplicable("no replaceable word in a kept paragraph")


def _add_paragraph(html: str, rng: random.Random, kept_text: str) -> str:
    spans = _kept_spans(html, kept_text)
    after = rng.choice(spans[:-1] or spans)
    sentence = _NEW_SENTENCES.get(page_language(html), _NEW_SENTENCES["en"])
    return html[: after.after] + f"\n<p>{sentence}</p>" + html[after.after :]


def _remove_paragraph(html: str, rng: random.Random, kept_text: str) -> str:
    kept = _normalise(kept_text)
    # A paragraph whose text the kept text holds once (a repeated line would stay visible).
    spans = [s for s in _kept_spans(html, kept_text) if kept.count(s.text) == 1]
    if not spans:
        raise EditNotApplicable("every kept paragraph repeats")
    chosen = rng.choice(spans)
    return _splice(html, [(s.start, s.end, "") for s in _same_text(spans, chosen.text)])


_TITLE_ELEMENT = re.compile(r"(<title\b[^>]*>)(.*?)(</title\s*>)", re.S | re.I)
_H1_ELEMENT = re.compile(r"(<h1\b[^>]*>)(.*?)(</h1\s*>)", re.S | re.I)
_META = re.compile(r"<meta\b[^>]*>", re.I)
_META_TITLE = re.compile(r"""(?:property|name|itemprop)\s*=\s*["']?[\w:.-]*title["'\s/>]""", re.I)
_CONTENT = re.compile(r"""(\bcontent\s*=\s*)(["'])(.*?)\2""", re.S | re.I)
_TITLE_PARTS = re.compile(r"(\s+[|\-–—·:]\s+|\s*[|｜]\s*)")
_JSON_HEADLINE = re.compile(r'("(?:alternative)?[Hh]eadline"\s*:\s*)("(?:[^"\\]|\\.)*")')


def _edit_headline(html: str, rng: random.Random, kept_text: str) -> str:
    """Change one word of the headline in every place that states it."""
    masked = _masked(html)
    stated = [_visible(m.group(2)) for m in _H1_ELEMENT.finditer(masked)]
    stated += [_visible(m.group(2)) for m in _TITLE_ELEMENT.finditer(masked)]
    words = [w for text in stated for w in _WORD.findall(text) if not _CJK.search(w)]
    ideographs = [c for text in stated for c in _CJK.findall(text)]
    if words:
        old = words[0]
        new = rng.choice([w for w in _REPLACEMENTS if w != old.lower()]).capitalize()
        whole = re.compile(rf"(?<![&#\w]){re.escape(old)}(?!\w)")
    elif ideographs:  # a Chinese, Japanese or Korean headline: change one character
        old = ideographs[0]
        new = next(c for c in _CJK_REPLACEMENTS if c != old)
        whole = re.compile(re.escape(old))
    else:
        raise EditNotApplicable("no headline word to change")

    def swap(text: str) -> str:
        changed, count = whole.subn(new, text, count=1)
        if count:
            return changed
        # The headline part of "Headline | Site" is its longest part: change its first word.
        parts = _TITLE_PARTS.split(text)
        longest = max(range(len(parts)), key=lambda i: len(parts[i]) if i % 2 == 0 else -1)
        first = _WORD.search(parts[longest])
        if first is None:
            return f"{new} {text}"
        part = parts[longest]
        parts[longest] = part[: first.start(1)] + new + part[first.end(1) :]
        return "".join(parts)

    edits = []
    title = _TITLE_ELEMENT.search(masked)  # the page's; later ones title <svg> icons
    for m in [title, *_H1_ELEMENT.finditer(masked)]:
        if m is not None:
            edits.append((m.start(2), m.end(2), swap(html[m.start(2) : m.end(2)])))
    for m in _META.finditer(html):
        content = _CONTENT.search(m.group(0))
        if content and _META_TITLE.search(m.group(0)):
            start = m.start() + content.start(3)
            edits.append((start, start + len(content.group(3)), swap(content.group(3))))
    for m in _JSON_HEADLINE.finditer(html):
        try:
            value = json.loads(m.group(2))
        except ValueError:
            continue
        if isinstance(value, str):
            edits.append((m.start(2), m.end(2), json.dumps(swap(value), ensure_ascii=False)))
    return _splice(html, _without_overlaps(edits))


def _without_overlaps(edits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    kept: list[tuple[int, int, str]] = []
    for edit in sorted(edits):
        if not kept or edit[0] >= kept[-1][1]:
            kept.append(edit)
    return kept


_EDITS: dict[str, Callable[[str, random.Random, str], str]] = {
    "word": _edit_word,
    "add_paragraph": _add_paragraph,
    "remove_paragraph": _remove_paragraph,
    "headline": _edit_headline,
}


def apply_edit(html: str, kind: str, seed: int | random.Random, kept_text: str) -> str:
    """The page after a real edit of ``kind`` (one of :data:`EDIT_KINDS`).

    ``kept_text`` is the text the extractor kept from the page before the edit: "word",
    "add_paragraph" and "remove_paragraph" work on ``<p>`` paragraphs found in it, so
    the edit lands in text that is really archived. "headline" changes one word of the
    headline in ``<title>``, ``<h1>``, every ``<meta>`` title (og:title, twitter:title...)
    and the JSON-LD ``headline``. Raises :class:`EditNotApplicable` when the page has no
    place for the edit.
    """
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    try:
        edit = _EDITS[kind]
    except KeyError:
        raise ValueError(f"unknown edit kind {kind!r}; one of {EDIT_KINDS}") from None
    return edit(html, rng, kept_text)
