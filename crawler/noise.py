"""Boilerplate that churns between two loads of one page, found and removed (SPEC section 3).

News pages put content that changes on every load around the article *and between its
paragraphs*: "Read more:" teasers, related and most-read lists, newsletter promos, share
and view counters, "Updated 5 minutes ago", ad slots. Trafilatura drops most of it around
the article, but what sits inside the body often survives, and a new teaser then makes a
new version of an unchanged article. Worse, an unfamiliar block in mid-article changes
what trafilatura keeps of the article itself (a paragraph next to it is kept on one load
and dropped on the next).

So :func:`strip_boilerplate` removes such blocks from the parsed page *before*
trafilatura sees it, and :func:`drop_noise_paragraphs` drops the few that still reach the
text. A block element (never an inline one: a counter inside a sentence is part of the
sentence) is removed as a whole when:

* ``name``: its class or id names boilerplate (:func:`boilerplate_name`: "related",
  "newsletter", "most-read", "ad-slot"... matched as whole words, so "article-shared" and
  "main-ad-free" are not), it links somewhere, holds a form field or is empty, and it has
  little plain text;
* ``meta``: its text is only counters, relative times and ad labels
  (:func:`is_meta_line`: "3,482 shares", "5.2K views · 45 comments", "vor 3 Minuten");
* ``dateline``: its text is only a dateline (:func:`is_dateline`: "Updated 14:32 GMT, 3
  November 2026", "Stand: 03.11.2026 14:32 Uhr", "입력 2026.11.03 14:32"), whose time
  moves between two loads of an unchanged article. An inline element (a ``<time>``, a
  ``<span>``) is judged too when it is a line of its own, between blocks. In a list or a
  table, where a date alone is an entry of a schedule, only a dateline with a lead word
  ("Updated", "Stand:") is removed. Its ``<time datetime>`` goes with it: left for
  trafilatura's date finder, a moving "Updated" would move the article's date (which is
  part of a version) on a page whose metadata states none. :func:`dateline_time` reads the
  moment a dateline states, for the fetch to record instead;
* ``read-more``: it is a "Read more:"-style lead-in followed by a link
  (:func:`read_more_rest`);
* ``links``: at least 80 % of its text is the text of headline-sized links (a teaser, a
  list of headlines; a box title such as "Most read" over the list does not count as
  text), with no line of prose beside them;
* ``field`` / ``signup``: it is one short paragraph with a form field, or a newsletter
  pitch whose link or button only says "Sign up" / "Abonnieren"
  (:func:`is_call_to_action`);
* ``title``: it is a box title (:func:`is_box_title`) right before a removed list.

Never removed: a block holding the ``<h1>``, a linked sub-headline, a single link inside
a sentence ("It also <a>co-ordinates military plans</a>."), a block with more than a
line or two of prose, and anything over :data:`MAX_BLOCK_CHARS`. Menus and other lists of
one-word links are left to trafilatura too: its own pruning weighs link density, and
taking them out first makes the box around them (a paywall notice, a footer) look like
prose to it. A real sentence that mentions "5 minutes ago" or "1,234 shares", or that
holds a link, is not a block made *only* of those, so it stays, and an edit to a kept
paragraph always reaches the text. So does a date in a sentence ("The council will meet
again at 14:30 on 12 December 2026."), in a byline ("By Jane Smith, 3 November 2026") or in
a headline; and a time alone ("14:30") or a day without its year ("Nov. 3") is kept as the
entry of a schedule or a timeline it most likely is.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, NamedTuple

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints
from lxml.html import HtmlElement  # type: ignore[import-untyped]

__all__ = [
    "Removed",
    "boilerplate_name",
    "dateline_time",
    "drop_noise_paragraphs",
    "is_box_title",
    "is_call_to_action",
    "is_dateline",
    "is_meta_line",
    "is_noise_paragraph",
    "read_more_rest",
    "strip_boilerplate",
]

# ---------------------------------------------------------------------------- names

# Words that name boilerplate when they are a whole word of a class or id token
# ("related-stories", "shareBar", "most_popular"). "teaser", "intro" and "subscription"
# are left out on purpose: sites use them for the article's own lead and paywalled body.
# fmt: off
_NAME_WORDS = frozenset({
    "related", "share", "shares", "sharing", "sharebar", "social", "popular", "trending",
    "recommended", "recommendations", "recirc", "recirculation", "promo", "promos",
    "newsletter", "newsletters", "sponsor", "sponsored", "advert", "adverts", "advertisement",
    "advertising", "ads", "adslot", "adunit", "outbrain", "taboola", "signup", "subscribe",
    "mostread", "mostpopular", "mostviewed", "readalso", "alsoread", "seealso",
})
# fmt: on
# Two-word names: "most-read", "sign-up", "see-also"...
# fmt: off
_NAME_PAIRS = frozenset({
    ("most", "read"), ("most", "popular"), ("most", "viewed"), ("sign", "up"), ("see", "also"),
    ("read", "also"), ("also", "read"), ("more", "stories"), ("you", "may"),
})
# fmt: on
# "ad" alone is too short to trust: it names an ad only beside one of these words, or
# as the whole token; never beside "free" or "block" ("main-ad-free").
# fmt: off
_AD_PARTNERS = frozenset({
    "slot", "unit", "container", "wrapper", "banner", "box", "placeholder", "label", "holder",
    "zone", "space", "top", "bottom", "inline", "gpt", "dfp", "leaderboard", "mpu", "sky",
    "rectangle", "native",
})
# fmt: on
_AD_SPOILERS = frozenset({"free", "block", "blocker", "head", "admin"})
# Embedded posts and videos are the article's own content, whatever their box is called.
_NOT_BOILERPLATE = frozenset({"embed", "embedded", "tweet", "quote", "blockquote"})
_WORD_SPLIT = re.compile(
    r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])"
)


def _name_words(token: str) -> list[str]:
    """Words of one class or id token: split at separators, digits and camelCase humps."""
    return [w for w in _WORD_SPLIT.split(token) if w and not w.isdigit()]


@functools.lru_cache(maxsize=4096)
def boilerplate_name(value: str) -> bool:
    """True when a class or id attribute value names boilerplate.

    Each whitespace-separated token is split into words (``related-stories`` ->
    related, stories; ``shareBar`` -> share, bar) and matched as whole words, so that
    ``article-shared`` or ``main-ad-free`` are not taken for a share bar or an ad.
    """
    for token in value.split():
        words = [w.lower() for w in _name_words(token)]
        if _NOT_BOILERPLATE & set(words):
            continue
        if any(w in _NAME_WORDS for w in words):
            return True
        if any(pair in _NAME_PAIRS for pair in itertools.pairwise(words)):
            return True
        if (
            "ad" in words
            and not _AD_SPOILERS & set(words)
            and (len(words) == 1 or _AD_PARTNERS & set(words))
        ):
            return True
    return False


# ---------------------------------------------------------------------------- text

_NUMBER = r"\d+(?:[.,\u00a0\u202f ]\d+)*\s?(?:[kKmM]|Mio\.?|Tsd\.?|mil)?\+?"
_COUNTER_UNITS = (
    # en
    r"shares?|views?|comments?|reads?|likes?|reactions?|replies|reply|retweets?|tweets?|"
    r"claps?|votes?|readers?|plays?|listens?|times shared|people reading|"
    # de, nl, scandinavian
    r"kommentare?n?|aufrufe|mal geteilt|geteilt|leser|reaktionen|antworten|"
    r"reacties|weergaven|keer gedeeld|kommentarer|visningar|visninger|delningar|delinger|"
    # es, pt, fr, it
    r"comentarios?|visitas|vistas|compartidos?|veces compartido|lecturas|lectores|"
    r"reacciones|comentários?|visualizações|compartilhamentos|leituras|leitores|curtidas|"
    r"reações|commentaires?|vues|partages|lectures|lecteurs|réactions|commenti|visualizzazioni|"
    r"condivisioni|letture|lettori|"
    # pl, cs, tr, ru
    r"komentarz[ey]?|wyświetleń|udostępnień|komentářů|komentáře|zobrazení|sdílení|"
    r"yorum|görüntülenme|paylaşım|okunma|комментари(?:ев|я|й)|просмотр(?:ов|а)?|репост(?:ов|а)?|"
    # ja, ko, zh (written right after the number)
    r"件のコメント|コメント|回閲覧|回再生|シェア|댓글|조회|공유|评论|阅读"
)
_COUNTER = rf"(?:{_NUMBER}\s*(?:{_COUNTER_UNITS})|(?:{_COUNTER_UNITS})\s*[:：(]?\s*{_NUMBER}\)?)"
_TIME_PREFIX = (
    r"(?:last\s+updated|updated|published|posted|edited|modified|zuletzt\s+aktualisiert|"
    r"aktualisiert|veröffentlicht|actualizado|publicado|mis\s+à\s+jour|publié|atualizado|"
    r"aggiornato|pubblicato|bijgewerkt|gepubliceerd|uppdaterad|publicerad|opdateret|"
    r"oppdatert|publisert|aktualizacja|zaktualizowano|aktualizováno|publikováno|"
    r"güncellendi|güncelleme|yayınlandı|обновлено|опубликовано|更新|업데이트|입력|수정)"
    r"\s*(?:[:：]|on)?\s*"
)
_FEW = r"(?:\d+|an?|one|a\s+few|few|einer?|wenigen|una?|unos|pocos|quelques|une?|poucos|"
_FEW += r"un'?|pochi|een|enkele|en|ett|et|minutou|hodinou)"
_RELATIVE_TIME = (
    r"(?:about\s+|around\s+|over\s+|nearly\s+|ca\.\s+)?"
    r"(?:"
    r"just\s+now|moments?\s+ago|"
    rf"{_FEW}\s*(?:sec(?:ond)?s?|min(?:ute)?s?|hours?|hrs?|h|days?|d|weeks?|wks?|m)\.?\s+ago|"
    rf"vor\s+{_FEW}\s+(?:sekunden?|sek\.?|minuten?|min\.?|stunden?|std\.?|tag(?:en)?|wochen?)|"
    rf"hace\s+{_FEW}\s+(?:segundos?|minutos?|min\.?|horas?|h|días?|semanas?)|"
    rf"il\s+y\s+a\s+{_FEW}\s+(?:secondes?|minutes?|min\.?|heures?|h|jours?|semaines?)|"
    rf"há\s+{_FEW}\s+(?:segundos?|minutos?|min\.?|horas?|h|dias?|semanas?)|"
    rf"{_FEW}\s+(?:segundos?|minutos?|horas?|dias?)\s+atrás|"
    rf"{_FEW}\s*(?:secondi|minuti|min\.?|ore|ora|h|giorni|settimane)\s+fa|"
    rf"{_FEW}\s+(?:seconden|minuten|min\.?|uur|dagen|weken)\s+geleden|"
    rf"(?:för\s+)?{_FEW}\s+(?:sekunder|minuter|min\.?|timmar|timme|tim|dagar|dag|veckor)\s+sedan|"
    rf"(?:for\s+)?{_FEW}\s+(?:sekunder|minutter|min\.?|timer|time|t|dager|dage|dag|døgn|uker|uger)"
    r"\s+siden|"
    r"\d+\s+(?:sekund[y]?|minut[ay]?|min\.?|godzin[ay]?|godz\.?|dni|dzień|tygodni[e]?)\s+temu|"
    rf"před\s+{_FEW}\s*(?:sekundami|minutami|min\.?|hodinami|hod\.?|dny|týdny)?|"
    r"\d+\s+(?:saniye|dakika|dk\.?|saat|gün|hafta)\s+önce|"
    r"\d+\s+(?:секунд[уы]?|минут[уы]?|мин\.?|час(?:а|ов)?|дн(?:я|ей)|день|недел[юиь])\s+назад|"
    r"\d+\s*(?:秒|分|時間|日|週間|分钟|小时|天)前|"
    r"\d+\s*(?:초|분|시간|일|주)\s*전|"
    r"منذ\s+\d+\s+(?:ثوان|دقائق|دقيقة|ساعات|ساعة|أيام|يوم)"
    r")"
)
_AD_LABEL = (
    r"(?:advertisement|advertisements|advertising|ads?|sponsored(?:\s+content)?|anzeige|werbung|"
    r"publicidad|publicité|publicite|pubblicità|publicidade|advertentie|annons|annonse|annonce|"
    r"reklama|reklam|реклама|広告|광고|广告|"
    r"(?:story|article)\s+continues\s+below(?:\s+(?:this\s+)?(?:advertisement|ad))?|"
    r"continue\s+reading\s+(?:the\s+main\s+story|below))"
)
# Words of share bars that sit between the counters: "11,578 shares Share 75,676 views".
_ACTION = (
    r"(?:share|tweet|email|e-mail|print|save|teilen|compartir|partager|compartilhar|condividi)"
)
_ITEM = rf"(?<!\w)(?:{_COUNTER}|(?:{_TIME_PREFIX})?{_RELATIVE_TIME}|{_AD_LABEL}|{_ACTION})(?!\w)"
_SEPARATOR = r"[\s·|•/–—\-,;:()\[\]]*"
_META_LINE = re.compile(rf"{_SEPARATOR}(?:{_ITEM}{_SEPARATOR})+", re.IGNORECASE)
_META_ANCHOR = re.compile(
    rf"(?<!\w)(?:{_COUNTER}|{_RELATIVE_TIME}|{_AD_LABEL})(?!\w)", re.IGNORECASE
)
MAX_META_CHARS = 160


def is_meta_line(text: str) -> bool:
    """True when ``text`` is nothing but counters, relative times and ad labels.

    "3,482 shares", "5.2K views · 45 comments", "Updated 5 minutes ago", "vor 3 Minuten",
    "hace 2 horas", "Advertisement". A sentence that merely contains one of them ("The
    post had 3,482 shares by noon") is not.
    """
    text = text.strip()
    if not text or len(text) > MAX_META_CHARS:
        return False
    return _META_LINE.fullmatch(text) is not None and _META_ANCHOR.search(text) is not None


# ---------------------------------------------------------------------------- datelines

# A dateline is read as a run of tokens (a lead word, a date, a time, a zone, a weekday, a
# relative time, a connecting word) with separators between them; any other word makes
# the line something else (a headline, a byline, a sentence). One regex finds the next
# token: its outer named group tells the token's kind, the inner groups (prefixed by the
# kind, as group names must be unique) its parts.

# Months of the corpus's languages, nominative and genitive, with their abbreviations
# (each also matched with a final dot: "Nov.", "févr."), and the number of each.
# fmt: off
_MONTH_NAMES = (
    "january jan januar jänner jän januari janvier janv gennaio gen janeiro enero ene "
    "styczeń stycznia sty leden ledna ocak январь января янв",
    "february feb febr februar februari février févr fév fevrier fevr febbraio fevereiro fev "
    "febrero luty lutego lut únor února şubat subat февраль февраля фев",
    "march mar märz mär maerz maart mrt mars marts marzo março marco marzec marca březen "
    "března mart март марта",
    "april apr avril avr aprile abril abr kwiecień kwietnia kwi duben dubna nisan апрель "
    "апреля апр",
    "may mai mei maj maggio mag maio mayo maja květen května mayıs mayis май мая",
    "june jun juni juin giugno giu junho junio czerwiec czerwca cze červen června haziran "
    "июнь июня июн",
    "july jul juli juillet juil luglio lug julho julio lipiec lipca lip červenec července "
    "temmuz июль июля июл",
    "august aug augustus augusti août aout agosto ago sierpień sierpnia sie srpen srpna "
    "ağustos agustos август августа авг",
    "september sep sept septembre settembre set setembro septiembre setiembre wrzesień "
    "września wrz září eylül eylul сентябрь сентября сен сент",
    "october oct oktober okt octobre ottobre ott outubro out octubre październik "
    "października paź říjen října ekim октябрь октября окт",
    "november nov novembre novembro noviembre listopad listopada listopadu lis kasım kasim "
    "ноябрь ноября ноя нояб",
    "december dec dezember dez décembre déc decembre dicembre dic dezembro diciembre "
    "desember des grudzień grudnia gru prosinec prosince aralık aralik декабрь декабря дек",
)
# fmt: on
_MONTHS = {name: n for n, names in enumerate(_MONTH_NAMES, start=1) for name in names.split()}
_WEEKDAY_NAMES = (
    # en, de, es, fr, it, pt
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur "
    "thurs fri sat sun montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag "
    "mo di mi do fr sa so lunes martes miércoles miercoles jueves viernes sábado sabado "
    "domingo lun mié jue vie sáb dom lundi mardi mercredi jeudi vendredi samedi dimanche mar "
    "mer jeu ven sam dim lunedì martedì mercoledì giovedì venerdì domenica lunedi martedi "
    "mercoledi giovedi venerdi gio sab segunda-feira terça-feira quarta-feira quinta-feira "
    "sexta-feira segunda terça quarta quinta sexta seg ter qua qui sex "
    # nl, sv, da, no, pl, cs, tr, ru
    "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag ma wo vr za zo måndag tisdag "
    "onsdag torsdag fredag lördag söndag mån tis ons tors fre lör sön mandag tirsdag lørdag "
    "søndag tir tor lør søn poniedziałek wtorek środa czwartek piątek sobota niedziela pon wt "
    "śr czw pt sob niedz pondělí úterý středa čtvrtek pátek neděle po út st čt pá ne "
    "pazartesi salı çarşamba perşembe cuma cumartesi pazar понедельник вторник среда четверг "
    "пятница суббота воскресенье пн вт ср чт сб вс"
)
# Words that say what the moment is: "Updated", "Stand:", "Mis à jour", "更新日時", "입력".
_DATELINE_LEADS = (
    # the sentence some sites write it as: "This article was last updated on ..."
    "this article was last updated|this article was updated|this article was published|"
    "this story was last updated|this story was updated|this story was published|"
    "this page was last updated|article last updated|story last updated|"
    "dieser artikel wurde zuletzt aktualisiert|dieser artikel wurde aktualisiert|"
    "cet article a été mis à jour|cet article a été publié|"
    "este artículo fue actualizado|este artículo fue publicado|"
    "questo articolo è stato aggiornato|este artigo foi atualizado|"
    "dit artikel is bijgewerkt|"
    "last updated|updated|first published|originally published|published|posted|"
    "last modified|modified|edited|created|date|"
    "zuletzt aktualisiert|aktualisiert|veröffentlicht|erstellt|stand|zuletzt geändert|geändert|"
    "erschienen|publiziert|datum|"
    "última actualización|actualizado|actualización|publicado|fecha|modificado|"
    "dernière mise à jour|mis à jour|mise à jour|publié|modifié|actualisé|posté|"
    "ultimo aggiornamento|aggiornato|aggiornamento|pubblicato|modificato|data|"
    "última atualização|atualizado|atualização|actualização|"
    "laatst bijgewerkt|bijgewerkt|gepubliceerd|geplaatst|aangepast|gewijzigd|"
    "senast uppdaterad|uppdaterad|uppdaterat|publicerad|publicerat|"
    "senest opdateret|opdateret|publiceret|udgivet|sist oppdatert|oppdatert|publisert|"
    "data publikacji|data aktualizacji|aktualizacja|zaktualizowano|opublikowano|dodano|"
    "aktualizováno|aktualizace|publikováno|zveřejněno|vydáno|"
    "son güncelleme|güncelleme|güncellendi|güncellenme|yayınlanma|yayınlandı|yayın tarihi|"
    "oluşturulma|дата публикации|дата обновления|обновлено|обновлен|обновление|"
    "опубликовано|опубликован"
)
# Written without spaces around them, so matched without word boundaries.
_DATELINE_CJK_LEADS = (
    "最終更新|更新日時|更新日|更新|公開日時|公開日|公開|配信日時|配信|掲載日|掲載|投稿日時|投稿日|"
    "기사입력|최종수정|입력|수정|업데이트|등록|승인|발행|게재|송고|"
    "发布时间|發布時間|更新时间|更新時間|发布|發布|发表|發表"
)
# Words between the parts: "at", "um", "à", "alle", "às", "op", "kl.", "den", "r." (rok)...
# fmt: off
_DATELINE_CONNECTORS = (
    "at", "on", "um", "am", "gegen", "à", "a las", "a la", "a", "alle ore", "alle", "ore", "às",
    "as", "op", "om", "kl.", "kl", "klo.", "klo", "klokken", "o godz.", "godz.", "godz", "o",
    "v", "ve", "в", "saat", "le", "el", "em", "il", "de", "del", "den", "d.", "dne", "dnia",
    "r.", "г.", "г", "года", "ч.", "ч", "uhr",
)
# fmt: on
# Time zones, in capitals only ("ET", not the French "et"), and their offsets in hours.
# ET, CT, MT and PT are the US zones whose offset depends on the date (_us_summer).
# fmt: off
_ZONES: dict[str, float] = {
    "GMT": 0, "UTC": 0, "UT": 0, "Z": 0, "WET": 0, "BST": 1, "WEST": 1, "CET": 1, "MEZ": 1,
    "CEST": 2, "MESZ": 2, "EET": 2, "EEST": 3, "MSK": 3, "МСК": 3, "SAST": 2, "CAT": 2,
    "EAT": 3, "WAT": 1, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
    "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "AEST": 10, "AEDT": 11,
    "ACST": 9.5, "AWST": 8, "NZST": 12, "NZDT": 13, "JST": 9, "KST": 9, "HKT": 8, "SGT": 8,
    "WIB": 7, "BRT": -3, "ART": -3,
}
_US_ZONES = {"ET": -5, "CT": -6, "MT": -7, "PT": -8}  # standard time; one hour more in DST
# Known to be zones, but not which one: IST is India, Ireland or Israel.
_UNKNOWN_ZONES = ("IST",)
# fmt: on
_ZONE_NAMES = frozenset([*_ZONES, *_US_ZONES, *_UNKNOWN_ZONES])


def _alternatives(names: Iterable[str]) -> str:
    """A regex matching any of the literal names, written as a tree of their letters
    ("ma(?:r(?:ch|s|zo)?|y)"...): the regex engine tries the alternatives of a group one
    by one, and a flat list of hundreds of month names is slow to fail where no name is.
    Longer names are tried first, so "Sept" is not read as "Sep"; a space in a name matches
    any run of whitespace."""
    tree: dict[str, Any] = {}
    for name in names:
        node = tree
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}
    return _branches(tree)


def _branches(node: dict[str, Any]) -> str:
    branches = [
        (r"\s+" if char == " " else re.escape(char)) + _branches(child)
        for char, child in sorted(node.items())
        if char
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    return f"(?:{body})?" if "" in node else body


_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?!\d)"
_MONTH_NUMBER = r"(?:0?[1-9]|1[0-2])(?!\d)"
_HOUR = r"(?:[01]?\d|2[0-3])"
_MINUTE = r"[0-5]\d(?!\d)"
_MONTH = rf"(?:{_alternatives(_MONTHS)})(?![^\W\d_])\.?"
_YEAR_AFTER = r"(?:,\s*|\s+)(?:de\s+|del\s+)?(?P<y>\d{4})(?!\d)"
_AMPM = r"(?P<ampm>[ap]\.?\s?m\.?)(?!\w)"
_OFFSET = r"(?P<offset>[+\-−]\s?\d{1,2}(?::?\d{2})?)"
_CJK_HALF = r"(?P<half>午前|午後|오전|오후|上午|下午)"
_DATELINE_KINDS = {
    # 2026-11-03T14:32:00+01:00: a date and a time in one
    "iso": rf"(?P<y>\d{{4}})-(?P<mo>\d{{2}})-(?P<d>\d{{2}})[T ](?P<h>{_HOUR}):(?P<mi>{_MINUTE})"
    rf"(?::(?P<s>{_MINUTE})(?:\.\d+)?)?(?P<offset>Z|[+\-]\d{{2}}:?\d{{2}})?(?!\w)",
    "relative": _RELATIVE_TIME + r"(?!\w)",
    # 2026年11月3日, 11月3日, 2026년 11월 3일
    "cjkdate": rf"(?:(?P<y>\d{{4}})\s*[年년]\s*)?(?P<mo>{_MONTH_NUMBER})\s*[月월]\s*"
    rf"(?P<d>{_DAY})\s*[日일]",
    # 2026-11-03, 2026/11/03, 2026.11.03, 2026. 11. 3.
    "ymd": rf"(?P<y>\d{{4}})(?:-(?P<mo>{_MONTH_NUMBER})-(?P<d>{_DAY})|/(?P<mo2>{_MONTH_NUMBER})/"
    rf"(?P<d2>{_DAY})|\.\s?(?P<mo3>{_MONTH_NUMBER})\.\s?(?P<d3>{_DAY})\.?)",
    # 03.11.2026, 3. 11. 2026, 03.11.26, 03-11-2026; 03/11/2026 and 11/03/2026 (which is
    # which is for _day_of to say)
    "dmy": rf"(?:(?P<d>{_DAY})\.\s?(?P<mo>{_MONTH_NUMBER})\.\s?"
    rf"|(?P<d2>{_DAY})-(?P<mo2>{_MONTH_NUMBER})-|(?P<a>{_DAY})/(?P<b>{_DAY})/)"
    r"(?P<y>\d{4}|\d{2}(?![:.]\d))(?!\d)",
    # 3 November 2026, 3. listopadu 2026, 3 de noviembre de 2026, 1er novembre, 3rd of Nov.
    "dmon": rf"(?P<d>{_DAY})(?:\.|st|nd|rd|th|er|º|°|ª)?\s*(?:de\s+|of\s+)?(?P<mon>{_MONTH})"
    rf"(?:{_YEAR_AFTER})?",
    # November 3, 2026, Nov. 3rd
    "mond": rf"(?P<mon>{_MONTH})\s*(?P<d>{_DAY})(?:st|nd|rd|th)?(?:{_YEAR_AFTER})?(?!\w)",
    # 03.11. (no year: the German habit), 11/3 (the Japanese one)
    "dm": rf"(?P<d>{_DAY})\.(?P<mo>{_MONTH_NUMBER})\.(?!\d)|(?P<a>{_DAY})/(?P<b>{_DAY})(?![/\d])",
    # 14:32, 14.32, 2:32 p.m., 14:32:05, 14:32 Uhr, 14:32 h, 오후 2:32, 14:32-05:00
    "time": rf"(?:{_CJK_HALF}\s*)?(?P<h>{_HOUR})[:.：](?P<mi>{_MINUTE})(?:[:.](?P<s>{_MINUTE}))?"
    rf"(?:\s?{_AMPM})?(?:\s?(?:uhr|hrs|hs|h|horas|godz\.?)(?!\w))?(?:\s?{_OFFSET})?",
    # 14h32, 14h, 14 h 32; 2 p.m.; 14 Uhr
    "hour": rf"(?P<h>{_HOUR})(?:\s?h\s?(?P<mi>{_MINUTE})?(?!\w)|\s?{_AMPM}|\s?uhr(?!\w))",
    # 14時32分, 14시 32분, 下午2点
    "cjktime": rf"(?:{_CJK_HALF}\s*)?(?P<h>{_HOUR})\s*[時时시點点]\s*"
    r"(?:(?P<mi>[0-5]?\d)\s*[分분](?:\s*(?P<s>[0-5]?\d)\s*[秒초])?)?",
    "zone": rf"(?-i:(?P<name>{_alternatives(_ZONE_NAMES)}))"
    rf"(?:\s?{_OFFSET})?(?!\w)",
    "weekday": rf"(?:(?:{_alternatives(_WEEKDAY_NAMES.split())})(?![^\W\d_])\.?"
    r"|(?:星期|周|週|礼拜|禮拜)[一二三四五六日天]|[月火水木金土日](?:曜日?)?"
    # a Hangul weekday letter alone, not the first letter of a word ("수정": edited)
    r"|[월화수목금토일](?:요일)?(?![\uac00-\ud7af]))",
    "lead": rf"(?:(?:{_alternatives(_DATELINE_LEADS.split('|'))})(?!\w)|{_DATELINE_CJK_LEADS})",
    "connector": rf"(?:{_alternatives(_DATELINE_CONNECTORS)})(?!\w)",
    # what may sit beside a date: counters, ad labels, share buttons
    "filler": rf"(?:{_COUNTER}|{_AD_LABEL}|{_ACTION})(?!\w)",
}
_DATELINE_SEPARATORS = r"[\s,;:.|·•/\\–—\-()\[\]{}«»\"'“”‘’*，、。；：｜・（）【】〔〕]*"
_DATELINE_TOKEN = re.compile(
    _DATELINE_SEPARATORS
    + "(?:"
    + "|".join(
        f"(?P<{kind}>{pattern.replace('(?P<', f'(?P<{kind}_')})"
        for kind, pattern in _DATELINE_KINDS.items()
    )
    + ")",
    re.IGNORECASE,
)
_DATELINE_END = re.compile(rf"{_DATELINE_SEPARATORS}\Z")
_DATES = frozenset({"iso", "cjkdate", "ymd", "dmy", "dmon", "mond", "dm"})
_TIMES = frozenset({"iso", "time", "hour", "cjktime"})
_ANCHORS = _DATES | _TIMES | {"relative"}
_DIGIT = re.compile(r"\d")
# Most short blocks with a digit are not datelines, and most of those are told at their
# first word, faster by this set than by trying every kind of token there.
_FIRST_WORD = re.compile(rf"{_DATELINE_SEPARATORS}([^\W\d_]+)")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# How relative times start: "about an hour ago", "vor 3 Minuten", "há 3 horas".
# fmt: off
_RELATIVE_STARTS = (
    "about", "around", "over", "nearly", "ca", "just", "moments", "moment", "an", "one", "few",
    "vor", "einer", "wenigen", "hace", "una", "un", "unos", "pocos", "il", "quelques", "une",
    "há", "poucos", "pochi", "een", "enkele", "en", "ett", "et", "för", "for", "před",
)
# fmt: on
_DATELINE_STARTS = frozenset(
    name.split()[0].lower().rstrip(".")
    for names in (
        _MONTHS,
        _WEEKDAY_NAMES.replace("-", " ").split(),
        _DATELINE_LEADS.split("|"),
        _DATELINE_CONNECTORS,
        _RELATIVE_STARTS,
    )
    for name in names
)
MAX_DATELINE_CHARS = 120

_Token = tuple[str, dict[str, str | None]]


def _dateline_stamps(
    text: str, *, needs_lead: bool = False, place: bool = True
) -> list[list[_Token]] | None:
    """The stamps of a dateline (its moments, each with what is stated of it), or None
    when ``text`` is not one. A lead word starts a new stamp ("Published ..., updated ...");
    with ``place``, the line may start with one (see :func:`_placed_stamps`)."""
    if _DIGIT.search(text) is None:
        return None  # what most short blocks are told by: a date or a time has a digit
    text = text.strip()
    # A date before a colon is a label of what follows ("July 15, 1960: first game"), as in
    # a timeline whose entries are set apart from their text.
    if len(text) > MAX_DATELINE_CHARS or text.endswith((":", "：")):
        return None
    first = _FIRST_WORD.match(text)
    if first and not (
        first[1].lower() in _DATELINE_STARTS or first[1] in _ZONE_NAMES or _CJK.match(first[1])
    ):
        return _placed_stamps(text, needs_lead=needs_lead) if place else None
    stamps: list[list[_Token]] = [[]]
    leads = 0
    position = 0
    while (match := _DATELINE_TOKEN.match(text, position)) is not None:
        kind = match.lastgroup
        assert kind is not None  # every alternative is a named group
        position = match.end()
        if kind == "lead":
            leads += 1
            if stamps[-1]:
                stamps.append([])
        prefix = f"{kind}_"
        parts = {k[len(prefix) :]: v for k, v in match.groupdict().items() if k.startswith(prefix)}
        stamps[-1].append((kind, parts))
    if _DATELINE_END.match(text, position) is None or (needs_lead and not leads):
        return None
    if len(stamps) > 1 and not any(kind in _ANCHORS for kind, _ in stamps[-1]):
        stamps[-2:] = [stamps[-2] + stamps[-1]]  # a lead word after its moment: "14:32 配信"
    for stamp in stamps:
        kinds = [kind for kind, _ in stamp]
        dates = [parts for kind, parts in stamp if kind in _DATES]
        times = sum(kind in _TIMES for kind in kinds)
        if (
            len(dates) > 1
            or times > 1
            or kinds.count("zone") > 1
            or kinds.count("weekday") > 1
            or kinds.count("relative") > 1
        ):
            return None  # two dates or two times are a range or a schedule, not a moment
        if any(kind == "dmy" and not _month_first_or_second(parts) for kind, parts in stamp):
            return None
        if not (dates or times or "relative" in kinds):
            if stamp is stamps[0] and len(stamps) > 1 and "weekday" not in kinds:
                continue  # connectors or a counter before the first lead word
            return None
        # Without a lead word a line must say the day: a time alone (a schedule, a live
        # blog's entry) or a day without its year (a timeline's heading) is not enough.
        if kinds[0] != "lead" and not (
            (dates and (times or dates[0].get("y"))) or "relative" in kinds
        ):
            return None
    return stamps


# A place a dateline starts with: "Madrid - 29 oct 2026 - 03:58 CET", "Berlin, 3. November
# 2026, 14:32 Uhr": one to three capitalised words and a separator.
_PLACE = re.compile(r"\s*([^\W\d_][\w'’.]*(?:[ \-][^\W\d_][\w'’.]*){0,2})\s*[,\-–—|·]\s+")


def _placed_stamps(text: str, *, needs_lead: bool) -> list[list[_Token]] | None:
    """The stamps of a dateline that starts with a place. Any capitalised words may be
    a place, so what follows them must be a whole moment: a day of a year and a time
    (a byline, "By Jane Smith, 3 November 2026", states only the day, and stays)."""
    place = _PLACE.match(text)
    if place is None or not all(word[:1].isupper() for word in place[1].split()):
        return None
    stamps = _dateline_stamps(text[place.end() :], needs_lead=needs_lead, place=False)
    if stamps is None:
        return None
    whole = any(
        any(kind in _TIMES for kind, _ in stamp)
        and any(kind == "iso" or (kind in _DATES and parts.get("y")) for kind, parts in stamp)
        for stamp in stamps
    )
    return stamps if whole else None


def _month_first_or_second(parts: dict[str, str | None]) -> bool:
    """A d/m/y or m/d/y date (03/11/2026) has a month among its first two numbers."""
    return parts["a"] is None or min(int(parts["a"]), int(parts["b"] or 0)) <= 12


def is_dateline(text: str, *, needs_lead: bool = False) -> bool:
    """True when ``text`` is nothing but a dateline: an optional lead word, absolute dates
    and times, zones, weekdays, relative times and separators.

    "Updated 14:32 GMT, 3 November 2026", "Stand: 03.11.2026 14:32 Uhr", "Nov. 3, 2026 2:32
    p.m. ET", "입력 2026.11.03 14:32", "Monday 3 November 2026 14:32". Without a lead word
    the line must name a day: a time alone ("14:30") or a day without its year ("Nov. 3")
    is kept. ``needs_lead``: only a line with a lead word counts (a list item or a table
    cell, where a date alone is a schedule's entry). Never a line with any other word ("By
    Jane Smith, 3 November 2026", "Match report: 3 November 2026 derby"), nor a line of two
    dates or two times (a range), nor one over :data:`MAX_DATELINE_CHARS`.
    """
    return _dateline_stamps(text, needs_lead=needs_lead) is not None


_US_MARKERS = frozenset({"EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT", *_US_ZONES})
_PM = ("p", "午後", "오후", "下午")
_AM = ("a", "午前", "오전", "上午")


def dateline_time(text: str) -> str | None:
    """The moment a dateline states, in ISO 8601; None for a relative time, for a line that
    is not a dateline (:func:`is_dateline`) and for one that does not say the whole day.

    "Updated 14:32 GMT, 3 November 2026" -> "2026-11-03T14:32:00+00:00"; "Stand: 03.11.2026
    14:32 Uhr" -> "2026-11-03T14:32:00" (no zone stated); "3 November 2026" -> "2026-11-03";
    "Published 3 hours ago", "Updated 14:32" (which day?) and "Nov. 3, 14:32" (which year?)
    -> None. Of several moments ("Published 3 Nov 2026 09:14, updated 4 Nov 2026 14:32")
    the latest, as it is the page's last modification that is wanted; a time without a day
    takes the day of the moment before it ("Published 3 Nov 2026 09:14, updated 14:32").
    03/11/2026 is read as d/m/y unless the line has a US zone or a.m./p.m. written the
    English way (not the Spanish "p. m."). A zone whose offset is not known (IST: India,
    Ireland or Israel?) gives a time without offset. US zones without a season (ET, PT)
    follow the US daylight saving dates.
    """
    stamps = _dateline_stamps(text)
    if stamps is None:
        return None
    us = any(_us_style(kind, parts) for stamp in stamps for kind, parts in stamp)
    latest: tuple[datetime, str] | None = None
    day: date | None = None
    for stamp in stamps:
        moment = _moment(stamp, day, us)
        if moment is not None:
            day = moment[0].date()
            if latest is None or moment[0] > latest[0]:
                latest = moment
    return latest[1] if latest else None


def _us_style(kind: str, parts: dict[str, str | None]) -> bool:
    """A US zone, or "p.m." / "PM" (the Spanish write "p. m." and d/m/y)."""
    if kind == "zone":
        return parts["name"] in _US_MARKERS
    ampm = parts.get("ampm")
    return ampm is not None and " " not in ampm


def _moment(
    stamp: list[_Token], previous_day: date | None, us: bool
) -> tuple[datetime, str] | None:
    """One stamp's moment: (naive, to compare; ISO 8601, with its offset when known)."""
    day: date | None = None
    clock: time | None = None
    zone = offset = None
    for kind, parts in stamp:
        if kind in _DATES:
            day = _day_of(kind, parts, us)
            if day is None:
                return None  # no year, or 31 February
        if kind in _TIMES:
            clock = _clock_of(parts)
            offset = parts.get("offset") or offset
        elif kind == "zone":
            zone, offset = parts["name"], parts.get("offset") or offset
    if day is None and clock is not None:
        day = previous_day
    if day is None:
        return None
    if clock is None:
        return datetime.combine(day, time()), day.isoformat()
    moment = datetime.combine(day, clock, tzinfo=_zone_of(zone, offset, day))
    return moment.replace(tzinfo=None), moment.isoformat()


def _day_of(kind: str, parts: dict[str, str | None], us: bool) -> date | None:
    year = parts.get("y")
    if not year:
        return None
    if kind == "dmy" and parts.get("a"):
        first, second = int(parts["a"] or 0), int(parts["b"] or 0)
        # the month is the number that can be one, the first one in the US
        day, month = (second, first) if first <= 12 and (second > 12 or us) else (first, second)
    elif kind in ("dmon", "mond"):
        day = int(parts["d"] or 0)
        month = _MONTHS.get(" ".join((parts["mon"] or "").lower().rstrip(".").split()), 0)
    else:
        day = int(next(v for k, v in parts.items() if k[0] == "d" and v))
        month = int(next(v for k, v in parts.items() if k[:2] == "mo" and v))
    try:
        return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
    except ValueError:
        return None


def _clock_of(parts: dict[str, str | None]) -> time:
    hour, minute, second = (int(parts.get(k) or 0) for k in ("h", "mi", "s"))
    half = (parts.get("ampm") or parts.get("half") or "").lower()
    if half.startswith(_PM) and hour < 12:
        hour += 12
    elif half.startswith(_AM) and hour == 12:
        hour = 0
    return time(hour, minute, second)


def _zone_of(name: str | None, offset: str | None, day: date) -> tzinfo | None:
    """The zone of a stated name ("GMT", "ET", "CEST") and/or offset ("+01:00", "UTC+1")."""
    hours: float
    if name is None:
        if not offset:
            return None
        hours = 0
    elif name in _ZONES:
        hours = _ZONES[name]
    elif name in _US_ZONES:
        hours = _US_ZONES[name] + _us_summer(day)
    else:
        return None
    if offset:
        hours += _offset_hours(offset)
    return timezone(timedelta(hours=hours))


def _offset_hours(offset: str) -> float:
    """+01:00, +1, -0500, −5, Z."""
    if offset.upper() == "Z":
        return 0
    sign = -1 if offset[0] in "-−" else 1
    digits = "".join(c for c in offset if c.isdigit())
    if len(digits) <= 2:
        return sign * int(digits)
    return sign * (int(digits[:-2]) + int(digits[-2:]) / 60)


def _us_summer(day: date) -> int:
    """1 on the days US daylight saving time is in force (from the second Sunday of March
    to the first of November, since 2007), else 0; the hour of the change is not looked at."""
    march, november = date(day.year, 3, 8), date(day.year, 11, 1)
    start = march + timedelta(days=(6 - march.weekday()) % 7)
    end = november + timedelta(days=(6 - november.weekday()) % 7)
    return int(start <= day < end)


_LEAD_INS = (
    # en
    r"read\s+more|read\s+also|also\s+read|related(?:\s+(?:articles?|stories|story|news|"
    r"content|coverage|reading))?|see\s+also|more(?:\s+on\s+this(?:\s+story)?)?|"
    r"recommended(?:\s+reading)?|don'?t\s+miss|must\s+read|continue\s+reading|watch|listen|"
    r"read\s+next|up\s+next|breaking(?:\s+news)?|just\s+in|live|"
    # de
    r"lesen\s+sie\s+(?:auch|mehr)|mehr\s+zum\s+thema|auch\s+interessant|"
    r"das\s+könnte\s+sie\s+auch\s+interessieren|weiterlesen|siehe\s+auch|zum\s+thema|"
    r"eilmeldung|última\s+hora|alerte|urgente|ultim'ora|"
    # es, fr, pt, it
    r"lea\s+también|lee\s+también|te\s+puede\s+interesar|leer\s+más|más\s+información|"
    r"relacionad[oa]s?|ver\s+también|también\s+te\s+puede\s+interesar|"
    r"(?:à\s+|a\s+)?lire\s+aussi|voir\s+aussi|lire\s+la\s+suite|sur\s+le\s+même\s+sujet|"
    r"leia\s+(?:também|mais|ainda)|veja\s+também|saiba\s+mais|"
    r"leggi\s+(?:anche|di\s+più|pure)|potrebbe\s+interessarti|vedi\s+anche|"
    # nl, scandinavian, pl, cs, tr, ru, id, ja, ko
    r"lees\s+(?:ook|meer)|zie\s+ook|läs\s+(?:också|mer)|les\s+(?:også|mer)|"
    r"læs\s+(?:også|mere)|czytaj\s+(?:także|też|więcej)|zobacz\s+(?:też|także)|"
    r"čtěte\s+(?:také|též)|přečtěte\s+si\s+(?:také|též)|(?:bunlar\s+da\s+)?ilginizi\s+çekebilir|"
    r"читайте\s+также|baca\s+juga|関連記事|あわせて読みたい|관련\s?기사"
)
_LEAD_IN = re.compile(rf"(?:{_LEAD_INS})\s*(?:[:：|»›>\-–—]+|\s)\s*(?=\S)", re.IGNORECASE)
_LEAD_IN_STRICT = re.compile(rf"(?:{_LEAD_INS})\s*[:：|»›>\-–—]+\s*(?=\S)", re.IGNORECASE)


def read_more_rest(text: str) -> str | None:
    """What follows a "Read more:"-style lead-in at the start of ``text``, else None.

    "Read more: Storm hits coast" -> "Storm hits coast"; also "Lesen Sie auch: ...",
    "Leia também: ...". A lead-in is only taken when followed by a separator or by more
    text; whether the rest is a link is for the caller to check.
    """
    text = text.strip()
    match = _LEAD_IN.match(text)
    return text[match.end() :] if match else None


_CALLS = re.compile(
    r"(?:sign\s*up|subscribe|register|join|get\s+it|abonnieren|jetzt\s+abonnieren|"
    r"anmelden|jetzt\s+anmelden|registrieren|suscr[íi]bete|suscribirse|inscr[íi]bete|"
    r"s'inscrire|je\s+m'abonne|s'abonner|inscreva-se|assine|cadastre-se|iscriviti|abbonati|"
    r"aanmelden|abonneer|prenumerera|tilmeld|meld\s+deg\s+på|zapisz\s+się|přihlásit)"
    r"(?:\s+(?:now|here|today|for\s+free|free|jetzt|hier|gratis|ahora|aqui|aquí|ici|ora))?",
    re.IGNORECASE,
)
_NEWSLETTER_WORDS = re.compile(
    r"newsletter|inbox|e-?mail|briefing|postfach|boletín|bulletin|boîte\s+mail|"
    r"caixa\s+de\s+entrada|nyhetsbrev|nieuwsbrief|nyhedsbrev",
    re.IGNORECASE,
)
_ARROWS = "›»→>▸▶ "


def is_call_to_action(text: str) -> bool:
    """True when a link's or button's whole text is a sign-up call ("Sign up", "Abonnieren")."""
    return _CALLS.fullmatch(text.strip().strip(_ARROWS).strip()) is not None


_BOX_TITLE = re.compile(
    r"(?:related(?:\s+(?:articles?|stories|story|news|content|coverage|links|reading))?|"
    r"more\s+(?:on\s+this(?:\s+story)?|stories|news|from\s+\S+(?:\s+\S+)?)|"
    r"most\s+(?:read|popular|viewed|shared)|trending(?:\s+now)?|top\s+stories|popular|"
    r"recommended(?:\s+for\s+you)?|you\s+may\s+also\s+like|you\s+might\s+also\s+like|"
    r"read\s+more|read\s+next|see\s+also|also\s+read|latest(?:\s+news)?|"
    r"mehr\s+zum\s+thema|das\s+könnte\s+sie\s+auch\s+interessieren|meistgelesen|"
    r"beliebte\s+artikel|auch\s+interessant|weitere\s+artikel|"
    r"lo\s+más\s+leído|más\s+visto|noticias\s+relacionadas|te\s+puede\s+interesar|"
    r"les\s+plus\s+lus|sur\s+le\s+même\s+sujet|à\s+lire\s+aussi|à\s+la\s+une|"
    r"mais\s+lidas|mais\s+vistas|notícias\s+relacionadas|veja\s+também|leia\s+também|"
    r"i\s+più\s+letti|articoli\s+correlati|leggi\s+anche|"
    r"meest\s+gelezen|lees\s+ook|mest\s+lest|mest\s+läst|läs\s+också|les\s+også|"
    r"najczęściej\s+czytane|nejčtenější|en\s+çok\s+okunanlar|читайте\s+также|"
    r"関連記事|人気記事|관련\s?기사|많이\s+본\s+뉴스)"
    r"\s*[:：]?",
    re.IGNORECASE,
)


def is_box_title(text: str) -> bool:
    """True when ``text`` is the title of a box of links ("Related", "Most read",
    "Mehr zum Thema", "Lo más leído"), not a sub-headline of the article."""
    return _BOX_TITLE.fullmatch(" ".join(text.split())) is not None


# A "Read more: ..." line is a teaser when what follows is headline-sized.
MAX_HEADLINE_CHARS = 120


def is_noise_paragraph(paragraph: str) -> bool:
    """True for an extracted paragraph that is boilerplate by its text alone.

    A meta line (:func:`is_meta_line`), a dateline (:func:`is_dateline`; in a list or a
    table, as trafilatura writes them, "- item" and "| cell |", only one with a lead word)
    or a "Read more: <headline>" line whose headline is short and is not a sentence (no
    final full stop).
    """
    if is_meta_line(paragraph):
        return True
    if is_dateline(paragraph, needs_lead=paragraph.lstrip().startswith(("- ", "|"))):
        return True
    match = _LEAD_IN_STRICT.match(paragraph.strip())
    if match is None:
        return False
    rest = paragraph.strip()[match.end() :]
    return len(rest) <= MAX_HEADLINE_CHARS and "\n" not in rest and not rest.rstrip().endswith(".")


def drop_noise_paragraphs(paragraphs: Iterable[str]) -> list[str]:
    """The paragraphs without those :func:`is_noise_paragraph` finds."""
    return [p for p in paragraphs if not is_noise_paragraph(p)]


# ---------------------------------------------------------------------------- tree

# Block elements a rule may remove. Inline elements never are: a counter or a link inside
# a sentence is part of the sentence.
# fmt: off
_BLOCKS = frozenset({
    "p", "div", "section", "aside", "nav", "ul", "ol", "li", "dl", "dd", "dt", "form",
    "figure", "header", "footer", "h2", "h3", "h4", "h5", "h6", "table", "center",
})
# fmt: on
_INVISIBLE = frozenset({"script", "style", "noscript", "template"})
# Where a date or a time alone is an entry of a schedule or a timeline, not a dateline.
# fmt: off
_SCHEDULES = frozenset({
    "ul", "ol", "dl", "li", "dd", "dt", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
})
# fmt: on
_FIELDS = frozenset({"form", "textarea"})
_TEXT_INPUTS = frozenset({"text", "email", "search", "tel"})
# A block named as boilerplate is still kept when it holds more plain (non-link) text
# than this: a big "read-more" or "promo" box is more likely the article's own body.
MAX_NAMED_PLAIN_CHARS = 400
# Link text share at which a block is a teaser or a list of headlines.
LINK_DENSE = 0.8
# ...as long as its plain text is no more than this: a page wrapper on a link-heavy page
# can be 80 % links and still hold the whole article.
MAX_LINKLIST_PLAIN_CHARS = 300
# Teasers link headlines; menus and buttons ("Home", "Log in", "FAQ") link a word or two.
# Those are left to trafilatura: taken out, they would leave the box around them (a
# paywall notice, a footer) looking like prose to it.
MIN_HEADLINE_CHARS = 12
MAX_SMALL_CHARS = 300
# No block longer than this is removed at all. What churns inside an article is small
# (a teaser, a list of a few headlines); page-sized navigation and sidebars are left to
# trafilatura, whose own pruning weighs what it removes against the page's whole text.
MAX_BLOCK_CHARS = 1000


@dataclass(slots=True)
class _Measure:
    """What one element's subtree holds: non-space characters of visible text, how many
    of them are link text and plain heading text, how many links, how many paragraphs
    (runs of text of :data:`MIN_PARAGRAPH_CHARS` or more between block boundaries) and
    how many of those are prose (that many characters outside links and headings), and
    whether it holds the ``<h1>``, a form field or a button; ``wrapper``: all its text is
    in its one child element, a block. ``inline_chars`` and
    ``inline_link_chars`` are what an inline element adds to the paragraph around it.
    ``hidden``: it is or holds a script, a style or another element whose text is not
    shown. ``children`` are its child elements (comments left out) and ``candidate`` tells
    whether a rule may remove it at all (a block without the ``<h1>``, not too long), so
    that the walk in :func:`strip_boilerplate` neither lists them again nor calls
    :func:`_boilerplate_rule` on the many elements no rule can apply to. ``inline``: the
    element flows in a paragraph; ``line``: ...and is short enough to be a dateline of its
    own (:func:`_line_rule`); ``schedule``: it is a list, a table or a part of one."""

    chars: int = 0
    link_chars: int = 0
    heading_chars: int = 0
    paragraphs: int = 0
    prose: int = 0
    inline_chars: int = 0
    inline_link_chars: int = 0
    links: int = 0
    has_h1: bool = False
    has_field: bool = False
    has_button: bool = False
    wrapper: bool = False
    hidden: bool = False
    candidate: bool = False
    inline: bool = False
    line: bool = False
    schedule: bool = False
    children: list[HtmlElement] = field(default_factory=list)


# Elements that flow inside a paragraph; every other element starts a block of its own.
# fmt: off
_INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "button", "cite", "code", "data", "del", "dfn", "em",
    "font", "i", "img", "ins", "kbd", "label", "mark", "picture", "q", "s", "samp", "small",
    "source", "span", "strong", "sub", "sup", "time", "u", "var", "wbr",
})
# fmt: on
MIN_PARAGRAPH_CHARS = 20
_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})


