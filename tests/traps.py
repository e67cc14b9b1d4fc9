"""The traps real news sites set for an archiver, on real corpus pages, for tests and benchmarks.

:mod:`tests.churn` makes the boilerplate of one page load and the edits an editor makes;
this module makes what is neither, and still changes the page an archiver fetches:

- :func:`inject_datelines`: "Updated 14:32 GMT, 3 November 2026" paragraphs between and
  after the body paragraphs, whose times move with every load (and
  :func:`edit_dated_sentence`, a real edit of a sentence that holds a date or a time);
- :func:`wall_page`: a 200 answer that is not the article: a consent wall, a bot check, a
  soft 404, a maintenance, rate-limit or login page;
- :func:`paywall_teaser`: the first paragraphs and a subscribe box, where the full text
  was archived before (and :func:`remove_last_paragraph`, a real cut);
- :func:`headline_variants` and :func:`lede_variants`: A/B tests served at random;
- :func:`move_page` and :func:`copy_page`: an article at a new address, and its AMP and
  print copies, all naming one canonical;
- :func:`json_only_page`: a client-rendered page whose text is only in JSON-LD
  ``articleBody`` or a Next.js ``__NEXT_DATA__`` blob (and :func:`edit_structured_word`).

Like tests/churn.py, everything works on the page source as a string and is
deterministic in its seed. What a trap shows (wording, markup, places) follows the page's
``<html lang>``; languages without wording of their own fall back to English. Where one
page should look the same on every load but its values move (the places and formats of
its datelines, the shape of its ``__NEXT_DATA__``), the look is picked by ``layout``,
which defaults to a hash of the article's text, and the values by ``seed``.
"""

from __future__ import annotations

import contextlib
import functools
import html as htmlib
import json
import random
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.churn import (
    _BODY_CLOSE,
    _BODY_OPEN,
    _CJK,
    _CONTENT,
    _H1_CLOSE,
    _H1_ELEMENT,
    _META,
    _META_TITLE,
    _REPLACEMENTS,
    _TITLE_ELEMENT,
    _TITLE_PARTS,
    _WORD,
    EditNotApplicable,
    Span,
    _headline,
    _kept_spans,
    _masked,
    _normalise,
    _same_text,
    _splice,
    _token,
    _visible,
    _without_overlaps,
    body_spans,
    page_language,
)

__all__ = [
    "COPY_KINDS",
    "JSON_STYLES",
    "WALL_KINDS",
    "copy_page",
    "edit_dated_sentence",
    "edit_structured_word",
    "headline_variants",
    "inject_datelines",
    "json_only_page",
    "lede_variants",
    "move_page",
    "paywall_teaser",
    "remove_last_paragraph",
    "site_name_of",
    "structured_text",
    "title_of",
    "wall_page",
]

WALL_KINDS = ("consent", "bot_check", "soft_404", "maintenance", "rate_limit", "login")
COPY_KINDS = ("amp", "print")
JSON_STYLES = ("json-ld", "next-data")

_LANG_ALIASES = {"nb": "no", "nn": "no"}
_HEAD_CLOSE = re.compile(r"</head\s*>", re.I)
_LD_JSON = re.compile(
    r"(<script\b[^>]*\btype\s*=\s*[\"']?application/ld\+json[\"']?[^>]*>)(.*?)(</script\s*>)",
    re.S | re.I,
)
_P_OPEN = re.compile(r"<p\b[^>]*>", re.I)
_P_CLOSE = re.compile(r"</p\s*>\s*$", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_ANY_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)\b[^>]*?(/?)>")


def _e(text: str) -> str:
    return htmlib.escape(text, quote=False)


def _attr(text: str) -> str:
    return htmlib.escape(text, quote=True)


def _lang(html: str) -> str:
    code = page_language(html)
    return _LANG_ALIASES.get(code, code)


def _words(table: Mapping[str, Any], lang: str) -> Any:
    return table.get(lang) or table["en"]


def _text_key(text: str) -> int:
    """A number that is the same for every load of one article (its text's CRC)."""
    return zlib.crc32(_normalise(text).encode())


def _script_json(data: object) -> str:
    """JSON as sites put it in a ``<script>``: no ``<``, ``>`` or ``&`` (Next.js escapes
    them so), other characters as they are."""
    text = json.dumps(data, ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _insert_in_head(html: str, markup: str) -> str:
    head = _HEAD_CLOSE.search(_masked(html))
    if head is None:
        return markup + html
    return html[: head.start()] + markup + "\n" + html[head.start() :]


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.lower()).strip("-")[:80] or "article"


def title_of(html: str) -> str:
    """The article's headline as the page states it: the ``<h1>`` that the ``<title>``
    or ``og:title`` repeats (pages have other ``<h1>``: a logo, a login box), else the
    first ``<h1>``, else the headline part of the ``<title>``."""
    masked = _masked(html)
    h1s = [_visible(html[m.start(2) : m.end(2)]) for m in _H1_ELEMENT.finditer(masked)]
    h1s = [text for text in h1s if text]
    title = _TITLE_ELEMENT.search(masked)
    title_text = _visible(html[title.start(2) : title.end(2)]) if title else ""
    stated = f"{title_text}\x00{_meta_content(html, 'og:title') or ''}"
    for text in h1s:
        if text in stated:
            return text
    if h1s:
        return h1s[0]
    parts = _TITLE_PARTS.split(title_text)[::2]
    return max(parts, key=len).strip() if parts else ""


_OG_SITE = re.compile(
    r"""<meta\b[^>]*\bproperty\s*=\s*["']?og:site_name["'\s][^>]*>""", re.I | re.S
)


def site_name_of(html: str, fallback: str = "News") -> str:
    """The page's ``og:site_name``, else the last part of its ``<title>``."""
    meta = _OG_SITE.search(html)
    if meta is not None:
        content = _CONTENT.search(meta.group(0))
        if content and content.group(3).strip():
            return htmlib.unescape(content.group(3).strip())
    title = _TITLE_ELEMENT.search(_masked(html))
    if title is not None:
        parts = [p for p in _TITLE_PARTS.split(_visible(title.group(2)))[::2] if p.strip()]
        if len(parts) > 1 and len(parts[-1]) < 40:
            return parts[-1].strip()
    return fallback


# ------------------------------------------------------------------------- dates

# fmt: off
_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
           "settembre", "ottobre", "novembre", "dicembre"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto",
           "setembro", "outubro", "novembro", "dezembro"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
           "september", "oktober", "november", "december"),
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
           "september", "oktober", "november", "december"),
    "no": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
           "september", "oktober", "november", "desember"),
    # Polish, Czech and Russian name the month of a date in the genitive.
    "pl": ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia",
           "września", "października", "listopada", "grudnia"),
    "cs": ("ledna", "února", "března", "dubna", "května", "června", "července", "srpna",
           "září", "října", "listopadu", "prosince"),
    "tr": ("Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül",
           "Ekim", "Kasım", "Aralık"),
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
           "сентября", "октября", "ноября", "декабря"),
}
_MONTHS_SHORT = {
    "en": ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.",
           "Nov.", "Dec."),
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"),
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
}
_WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "ja": ("月", "火", "水", "木", "金", "土", "日"),
}
# fmt: on
_DATE_FIELD = re.compile(r"\{(?:d|dd|m|mm|yyyy|yy|month|mon|wd|wd3|H|HH|MM|h)\}")


def _date_fields(moment: datetime, lang: str, prefix: str = "") -> dict[str, str]:
    """What a date template may name: {d} {dd} {m} {mm} {yyyy} {yy} {month} {mon} {mon3}
    {wd} {wd3} {H} {HH} {MM} {h} {ampm} {ampmdot} {ampm_ko}, each with ``prefix``."""
    months = _MONTHS.get(lang) or _MONTHS["en"]
    weekdays = _WEEKDAYS.get(lang) or _WEEKDAYS["en"]
    english_day = _WEEKDAYS["en"][moment.weekday()]
    afternoon = moment.hour >= 12
    fields = {
        "d": str(moment.day),
        "dd": f"{moment.day:02d}",
        "m": str(moment.month),
        "mm": f"{moment.month:02d}",
        "yyyy": str(moment.year),
        "yy": f"{moment.year % 100:02d}",
        "month": months[moment.month - 1],
        "mon": (_MONTHS_SHORT.get(lang) or months)[moment.month - 1],
        "mon3": _MONTHS["en"][moment.month - 1][:3],
        "wd": weekdays[moment.weekday()],
        "wd3": english_day[:3],
        "H": str(moment.hour),
        "HH": f"{moment.hour:02d}",
        "MM": f"{moment.minute:02d}",
        "h": str(moment.hour % 12 or 12),
        "ampm": "PM" if afternoon else "AM",
        "ampmdot": "p.m." if afternoon else "a.m.",
        "ampm_ko": "오후" if afternoon else "오전",
    }
    return {prefix + key: value for key, value in fields.items()}


def _moment(rng: random.Random, start: datetime, days: int) -> datetime:
    return start + timedelta(minutes=rng.randrange(days * 24 * 60))


# ------------------------------------------------------------------------- datelines

# Per language: datelines as sites print them. "^" parts a label ("Updated") from the
# date, for markup that puts the two in different elements. Unprefixed fields are the
# "updated" moment, {p...} fields the "published" one (earlier), {n} an hour count.
# fmt: off
_DATELINES: dict[str, tuple[str, ...]] = {
    "en": (
        "Updated^{HH}:{MM} {tz}, {d} {month} {yyyy}",
        "Last updated:^{d} {month} {yyyy}, {HH}:{MM}",
        "Published^{pd} {pmonth} {pyyyy}, {pHH}:{pMM} {tz}",
        "Updated^{h}:{MM} {ampm} {tzus}, {wd} {month} {d}, {yyyy}",
        "{mon} {d}, {yyyy}, {h}:{MM} {ampmdot} {tzus}",
        "Published: {pHH}:{pMM} {tz}, {pd} {pmonth} {pyyyy} | "
        "Updated: {HH}:{MM} {tz}, {d} {month} {yyyy}",
        "{d} {month} {yyyy} • {HH}:{MM}",
        "This article was last updated on^{month} {d}, {yyyy} at {h}:{MM} {ampm} {tzus}",
        "First published on^{pwd3} {pd} {pmon3} {pyyyy} {pHH}.{pMM} {tz}",
        "Published^{n} hours ago",
    ),
    "de": (
        "Aktualisiert am^{dd}.{mm}.{yyyy}, {HH}:{MM} Uhr",
        "Stand:^{dd}.{mm}.{yyyy} {HH}:{MM} Uhr",
        "{dd}.{mm}.{yyyy}, {HH}:{MM} Uhr",
        "Zuletzt aktualisiert:^{d}. {month} {yyyy}, {HH}:{MM} Uhr",
        "Veröffentlicht am {pdd}.{pmm}.{pyyyy} | Aktualisiert am {dd}.{mm}.{yyyy}, {HH}:{MM} Uhr",
        "Erstellt:^{pdd}.{pmm}.{pyyyy}, {pHH}:{pMM} Uhr",
        "{wd}, {dd}.{mm}.{yyyy}, {HH}.{MM} Uhr",
    ),
    "es": (
        "Actualizado:^{dd}/{mm}/{yyyy} {HH}:{MM} h",
        "Actualizado^{d} {mon} {yyyy} - {HH}:{MM} CET",
        "{d} de {month} de {yyyy}, {HH}:{MM}",
        "Madrid - {pdd} {pmon} {pyyyy} - {pHH}:{pMM} CET",
        "Publicado: {pdd}/{pmm}/{pyyyy} {pHH}:{pMM} | Actualizado: {HH}:{MM}",
    ),
    "fr": (
        "Mis à jour le^{d} {month} {yyyy} à {HH}h{MM}",
        "Publié le^{pdd}/{pmm}/{pyyyy} à {pHH}:{pMM}",
        "Publié le {pd} {pmonth} {pyyyy} à {pHH}h{pMM}, mis à jour à {HH}h{MM}",
        "Le {d} {month} {yyyy} à {HH}:{MM}",
        "Modifié le^{dd}/{mm}/{yyyy} {HH}:{MM}",
    ),
    "it": (
        "Aggiornato il^{d} {month} {yyyy} alle {HH}:{MM}",
        "{dd} {month} {yyyy} | {HH}.{MM}",
        "Ultimo aggiornamento:^{dd}/{mm}/{yyyy} {HH}:{MM}",
        "Pubblicato il:^{pdd}/{pmm}/{pyyyy} – {pHH}:{pMM}",
    ),
    "pt": (
        "Atualizado em^{dd}/{mm}/{yyyy} às {HH}h{MM}",
        "{d} de {month} de {yyyy}, {HH}:{MM}",
        "Publicado em^{pdd}/{pmm}/{pyyyy} - {pHH}:{pMM}",
        "Atualizado há^{n} horas",
    ),
    "nl": (
        "Bijgewerkt op^{d} {month} {yyyy} om {HH}:{MM}",
        "{pdd}-{pmm}-{pyy}, {pHH}:{pMM} Laatste update: {HH}:{MM}",
        "{d} {mon} {yyyy} om {HH}:{MM}",
        "Gepubliceerd:^{pd} {pmonth} {pyyyy} {pHH}:{pMM}",
    ),
    "sv": (
        "Uppdaterad^{d} {month} {yyyy} kl. {HH}.{MM}",
        "Publicerad^{pyyyy}-{pmm}-{pdd} {pHH}:{pMM}",
        "Publicerad {pd} {pmonth} {pyyyy} kl. {pHH}.{pMM} · Uppdaterad kl. {HH}.{MM}",
    ),
    "da": (
        "Opdateret^{d}. {month} {yyyy} kl. {HH}.{MM}",
        "Publiceret^{pdd}.{pmm}.{pyyyy} kl. {pHH}:{pMM}",
    ),
    "no": (
        "Oppdatert^{d}. {month} {yyyy} kl. {HH}.{MM}",
        "Publisert^{pdd}.{pmm}.{pyyyy} {pHH}:{pMM}",
        "Publisert: {pd}. {pmonth} {pyyyy} {pHH}:{pMM} Oppdatert: {d}. {month} {yyyy} {HH}:{MM}",
    ),
    "pl": (
        "Aktualizacja:^{dd}.{mm}.{yyyy} {HH}:{MM}",
        "{d} {month} {yyyy}, {HH}:{MM}",
        "Opublikowano:^{pdd}.{pmm}.{pyyyy}, {pHH}:{pMM}",
    ),
    "cs": (
        "Aktualizováno^{d}. {month} {yyyy} {HH}:{MM}",
        "{pd}. {pm}. {pyyyy} {pHH}:{pMM}",
        "Publikováno:^{pd}. {pmonth} {pyyyy} {pHH}:{pMM}",
    ),
    "tr": (
        "Güncelleme:^{dd}.{mm}.{yyyy} {HH}:{MM}",
        "{d} {month} {yyyy} {HH}:{MM}",
        "Yayınlanma:^{pdd}.{pmm}.{pyyyy} - {pHH}:{pMM}",
    ),
    "ru": (
        "Обновлено^{d} {month} {yyyy}, {HH}:{MM}",
        "{dd}.{mm}.{yyyy}, {HH}:{MM}",
        "{pd} {pmonth} {pyyyy} в {pHH}:{pMM}",
        "Опубликовано:^{pdd}.{pmm}.{pyyyy} {pHH}:{pMM}",
    ),
    "ja": (
        "{yyyy}年{m}月{d}日 {H}時{MM}分 更新",
        "{yyyy}/{mm}/{dd} {HH}:{MM}",
        "更新日時：^{yyyy}年{m}月{d}日 {HH}:{MM}",
        "{pm}/{pd}({pwd}) {pHH}:{pMM}配信",
    ),
    "ko": (
        "입력 {pyyyy}.{pmm}.{pdd} {pHH}:{pMM} 수정 {yyyy}.{mm}.{dd} {HH}:{MM}",
        "업데이트^{yyyy}-{mm}-{dd} {HH}:{MM}",
        "{yyyy}년 {m}월 {d}일 {ampm_ko} {h}시 {MM}분",
        "기사입력^{pyyyy}-{pmm}-{pdd} {pHH}:{pMM}",
    ),
}
# fmt: on
_DATELINE_CLASSES = (
    "dateline",
    "article-date",
    "timestamp",
    "updated",
    "meta-date",
    "byline__date",
)
_TIME_ZONES = ("GMT", "UTC", "BST", "CET")
_US_TIME_ZONES = ("ET", "EST", "EDT", "PT", "CT")
_MARKUPS = ("p", "p.class", "div", "div.class", "time", "span-time", "div-span", "p-em", "p-small")


def _dateline_block(markup: str, template: str, fields: Mapping[str, str], cls: str) -> str:
    label, _, rest = template.partition("^") if "^" in template else ("", "", template)
    label, rest = label.format(**fields).strip(), rest.format(**fields).strip()
    text = f"{label} {rest}".strip()
    iso = fields["iso" if _DATE_FIELD.search(template) else "piso"]
    if markup == "p":
        return f"<p>{_e(text)}</p>"
    if markup == "p.class":
        return f'<p class="{cls}">{_e(text)}</p>'
    if markup == "div":
        return f"<div>{_e(text)}</div>"
    if markup == "div.class":
        return f'<div class="{cls}">{_e(text)}</div>'
    if markup == "time":
        return f'<time datetime="{iso}">{_e(text)}</time>'
    if markup == "span-time":
        lead = f"<span>{_e(label)}</span> " if label else ""
        return f'<div>{lead}<time datetime="{iso}">{_e(rest)}</time></div>'
    if markup == "div-span":
        lead = f'<span class="label">{_e(label)}</span> ' if label else ""
        return f'<div class="{cls}">{lead}<span class="date">{_e(rest)}</span></div>'
    if markup == "p-em":
        return f"<p><em>{_e(text)}</em></p>"
    return f"<p><small>{_e(text)}</small></p>"


def _dateline_places(
    html: str, spans: Sequence[Span], count: int, shape: random.Random
) -> list[int]:
    """Where ``count`` dateline blocks go: between body paragraphs and/or after the last."""
    if not spans:
        masked = _masked(html)
        anchor = _H1_CLOSE.search(masked) or _BODY_OPEN.search(masked)
        return [anchor.end() if anchor else 0] * count
    gaps = sorted({span.after for span in spans[:-1]} - {spans[-1].after})
    places = []
    for index in range(count):
        after_last = not gaps or (index == 0 and shape.random() < 0.5)
        places.append(spans[-1].after if after_last else shape.choice(gaps))
    return places


def inject_datelines(html: str, seed: int, *, reference: str, layout: int | None = None) -> str:
    """The page with 1-3 dateline blocks in its language, as of the load ``seed``.

    The blocks (their number, formats, markup and places, picked by ``layout``, which
    defaults to a hash of ``reference``) are the same on every load of one page; the
    published and updated times they state move with ``seed``. ``reference`` is the
    article's text, to find its paragraphs (see :func:`tests.churn.body_spans`).
    """
    lang = _lang(html)
    templates = _words(_DATELINES, lang)
    shape = random.Random(f"dateline-layout:{_text_key(reference) if layout is None else layout}")
    load = random.Random(f"dateline-load:{seed}")
    published = _moment(load, datetime(2026, 10, 20, tzinfo=UTC), 60)
    updated = published + timedelta(minutes=load.randint(7, 26 * 60))
    fields = _date_fields(updated, lang) | _date_fields(published, lang, "p")
    fields |= {
        "iso": updated.isoformat(),
        "piso": published.isoformat(),
        "tz": shape.choice(_TIME_ZONES),
        "tzus": shape.choice(_US_TIME_ZONES),
        "n": str(load.randint(2, 23)),
    }
    count = shape.randint(1, 3)
    places = _dateline_places(html, body_spans(html, reference), count, shape)
    inserts: dict[int, list[str]] = {}
    chosen = shape.sample(templates, min(count, len(templates)))
    for index, place in enumerate(places):
        template = chosen[index % len(chosen)]
        markup, cls = shape.choice(_MARKUPS), shape.choice(_DATELINE_CLASSES)
        block = _dateline_block(markup, template, fields, cls)
        inserts.setdefault(place, []).append(block)
    pieces, last = [], 0
    for offset in sorted(inserts):
        pieces += [html[last:offset], "\n", "\n".join(inserts[offset]), "\n"]
        last = offset
    pieces.append(html[last:])
    return "".join(pieces)


# ------------------------------------------------------------------------- dated edits

# fmt: off
_DATED_SENTENCES: dict[str, tuple[str, ...]] = {
    "en": ("The hearing was moved to {HH}:{MM} on {d} {month} {yyyy}.",
           "The vote is now expected at {h}:{MM} {ampmdot} on {month} {d}, {yyyy}.",
           "Officials said the office would reopen on {d} {month} {yyyy} at {HH}:{MM}."),
    "de": ("Die Anhörung wurde auf den {d}. {month} {yyyy}, {HH}:{MM} Uhr, verschoben.",
           "Die Abstimmung ist nun für den {dd}.{mm}.{yyyy} um {HH}:{MM} Uhr angesetzt."),
    "es": ("La audiencia se trasladó al {d} de {month} de {yyyy} a las {HH}:{MM}.",
           "La votación está prevista ahora para el {d} de {month} de {yyyy}, a las {HH}:{MM}."),
    "fr": ("L'audience a été reportée au {d} {month} {yyyy} à {HH}h{MM}.",
           "Le vote est désormais prévu le {d} {month} {yyyy} à {HH}h{MM}."),
    "it": ("L'udienza è stata spostata al {d} {month} {yyyy} alle {HH}:{MM}.",
           "Il voto è ora previsto per il {d} {month} {yyyy} alle {HH}.{MM}."),
    "pt": ("A audiência foi adiada para {d} de {month} de {yyyy}, às {HH}h{MM}.",
           "A votação está agora prevista para {d} de {month} de {yyyy}, às {HH}:{MM}."),
    "nl": ("De hoorzitting is verplaatst naar {d} {month} {yyyy} om {HH}:{MM} uur.",),
    "sv": ("Förhandlingen har flyttats till den {d} {month} {yyyy} klockan {HH}.{MM}.",),
    "da": ("Høringen er flyttet til den {d}. {month} {yyyy} klokken {HH}.{MM}.",),
    "no": ("Høringen er flyttet til {d}. {month} {yyyy} klokken {HH}.{MM}.",),
    "pl": ("Rozprawę przeniesiono na {d} {month} {yyyy} r., godz. {HH}:{MM}.",),
    "cs": ("Slyšení bylo přesunuto na {d}. {month} {yyyy} v {HH}:{MM}.",),
    "tr": ("Duruşmanın yeni tarihi {d} {month} {yyyy}, saat {HH}:{MM} olarak açıklandı.",),
    "ru": ("Слушание перенесли на {d} {month} {yyyy} года, {HH}:{MM}.",),
    "ja": ("公聴会は{yyyy}年{m}月{d}日{H}時{MM}分に延期された。",),
    "ko": ("청문회는 {yyyy}년 {m}월 {d}일 {H}시 {MM}분으로 연기됐다.",),
}
# fmt: on
_UNSPACED = frozenset({"ja", "zh"})
_CLOCK = re.compile(r"(?<![\d:.,])([01]?\d|2[0-3])([:.h])([0-5]\d)(?![\d:])")
_NUMERIC_DATE = re.compile(r"(?<![\d.])(\d{1,2})([./])(\d{1,2})\2(\d{2}|\d{4})(?![\d.])")
_CJK_DATE = re.compile(r"(\d{1,2})月(\d{1,2})日")
_YEAR = re.compile(r"(?<![\d.,])(19[5-9]\d|20[0-4]\d)(?![\d.,])")


def _month_patterns(lang: str) -> list[re.Pattern[str]]:
    names = {*(_MONTHS.get(lang) or ()), *_MONTHS["en"], *_MONTHS_SHORT["en"]}
    union = "|".join(sorted((re.escape(n.rstrip(".")) for n in names), key=len, reverse=True))
    return [
        re.compile(rf"(?<![\d.])(\d{{1,2}})(\.?\s+(?:de\s+)?)(?:{union})\b", re.I),
        re.compile(rf"\b(?:{union})\.?\s+(\d{{1,2}})(?!\d)", re.I),
    ]


def _date_changes(text: str, lang: str) -> tuple[list[tuple[int, int, str]], ...]:
    """Changes of a time or date written in ``text`` as (start, end, new) candidates, in
    two tiers: times and dates, then bare years."""

    def day(value: str) -> str:
        number = int(value)
        return str(number + 1 if number < 28 else number - 1).zfill(len(value))

    dates: list[tuple[int, int, str]] = []
    for match in _CLOCK.finditer(text):
        unit = re.match(r"\s*(?:Uhr|uur|h\b|[ap]\.?m\b)", text[match.end() :])
        if match.group(2) != ":" and unit is None:
            continue  # "3.45" is a price or a share, not a time
        minutes = f"{(int(match.group(3)) + 15) % 60:02d}"
        dates.append((match.start(3), match.end(3), minutes))
    for pattern in (*_month_patterns(lang), _NUMERIC_DATE, _CJK_DATE):
        for match in pattern.finditer(text):
            group = 2 if pattern is _CJK_DATE else 1
            dates.append((match.start(group), match.end(group), day(match.group(group))))
    years = [(m.start(1), m.end(1), str(int(m.group(1)) - 1)) for m in _YEAR.finditer(text)]
    return dates, years


def _change_written_date(
    html: str, spans: Sequence[Span], rng: random.Random, kept: str, lang: str
) -> str | None:
    """The page with a time or date written in a kept paragraph changed (a bare year
    only when there is no other), or None when the kept paragraphs hold neither."""
    for tier in (0, 1):
        candidates: list[tuple[Span, int, int, str]] = []
        for span in spans:
            offset = 0
            for piece in re.split(r"(<[^>]*>)", html[span.start : span.end]):
                if not piece.startswith("<") and _normalise(htmlib.unescape(piece)) in kept:
                    for start, end, new in _date_changes(piece, lang)[tier]:
                        candidates.append((span, offset + start, offset + end, new))
                offset += len(piece)
        if candidates:
            break
    else:
        return None
    span, start, end, new = rng.choice(candidates)
    fragment = html[span.start : span.end]
    changed = fragment[:start] + new + fragment[end:]
    edits = [
        (copy.start, copy.end, changed)
        for copy in _same_text(spans, span.text)
        if html[copy.start : copy.end] == fragment
    ]
    return _splice(html, edits)


def _append_to_paragraph(html: str, spans: Sequence[Span], span: Span, addition: str) -> str:
    """The page with ``addition`` (markup) at the end of ``span`` and of its copies."""
    edits = []
    for copy in _same_text(spans, span.text):
        fragment = html[copy.start : copy.end]
        close = _P_CLOSE.search(fragment)
        at = copy.start + (close.start() if close else len(fragment))
        edits.append((at, at, addition.lstrip() if html[at - 1].isspace() else addition))
    return _splice(html, edits)


def edit_dated_sentence(html: str, seed: int, kept_text: str) -> str:
    """The page after a real edit of a sentence holding a date or a time.

    Either a time or date written in a kept body paragraph changes ("at 14:30" becomes
    "at 14:45", "12 December" becomes "13 December"), or a kept paragraph gains a
    sentence such as "The hearing was moved to 14:30 on 12 December 2026." in the page's
    language. Raises :class:`EditNotApplicable` when no body paragraph is in ``kept_text``.
    """
    rng = random.Random(seed)
    lang = _lang(html)
    spans = _kept_spans(html, kept_text)
    if rng.random() < 0.5:
        changed = _change_written_date(html, spans, rng, _normalise(kept_text), lang)
        if changed is not None and changed != html:
            return changed
    moment = _moment(rng, datetime(2026, 12, 1, 9, tzinfo=UTC), 90)
    moment = moment.replace(minute=rng.choice((0, 15, 30, 45)))
    sentence = rng.choice(_words(_DATED_SENTENCES, lang)).format(**_date_fields(moment, lang))
    separator = "" if lang in _UNSPACED else " "
    return _append_to_paragraph(html, spans, rng.choice(spans), separator + _e(sentence))


# ------------------------------------------------------------------------- walls

# fmt: off
_NAV = {
    "en": ("News", "World", "Politics", "Business", "Sport", "Culture", "Opinion"),
    "de": ("Nachrichten", "Politik", "Wirtschaft", "Sport", "Kultur", "Meinung", "Panorama"),
    "fr": ("Actualités", "International", "Politique", "Économie", "Sport", "Culture"),
    "es": ("Noticias", "Internacional", "Política", "Economía", "Deportes", "Cultura"),
    "it": ("Notizie", "Esteri", "Politica", "Economia", "Sport", "Cultura"),
    "pt": ("Notícias", "Mundo", "Política", "Economia", "Desporto", "Cultura"),
    "nl": ("Nieuws", "Buitenland", "Politiek", "Economie", "Sport", "Cultuur"),
    "sv": ("Nyheter", "Utrikes", "Politik", "Ekonomi", "Sport", "Kultur"),
    "da": ("Nyheder", "Udland", "Politik", "Økonomi", "Sport", "Kultur"),
    "no": ("Nyheter", "Utenriks", "Politikk", "Økonomi", "Sport", "Kultur"),
    "pl": ("Wiadomości", "Świat", "Polityka", "Gospodarka", "Sport", "Kultura"),
    "cs": ("Zprávy", "Svět", "Politika", "Ekonomika", "Sport", "Kultura"),
    "tr": ("Haberler", "Dünya", "Politika", "Ekonomi", "Spor", "Kültür"),
    "ru": ("Новости", "В мире", "Политика", "Экономика", "Спорт", "Культура"),
    "ja": ("ニュース", "国際", "政治", "経済", "スポーツ", "文化"),
    "ko": ("뉴스", "국제", "정치", "경제", "스포츠", "문화"),
}
_FOOTER = {
    "en": ("All rights reserved.", "Privacy policy", "Terms of use", "Contact us"),
    "de": ("Alle Rechte vorbehalten.", "Datenschutz", "Impressum", "Kontakt"),
    "fr": ("Tous droits réservés.", "Confidentialité", "Mentions légales", "Contact"),
    "es": ("Todos los derechos reservados.", "Política de privacidad", "Aviso legal", "Contacto"),
    "it": ("Tutti i diritti riservati.", "Privacy", "Note legali", "Contatti"),
    "pt": ("Todos os direitos reservados.", "Privacidade", "Termos de uso", "Contactos"),
    "nl": ("Alle rechten voorbehouden.", "Privacy", "Voorwaarden", "Contact"),
    "sv": ("Alla rättigheter förbehållna.", "Integritetspolicy", "Villkor", "Kontakt"),
    "da": ("Alle rettigheder forbeholdes.", "Privatlivspolitik", "Vilkår", "Kontakt"),
    "no": ("Alle rettigheter reservert.", "Personvern", "Vilkår", "Kontakt"),
    "pl": ("Wszelkie prawa zastrzeżone.", "Polityka prywatności", "Regulamin", "Kontakt"),
    "cs": ("Všechna práva vyhrazena.", "Ochrana soukromí", "Podmínky", "Kontakt"),
    "tr": ("Tüm hakları saklıdır.", "Gizlilik", "Kullanım koşulları", "İletişim"),
    "ru": ("Все права защищены.", "Конфиденциальность", "Правила", "Контакты"),
    "ja": ("無断転載を禁じます。", "プライバシーポリシー", "利用規約", "お問い合わせ"),
    "ko": ("무단 전재 및 재배포 금지.", "개인정보처리방침", "이용약관", "고객센터"),
}