def _count(text: str | None) -> int:
    """Non-space characters: markup indentation does not count as text."""
    # Most text between tags is indentation only; isspace() tells so without a copy.
    return len("".join(text.split())) if text and not text.isspace() else 0


def _is_link(element: HtmlElement) -> bool:
    """An ``<a>`` that leads somewhere: not a fragment anchor or a script action."""
    href = (element.get("href") or "").strip().lower()
    return bool(href) and not href.startswith(("#", "javascript:"))


def _measure(root: HtmlElement) -> dict[HtmlElement, _Measure]:
    """:class:`_Measure` of every element, in one bottom-up pass (no recursion: pages
    nest deeper than Python's stack)."""
    # This pass sees every element of the page, so it is written for speed: locals for
    # globals, runs of text counted as they close instead of listed, and the flags that
    # only a few elements raise (h1, fields, buttons) set from those elements upwards.
    count = _count
    blocks, inline, headings, invisible = _BLOCKS, _INLINE, _HEADINGS, _INVISIBLE
    schedules = _SCHEDULES
    minimum = MIN_PARAGRAPH_CHARS
    elements = list(root.iter(etree.Element))  # elements only: no comments, no PIs
    sizes: dict[HtmlElement, _Measure] = {}
    for element in reversed(elements):  # every element comes after all its descendants
        tag = element.tag  # lxml's HTML parser gives tag names in lower case
        size = _Measure()
        sizes[element] = size
        if tag in invisible:
            size.children = [child for child in element if isinstance(child.tag, str)]
            continue
        link = tag == "a" and _is_link(element)
        chars = run = count(element.text)
        run_links = run if link else 0
        link_chars = heading_chars = paragraphs = prose = links = 0
        own_paragraphs = own_prose = 0
        only_child = None
        children = size.children
        if len(element):
            for child in element:
                child_tag = child.tag
                if isinstance(child_tag, str):
                    inner = sizes[child]
                    children.append(child)
                    only_child = inner if child_tag in blocks else None
                    links += inner.links
                    is_inline = child_tag in inline
                    if inner.chars:  # else all its counts but links are 0: most are
                        chars += inner.chars
                        link_chars += inner.link_chars
                        heading_chars += inner.heading_chars
                        paragraphs += inner.paragraphs
                        prose += inner.prose
                        if is_inline:
                            run += inner.inline_chars
                            run_links += inner.inline_link_chars
                    if not is_inline:  # a block, or a <br>: the paragraph around it ends there
                        if run >= minimum:
                            own_paragraphs += 1
                            if run - run_links >= minimum:
                                own_prose += 1
                        size.inline_chars += run
                        size.inline_link_chars += run_links
                        run = run_links = 0
                tail = child.tail
                if tail:
                    tail_chars = count(tail)
                    chars += tail_chars
                    run += tail_chars
                    if link:
                        run_links += tail_chars
        if run >= minimum:
            own_paragraphs += 1
            if run - run_links >= minimum:
                own_prose += 1
        size.chars = chars
        size.wrapper = len(children) == 1 and only_child is not None and only_child.chars == chars
        if tag in inline:
            size.inline_chars += run
            size.inline_link_chars += run_links
            size.inline = True
            size.line = 0 < chars <= MAX_DATELINE_CHARS
        else:
            if tag in schedules:
                size.schedule = True
            size.inline_chars = size.inline_link_chars = 0
            paragraphs += own_paragraphs
            if tag not in headings:
                prose += own_prose
        size.paragraphs = paragraphs
        size.prose = prose
        if link:
            size.link_chars = chars
            size.links = links + 1
        else:
            size.link_chars = link_chars
            size.links = links
            if tag in headings:
                heading_chars = chars - link_chars
        size.heading_chars = heading_chars
    # An invisible element (a <noscript>, a <template>) hides what it holds from its
    # ancestors, so a flag goes up from its element until it meets one.
    for flag, found in (
        ("has_h1", root.iter("h1")),
        ("has_field", (e for e in root.iter(*_FIELDS, "input") if _is_field(e, e.tag))),
        ("has_button", root.iter("button")),
    ):
        for element in found:
            setattr(sizes[element], flag, True)
            for ancestor in element.iterancestors():
                if ancestor.tag in invisible:
                    break
                size = sizes[ancestor]
                if getattr(size, flag):
                    break  # raised from here up already
                setattr(size, flag, True)
    # Which subtrees hold a script or the like, so that reading a block's text need not
    # look for one each time (see _visible_text).
    for element in root.iter(*invisible):
        size = sizes[element]
        size.hidden = True
        for ancestor in element.iterancestors():
            size = sizes[ancestor]
            if size.hidden:
                break  # marked from here up already
            size.hidden = True
    for element, size in sizes.items():
        size.candidate = (
            not size.has_h1 and size.chars <= MAX_BLOCK_CHARS and element.tag.lower() in blocks
        )
    return sizes