_CONSENT = {
    "en": {
        "headings": ("We value your privacy", "Your privacy choices", "Before you continue"),
        "intro": (
            "We and our {n} partners store and/or access information on a device, such as "
            "cookies, and process personal data, such as unique identifiers and standard "
            "information sent by a device, for personalised advertising and content, "
            "advertising and content measurement, audience research and services "
            "development. With your permission we and our partners may use precise "
            "geolocation data and identification through device scanning. You may click to "
            "consent to our and our {n} partners' processing as described above. "
            "Alternatively you may access more detailed information and change your "
            "preferences before consenting or to refuse consenting. Please note that some "
            "processing of your personal data may not require your consent, but you have a "
            "right to object to such processing. Your preferences will apply to this website "
            "only. You can change your preferences or withdraw your consent at any time by "
            "returning to this site and clicking the \"Privacy\" link at the bottom of the page."
        ),
        "purposes": (
            "Store and/or access information on a device",
            "Use limited data to select advertising",
            "Create profiles for personalised advertising",
            "Use profiles to select personalised advertising",
            "Create profiles to personalise content",
            "Use profiles to select personalised content",
            "Measure advertising performance",
            "Measure content performance",
            "Understand audiences through statistics or combinations of data from different "
            "sources",
            "Develop and improve services",
        ),
        "buttons": (("Accept all", "Reject all", "Manage options"),
                    ("I agree", "Disagree", "More options"),
                    ("Accept and continue", "Reject", "Customise")),
        "vendors": "Vendors", "policy": "Privacy policy", "legit": "Legitimate interest",
        "title": "Privacy settings",
    },
    "de": {
        "headings": ("Wir respektieren Ihre Privatsphäre", "Ihre Einwilligung",
                     "Datenschutzeinstellungen"),
        "intro": (
            "Wir und unsere {n} Partner speichern und/oder greifen auf Informationen auf einem "
            "Gerät zu, beispielsweise auf Cookies, und verarbeiten personenbezogene Daten, z. B. "
            "eindeutige Identifikatoren und standardmäßige Informationen, die von einem Gerät "
            "für personalisierte Anzeigen und Inhalte, Anzeigen- und Inhaltsmessungen, "
            "Erkenntnisse über Zielgruppen sowie Produktentwicklungen gesendet werden. Mit "
            "Ihrer Erlaubnis können wir und unsere Partner über Gerätescans genaue "
            "Standortdaten und Kenndaten abfragen. Sie können Ihre Einwilligung jederzeit mit "
            "Wirkung für die Zukunft widerrufen, indem Sie unten auf der Seite auf "
            "„Datenschutzeinstellungen“ klicken. Einige Partner verarbeiten Ihre Daten auf "
            "Grundlage berechtigter Interessen; dem können Sie jederzeit widersprechen."
        ),
        "purposes": (
            "Informationen auf einem Gerät speichern und/oder abrufen",
            "Eingeschränkte Daten zur Auswahl der Werbung verwenden",
            "Profile für personalisierte Werbung erstellen",
            "Profile zur Auswahl personalisierter Werbung verwenden",
            "Profile zur Personalisierung von Inhalten erstellen",
            "Werbeleistung messen",
            "Inhalte-Performance messen",
            "Zielgruppen durch Statistiken oder Kombinationen von Daten aus verschiedenen "
            "Quellen verstehen",
            "Dienste entwickeln und verbessern",
        ),
        "buttons": (("Alle akzeptieren", "Ablehnen", "Einstellungen"),
                    ("Zustimmen und weiter", "Jetzt abonnieren: werbefrei lesen",
                     "Einstellungen verwalten"),
                    ("Akzeptieren", "Nur notwendige Cookies", "Mehr Optionen")),
        "vendors": "Partner", "policy": "Datenschutzerklärung", "legit": "Berechtigtes Interesse",
        "title": "Datenschutzeinstellungen",
    },
    "fr": {
        "headings": ("Le respect de votre vie privée est notre priorité",
                     "Vos choix concernant l'utilisation de cookies"),
        "intro": (
            "Nous et nos {n} partenaires stockons et/ou accédons à des informations sur un "
            "appareil, telles que les cookies, et traitons des données personnelles, telles "
            "que des identifiants uniques et des informations standards envoyées par un "
            "appareil, pour des publicités et du contenu personnalisés, la mesure de "
            "performance des publicités et du contenu, des études d'audience et le "
            "développement de services. Avec votre permission, nous et nos partenaires "
            "pouvons utiliser des données de géolocalisation précises et une identification "
            "par analyse du terminal. Vous pouvez modifier vos choix à tout moment en cliquant "
            "sur « Paramètres des cookies » en bas de page."
        ),
        "purposes": (
            "Stocker et/ou accéder à des informations sur un appareil",
            "Utiliser des données limitées pour sélectionner la publicité",
            "Créer des profils pour la publicité personnalisée",
            "Utiliser des profils pour sélectionner des publicités personnalisées",
            "Mesurer la performance des publicités",
            "Mesurer la performance du contenu",
            "Développer et améliorer les services",
        ),
        "buttons": (("Tout accepter", "Tout refuser", "Personnaliser"),
                    ("J'accepte", "Continuer sans accepter", "Paramétrer les cookies")),
        "vendors": "Partenaires", "policy": "Politique de confidentialité",
        "legit": "Intérêt légitime", "title": "Paramètres de confidentialité",
    },
    "es": {
        "headings": ("Tu privacidad es importante para nosotros", "Valoramos tu privacidad"),
        "intro": (
            "Nosotros y nuestros {n} socios almacenamos o accedemos a información en un "
            "dispositivo, tales como cookies, y procesamos datos personales, tales como "
            "identificadores únicos e información estándar enviada por un dispositivo, para "
            "anuncios y contenido personalizados, medición de anuncios y del contenido e "
            "información sobre el público, así como para desarrollar y mejorar productos. Con "
            "su permiso, nosotros y nuestros socios podemos utilizar datos de localización "
            "geográfica precisa e identificación mediante las características de dispositivos. "
            "Puede cambiar sus preferencias en cualquier momento en «Configuración de cookies»."
        ),
        "purposes": (
            "Almacenar o acceder a información en un dispositivo",
            "Utilizar datos limitados para seleccionar la publicidad",
            "Crear perfiles para publicidad personalizada",
            "Medir el rendimiento de la publicidad",
            "Medir el rendimiento del contenido",
            "Desarrollar y mejorar servicios",
        ),
        "buttons": (("Aceptar todo", "Rechazar todo", "Más opciones"),
                    ("Aceptar y continuar", "Rechazar", "Configurar")),
        "vendors": "Socios", "policy": "Política de privacidad", "legit": "Interés legítimo",
        "title": "Configuración de privacidad",
    },
    "it": {
        "headings": ("Il rispetto della tua privacy è la nostra priorità", "Informativa"),
        "intro": (
            "Noi e i nostri {n} partner archiviamo e/o accediamo a informazioni su un "
            "dispositivo, come i cookie, e trattiamo dati personali, come identificatori "
            "univoci e informazioni standard inviate da un dispositivo, per annunci e contenuti "
            "personalizzati, valutazione degli annunci e del contenuto, osservazioni del "
            "pubblico e sviluppo di prodotti. Con il tuo consenso, noi e i nostri partner "
            "potremmo utilizzare dati di geolocalizzazione precisi e identificazione attraverso "
            "la scansione del dispositivo. Puoi modificare le tue preferenze in qualsiasi "
            "momento dal link «Preferenze cookie» in fondo alla pagina."
        ),
        "purposes": (
            "Archiviare e/o accedere a informazioni su un dispositivo",
            "Utilizzare dati limitati per selezionare la pubblicità",
            "Creare profili per la pubblicità personalizzata",
            "Misurare le prestazioni della pubblicità",
            "Misurare le prestazioni dei contenuti",
            "Sviluppare e perfezionare i servizi",
        ),
        "buttons": (("Accetta tutto", "Rifiuta tutto", "Gestisci opzioni"),
                    ("Accetta e continua", "Continua senza accettare", "Scopri di più")),
        "vendors": "Partner", "policy": "Informativa sulla privacy",
        "legit": "Legittimo interesse", "title": "Preferenze privacy",
    },
    "pt": {
        "headings": ("A sua privacidade é importante para nós",
                     "Nós valorizamos a sua privacidade"),
        "intro": (
            "Nós e os nossos {n} parceiros armazenamos e/ou acedemos a informações num "
            "dispositivo, tais como cookies, e processamos dados pessoais, tais como "
            "identificadores únicos e informações padrão enviadas por um dispositivo, para "
            "anúncios e conteúdo personalizados, medição de anúncios e conteúdo, estudos de "
            "público e desenvolvimento de serviços. Com a sua autorização, nós e os nossos "
            "parceiros podemos utilizar dados de geolocalização precisos e identificação "
            "através da análise do dispositivo. Pode alterar as suas preferências a qualquer "
            "momento em «Definições de privacidade»."
        ),
        "purposes": (
            "Armazenar e/ou aceder a informações num dispositivo",
            "Utilizar dados limitados para selecionar publicidade",
            "Criar perfis para publicidade personalizada",
            "Medir o desempenho da publicidade",
            "Desenvolver e melhorar os serviços",
        ),
        "buttons": (("Aceitar tudo", "Rejeitar tudo", "Gerir opções"),
                    ("Concordo", "Não concordo", "Mais opções")),
        "vendors": "Parceiros", "policy": "Política de privacidade", "legit": "Interesse legítimo",
        "title": "Definições de privacidade",
    },
    "nl": {
        "headings": ("Wij vragen je toestemming", "Jouw privacy"),
        "intro": (
            "Wij en onze {n} partners slaan informatie op en/of hebben toegang tot informatie "
            "op een apparaat, zoals cookies, en verwerken persoonsgegevens, zoals unieke "
            "identificatoren en standaardinformatie die door een apparaat wordt verzonden, "
            "voor gepersonaliseerde advertenties en content, advertentie- en contentmeting, "
            "doelgroeponderzoek en het ontwikkelen van diensten. Met jouw toestemming kunnen "
            "wij en onze partners precieze geolocatiegegevens en identificatie via "
            "apparaatscans gebruiken. Je kunt je voorkeuren op elk moment wijzigen via "
            "‘Privacyinstellingen’ onderaan de pagina."
        ),
        "purposes": (
            "Informatie op een apparaat opslaan en/of openen",
            "Beperkte gegevens gebruiken om advertenties te selecteren",
            "Profielen maken voor gepersonaliseerde advertenties",
            "Advertentieprestaties meten",
            "Diensten ontwikkelen en verbeteren",
        ),
        "buttons": (("Alles accepteren", "Weigeren", "Instellingen beheren"),
                    ("Akkoord", "Niet akkoord", "Meer opties")),
        "vendors": "Partners", "policy": "Privacybeleid", "legit": "Gerechtvaardigd belang",
        "title": "Privacyinstellingen",
    },
    "sv": {
        "headings": ("Vi värnar om din integritet",),
        "intro": (
            "Vi och våra {n} partner lagrar och/eller får åtkomst till information på en "
            "enhet, exempelvis cookies, och behandlar personuppgifter, exempelvis unika "
            "identifierare och standardinformation som skickas av en enhet, för "
            "personanpassade annonser och annat innehåll, annons- och innehållsmätning, "
            "målgruppsinsikter och produktutveckling. Du kan när som helst ändra dina val via "
            "”Integritetsinställningar” längst ned på sidan."
        ),
        "purposes": ("Lagra och/eller få åtkomst till information på en enhet",
                     "Mäta annonsers resultat", "Utveckla och förbättra tjänster"),
        "buttons": (("Godkänn alla", "Avvisa alla", "Hantera inställningar"),),
        "vendors": "Partner", "policy": "Integritetspolicy", "legit": "Berättigat intresse",
        "title": "Integritetsinställningar",
    },
    "da": {
        "headings": ("Vi værdsætter dit privatliv",),
        "intro": (
            "Vi og vores {n} partnere gemmer og/eller tilgår oplysninger på en enhed, såsom "
            "cookies, og behandler personoplysninger, såsom unikke identifikatorer og "
            "standardoplysninger, der sendes af en enhed, til personligt tilpassede annoncer og "
            "indhold, annonce- og indholdsmåling, målgruppeindsigt og produktudvikling. Du kan "
            "til enhver tid ændre dine valg under »Privatlivsindstillinger« nederst på siden."
        ),
        "purposes": ("Gem og/eller tilgå oplysninger på en enhed", "Mål annonceeffektivitet",
                     "Udvikl og forbedr tjenester"),
        "buttons": (("Accepter alle", "Afvis alle", "Administrer valg"),),
        "vendors": "Partnere", "policy": "Privatlivspolitik", "legit": "Legitim interesse",
        "title": "Privatlivsindstillinger",
    },
    "no": {
        "headings": ("Vi bryr oss om personvernet ditt",),
        "intro": (
            "Vi og våre {n} partnere lagrer og/eller får tilgang til informasjon på en enhet, "
            "for eksempel informasjonskapsler, og behandler personopplysninger, for eksempel "
            "unike identifikatorer og standardinformasjon som sendes av en enhet, for "
            "tilpassede annonser og tilpasset innhold, annonse- og innholdsmåling, "
            "målgruppeinnsikt og produktutvikling. Du kan når som helst endre valgene dine "
            "under «Personverninnstillinger» nederst på siden."
        ),
        "purposes": ("Lagre og/eller få tilgang til informasjon på en enhet",
                     "Måle annonseytelse", "Utvikle og forbedre tjenester"),
        "buttons": (("Godta alle", "Avvis alle", "Administrer valg"),),
        "vendors": "Partnere", "policy": "Personvernerklæring", "legit": "Berettiget interesse",
        "title": "Personverninnstillinger",
    },
    "pl": {
        "headings": ("Szanujemy Twoją prywatność",),
        "intro": (
            "My i nasi {n} partnerzy przechowujemy informacje na urządzeniu lub uzyskujemy do "
            "nich dostęp, np. pliki cookie, oraz przetwarzamy dane osobowe, np. unikalne "
            "identyfikatory i standardowe informacje wysyłane przez urządzenie, w celu "
            "wyświetlania spersonalizowanych reklam i treści, pomiaru reklam i treści, badania "
            "odbiorców i rozwoju usług. W każdej chwili możesz zmienić swoje ustawienia, "
            "klikając „Ustawienia prywatności” na dole strony."
        ),
        "purposes": ("Przechowywanie informacji na urządzeniu lub dostęp do nich",
                     "Pomiar efektywności reklam", "Rozwój i ulepszanie usług"),
        "buttons": (("Akceptuję", "Odrzuć wszystkie", "Więcej opcji"),),
        "vendors": "Partnerzy", "policy": "Polityka prywatności",
        "legit": "Prawnie uzasadniony interes", "title": "Ustawienia prywatności",
    },
    "cs": {
        "headings": ("Vážíme si vašeho soukromí",),
        "intro": (
            "My a našich {n} partnerů ukládáme a/nebo používáme informace v zařízení, například "
            "soubory cookie, a zpracováváme osobní údaje, například jedinečné identifikátory a "
            "standardní informace odesílané zařízením, pro účely personalizované reklamy a "
            "obsahu, měření reklamy a obsahu, průzkumu publika a vývoje služeb. Svá nastavení "
            "můžete kdykoli změnit kliknutím na „Nastavení soukromí“ v zápatí stránky."
        ),
        "purposes": ("Ukládání a/nebo přístup k informacím v zařízení", "Měření výkonu reklamy",
                     "Vývoj a zlepšování služeb"),
        "buttons": (("Přijmout vše", "Odmítnout vše", "Další možnosti"),),
        "vendors": "Partneři", "policy": "Zásady ochrany osobních údajů",
        "legit": "Oprávněný zájem", "title": "Nastavení soukromí",
    },
}
_VENDORS = (
    "Google Advertising Products", "The Trade Desk", "Criteo SA", "Xandr, Inc.",
    "Index Exchange Inc.", "Magnite, Inc.", "PubMatic, Inc.", "OpenX", "Taboola Europe Limited",
    "Outbrain UK Ltd", "Amazon Advertising", "Adform A/S", "Quantcast", "ID5 Technology Ltd",
    "LiveRamp", "Sovrn, Inc.", "TripleLift, Inc.", "Teads France SAS", "Equativ",
    "Seedtag Advertising S.L", "Ogury Ltd", "Yieldmo, Inc.", "Sharethrough, Inc.", "GumGum, Inc.",
    "Media.net Advertising FZ-LLC", "Nielsen Media Research Ltd.", "comScore B.V.",
    "Permutive Technologies, Inc.", "Lotame Solutions, Inc.", "Microsoft Advertising",
    "Smart Adserver", "Onetag Limited", "Kargo Global Inc.", "Triton Digital Canada Inc.",
    "Zeta Global", "Mediarithmics SAS", "Adobe Advertising Cloud", "Integral Ad Science",
    "DoubleVerify Inc.", "Bidswitch GmbH", "Sonobi, Inc", "Improve Digital",
)

_BOT = {
    "en": ("Just a moment...", "Verifying you are human. This may take a few seconds.",
           "{host} needs to review the security of your connection before proceeding.",
           "Enable JavaScript and cookies to continue"),
    "de": ("Einen Moment…",
           "Überprüfung, ob Sie ein Mensch sind. Dies kann einige Sekunden dauern.",
           "{host} muss die Sicherheit Ihrer Verbindung überprüfen, bevor Sie fortfahren können.",
           "Aktivieren Sie JavaScript und Cookies, um fortzufahren"),
    "fr": ("Un instant…",
           "Vérification que vous êtes un humain. Cela peut prendre quelques secondes.",
           "{host} doit vérifier la sécurité de votre connexion avant de continuer.",
           "Activez JavaScript et les cookies pour continuer"),
    "es": ("Un momento…",
           "Verificando que usted es un ser humano. Esto podría tardar unos segundos.",
           "{host} necesita revisar la seguridad de su conexión antes de continuar.",
           "Habilite JavaScript y las cookies para continuar"),
    "it": ("Solo un momento...",
           "Verifica di essere un essere umano. Potrebbero essere necessari alcuni secondi.",
           "{host} deve verificare la sicurezza della connessione prima di procedere.",
           "Abilita JavaScript e i cookie per continuare"),
    "pt": ("Um momento…", "Verificando se você é humano. Isso pode levar alguns segundos.",
           "{host} precisa analisar a segurança da sua conexão antes de prosseguir.",
           "Ative o JavaScript e os cookies para continuar"),
    "nl": ("Een ogenblik…", "Verifiëren dat u een mens bent. Dit kan een paar seconden duren.",
           "{host} moet de beveiliging van uw verbinding controleren voordat u verder kunt gaan.",
           "Schakel JavaScript en cookies in om door te gaan"),
}
_ROBOT = {
    "en": ("Are you a robot?", "We have noticed unusual activity from your network. Please "
           "confirm that you are not a robot to continue to {site}.", "I am not a robot"),
    "de": ("Sind Sie ein Roboter?", "Wir haben ungewöhnlichen Datenverkehr aus Ihrem Netzwerk "
           "festgestellt. Bitte bestätigen Sie, dass Sie kein Roboter sind, um {site} weiter zu "
           "nutzen.", "Ich bin kein Roboter"),
    "fr": ("Êtes-vous un robot ?", "Nous avons détecté une activité inhabituelle depuis votre "
           "réseau. Veuillez confirmer que vous n'êtes pas un robot pour accéder à {site}.",
           "Je ne suis pas un robot"),
    "es": ("¿Eres un robot?", "Hemos detectado actividad inusual desde tu red. Confirma que no "
           "eres un robot para seguir navegando en {site}.", "No soy un robot"),
    "it": ("Sei un robot?", "Abbiamo rilevato un'attività insolita dalla tua rete. Conferma di "
           "non essere un robot per continuare su {site}.", "Non sono un robot"),
    "pt": ("Você é um robô?", "Detetámos atividade invulgar na sua rede. Confirme que não é um "
           "robô para continuar no {site}.", "Não sou um robô"),
    "nl": ("Bent u een robot?", "We hebben ongebruikelijk verkeer vanaf uw netwerk gezien. "
           "Bevestig dat u geen robot bent om verder te gaan naar {site}.", "Ik ben geen robot"),
}
_NOT_FOUND = {
    "en": (("Page not found", "Sorry, we couldn't find that page",
            "Oops! That page can't be found."),
           "The page you were looking for may have been moved, deleted or never existed. Try "
           "searching or go to the homepage.",
           ("Popular stories", "Most read", "You might also like"),
           "Search", "Go to the homepage"),
    "de": (("Seite nicht gefunden", "Diese Seite existiert leider nicht",
            "Hoppla! Die Seite wurde nicht gefunden (Fehler 404)"),
           "Die von Ihnen aufgerufene Seite wurde verschoben, gelöscht oder existiert nicht. "
           "Nutzen Sie die Suche oder besuchen Sie unsere Startseite.",
           ("Meistgelesen", "Beliebte Artikel", "Das könnte Sie auch interessieren"),
           "Suche", "Zur Startseite"),
    "fr": (("Page introuvable", "Oups ! Cette page n'existe pas ou plus", "Erreur 404"),
           "La page que vous recherchez a peut-être été déplacée ou supprimée. Utilisez notre "
           "moteur de recherche ou revenez à la page d'accueil.",
           ("Les plus lus", "À lire aussi"), "Rechercher", "Retour à l'accueil"),
    "es": (("Página no encontrada", "Lo sentimos, la página que buscas no existe"),
           "Es posible que la página haya sido movida o eliminada. Prueba a buscar o vuelve a la "
           "portada.", ("Lo más leído", "Te puede interesar"), "Buscar", "Ir a la portada"),
    "it": (("Pagina non trovata", "Ops! La pagina che cercavi non esiste"),
           "La pagina potrebbe essere stata spostata o rimossa. Prova a cercare o torna alla home.",
           ("I più letti", "Potrebbe interessarti"), "Cerca", "Torna alla home"),
    "pt": (("Página não encontrada", "Ops! Esta página não existe"),
           "A página que procura pode ter sido movida ou removida. Pesquise ou volte à página "
           "inicial.", ("Mais lidas", "Veja também"), "Pesquisar", "Voltar à página inicial"),
    "nl": (("Pagina niet gevonden", "Oeps, deze pagina bestaat niet (meer)"),
           "De pagina die je zoekt is verplaatst of verwijderd. Gebruik de zoekfunctie of ga "
           "naar de homepage.", ("Meest gelezen", "Ook interessant"), "Zoeken", "Naar de homepage"),
    "sv": (("Sidan kunde inte hittas",), "Sidan du söker har flyttats eller tagits bort.",
           ("Mest läst",), "Sök", "Till startsidan"),
    "da": (("Siden blev ikke fundet",), "Siden, du leder efter, er flyttet eller slettet.",
           ("Mest læste",), "Søg", "Til forsiden"),
    "no": (("Siden finnes ikke",), "Siden du leter etter er flyttet eller slettet.",
           ("Mest lest",), "Søk", "Til forsiden"),
    "pl": (("Nie znaleziono strony",), "Strona, której szukasz, została przeniesiona lub usunięta.",
           ("Najczęściej czytane",), "Szukaj", "Strona główna"),
    "cs": (("Stránka nenalezena",), "Hledaná stránka byla přesunuta nebo odstraněna.",
           ("Nejčtenější",), "Hledat", "Na úvodní stránku"),
    "tr": (("Sayfa bulunamadı",), "Aradığınız sayfa taşınmış ya da kaldırılmış olabilir.",
           ("En çok okunanlar",), "Ara", "Ana sayfaya dön"),
    "ru": (("Страница не найдена",), "Страница, которую вы ищете, была перемещена или удалена.",
           ("Самое читаемое",), "Поиск", "На главную"),
    "ja": (("ページが見つかりません",), "お探しのページは移動または削除された可能性があります。",
           ("よく読まれている記事",), "検索", "トップページへ"),
    "ko": (("페이지를 찾을 수 없습니다",), "요청하신 페이지가 이동되었거나 삭제되었습니다.",
           ("많이 본 뉴스",), "검색", "홈으로"),
}
_POPULAR = {
    "de": ("Bundestag beschließt neues Heizungsgesetz", "Bahn streicht Verbindungen im Winter",
           "Mieten steigen in Großstädten weiter", "Hochwasser: Pegel sinken langsam",
           "Zinsentscheid der EZB: Was Sparer wissen müssen", "Neue Regeln für E-Scooter"),
    "fr": ("Réforme des retraites : ce qui change", "Grève SNCF : le trafic perturbé mardi",
           "Inflation : les prix alimentaires reculent", "Tempête : alerte orange dans l'Ouest",
           "Le gouvernement présente son budget"),
    "es": ("El Gobierno aprueba la subida del salario mínimo", "Huelga de transporte el lunes",
           "El precio de la luz baja un 12%", "Alerta por lluvias en el litoral",
           "Así queda la reforma de las pensiones"),
    "it": ("Manovra, via libera del Consiglio dei ministri", "Sciopero dei treni venerdì",
           "Bollette, cosa cambia da gennaio", "Maltempo, allerta arancione in Liguria",
           "Pensioni, le novità della riforma"),
    "pt": ("Governo aprova aumento do salário mínimo", "Greve na CP afeta comboios",
           "Preço dos combustíveis desce na segunda-feira", "Aviso amarelo para chuva forte",
           "O que muda no IRS em 2027"),
    "nl": ("Kabinet presenteert nieuwe woningplannen", "Storing bij NS legt treinverkeer stil",
           "Energieprijzen dalen deze winter", "Code oranje voor zware windstoten",
           "Dit verandert er per 1 januari"),
}
_MAINTENANCE = {
    "en": (("We'll be back soon!", "Scheduled maintenance", "Down for maintenance"),
           ("Sorry for the inconvenience but we're performing some maintenance at the moment. "
            "We'll be back online shortly!",
            "Our website is currently undergoing scheduled maintenance. We should be back "
            "shortly. Thank you for your patience."), "Expected back at {HH}:{MM} {tz}."),
    "de": (("Wartungsarbeiten", "Wir sind gleich wieder da!"),
           ("Aufgrund von Wartungsarbeiten ist unsere Website vorübergehend nicht erreichbar. "
            "Bitte versuchen Sie es in wenigen Minuten erneut.",
            "Wir arbeiten gerade an unserer Website. Vielen Dank für Ihre Geduld."),
           "Voraussichtlich wieder erreichbar ab {HH}:{MM} Uhr."),
    "fr": (("Site en maintenance", "Nous revenons très vite"),
           ("Notre site est actuellement en maintenance. Nous serons de retour très bientôt. "
            "Merci de votre patience.",), "Retour prévu à {HH}h{MM}."),
    "es": (("Sitio en mantenimiento", "Volvemos enseguida"),
           ("Estamos realizando tareas de mantenimiento. Volveremos a estar en línea en breve. "
            "Disculpe las molestias.",), "Volveremos a las {HH}:{MM}."),
    "it": (("Sito in manutenzione",),
           ("Il sito è temporaneamente in manutenzione. Torneremo online a breve.",),
           "Rientro previsto alle {HH}:{MM}."),
    "pt": (("Site em manutenção",),
           ("Estamos a realizar trabalhos de manutenção. Voltamos em breve.",),
           "Regresso previsto às {HH}:{MM}."),
    "nl": (("Onderhoud", "We zijn zo terug"),
           ("Onze website is tijdelijk niet beschikbaar wegens gepland onderhoud. We zijn zo "
            "snel mogelijk weer terug.",), "Verwacht terug om {HH}:{MM} uur."),
    "sv": (("Underhåll pågår",), ("Sajten är tillfälligt nere för underhåll. Vi är snart "
                                  "tillbaka.",), "Beräknas vara tillbaka kl. {HH}.{MM}."),
    "da": (("Vedligeholdelse",), ("Siden er midlertidigt nede på grund af vedligeholdelse. "
                                  "Vi er snart tilbage.",), "Forventes tilbage kl. {HH}.{MM}."),
    "no": (("Vedlikehold",), ("Nettstedet er midlertidig nede for vedlikehold. Vi er snart "
                              "tilbake.",), "Forventet tilbake kl. {HH}.{MM}."),
    "pl": (("Przerwa techniczna",), ("Trwają prace techniczne. Zapraszamy wkrótce.",),
           "Planowany powrót o {HH}:{MM}."),
    "cs": (("Probíhá údržba",), ("Na webu právě probíhá plánovaná údržba. Brzy budeme zpět.",),
           "Předpokládaný návrat v {HH}:{MM}."),
    "tr": (("Bakım çalışması",), ("Sitemiz şu anda bakımdadır. Kısa süre içinde tekrar "
                                  "hizmetinizdeyiz.",), "Tahmini dönüş saati: {HH}:{MM}."),
    "ru": (("Технические работы",), ("На сайте проводятся технические работы. Скоро вернёмся.",),
           "Ориентировочное время окончания: {HH}:{MM}."),
    "ja": (("メンテナンス中",),
           ("ただいまメンテナンス中です。ご迷惑をおかけしますが、しばらくお待ちください。",),
           "終了予定時刻：{HH}:{MM}"),
    "ko": (("서비스 점검 중",),
           ("보다 나은 서비스를 위해 시스템 점검 중입니다. 잠시 후 다시 이용해 주세요.",),
           "점검 종료 예정: {HH}:{MM}"),
}
_RATE_LIMIT = {
    "en": (("Too Many Requests", "Rate limit exceeded", "Slow down"),
           ("You have sent too many requests in a given amount of time. Please try again later.",
            "We're sorry, but you have made too many requests. Please wait a moment and try "
            "again."), "Try again in {s} seconds."),
    "de": (("Zu viele Anfragen",), ("Sie haben in kurzer Zeit zu viele Anfragen gesendet. Bitte "
                                    "versuchen Sie es später erneut.",),
           "Bitte versuchen Sie es in {s} Sekunden erneut."),
    "fr": (("Trop de requêtes",), ("Vous avez envoyé trop de requêtes en peu de temps. Veuillez "
                                   "réessayer plus tard.",), "Réessayez dans {s} secondes."),
    "es": (("Demasiadas solicitudes",), ("Ha enviado demasiadas solicitudes en poco tiempo. "
                                         "Inténtelo de nuevo más tarde.",),
           "Vuelva a intentarlo en {s} segundos."),
    "it": (("Troppe richieste",), ("Hai inviato troppe richieste in poco tempo. Riprova più "
                                   "tardi.",), "Riprova tra {s} secondi."),
    "pt": (("Demasiados pedidos",), ("Enviou demasiados pedidos num curto espaço de tempo. Tente "
                                     "novamente mais tarde.",), "Tente novamente em {s} segundos."),
    "nl": (("Te veel verzoeken",), ("U hebt in korte tijd te veel verzoeken verstuurd. Probeer "
                                    "het later opnieuw.",),
           "Probeer het over {s} seconden opnieuw."),
    "sv": (("För många förfrågningar",), ("Du har skickat för många förfrågningar. Försök igen "
                                          "senare.",), "Försök igen om {s} sekunder."),
    "da": (("For mange forespørgsler",), ("Du har sendt for mange forespørgsler. Prøv igen "
                                          "senere.",), "Prøv igen om {s} sekunder."),
    "no": (("For mange forespørsler",), ("Du har sendt for mange forespørsler. Prøv igjen "
                                         "senere.",), "Prøv igjen om {s} sekunder."),
    "pl": (("Zbyt wiele żądań",), ("Wysłano zbyt wiele żądań w krótkim czasie. Spróbuj ponownie "
                                   "później.",), "Spróbuj ponownie za {s} s."),
    "cs": (("Příliš mnoho požadavků",), ("Odeslali jste příliš mnoho požadavků. Zkuste to "
                                         "později.",), "Zkuste to znovu za {s} s."),
    "tr": (("Çok fazla istek",), ("Kısa sürede çok fazla istek gönderdiniz. Lütfen daha sonra "
                                  "tekrar deneyin.",), "{s} saniye sonra tekrar deneyin."),
    "ru": (("Слишком много запросов",), ("Вы отправили слишком много запросов. Попробуйте "
                                         "позже.",), "Повторите попытку через {s} секунд."),
    "ja": (("アクセスが集中しています",),
           ("アクセスが集中しているため、ページを表示できません。"
            "しばらくしてから再度お試しください。",),
           "{s}秒後に再度お試しください。"),
    "ko": (("요청이 너무 많습니다",),
           ("짧은 시간에 너무 많은 요청이 있었습니다. 잠시 후 다시 시도해 주세요.",),
           "{s}초 후에 다시 시도해 주세요."),
}
_LOGIN = {
    "en": (("Log in to continue reading", "Create a free account to keep reading",
            "This article is for registered users"),
           "Sign in or register for free to read this article and get unlimited access to our "
           "journalism.", "Email address", "Password", "Log in", "Create a free account",
           "Forgot your password?", "Continue with Google"),
    "de": (("Melden Sie sich an, um weiterzulesen", "Kostenlos registrieren und weiterlesen"),
           "Registrieren Sie sich kostenlos, um den ganzen Artikel zu lesen.", "E-Mail-Adresse",
           "Passwort", "Anmelden", "Kostenlos registrieren", "Passwort vergessen?",
           "Weiter mit Google"),
    "fr": (("Connectez-vous pour continuer votre lecture",
            "Créez un compte gratuit pour lire la suite"),
           "Cet article est réservé aux utilisateurs inscrits. L'inscription est gratuite.",
           "Adresse e-mail", "Mot de passe", "Se connecter", "Créer un compte",
           "Mot de passe oublié ?", "Continuer avec Google"),
    "es": (("Inicia sesión para seguir leyendo", "Regístrate gratis para continuar leyendo"),
           "Este contenido es exclusivo para usuarios registrados.", "Correo electrónico",
           "Contraseña", "Iniciar sesión", "Crear cuenta", "¿Has olvidado tu contraseña?",
           "Continuar con Google"),
    "it": (("Accedi per continuare a leggere", "Registrati gratuitamente per leggere l'articolo"),
           "Questo contenuto è riservato agli utenti registrati.", "Indirizzo email",
           "Password", "Accedi", "Registrati", "Password dimenticata?", "Continua con Google"),
    "pt": (("Inicie sessão para continuar a ler", "Registe-se gratuitamente para continuar a ler"),
           "Este conteúdo é exclusivo para utilizadores registados.", "Endereço de e-mail",
           "Palavra-passe", "Entrar", "Criar conta", "Esqueceu-se da palavra-passe?",
           "Continuar com o Google"),
    "nl": (("Log in om verder te lezen", "Maak een gratis account aan om verder te lezen"),
           "Dit artikel is alleen beschikbaar voor geregistreerde gebruikers.", "E-mailadres",
           "Wachtwoord", "Inloggen", "Account aanmaken", "Wachtwoord vergeten?",
           "Doorgaan met Google"),
    "sv": (("Logga in för att läsa vidare",), "Artikeln är för inloggade läsare.", "E-postadress",
           "Lösenord", "Logga in", "Skapa konto", "Glömt lösenordet?", "Fortsätt med Google"),
    "da": (("Log ind for at læse videre",), "Artiklen er for loggede ind brugere.", "E-mail",
           "Adgangskode", "Log ind", "Opret konto", "Glemt adgangskode?", "Fortsæt med Google"),
    "no": (("Logg inn for å lese videre",), "Artikkelen er for innloggede lesere.", "E-post",
           "Passord", "Logg inn", "Opprett konto", "Glemt passordet?", "Fortsett med Google"),
    "pl": (("Zaloguj się, aby czytać dalej",), "Artykuł dostępny dla zalogowanych użytkowników.",
           "Adres e-mail", "Hasło", "Zaloguj się", "Załóż konto", "Nie pamiętasz hasła?",
           "Kontynuuj z Google"),
    "cs": (("Přihlaste se a čtěte dál",), "Článek je dostupný pouze přihlášeným čtenářům.",
           "E-mail", "Heslo", "Přihlásit se", "Vytvořit účet", "Zapomněli jste heslo?",
           "Pokračovat přes Google"),
    "tr": (("Okumaya devam etmek için giriş yapın",), "Bu içerik yalnızca üyelerimize açıktır.",
           "E-posta adresi", "Şifre", "Giriş yap", "Üye ol", "Şifremi unuttum",
           "Google ile devam et"),
    "ru": (("Войдите, чтобы продолжить чтение",), "Материал доступен только зарегистрированным "
           "читателям.", "Электронная почта", "Пароль", "Войти", "Зарегистрироваться",
           "Забыли пароль?", "Продолжить с Google"),
    "ja": (("続きを読むにはログインしてください",),
           "この記事は会員限定です。無料会員登録で続きをお読みいただけます。",
           "メールアドレス", "パスワード", "ログイン", "無料会員登録", "パスワードをお忘れの方",
           "Googleで続ける"),
    "ko": (("로그인 후 이용하실 수 있습니다",), "이 기사는 회원 전용 콘텐츠입니다.",
           "이메일", "비밀번호",
           "로그인", "회원가입", "비밀번호 찾기", "Google로 계속하기"),
}
# fmt: on
_WALL_LANGUAGES = frozenset(_NOT_FOUND)