def _is_field(element: HtmlElement, tag: str) -> bool:
    """A form, or a field to type into (a sign-up box); not a checkbox or a button, which
    pages also use to fold captions and menus."""
    if tag == "input":
        return (element.get("type") or "text").lower() in _TEXT_INPUTS
    return tag in _FIELDS


def _visible_text(element: HtmlElement, hidden: bool | None = None) -> str:
    """The element's text as a reader sees it, scripts and comments left out.

    ``hidden`` tells whether the element is or holds a script or the like (as
    :attr:`_Measure.hidden` knows); None to look."""
    if hidden is None:
        hidden = next(element.iter(*_INVISIBLE), None) is not None
    if not hidden:
        if not len(element):  # no children, not even a comment: just its own text
            return " ".join((element.text or "").split())
        parts = list(element.itertext())  # lxml's own walk: fast, and it skips comments
    else:
        parts = []
        _gather(element, parts)
    return " ".join(" ".join(parts).split())


def _gather(element: HtmlElement, parts: list[str]) -> None:
    stack: list[tuple[HtmlElement, bool]] = [(element, False)]
    while stack:
        node, tail_only = stack.pop()
        if tail_only:
            if node.tail:
                parts.append(node.tail)
            continue
        if isinstance(node.tag, str) and node.tag.lower() not in _INVISIBLE and node.text:
            parts.append(node.text)
        if isinstance(node.tag, str) and node.tag.lower() in _INVISIBLE:
            continue
        for child in reversed(node):
            stack.append((child, True))
            stack.append((child, False))


def _link_dense(element: HtmlElement, size: _Measure) -> bool:
    """Nearly all text is link text; a box title ("Most read") over a list does not count
    as text, but a sub-headline of the article does."""
    if size.link_chars >= LINK_DENSE * size.chars:
        return True
    if not size.heading_chars or size.link_chars < LINK_DENSE * (size.chars - size.heading_chars):
        return False
    headings = (h for h in element.iter(*_HEADINGS) if h is not element)
    return all(is_box_title(_visible_text(h)) for h in headings if _visible_text(h))


_LEAD_END = ":：|»›>-–—•·"


def _link_in_sentence(element: HtmlElement) -> bool:
    """True when a block's one link is part of a sentence: words before it that are not a
    lead-in ("It also <a>co-ordinates military plans</a>.", not "Read more: <a>...</a>")."""
    text = _visible_text(element)
    link = next((a for a in element.iter("a") if _is_link(a)), None)
    link_text = _visible_text(link) if link is not None else ""
    position = text.find(link_text) if link_text else -1
    before = text[:position].strip() if position > 0 else ""
    return bool(before) and before[-1] not in _LEAD_END and read_more_rest(text) is None


def _calls_to_action(element: HtmlElement) -> Iterator[str]:
    for node in element.iter("a", "button"):
        yield _visible_text(node)