def _host(site_name: str) -> str:
    return "www." + (re.sub(r"[^a-z0-9]+", "", site_name.lower()) or "news") + ".com"


def _document(lang: str, title: str, head: str, body: str, *, body_attrs: str = "") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n{head}</head>\n<body{body_attrs}>\n{body}\n</body>\n</html>\n"
    )


def _chrome(site_name: str, lang: str, rng: random.Random) -> tuple[str, str]:
    """Site header (logo, sections) and footer, as a wall page with site chrome shows."""
    sections = list(_words(_NAV, lang))
    rng.shuffle(sections)
    items = "".join(
        f'<li><a href="/{_slug(name)}/">{_e(name)}</a></li>'
        for name in sections[: rng.randint(4, 6)]
    )
    rights, privacy, terms, contact = _words(_FOOTER, lang)
    header = (
        f'<header class="site-header"><a class="logo" href="/">{_e(site_name)}</a>'
        f'<nav aria-label="Sections"><ul>{items}</ul></nav></header>'
    )
    footer = (
        f'<footer class="site-footer"><ul><li><a href="/privacy">{_e(privacy)}</a></li>'
        f'<li><a href="/terms">{_e(terms)}</a></li><li><a href="/contact">{_e(contact)}</a></li>'
        f"</ul><p>&copy; 2026 {_e(site_name)}. {_e(rights)}</p></footer>"
    )
    return header, footer


def _wall_title(rng: random.Random, site_name: str, article_title: str | None, own: str) -> str:
    if article_title and rng.random() < 0.5:
        return f"{article_title} | {site_name}"
    return rng.choice((f"{own} | {site_name}", site_name, own))


def _consent(lang: str, rng: random.Random, site: str, title: str | None, host: str) -> str:
    words = _words(_CONSENT, lang)
    partners = rng.randint(180, 1100)
    heading = rng.choice(words["headings"])
    accept, reject, manage = rng.choice(words["buttons"])
    purposes = "".join(
        f'<li><label><input type="checkbox" name="purpose-{i + 1}" checked> {_e(p)}</label></li>'
        for i, p in enumerate(words["purposes"])
    )
    vendors = rng.sample(_VENDORS, rng.randint(14, 30))
    vendor_items = "".join(
        f'<li data-vendor-id="{rng.randint(1, 1200)}"><span class="vendor-name">{_e(v)}</span> '
        f'<a href="https://{_slug(v)}.example/privacy">{_e(words["policy"])}</a>'
        + (f' <span class="li">{_e(words["legit"])}</span>' if rng.random() < 0.4 else "")
        + "</li>"
        for v in vendors
    )
    nonce, consent_string = (
        _token(rng),
        "CP"
        + "".join(
            rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", k=60)
        ),
    )
    cmp = rng.choice(("sourcepoint", "onetrust", "quantcast", "own"))
    container_id = {
        "sourcepoint": f"sp_message_container_{rng.randint(100000, 999999)}",
        "onetrust": "onetrust-consent-sdk",
        "quantcast": "qc-cmp2-container",
        "own": f"consent-{nonce[:8]}",
    }[cmp]
    dialog = (
        f'<div id="{container_id}" class="cmp-overlay" role="dialog" aria-modal="true">'
        f'<div class="cmp-dialog"><h2>{_e(heading)}</h2>'
        f'<p class="cmp-intro">{_e(words["intro"].format(n=partners))}</p>'
        f'<ul class="cmp-purposes">{purposes}</ul>'
        f'<details class="cmp-vendors"><summary>{_e(words["vendors"])} ({partners})</summary>'
        f"<ul>{vendor_items}</ul></details>"
        '<div class="cmp-buttons">'
        f'<button class="accept" data-choice="accept">{_e(accept)}</button>'
        f'<button class="reject" data-choice="reject">{_e(reject)}</button>'
        f'<button class="manage" data-choice="manage">{_e(manage)}</button></div></div></div>'
    )
    script = (
        f'<script nonce="{nonce}">window.__tcfapi=window.__tcfapi||function(){{'
        f"(window.__tcfapi.a=window.__tcfapi.a||[]).push(arguments)}};"
        f'window._sp_={{config:{{accountId:{rng.randint(100, 2000)},baseEndpoint:"https://cmp.{host}",'
        f'consentString:"{consent_string}"}}}};</script>\n'
    )
    if rng.random() < 0.5:  # an overlay over an empty page with the site's chrome
        header, footer = _chrome(site, lang, rng)
        body = f'{header}\n<main class="content" aria-hidden="true"></main>\n{footer}\n{dialog}'
    else:  # a consent page of its own, as consent.yahoo.com or a "Pay or OK" wall
        body = f'<div class="consent-page"><p class="logo">{_e(site)}</p>{dialog}</div>'
    head = script + (
        f'<meta property="og:title" content="{_attr(title)}">\n'
        if title and rng.random() < 0.5
        else ""
    )
    return _document(lang, _wall_title(rng, site, title, words["title"]), head, body)


def _bot_check(lang: str, rng: random.Random, site: str, title: str | None, host: str) -> str:
    style = rng.choice(("cloudflare", "cloudflare", "datadome", "perimeterx", "robot"))
    if style == "cloudflare":
        moment, running, review, enable = _words(_BOT, lang)
        ray = f"{rng.getrandbits(64):016x}"
        body = (
            '<div class="main-wrapper" role="main"><div class="main-content">'
            f'<h1 class="zone-name-title h1">{_e(host)}</h1>'
            f'<h2 class="h2" id="challenge-running">{_e(running)}</h2>'
            f'<noscript><div class="h2"><span id="challenge-error-text">{_e(enable)}</span></div>'
            f'</noscript><div id="challenge-body-text" class="core-msg spacer">'
            f"{_e(review.format(host=host))}</div></div></div>"
            f"<script>(function(){{window._cf_chl_opt={{cvId: '3',cZone: \"{host}\","
            f"cType: 'managed',cRay: '{ray}',cH: '{_token(rng)}{_token(rng)}',"
            f'cUPMDTk: "/?__cf_chl_tk={_token(rng)}-{rng.randint(10**9, 10**10)}-0",'
            f"cFPWv: 'b',cITimeS: '{rng.randint(1_790_000_000, 1_800_000_000)}'}};}}());</script>"
            '<div class="footer" role="contentinfo"><div class="footer-inner">'
            f'<div class="ray-id">Ray ID: <code>{ray}</code></div>'
            '<div class="text-center" id="footer-text">Performance &amp; security by '
            '<a rel="noopener noreferrer" href="https://www.cloudflare.com" target="_blank">'
            "Cloudflare</a></div></div></div>"
        )
        head = (
            '<meta http-equiv="refresh" content="390">\n'
            '<meta name="robots" content="noindex,nofollow">\n'
        )
        return _document(lang, moment, head, body)
    if style == "datadome":
        cid = "".join(
            rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_~", k=100)
        )
        body = (
            '<p id="cmsg">Please enable JS and disable any ad blocker</p>'
            "<script data-cfasync=\"false\">var dd={'rt':'c','cid':'"
            + cid
            + "','hsh':'"
            + _token(rng).upper()
            + f"','t':'fe','s':{rng.randint(10000, 50000)},'e':'"
            + _token(rng)
            + _token(rng)
            + "','host':'geo.captcha-delivery.com'}</script>"
            '<script data-cfasync="false" src="https://ct.captcha-delivery.com/c.js"></script>'
        )
        head = (
            "<style>#cmsg{animation: A 1.5s;}"
            "@keyframes A{0%{opacity:0;}99%{opacity:0;}100%{opacity:1;}}</style>\n"
        )
        return _document(
            "en", host.removeprefix("www."), head, body, body_attrs=' style="margin:0"'
        )
    if style == "perimeterx":
        reference = "-".join(
            f"{rng.getrandbits(bits):0{bits // 4}x}" for bits in (32, 16, 16, 16, 48)
        )
        body = (
            '<div class="px-container"><div class="px-inner">'
            "<h1>Access to this page has been denied</h1>"
            "<p>Access to this page has been denied because we believe you are using automation "
            "tools to browse the website.</p><p>This may happen as a result of the following:</p>"
            "<ul><li>Javascript is disabled or blocked by an extension (ad blockers for example)"
            "</li><li>Your browser does not support cookies</li></ul><p>Please make sure that "
            "Javascript and cookies are enabled on your browser and that you are not blocking "
            "them from loading.</p><p>Press &amp; Hold to confirm you are a human (and not a bot)."
            '</p><div id="px-captcha"></div>'
            f'<p class="px-ref">Reference ID {reference}</p></div></div>'
            f"<script>window._pxAppId = 'PX{_token(rng)[:8]}';window._pxJsClientSrc = "
            f"'/{_token(rng)[:8]}/init.js';window._pxVid = '';window._pxUuid = '{reference}';"
            "window._pxHostUrl = '/xhr';</script>"
        )
        return _document("en", "Access to this page has been denied.", "", body)
    heading, explanation, checkbox = _words(_ROBOT, lang)
    header, footer = _chrome(site, lang, rng) if rng.random() < 0.5 else ("", "")
    body = (
        f'{header}<main class="captcha"><h1>{_e(heading)}</h1>'
        f"<p>{_e(explanation.format(site=site))}</p>"
        f'<form method="post" action="/captcha/verify"><input type="hidden" name="token" '
        f'value="{_token(rng)}"><label><input type="checkbox" name="human"> {_e(checkbox)}</label>'
        f'<div class="g-recaptcha" data-sitekey="6L{_token(rng)}"></div></form></main>{footer}'
    )
    return _document(lang if lang in _ROBOT else "en", heading, "", body)


def _popular_links(lang: str, rng: random.Random) -> str:
    titles = list(_POPULAR.get(lang) or ())
    while len(titles) < 5:
        titles.append(_headline(rng))
    rng.shuffle(titles)
    return "".join(
        f'<li><a href="/2026/{rng.randint(1, 12):02d}/{_slug(t)}-{rng.randint(1000, 9999)}.html">'
        f"{_e(t)}</a></li>"
        for t in titles[:5]
    )


def _soft_404(lang: str, rng: random.Random, site: str, title: str | None, host: str) -> str:
    headings, explanation, lists, search, home = _words(_NOT_FOUND, lang)
    heading = rng.choice(headings)
    header, footer = _chrome(site, lang, rng)
    body = (
        f'{header}\n<main class="error-page"><h1>{_e(heading)}</h1><p>{_e(explanation)}</p>'
        f'<form action="/search" role="search"><input type="search" name="q" '
        f'placeholder="{_attr(search)}"><button type="submit">{_e(search)}</button></form>'
        f'<p><a href="/">{_e(home)}</a></p>'
        f'<section class="popular"><h2>{_e(rng.choice(lists))}</h2><ol>{_popular_links(lang, rng)}'
        f"</ol></section></main>\n{footer}\n"
        f'<script>window.dataLayer=window.dataLayer||[];dataLayer.push({{"pageType":"404",'
        f'"requestId":"{_token(rng)}"}});</script>'
    )
    head = '<meta name="robots" content="noindex">\n' if rng.random() < 0.6 else ""
    page_title = rng.choice((f"{heading} | {site}", f"404 | {site}", f"{site} - {heading}"))
    return _document(lang if lang in _NOT_FOUND else "en", page_title, head, body)


def _maintenance(lang: str, rng: random.Random, site: str, title: str | None, host: str) -> str:
    headings, texts, back = _words(_MAINTENANCE, lang)
    heading, text = rng.choice(headings), rng.choice(texts)
    moment = _moment(rng, datetime(2026, 11, 1, tzinfo=UTC), 60)
    back_at = back.format(**_date_fields(moment, lang), tz=rng.choice(_TIME_ZONES))
    code = lang if lang in _MAINTENANCE else "en"
    if rng.random() < 0.4:  # a bare page from the load balancer
        body = (
            f"<center><h1>{_e(heading)}</h1></center><p>{_e(text)}</p><p>{_e(back_at)}</p>"
            f"<hr><center>Request ID: {_token(rng)}</center>"
        )
        return _document(code, heading, "", body)
    header, footer = _chrome(site, lang, rng) if rng.random() < 0.5 else ("", "")
    body = (
        f'{header}<main class="maintenance"><p class="logo">{_e(site)}</p><h1>{_e(heading)}</h1>'
        f"<p>{_e(text)}</p><p>{_e(back_at)}</p>"
        f'<p class="ref">Ref: {_token(rng)[:12]}</p></main>{footer}'
    )
    return _document(code, f"{heading} | {site}", "", body)


def _rate_limit(lang: str, rng: random.Random, site: str, title: str | None, host: str) -> str:
    headings, texts, retry = _words(_RATE_LIMIT, lang)
    heading, text = rng.choice(headings), rng.choice(texts)
    seconds = rng.choice((10, 30, 60, 120, 300))
    code = lang if lang in _RATE_LIMIT else "en"
    if rng.random() < 0.4:  # Cloudflare's own rate-limit page
        ray = f"{rng.getrandbits(64):016x}"
        body = (
            '<div id="cf-wrapper"><div id="cf-error-details"><h1><span>Error</span> '
            '<span class="code-label">1015</span></h1><h2>You are being rate limited</h2>'
            "<h2>What happened?</h2>"
            f"<p>The owner of this website ({_e(host)}) has banned you temporarily from "
            "accessing this website.</p>"
            f'<div class="cf-error-footer"><span>Cloudflare Ray ID: <strong>{ray}</strong></span>'
            "<span>Performance &amp; security by Cloudflare</span></div></div></div>"
        )
        return _document(
            "en", f"Access denied | {host} used Cloudflare to restrict access", "", body
        )
    header, footer = _chrome(site, lang, rng) if rng.random() < 0.5 else ("", "")
    body = (
        f'{header}<main class="error-page"><h1>{_e(heading)}</h1><p>{_e(text)}</p>'
        f"<p>{_e(retry.format(s=seconds))}</p>"
        f'<p class="request-id">Request ID: {_token(rng)}-{rng.randint(100, 999)}</p>'
        f"</main>{footer}"
    )
    return _document(code, rng.choice((heading, f"{heading} | {site}", "429")), "", body)


def _login(lang: str, rng: random.Random, site: str, title: str | None, host: str) -> str:
    headings, text, email, password, log_in, register, forgot, google = _words(_LOGIN, lang)
    heading = rng.choice(headings)
    header, footer = _chrome(site, lang, rng)
    headline = f'<h1 class="article-title">{_e(title)}</h1>' if title and rng.random() < 0.5 else ""
    body = (
        f'{header}\n<main class="login-wall">{headline}<section class="regwall">'
        f"<h2>{_e(heading)}</h2><p>{_e(text)}</p>"
        f'<form method="post" action="/account/login"><input type="hidden" name="csrf_token" '
        f'value="{_token(rng)}{_token(rng)}"><input type="hidden" name="return_to" '
        f'value="{_token(rng)[:10]}">'
        f'<label>{_e(email)} <input type="email" name="email" autocomplete="username"></label>'
        f'<label>{_e(password)} <input type="password" name="password"></label>'
        f'<button type="submit">{_e(log_in)}</button></form>'
        f'<p><a href="/account/forgot">{_e(forgot)}</a></p>'
        f'<p><a class="button" href="/account/register">{_e(register)}</a></p>'
        f'<p><a class="sso google" href="/account/sso/google?state={_token(rng)}">'
        f"{_e(google)}</a></p>"
        f"</section></main>\n{footer}"
    )
    code = lang if lang in _LOGIN else "en"
    return _document(code, _wall_title(rng, site, title, heading), "", body)


_WALLS: dict[str, Callable[[str, random.Random, str, str | None, str], str]] = {
    "consent": _consent,
    "bot_check": _bot_check,
    "soft_404": _soft_404,
    "maintenance": _maintenance,
    "rate_limit": _rate_limit,
    "login": _login,
}


def wall_page(
    kind: str,
    lang: str,
    seed: int,
    *,
    site_name: str,
    article_title: str | None = None,
    host: str | None = None,
) -> str:
    """A whole page that a site answers with 200 instead of the article.

    ``kind`` is one of :data:`WALL_KINDS`: "consent" (an IAB TCF cookie wall with its
    purposes and vendor list), "bot_check" (Cloudflare, DataDome, PerimeterX or a
    captcha), "soft_404" (with popular stories), "maintenance", "rate_limit" or "login".
    The seed picks the wording variant, the chrome (site navigation and footer or a bare
    interstitial), whether ``<title>`` keeps ``article_title``, and the tokens and nonces,
    which change from seed to seed. Text is in ``lang`` where the kind has wording for it.
    """
    try:
        make = _WALLS[kind]
    except KeyError:
        raise ValueError(f"unknown wall kind {kind!r}; one of {WALL_KINDS}") from None
    lang = _LANG_ALIASES.get(lang, lang)
    rng = random.Random(f"wall:{kind}:{lang}:{seed}")
    return make(lang, rng, site_name, article_title, host or _host(site_name))


# ------------------------------------------------------------------------- paywalls

# Per language: headings, pitches (with a price), calls to action, "already a subscriber?"
# and its login link.
# fmt: off
_PAYWALL = {
    "en": (("Subscribe to continue reading", "This article is for subscribers only",
            "Keep reading with a digital subscription"),
           ("Get unlimited access to our journalism for just £1 a week.",
            "Try 1 month for $1. Cancel anytime.",
            "Support independent journalism: subscribe from £4.99 a month."),
           ("Subscribe now", "Start your free trial", "See subscription options"),
           "Already a subscriber?", "Log in"),
    "de": (("Jetzt weiterlesen mit SZ Plus", "Lesen Sie weiter mit Z+",
            "Dieser Artikel ist nur für Abonnenten verfügbar"),
           ("Alle Artikel lesen: 4 Wochen für 0,99 €, danach 9,99 € pro Monat.",
            "Testen Sie unser Digital-Abo einen Monat kostenlos.",
            "Unabhängiger Journalismus für 1 € im ersten Monat."),
           ("Jetzt abonnieren", "Jetzt testen", "Zum Angebot"),
           "Sie sind bereits Abonnent?", "Hier anmelden"),
    "fr": (("Abonnez-vous pour lire la suite", "Cet article est réservé aux abonnés",
            "Il vous reste 78 % de cet article à lire"),
           ("1 € le premier mois, sans engagement.",
            "Accédez à tous nos articles dès 9,99 € par mois."),
           ("Je m'abonne", "S'abonner", "Découvrir les offres"),
           "Déjà abonné ?", "Se connecter"),
    "es": (("Suscríbete para seguir leyendo", "Este contenido es exclusivo para suscriptores"),
           ("Lee sin límites por 1 € el primer mes.",
            "Suscríbete y accede a todo desde 10 € al mes."),
           ("Suscríbete", "Ver ofertas"), "¿Ya eres suscriptor?", "Inicia sesión"),
    "it": (("Abbonati per continuare a leggere", "Questo articolo è riservato agli abbonati"),
           ("Primo mese a 1 €, poi 9,99 € al mese.", "Leggi tutti gli articoli senza limiti."),
           ("Abbonati ora", "Scopri le offerte"), "Sei già abbonato?", "Accedi"),
    "pt": (("Assine para continuar lendo", "Este conteúdo é exclusivo para assinantes"),
           ("Assine por R$ 1,90 no primeiro mês.", "Acesso ilimitado por 1 € no primeiro mês."),
           ("Assine agora", "Ver planos"), "Já é assinante?", "Entre"),
    "nl": (("Lees verder met een abonnement", "Dit artikel is exclusief voor abonnees"),
           ("Neem nu een digitaal abonnement voor € 1 per week.",),
           ("Word abonnee", "Bekijk aanbod"), "Al abonnee?", "Log in"),
    "sv": (("Bli prenumerant för att läsa vidare", "Artikeln är låst för prenumeranter"),
           ("Första månaden för 1 kr.",), ("Prenumerera", "Se erbjudanden"),
           "Redan prenumerant?", "Logga in"),
    "da": (("Bliv abonnent for at læse videre", "Artiklen er kun for abonnenter"),
           ("Første måned for 1 kr.",), ("Bliv abonnent", "Se tilbud"),
           "Er du allerede abonnent?", "Log ind"),
    "no": (("Bli abonnent for å lese videre", "Denne saken er for abonnenter"),
           ("Første måned for 1 kr.",), ("Bli abonnent", "Se tilbud"),
           "Allerede abonnent?", "Logg inn"),
    "pl": (("Zaprenumeruj, aby czytać dalej", "Ten artykuł jest dostępny dla subskrybentów"),
           ("Pierwszy miesiąc za 1 zł.",), ("Kup subskrypcję", "Zobacz ofertę"),
           "Masz już subskrypcję?", "Zaloguj się"),
    "cs": (("Předplaťte si a čtěte dál", "Článek je jen pro předplatitele"),
           ("První měsíc za 1 Kč.",), ("Předplatit", "Zobrazit nabídku"),
           "Již máte předplatné?", "Přihlaste se"),
    "tr": (("Okumaya devam etmek için abone olun", "Bu içerik abonelere özeldir"),
           ("İlk ay sadece 1 TL.",), ("Abone ol", "Paketleri gör"),
           "Zaten abone misiniz?", "Giriş yapın"),
    "ru": (("Оформите подписку, чтобы читать дальше", "Материал доступен только подписчикам"),
           ("Первый месяц за 1 ₽.",), ("Оформить подписку", "Выбрать тариф"),
           "Уже есть подписка?", "Войти"),
    "ja": (("この記事は有料会員限定です", "続きを読むには会員登録が必要です"),
           ("初月無料でお試しいただけます。",), ("有料会員に登録する", "プランを見る"),
           "会員の方は", "ログイン"),
    "ko": (("이 기사는 유료 회원 전용입니다", "구독하고 계속 읽으세요"),
           ("첫 달 100원으로 모든 기사를 읽으세요.",), ("구독하기", "요금제 보기"),
           "이미 구독 중이신가요?", "로그인"),
}
# fmt: on


def _balanced(fragment: str) -> bool:
    """Whether every element opened in ``fragment`` is closed in it and vice versa."""
    stack: list[str] = []
    for tag in _ANY_TAG.finditer(_masked(fragment)):
        closing, name, self_closing = tag.group(1), tag.group(2).lower(), tag.group(3)
        if name in _VOID or self_closing:
            continue
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


def _paywall_box(lang: str, rng: random.Random) -> str:
    headings, pitches, calls, already, log_in = _words(_PAYWALL, lang)
    heading, pitch, call = rng.choice(headings), rng.choice(pitches), rng.choice(calls)
    token = _token(rng)
    login = (
        f'<p class="paywall__login">{_e(already)} '
        f'<a href="/login?ref={token[:8]}">{_e(log_in)}</a></p>'
    )
    style = rng.randrange(3)
    if style == 0:
        return (
            f'<div class="paywall" id="paywall-{token[:6]}"><div class="paywall__fade"></div>'
            f"<h2>{_e(heading)}</h2><p>{_e(pitch)}</p>"
            f'<a class="button" href="/subscribe?src=article&amp;t={token}">{_e(call)}</a>'
            f"{login}</div>"
        )
    if style == 1:  # a Piano template, as many publishers use
        return (
            '<div class="paywall tp-container-inner" id="piano-offer" '
            f'data-offer="OF{token[:10].upper()}">'
            f'<div class="piano-template"><h3>{_e(heading)}</h3><p>{_e(pitch)}</p>'
            f'<button type="button" data-action="subscribe">{_e(call)}</button>{login}</div></div>'
        )
    return (  # no class at all
        f"<section><h3>{_e(heading)}</h3><p>{_e(pitch)}</p>"
        f'<p><a href="/abo?t={token[:12]}">{_e(call)}</a></p>{login}</section>'
    )


def _cut_sentence(text: str, rng: random.Random) -> str:
    """The start of ``text``, cut between words (between characters where the text has
    no spaces, as Chinese and Japanese), and "…"."""
    words = text.split(" ")
    if len(words) < 4:
        return text[: max(1, int(len(text) * rng.uniform(0.3, 0.7)))] + "…"
    keep = max(1, int(len(words) * rng.uniform(0.3, 0.7)))
    return " ".join(words[:keep]).rstrip(",;:") + "…"