def _boilerplate_rule(element: HtmlElement, size: _Measure, in_list: bool = False) -> str | None:
    """Why one block element (with its subtree's :class:`_Measure`) is boilerplate to
    remove: ``"name"``, ``"links"``, ``"field"``, ``"meta"``, ``"dateline"``,
    ``"read-more"`` or ``"signup"``; None to keep it. A wrapper (all its text is in its one
    child, itself a block) is only judged by its name: the text rules judge the child
    instead, so that deep nests of wrappers are not read once per level. ``in_list``: the
    block is, or is inside, a list or a table, where a date alone is a schedule's entry."""
    if size.has_h1 or element.tag.lower() not in _BLOCKS:
        return None
    if size.chars > MAX_BLOCK_CHARS:
        return None
    plain_chars = size.chars - size.link_chars
    # A named block that links nowhere and asks for nothing is kept (a "promo" standfirst,
    # a "social-media-embed" tweet): what churns in such boxes are links and forms.
    if (
        (size.links or size.has_field or not size.chars)
        and plain_chars <= MAX_NAMED_PLAIN_CHARS
        and (
            boilerplate_name(element.get("class") or "")
            or boilerplate_name(element.get("id") or "")
        )
    ):
        return "name"
    if size.chars == 0 or size.wrapper:
        return None
    # A list of links, unless it holds a line of prose beside the links (a real paragraph
    # sharing a wrapper with a teaser list stays; the list inside goes on its own).
    # A linked heading is left alone: it is the title of a teaser whose summary follows,
    # and without its title the summary would read as prose to trafilatura.
    if (
        size.links
        and element.tag.lower() not in _HEADINGS
        and size.link_chars >= MIN_HEADLINE_CHARS * size.links
        and not size.prose
        and plain_chars <= MAX_LINKLIST_PLAIN_CHARS
        and _link_dense(element, size)
        and not (size.links == 1 and _link_in_sentence(element))
    ):
        return "links"
    if size.chars > MAX_SMALL_CHARS:
        return None
    # The text is read only where a rule on it can apply (most small blocks are plain
    # paragraphs, too long for a meta line and without a link or a button).
    # Read once: the tree does not change before the walk is over.
    text = _visible_text(element, size.hidden) if size.chars <= MAX_META_CHARS else None
    if text is not None and is_meta_line(text):
        return "meta"
    if (
        text is not None
        and size.chars <= MAX_DATELINE_CHARS
        and is_dateline(text, needs_lead=in_list)
    ):
        return "dateline"
    # The rules below look at a block as one unit, so it must be one: a wrapper holding a
    # real paragraph beside a sign-up box is not removed (the box inside it is).
    if size.paragraphs > 1:
        return None
    if size.has_field:
        return "field"
    if not (size.links or size.has_button):
        return None
    if text is None:
        text = _visible_text(element, size.hidden)
    rest = read_more_rest(text)
    if rest is not None and size.links and size.link_chars >= 0.5 * _count(rest):
        return "read-more"
    if _NEWSLETTER_WORDS.search(text) and any(map(is_call_to_action, _calls_to_action(element))):
        return "signup"
    return None


def _line_rule(
    element: HtmlElement, sizes: dict[HtmlElement, _Measure], in_list: bool
) -> str | None:
    """``"dateline"`` for an inline element (a ``<time>``, a ``<span>``) that is a dateline
    on a line of its own, between blocks; None to keep it (and look inside it)."""
    size = sizes[element]
    if size.has_h1 or not _stands_alone(element, sizes):
        return None
    text = _visible_text(element, size.hidden)
    return "dateline" if is_dateline(text, needs_lead=in_list or size.schedule) else None


def _stands_alone(element: HtmlElement, sizes: dict[HtmlElement, _Measure]) -> bool:
    """True when an inline element is a line of its own: no text and no inline element with
    text beside it, up to the blocks (or ``<br>``) around it. Where it is all of an inline
    parent, the parent's neighbours count ("<p>Text <span><time>...</time></span></p>" is
    part of a sentence), and an inline parent that holds blocks (a ``<span>`` around a whole
    article body) is looked through."""
    node = element
    before = after = None
    while True:
        if after is None:
            after = _side_is_clear(node, sizes, forward=True)
        if before is None:
            before = _side_is_clear(node, sizes, forward=False)
        if before is False or after is False:
            return False
        if before and after:
            return True
        node = node.getparent()
        if node is None or not sizes[node].inline:
            return True  # the edge of a block