def paywall_teaser(html: str, seed: int, kept_text: str) -> str:
    """The page as a paywall serves it: the body cut after its first 1-3 paragraphs (the
    last kept one sometimes cut mid-sentence with "…"), then a subscribe box in the
    page's language; some seeds add JSON-LD ``isAccessibleForFree: false``.

    Raises :class:`EditNotApplicable` when the body has fewer than two kept paragraphs.
    """
    rng = random.Random(seed)
    lang = _lang(html)
    spans = _kept_spans(html, kept_text)
    texts = list(dict.fromkeys(span.text for span in spans))
    if len(texts) < 2:
        raise EditNotApplicable("a teaser needs two or more kept paragraphs")
    shown = set(texts[: rng.randint(1, min(3, len(texts) - 1))])  # texts[0] among them
    first_cut = next(i for i, span in enumerate(spans) if span.text not in shown)
    last_shown, cut = spans[first_cut - 1], [s for s in spans[first_cut:] if s.text not in shown]
    at = last_shown.after  # where the subscribe box goes
    edits: list[tuple[int, int, str]] = []
    if _balanced(html[at : cut[-1].end]):
        edits.append((at, cut[-1].end, ""))  # subheads, pictures and ads in between go too
    else:
        edits += [(span.start, span.end, "") for span in cut]
    box = _paywall_box(lang, rng)
    if rng.random() < 0.4:
        fragment = html[last_shown.start : last_shown.end]
        opening = _P_OPEN.match(fragment)
        truncated = _e(_cut_sentence(last_shown.text, rng))
        new = f"{opening.group(0)}{truncated}</p>" if opening else truncated
        edits.append((last_shown.start, last_shown.end, new))
    edits = [edit for edit in edits if edit[1] <= at or edit[0] >= at]
    page = _splice(html, [*edits, (at, at, "\n" + box + "\n")])
    if rng.random() < 0.5:
        marker = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "isAccessibleForFree": rng.choice((False, "False")),
            "hasPart": {
                "@type": "WebPageElement",
                "isAccessibleForFree": False,
                "cssSelector": ".paywall",
            },
        }
        page = _insert_in_head(
            page, f'<script type="application/ld+json">{_script_json(marker)}</script>'
        )
    return page


def remove_last_paragraph(html: str, kept_text: str) -> str:
    """The page without the article's last body paragraph (every copy of it): a real
    edit. The paragraph is the one the kept text holds last, of those it holds once (a
    page may put a box of its own mid-article at the end of its markup).

    Raises :class:`EditNotApplicable` when there is no such paragraph.
    """
    kept = _normalise(kept_text)
    spans = _kept_spans(html, kept_text)
    unique = [span for span in spans if kept.count(span.text) == 1]
    if not unique:
        raise EditNotApplicable("every kept paragraph repeats")
    last = max(unique, key=lambda span: kept.find(span.text))
    return _splice(html, [(s.start, s.end, "") for s in _same_text(spans, last.text)])


# ------------------------------------------------------------------------- A/B tests

# Per language: what an A/B test puts before or after a headline.
# fmt: off
_HEADLINE_PREFIXES = {
    "en": ("Live: ", "Analysis: ", "Explained: ", "Revealed: "),
    "de": ("Liveticker: ", "Analyse: ", "Exklusiv: "),
    "es": ("Directo: ", "Análisis: ", "Exclusiva: "),
    "fr": ("En direct : ", "Analyse : ", "Exclusif : "),
    "it": ("Diretta: ", "Analisi: ", "Esclusivo: "),
    "pt": ("Ao vivo: ", "Análise: ", "Exclusivo: "),
    "nl": ("Live: ", "Analyse: ", "Exclusief: "),
    "sv": ("Direkt: ", "Analys: "),
    "da": ("Live: ", "Analyse: "),
    "no": ("Direkte: ", "Analyse: "),
    "pl": ("Relacja na żywo: ", "Analiza: "),
    "cs": ("Online: ", "Analýza: "),
    "tr": ("Son dakika: ", "Analiz: "),
    "ru": ("Онлайн: ", "Анализ: "),
    "ja": ("【速報】", "【独自】", "【解説】"),
    "ko": ("[속보] ", "[단독] ", "[분석] "),
}
_HEADLINE_TAILS = {
    "en": (": what we know so far", ", officials say", " – and why it matters"),
    "de": (": Das müssen Sie wissen", " – was bisher bekannt ist"),
    "es": (": lo que se sabe", ", según fuentes oficiales"),
    "fr": (" : ce que l'on sait", ", selon les autorités"),
    "it": (": cosa sappiamo", ", secondo le autorità"),
    "pt": (": o que se sabe", ", segundo as autoridades"),
    "nl": (": dit weten we", ", zeggen autoriteiten"),
    "sv": (": det här vet vi", ", uppger myndigheter"),
    "da": (": det ved vi", ", oplyser myndighederne"),
    "no": (": dette vet vi", ", opplyser myndighetene"),
    "pl": (": co wiemy", ", podają władze"),
    "cs": (": co víme", ", uvádějí úřady"),
    "tr": (": bilinenler", ", yetkililer açıkladı"),
    "ru": (": что известно", ", сообщают власти"),
    "ja": ("　その背景は", "、関係者が明らかに"),
    "ko": (" …무슨 일이", ", 당국 발표"),
}
# fmt: on


def _prefixed(prefix: str, text: str) -> str:
    return prefix + text


def _tailed(tail: str, text: str) -> str:
    return text.rstrip(" .!?。") + tail


def _headline_recipes(lang: str) -> list[Callable[[str], str]]:
    """Ways an A/B test rewrites a headline, all different from each other."""
    prefixes = [functools.partial(_prefixed, p) for p in _words(_HEADLINE_PREFIXES, lang)]
    return [*prefixes, *(functools.partial(_tailed, t) for t in _words(_HEADLINE_TAILS, lang))]


def _headline_places(html: str) -> list[tuple[int, int, str, str]]:
    """Every place that states the headline: (start, end, text, how) with ``how`` one
    of "title" and "h1" (their inner HTML), "attribute" (a <meta> content) and "json" (a
    JSON-LD headline: the string literal, quotes included)."""
    masked = _masked(html)
    places = []
    title = _TITLE_ELEMENT.search(masked)  # the page's; later ones title <svg> icons
    if title is not None:
        places.append((title.start(2), title.end(2), html[title.start(2) : title.end(2)], "title"))
    for match in _H1_ELEMENT.finditer(masked):
        places.append((match.start(2), match.end(2), html[match.start(2) : match.end(2)], "h1"))
    for match in _META.finditer(html):
        content = _CONTENT.search(match.group(0))
        if content and _META_TITLE.search(match.group(0)):
            start = match.start() + content.start(3)
            places.append((start, start + len(content.group(3)), content.group(3), "attribute"))
    for match in re.finditer(r'("[Hh]eadline"\s*:\s*)("(?:[^"\\]|\\.)*")', html):
        try:
            value = json.loads(match.group(2))
        except ValueError:
            continue
        if isinstance(value, str):
            places.append((match.start(2), match.end(2), value, "json"))
    return places


def _rewrite_headline(html: str, headline: str, recipe: Callable[[str], str]) -> str:
    """The page with ``recipe`` applied to the headline everywhere it is stated: where a
    place holds ``headline`` it is replaced, otherwise the place's headline part (the
    longest part of "Headline | Site") is rewritten."""
    new_headline = recipe(headline)

    def swap(text: str) -> str:
        if headline and headline in text:
            return text.replace(headline, new_headline, 1)
        parts = _TITLE_PARTS.split(text)
        longest = max(range(len(parts)), key=lambda i: len(parts[i]) if i % 2 == 0 else -1)
        parts[longest] = recipe(parts[longest].strip())
        return "".join(parts)

    edits = []
    for start, end, text, how in _headline_places(html):
        if how in ("title", "h1"):
            visible = _visible(text)
            if visible == headline:
                new = _e(new_headline)
            elif how == "title" or headline in visible:
                new = _e(swap(visible))
            else:
                continue  # another <h1>: a logo, a login box
        elif how == "attribute":
            new = _attr(swap(htmlib.unescape(text)))
        else:
            new = json.dumps(swap(text), ensure_ascii=False)
        edits.append((start, end, new))
    return _splice(html, _without_overlaps(edits))


def headline_variants(html: str, seed: int, kept_text: str, count: int = 2) -> list[str]:
    """The page with ``count`` different headlines, as an A/B test serves them at random:
    variant 0 is the page as it is; the others rewrite the headline (a prefix such as
    "Analysis: ", a tail such as ": what we know so far", in the page's language) the
    same way in ``<title>``, ``<h1>``, every ``<meta>`` title and the JSON-LD headline.

    Raises :class:`EditNotApplicable` when the page states no headline.
    """
    headline = title_of(html)
    if not headline or not _headline_places(html):
        raise EditNotApplicable("the page states no headline")
    recipes = _headline_recipes(_lang(html))
    if count - 1 > len(recipes):
        raise EditNotApplicable(f"no {count} different headlines")
    chosen = random.Random(seed).sample(recipes, count - 1)
    return [html, *(_rewrite_headline(html, headline, recipe) for recipe in chosen)]


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def lede_variants(html: str, seed: int, kept_text: str, count: int = 2) -> list[str]:
    """The page with ``count`` different first body paragraphs (variant 0 as it is), as
    an A/B test of ledes serves them: its first sentence alone, its sentences in another
    order, or the lede with the first sentence of the next paragraph.

    Raises :class:`EditNotApplicable` when the lede offers fewer rewrites than needed.
    """
    spans = _kept_spans(html, kept_text)
    lede = spans[0]
    sentences = _sentences(lede.text)
    joiner = "" if _lang(html) in _UNSPACED else " "
    rewrites: list[str] = []
    if len(sentences) > 1:
        rewrites.append(sentences[0])
        rewrites.append(joiner.join([*sentences[1:], sentences[0]]))
    following = [s for s in spans if s.text != lede.text]
    if following:
        rewrites.append(lede.text + joiner + _sentences(following[0].text)[0])
    rewrites = [r for r in dict.fromkeys(rewrites) if r != lede.text]
    if count - 1 > len(rewrites):
        raise EditNotApplicable(f"the lede offers no {count} variants")
    chosen = random.Random(seed).sample(rewrites, count - 1)
    fragment = html[lede.start : lede.end]
    opening = _P_OPEN.match(fragment)
    variants = [html]
    for text in chosen:
        new = f"{opening.group(0)}{_e(text)}</p>" if opening else _e(text)
        variants.append(
            _splice(html, [(c.start, c.end, new) for c in _same_text(spans, lede.text)])
        )
    return variants


# ------------------------------------------------------------------------- addresses

_CANONICAL = re.compile(r"<link\b[^>]*\brel\s*=\s*[\"']?canonical[\"'\s>/][^>]*>", re.I)
_HREF = re.compile(r"""\bhref\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_META_URL = re.compile(r"""(?:property|name)\s*=\s*["']?(?:og|twitter):url["'\s/>]""", re.I)
_ARTICLE_TYPES = re.compile(r"Article|BlogPosting|WebPage|NewsArticle|Report", re.I)


def _is_article(node: Mapping[str, Any]) -> bool:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and _ARTICLE_TYPES.search(k) for k in kinds)


def _article_nodes(data: Any) -> list[dict[str, Any]]:
    """The article objects of a JSON-LD document (top level, lists, ``@graph``)."""
    if isinstance(data, list):
        return [node for item in data for node in _article_nodes(item)]
    if not isinstance(data, dict):
        return []
    found = [data] if _is_article(data) else []
    return found + _article_nodes(data.get("@graph", []))


def _edit_json_ld(html: str, change: Callable[[dict[str, Any]], bool]) -> tuple[str, bool]:
    """The page with ``change`` applied to every article object of its JSON-LD (blocks
    that do not parse are left alone), and whether any block held one."""
    edits, found = [], False
    for match in _LD_JSON.finditer(html):
        try:
            data = json.loads(match.group(2))
        except ValueError:
            continue
        nodes = _article_nodes(data)
        if nodes and any([change(node) for node in nodes]):
            found = True
            edits.append((match.start(2), match.end(2), _script_json(data)))
        elif nodes:
            found = True
    return _splice(html, edits), found


def move_page(html: str, new_url: str) -> str:
    """The page with its address moved to ``new_url``: ``<link rel=canonical>`` (added
    if missing), ``og:url`` / ``twitter:url``, and the JSON-LD article's ``url`` and
    ``mainEntityOfPage``."""
    edits = []
    masked = _masked(html)
    canonical = _CANONICAL.search(masked)
    if canonical is not None:
        href = _HREF.search(html, canonical.start(), canonical.end())
        if href is not None:
            edits.append((href.start(1), href.end(1), f'"{_attr(new_url)}"'))
    for match in _META.finditer(html):
        content = _CONTENT.search(match.group(0))
        if content and _META_URL.search(match.group(0)):
            start = match.start() + content.start(3)
            edits.append((start, start + len(content.group(3)), _attr(new_url)))
    page = _splice(html, edits)

    def point(node: dict[str, Any]) -> bool:
        changed = False
        if isinstance(node.get("url"), str):
            node["url"], changed = new_url, True
        main = node.get("mainEntityOfPage")
        if isinstance(main, str):
            node["mainEntityOfPage"], changed = new_url, True
        elif isinstance(main, dict):
            main["@id"], changed = new_url, True
            if "url" in main:
                main["url"] = new_url
        return changed

    page, _ = _edit_json_ld(page, point)
    if canonical is None:
        page = _insert_in_head(page, f'<link rel="canonical" href="{_attr(new_url)}">')
    return page


def _meta_content(html: str, name: str) -> str | None:
    wanted = re.compile(rf"""(?:property|name)\s*=\s*["']?{re.escape(name)}["'\s/>]""", re.I)
    for match in _META.finditer(html):
        content = _CONTENT.search(match.group(0))
        if content and wanted.search(match.group(0)):
            return htmlib.unescape(content.group(3))
    return None


def _paragraph_markup(html: str, spans: Sequence[Span]) -> list[str]:
    """The body paragraphs as ``<p>`` markup, inline links and emphasis kept, images,
    scripts and attributes dropped; each text once."""
    out, seen = [], set()
    for span in spans:
        if span.text in seen:
            continue
        seen.add(span.text)
        fragment = html[span.start : span.end]
        if not _P_OPEN.match(fragment):
            out.append(f"<p>{_e(span.text)}</p>")
            continue
        inner = _P_CLOSE.sub("", _P_OPEN.sub("", fragment, count=1))
        inner = re.sub(r"<(?!/?(?:a|em|strong|i|b|br)\b)[^>]*>", "", inner, flags=re.I)
        inner = re.sub(
            r"<a\b[^>]*?(\shref\s*=\s*(\"[^\"]*\"|'[^']*'))?[^>]*>", r"<a\1>", inner, flags=re.I
        )
        out.append(f"<p>{inner.strip()}</p>")
    return out


_AMP_BOILERPLATE = (
    "<style amp-boilerplate>body{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both;"
    "animation:-amp-start 8s steps(1,end) 0s 1 normal both}@keyframes -amp-start{from{visibility:"
    "hidden}to{visibility:visible}}</style><noscript><style amp-boilerplate>body{-webkit-animation:"
    "none;animation:none}</style></noscript>"
)


def copy_page(html: str, canonical_url: str, kind: str, *, reference: str | None = None) -> str:
    """A copy of the article whose canonical is ``canonical_url``: "amp" (``<html amp>``,
    AMP chrome, its JSON-LD, the same headline and text) or "print" (the headline, the
    byline and the text, no chrome). ``reference`` is the article's text, to find its
    paragraphs (see :func:`tests.churn.body_spans`)."""
    if kind not in COPY_KINDS:
        raise ValueError(f"unknown copy kind {kind!r}; one of {COPY_KINDS}")
    lang = page_language(html)
    headline = title_of(html)
    site = site_name_of(html)
    author = _meta_content(html, "author") or ""
    published = _meta_content(html, "article:published_time") or ""
    paragraphs = "\n".join(_paragraph_markup(html, body_spans(html, reference)))
    title = _TITLE_ELEMENT.search(_masked(html))
    page_title = _visible(title.group(2)) if title else headline
    byline = f'<p class="byline">{_e(author)}</p>' if author else ""
    date = f'<time datetime="{_attr(published)}">{_e(published[:10])}</time>' if published else ""
    canonical = f'<link rel="canonical" href="{_attr(canonical_url)}">\n'
    if kind == "print":
        body = (
            '<div class="print-header">'
            f'<img src="/static/logo-print.png" alt="{_attr(site)}"></div>\n'
            f'<article class="print"><h1>{_e(headline)}</h1>\n{byline}{date}\n'
            f"{paragraphs}\n</article>\n"
            f'<p class="print-footer">&copy; {_e(site)}. {_e(canonical_url)}</p>'
        )
        head = (
            canonical + '<meta name="robots" content="noindex, follow">\n'
            '<link rel="stylesheet" href="/static/print.css" media="all">\n'
        )
        return _document(
            lang, page_title, head, body, body_attrs=' class="print" onload="window.print()"'
        )
    linked_data = "".join(m.group(0) + "\n" for m in _LD_JSON.finditer(html))
    head = (
        canonical
        + '<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">\n'
        + linked_data
        + _AMP_BOILERPLATE
        + '\n<script async src="https://cdn.ampproject.org/v0.js"></script>\n'
        '<script async custom-element="amp-analytics" src="https://cdn.ampproject.org/v0/amp-analytics-0.1.js"></script>\n'
        '<script async custom-element="amp-ad" src="https://cdn.ampproject.org/v0/amp-ad-0.1.js"></script>\n'
        "<style amp-custom>body{font-family:Georgia,serif;margin:0}.amp-header{padding:8px 16px}"
        "article{padding:0 16px}</style>\n"
    )
    sections = "".join(
        f'<li><a href="/{_slug(s)}/">{_e(s)}</a></li>' for s in _words(_NAV, _lang(html))
    )
    body = (
        f'<header class="amp-header"><a href="/">{_e(site)}</a> '
        '<button on="tap:sidebar.toggle" aria-label="Menu">&#9776;</button></header>\n'
        '<amp-sidebar id="sidebar" layout="nodisplay" side="left">'
        f"<nav><ul>{sections}</ul></nav></amp-sidebar>\n"
        f'<article class="amp-article"><h1>{_e(headline)}</h1>\n{byline}{date}\n'
        f"{paragraphs}\n</article>\n"
        '<amp-ad width="300" height="250" type="doubleclick" '
        'data-slot="/4817/amp/article"></amp-ad>\n'
        f'<footer class="amp-footer">&copy; {_e(site)}</footer>\n'
        '<amp-analytics type="gtag" data-credentials="include"><script type="application/json">'
        '{"vars":{"gtag_id":"G-AMP0000000"}}</script></amp-analytics>'
    )
    document = _document(lang, page_title, head, body)
    return document.replace(f'<html lang="{lang}">', f'<html amp lang="{lang}">', 1)


# ------------------------------------------------------------------------- structured data

# The empty containers client-rendered pages hold where the article goes, with the id
# of the page load that the client's first render asks the API with.
_PLACEHOLDERS = (
    '<div id="article-body" class="article-body" data-request-id="{token}"></div>',
    '<div class="article__content" data-component="ArticleBody" data-hydrate="{token}"></div>',
    '<div data-testid="article-body" data-render-id="{token}">'
    "<!-- rendered on the client --></div>",
    '<div class="story-body" aria-busy="true" data-load="{token}">'
    '<div class="skeleton skeleton--text"></div><div class="skeleton skeleton--text"></div></div>',
)


def _remove_body(html: str, spans: Sequence[Span], placeholder: str) -> str:
    """The page without its body paragraphs, an empty container where the first was."""
    edits = [(span.start, span.end, "") for span in spans]
    first = spans[0]
    edits[0] = (first.start, first.end, placeholder)
    return _splice(html, edits)


def _next_data(
    html: str, paragraphs: Sequence[str], lang: str, shape: random.Random, load: random.Random
) -> dict[str, Any]:
    """A ``__NEXT_DATA__`` document of the shape of a news site's Next.js page."""
    headline = title_of(html)
    slug = _slug(headline)
    article_id = f"{shape.getrandbits(48):012x}"
    body_html = "".join(paragraphs)
    description = _meta_content(html, "description") or _meta_content(html, "og:description") or ""
    section_name = shape.choice(_words(_NAV, lang)[1:])
    author = _meta_content(html, "author")
    article: dict[str, Any] = {
        "id": article_id,
        "type": "article",
        "slug": slug,
        "headline": headline,
        "teaser": {
            "text": description,
            "image": {"src": f"/images/{article_id}.jpg", "width": 1200},
        },
        "authors": [{"id": f"a{shape.randint(100, 999)}", "name": author}] if author else [],
        "publishedAt": _meta_content(html, "article:published_time"),
        "section": {"id": shape.randint(1, 60), "name": section_name, "slug": _slug(section_name)},
        "tags": [
            {"id": shape.randint(1000, 9999), "name": name} for name in _words(_NAV, lang)[2:4]
        ],
        "wordCount": len(" ".join(paragraphs).split()),
        "paywall": {"type": "free", "meteringEnabled": False},
    }
    body_key = ("body", "content", "bodyHtml")[shape.randrange(3)]
    article[body_key] = body_html
    related = [
        {
            "id": f"{load.getrandbits(48):012x}",
            "headline": _headline(load),
            "url": f"/{_slug(_headline(load))}",
        }
        for _ in range(load.randint(3, 5))
    ]
    navigation = [{"label": name, "href": f"/{_slug(name)}/"} for name in _words(_NAV, lang)]
    page_props: dict[str, Any] = {
        "article": article,
        "related": related,
        "navigation": navigation,
        "ads": {
            "slots": [f"/4817/{section_name.lower()}/{i}" for i in range(3)],
            "ppid": _token(load),
        },
        "renderedAt": load.randint(1_790_000_000_000, 1_800_000_000_000),
    }
    if shape.random() < 0.5:  # some sites nest it one level deeper, as their API answered it
        page_props = {"data": page_props, "statusCode": 200}
    return {
        "props": {"pageProps": page_props, "__N_SSP": True},
        "page": "/[section]/[...slug]",
        "query": {"section": _slug(section_name), "slug": [slug]},
        "buildId": _token(load)[:21],
        "isFallback": False,
        "gssp": True,
        "locale": lang,
        "scriptLoader": [],
    }


def json_only_page(
    html: str, seed: int, reference: str, style: str, *, layout: int | None = None
) -> str:
    """The page as a client-rendered site serves it: no body paragraphs in the HTML (an
    empty container where they were), the text only in structured data.

    "json-ld" puts the text in the JSON-LD article's ``articleBody`` (added to the
    page's article object, or in a block of its own), as plain text with the paragraphs
    joined by blank lines, newlines or spaces; "next-data" adds a Next.js
    ``<script id="__NEXT_DATA__">`` whose article holds the body as HTML (under
    ``body``, ``content`` or ``bodyHtml``, in ``props.pageProps`` or one level deeper)
    beside ids, a teaser, related stories and navigation. The shape (``layout``, by
    default a hash of ``reference``) is the same on every load; ids of the load, the
    build id and the related stories change with ``seed``.

    Raises :class:`EditNotApplicable` when no body paragraph is found.
    """
    if style not in JSON_STYLES:
        raise ValueError(f"unknown style {style!r}; one of {JSON_STYLES}")
    spans = body_spans(html, reference)
    if not spans:
        raise EditNotApplicable("no body paragraph to move into structured data")
    shape = random.Random(f"json-layout:{_text_key(reference) if layout is None else layout}")
    load = random.Random(f"json-load:{seed}")
    lang = _lang(html)
    placeholder = shape.choice(_PLACEHOLDERS)
    texts = list(dict.fromkeys(span.text for span in spans))
    page = _remove_body(html, spans, placeholder.format(token=_token(load)))
    if style == "json-ld":
        separator = shape.choice(("\n\n", "\n", " "))
        body = separator.join(texts)

        def fill(node: dict[str, Any]) -> bool:
            node["articleBody"] = body
            return True

        page, found = _edit_json_ld(page, fill)
        if not found:
            block = {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": title_of(html),
                "datePublished": _meta_content(html, "article:published_time"),
                "articleBody": body,
            }
            script = f'<script type="application/ld+json">{_script_json(block)}</script>'
            page = _insert_in_head(page, script)
        return page
    data = _next_data(html, _paragraph_markup(html, spans), lang, shape, load)
    build = data["buildId"]
    scripts = (
        f'<script id="__NEXT_DATA__" type="application/json">{_script_json(data)}</script>\n'
        f'<script src="/_next/static/chunks/webpack-{_token(load)[:16]}.js" defer></script>\n'
        f'<script src="/_next/static/{build}/_buildManifest.js" defer></script>\n'
    )
    closing = _BODY_CLOSE.search(_masked(page))
    at = closing.start() if closing else len(page)
    return page[:at] + scripts + page[at:]


_NEXT_DATA = re.compile(
    r"(<script\b[^>]*\bid\s*=\s*[\"']?__NEXT_DATA__[\"']?[^>]*>)(.*?)(</script\s*>)", re.S | re.I
)
_SCRIPT_BLOCK = re.compile(r"(<script\b[^>]*>)(.*?)(</script\s*>)", re.S | re.I)
_BODY_KEYS = ("articleBody", "body", "content", "bodyHtml")


def _body_holders(data: Any) -> list[tuple[dict[str, Any], str]]:
    """(object, key) of each article text in a JSON document: the longest string under
    one of the body keys of each object holding one."""
    found = []
    if isinstance(data, dict):
        for key in _BODY_KEYS:
            if isinstance(data.get(key), str) and len(data[key]) > 40:
                found.append((data, key))
                break
        for value in data.values():
            found += _body_holders(value)
    elif isinstance(data, list):
        for item in data:
            found += _body_holders(item)
    return found


def structured_text(page: str) -> str:
    """The article text a page holds in structured data (JSON-LD ``articleBody``, the
    body of a ``__NEXT_DATA__`` article), as plain text, paragraphs on lines."""
    texts = []
    for pattern in (_LD_JSON, _NEXT_DATA):
        for match in pattern.finditer(page):
            try:
                data = json.loads(match.group(2))
            except ValueError:
                continue
            for holder, key in _body_holders(data):
                value = holder[key]
                if "<p" in value:
                    texts += [_visible(p) for p in re.findall(r"<p\b[^>]*>(.*?)</p>", value, re.S)]
                else:
                    texts.append(value)
    return "\n".join(texts)


_CONTEXT_CHARS = 16  # of the text either side of an edited word, to find its other copies
_NON_WORD_RUN = re.compile(r"\W+")


def _word_edit(text: str, rng: random.Random) -> tuple[re.Pattern[str], str] | None:
    """One word (outside tags) of ``text``, chosen by ``rng``, and a pattern that finds it
    in any copy of the text: with the words around it (spaces, quotes and punctuation may
    differ between copies), the word itself as group ``word``. None if the text has none."""
    pieces = re.split(r"(<[^>]*>)", text)
    candidates = [
        (piece, match)
        for piece in pieces
        if not piece.startswith("<")
        for match in _WORD.finditer(piece)
    ]
    if not candidates:
        return None
    piece, match = rng.choice(candidates)
    before = piece[max(0, match.start(1) - _CONTEXT_CHARS) : match.start(1)]
    after = piece[match.end(1) : match.end(1) + _CONTEXT_CHARS]
    if not _CJK.search(match.group(1)):  # whole words of the context only
        before = re.sub(r"^\w+", "", before) if match.start(1) > _CONTEXT_CHARS else before
        after = re.sub(r"\w+$", "", after)
    # The context starts and ends with a word, so the pattern can start and end at one;
    # its entities read as the letters they stand for (see loose).
    before, after = (_unescaped(context) for context in (before, after))
    before, after = re.sub(r"^\W+", "", before), re.sub(r"\W+$", "", after)

    def loose(context: str) -> str:
        # A copy may write a quote or a letter as an HTML entity (&quot;, &uuml;, and
        # escaped once more as &amp;uuml; in a site's data): the CMS edits that copy too.
        return "".join(
            _LOOSE_GAP if _NON_WORD_RUN.fullmatch(part) else _loose_word(part)
            for part in re.split(r"(\W+)", context)
            if part
        )

    word = match.group(1)
    # Chinese and Japanese contexts start and end in mid-run: no word edges to hold to.
    edge_before, edge_after = ("", "") if _CJK.search(word) else (r"(?<!\w)", r"(?!\w)")
    pattern = f"{edge_before}{loose(before)}(?P<word>{_loose_word(word)}){loose(after)}{edge_after}"
    return re.compile(pattern), word


# An entity as a copy may write it: in HTML, escaped once more, in a script's string; a
# letter in a script's JSON written as ASCII; what stands between words in any copy.
_ENTITY = r"(?:&|\\u0026)(?:amp;)?(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+\d*);"
_JSON_ESCAPE = r"\\u[0-9a-fA-F]{4}"
_LOOSE_GAP = rf"(?:{_ENTITY}|\W)+"


def _unescaped(text: str) -> str:
    """Text with its entities (escaped once more, or with "&" written as \\u0026) read."""
    return htmlib.unescape(htmlib.unescape(text.replace("\\u0026", "&")))


def _loose_word(word: str) -> str:
    """A pattern for ``word`` that also finds it with its letters beyond ASCII written as
    HTML entities or JSON escapes."""
    return "".join(
        re.escape(c) if c.isascii() else f"(?:{re.escape(c)}|{_ENTITY}|{_JSON_ESCAPE})"
        for c in word
    )


def _new_word(word: str, rng: random.Random) -> str:
    if _CJK.search(word):
        position = next(i for i, c in enumerate(word) if _CJK.match(c))
        return (
            word[:position]
            + next(c for c in "新大東" if c != word[position])
            + word[position + 1 :]
        )
    new_word = rng.choice([w for w in _REPLACEMENTS if w != word.lower()])
    return new_word.capitalize() if word[0].isupper() else new_word


def edit_structured_word(page: str, seed: int) -> str:
    """A page of :func:`json_only_page` after a real edit: one word of the article text
    in its structured data replaced, wherever the page holds that sentence (the JSON-LD
    ``articleBody``, the ``__NEXT_DATA__`` body, the page's own app state, what the HTML
    still shows of the text), as a site's CMS would.

    Raises :class:`EditNotApplicable` when the page holds no article text in JSON.
    """
    rng = random.Random(seed)
    scripts = []  # (match, parsed JSON or None) of every inline script
    for match in _SCRIPT_BLOCK.finditer(page):
        data = None
        if _NEXT_DATA.fullmatch(match.group(0)) or _LD_JSON.fullmatch(match.group(0)):
            with contextlib.suppress(ValueError):  # a broken one is edited as code
                data = json.loads(match.group(2))
        scripts.append((match, data))
    holders = [holder for _, data in scripts for holder in _body_holders(data)]
    edit = next(filter(None, (_word_edit(holder[key], rng) for holder, key in holders)), None)
    if edit is None:
        raise EditNotApplicable("no article text in the page's structured data")
    found, word = edit
    new_word = _new_word(word, rng)

    def replace(match: re.Match[str]) -> str:
        whole, start = match.group(0), match.start(0)
        return whole[: match.start("word") - start] + new_word + whole[match.end("word") - start :]

    def edit_strings(value: Any) -> tuple[Any, int]:
        """The JSON value with the sentence edited in every string of it (a body, and
        any other copy: a description, a string of escaped JSON), and how many edits."""
        if isinstance(value, str):
            return found.subn(replace, value)
        if isinstance(value, list | dict):
            count = 0
            for key, item in list(value.items() if isinstance(value, dict) else enumerate(value)):
                value[key], changed = edit_strings(item)
                count += changed
            return value, count
        return value, 0

    pieces, at = [], 0
    for match, data in scripts:
        data, count = edit_strings(data)
        # Between scripts: what the HTML still shows of the text. Then the script: its JSON
        # written anew, or (another copy, in the page's own code) the sentence edited.
        pieces.append(found.sub(replace, page[at : match.start(2)]))
        pieces.append(_script_json(data) if count else found.sub(replace, match.group(2)))
        at = match.end(2)
    return "".join(pieces) + found.sub(replace, page[at:])