def _side_is_clear(
    node: HtmlElement, sizes: dict[HtmlElement, _Measure], *, forward: bool
) -> bool | None:
    """Whether the siblings on one side of ``node`` are blank up to a block (True), hold
    text (False: a comment counts as text, keeping the element is the safe side) or are
    blank up to the parent's edge (None)."""
    if forward and _count(node.tail):
        return False
    while (sibling := node.getnext() if forward else node.getprevious()) is not None:
        if not isinstance(sibling.tag, str):
            return False
        if not forward and _count(sibling.tail):
            return False
        if sibling.tag not in _INLINE:
            return True
        if sizes[sibling].chars or (forward and _count(sibling.tail)):
            return False
        node = sibling
    return None if forward or not _count(node.getparent().text) else False


class Removed(NamedTuple):
    """One block :func:`strip_boilerplate` took out: the rule that found it, and the
    element itself (detached from the page, with its subtree)."""

    rule: str
    element: HtmlElement

    @property
    def text(self) -> str:
        """The block's visible text, whitespace collapsed."""
        return _visible_text(self.element)


def strip_boilerplate(root: HtmlElement) -> list[Removed]:
    """Remove the boilerplate blocks from a parsed page, in place; returns what went.

    Walks the tree from the top and removes each outermost block that a rule finds
    (:func:`_boilerplate_rule`), keeping its tail text (which belongs to the parent);
    what is inside a removed block is not looked at again.
    """
    sizes = _measure(root)
    doomed: list[Removed] = []
    stack = [(root, False)]  # an element, and whether it is in a list or a table
    while stack:
        element, in_list = stack.pop()
        children = sizes[element].children
        if not children:
            continue
        rules = [
            _boilerplate_rule(child, size, in_list or size.schedule)
            if (size := sizes[child]).candidate
            else _line_rule(child, sizes, in_list)
            if size.line
            else None
            for child in children
        ]
        # A box title left just before a removed list of links goes with it.
        if "links" in rules or "name" in rules:
            for index in range(len(children) - 1):
                if rules[index] is None and rules[index + 1] in ("links", "name"):
                    title, size = children[index], sizes[children[index]]
                    if size.chars <= 60 and not size.has_h1 and is_box_title(_visible_text(title)):
                        rules[index] = "title"
        for child, rule in zip(children, rules, strict=True):
            if rule is None:
                stack.append((child, in_list or sizes[child].schedule))
            else:
                doomed.append(Removed(rule, child))
    for removed in doomed:
        removed.element.drop_tree()
    return doomed
