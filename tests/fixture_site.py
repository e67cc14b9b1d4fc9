"""The tests' own news site, "The Meridian Courier", served over real HTTP on 127.0.0.1.

Twelve articles in three sections, reachable by seven discovery routes: the home page,
section pages, an RSS 2.0, an Atom and an RSS 1.0 (RDF) feed, a gzipped sitemap (through
/sitemap_index.xml) and a Google News sitemap. Every route finds at least one article that
no other route finds, so a test can tell which routes a crawler really read. One article
lives under /private/, which robots.txt disallows, and is linked from the home page and
the RSS feed: a polite crawler never fetches it.

Pages carry the boilerplate real sites churn on every load (share counts, "N minutes
ago", most-read lists, ads and script tokens, newsletter promos, related-story teasers
between paragraphs); `churn` re-renders an article with new boilerplate and the same
text, `edit_article` changes the text itself. The traps of tests/traps.py can be set on
one article at a time: `serve_wall`, `serve_teaser`, `cut_body`, `serve_headline_variants`,
`serve_json_only`, `serve_datelines` (undone by `clear_trap`), and `move_article` and
`add_copy` for an article at a new address and its AMP and print copies.

    from tests.fixture_site import fixture_site  # the pytest fixture

    def test_something(fixture_site: FixtureSite) -> None:
        fixture_site.url("/rss.xml")
"""

from __future__ import annotations

import gzip
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from html import escape
from typing import TypeVar

import pytest

from crawler.newssite import (
    FeedEntry,
    PublishedSite,
    RequestRecord,
    Resource,
    SitemapEntry,
    article_page,
    atom_feed,
    rdf_feed,
    robots_txt,
    rss_feed,
    section_page,
    sitemap_index,
    sitemap_urlset,
)
from tests.churn import body_spans
from tests.traps import (
    COPY_KINDS,
    JSON_STYLES,
    WALL_KINDS,
    copy_page,
    inject_datelines,
    json_only_page,
    paywall_teaser,
    wall_page,
)

SITE_NAME = "The Meridian Courier"
SECTIONS = {"world": "World", "business": "Business", "science": "Science"}
ROUTES = ("home", "section", "rss", "atom", "rdf", "sitemap", "news_sitemap")
NAV = [
    ("/", "Home"),
    *((f"/{slug}/", name) for slug, name in SECTIONS.items()),
    ("/about", "About"),
]
TRACKING_QUERY = "utm_source=homepage&utm_medium=promo&utm_campaign=top-stories"
FEED_TRACKING_QUERY = "utm_source=rss&utm_medium=feed"

_XML = "application/xml; charset=utf-8"
_V = TypeVar("_V")
CUT_MODES = ("length", "close")


@dataclass(frozen=True)
class ArticleSpec:
    """One fixture article and the discovery routes that list it."""

    path: str
    title: str
    paragraphs: tuple[str, ...]
    authors: tuple[str, ...]
    published: datetime
    section: str  # a key of SECTIONS
    routes: frozenset[str]

    @property
    def private(self) -> bool:
        """Under /private/, which robots.txt disallows."""
        return self.path.startswith("/private/")


def _spec(
    path: str,
    section: str,
    routes: str,
    title: str,
    authors: str,
    published: str,
    paragraphs: Iterable[str],
) -> ArticleSpec:
    return ArticleSpec(
        path=path,
        title=title,
        paragraphs=tuple(paragraphs),
        authors=tuple(authors.split(", ")),
        published=datetime.fromisoformat(published).replace(tzinfo=UTC),
        section=section,
        routes=frozenset(routes.split()),
    )


ARTICLES: tuple[ArticleSpec, ...] = (
    _spec(
        "/2026/10/coastal-states-sign-fisheries-pact.html",
        "world",
        "home",
        "Coastal states sign a ten-year fisheries pact",
        "Lena Voss",
        "2026-10-05T08:00",
        [
            "Five coastal states signed a ten-year agreement on Sunday that sets shared catch "
            "limits for mackerel and herring in the northern sea, ending a dispute that had "
            "kept their fleets in port for part of last season.",
            "Under the pact, quotas will be set each year by a joint scientific panel rather "
            "than negotiated minister by minister, and any state that overfishes its share "
            "will see the excess deducted from the following year's allowance.",
            "Fishing organisations welcomed the certainty but warned that the first year's "
            "limits, about eight per cent below last year's catch, would be hard on smaller "
            "boats that cannot follow the shoals far offshore.",
            "Environmental groups said the deal was the first in the region to tie quotas "
            "directly to scientific advice, and called on the signatories to publish the "
            "panel's data so that its work could be checked independently.",
        ],
    ),
    _spec(
        "/2026/10/mountain-rail-tunnel-opens.html",
        "world",
        "section",
        "Mountain rail tunnel opens after eleven years of work",
        "Tomasz Lind",
        "2026-10-09T11:30",
        [
            "The longest rail tunnel in the region opened to passenger trains on Friday, "
            "cutting the journey between the two valley capitals from three hours to just "
            "over ninety minutes.",
            "Work on the 34-kilometre tunnel began eleven years ago and was delayed twice, "
            "first by flooding in the eastern bore and then by a dispute over the cost of "
            "the ventilation system, which ended up almost double the original estimate.",
            "Freight operators are expected to move a large share of the lorry traffic that "
            "now crosses the pass by road, which local councils hope will ease pollution in "
            "the villages along the old mountain route.",
            "The first public train left at six in the morning carrying several hundred "
            "passengers, among them a group of retired engineers who had worked on the "
            "original survey of the mountain in the 1990s.",
        ],
    ),
    _spec(
        "/2026/10/grain-prices-fall-after-harvest.html",
        "business",
        "rss",
        "Grain prices fall to a three-year low after a record harvest",
        "Ada Okafor",
        "2026-10-12T07:15",
        [
            "Wheat and barley prices fell to their lowest level in three years this week as "
            "farmers brought in one of the largest harvests on record across the plains.",
            "Traders said storage was filling quickly and that some cooperatives had begun "
            "turning away deliveries, pushing growers without their own silos to sell at "
            "whatever price the market offered.",
            "Bakers and feed producers stand to benefit, although economists cautioned that "
            "lower grain costs usually take several months to show up in the price of bread "
            "on supermarket shelves.",
            "Farm unions asked the agriculture ministry to bring forward payments under its "
            "support scheme, arguing that many growers borrowed heavily in the spring when "
            "fertiliser prices were at their peak.",
        ],
    ),
    _spec(
        "/2026/10/deep-sea-survey-finds-new-corals.html",
        "science",
        "atom",
        "Deep-sea survey finds coral gardens on an unmapped ridge",
        "Hiro Tanaka",
        "2026-10-15T14:00",
        [
            "A research vessel mapping the ocean floor off the southern shelf has found dense "
            "coral gardens on a ridge that did not appear on any existing chart.",
            "The corals were filmed by a remotely operated vehicle at depths of between 700 "
            "and 900 metres, where the water is just a few degrees above freezing and no "
            "sunlight reaches.",
            "Scientists on board said at least two of the species they recorded may be new "
            "to science, and that the ridge appeared to be a nursery for several kinds of "
            "deep-water fish.",
            "The survey team has recommended that the area be protected from bottom trawling "
            "while further expeditions study how far the coral gardens extend.",
        ],
    ),
    _spec(
        "/2026/10/regional-bank-merger-approved.html",
        "business",
        "rdf",
        "Regulator approves merger of two regional banks",
        "Marco Bellini",
        "2026-10-20T09:45",
        [
            "The competition regulator on Tuesday approved the merger of two regional banks, "
            "creating the third-largest lender in the country by number of branches.",
            "As a condition of the approval, the combined bank must sell forty branches in "
            "towns where the two lenders are now the only banks on the high street, and keep "
            "cash machines running in every town it serves for at least five years.",
            "Consumer groups said the conditions did not go far enough and warned that "
            "customers in rural areas could still face longer journeys to reach a counter.",
            "The banks said the deal would be completed by the end of the year and that no "
            "customer would need to change account numbers or cards before the summer.",
        ],
    ),
    _spec(
        "/2026/09/comet-returns-after-seventy-years.html",
        "science",
        "sitemap",
        "Comet returns to northern skies after seventy years",
        "Ines Carvalho",
        "2026-09-28T21:00",
        [
            "A comet last seen in 1956 has returned to the northern sky and should be visible "
            "to the naked eye from dark sites for the next two weeks, astronomers said.",
            "The comet is best seen low in the west shortly after sunset, where its tail "
            "already stretches about the width of a hand held at arm's length.",
            "Observatories across the region plan open evenings, and amateur groups are "
            "asking observers to send in photographs to help track how the tail changes as "
            "the comet moves away from the Sun.",
            "Astronomers said the comet would not return for another seventy years, making "
            "this the only chance most people alive today will have to see it.",
        ],
    ),
    _spec(
        "/2026/11/river-delta-flood-defences.html",
        "world",
        "news_sitemap",
        "River delta towns vote for new flood defences",
        "Amara Diallo",
        "2026-11-02T06:30",
        [
            "Voters in six towns on the river delta approved a plan on Sunday to raise a new "
            "ring of embankments, after two floods in three years forced thousands of people "
            "from their homes.",
            "The plan will be paid for by a small surcharge on property taxes over twenty "
            "years, with the national government covering half of the cost of the main "
            "embankment.",
            "Opponents had argued for moving the most exposed neighbourhoods to higher ground "
            "instead, saying that higher walls would only delay the problem as sea levels "
            "continue to rise.",
            "Engineers expect construction to start next spring, beginning with the stretch "
            "of riverbank that failed during last year's flood.",
        ],
    ),
    _spec(
        "/2026/11/port-workers-agree-new-contract.html",
        "business",
        "home section rss atom rdf sitemap news_sitemap",
        "Port workers agree a new contract, ending the threat of strikes",
        "Ruth Adeyemi",
        "2026-11-06T17:20",
        [
            "Dock workers at the country's two largest container ports voted on Thursday to "
            "accept a new three-year contract, ending weeks of uncertainty for shipping lines "
            "and importers.",
            "The deal raises pay by eleven per cent over three years and limits the use of "
            "automated cranes at older terminals until workers there have been offered "
            "retraining.",
            "Union leaders said the vote showed members wanted to settle before the busy "
            "season for imports, while port operators said the agreement would let them "
            "plan investment with more confidence.",
            "Retailers, who had warned that a strike could empty shelves before the holidays, "
            "welcomed the result and said deliveries were already returning to normal.",
        ],
    ),
    _spec(
        "/2026/11/city-trials-heat-pump-district.html",
        "science",
        "home rss sitemap",
        "City trials a heat pump network for a whole district",
        "Jonas Berg, Priya Nair",
        "2026-11-10T10:00",
        [
            "A district of about 2,000 homes in the capital has become the first in the "
            "country to be heated by a shared network of heat pumps drawing warmth from the "
            "river.",
            "The system replaces individual gas boilers with a loop of insulated pipes that "
            "carries warm water to every building, with large pumps at the riverside doing "
            "the work of hundreds of small ones.",
            "Residents will pay a fixed monthly charge that the city says should be lower "
            "than their current gas bills, although critics pointed out that the price is "
            "only guaranteed for the first five years.",
            "Researchers at the technical university will monitor the network through two "
            "winters to see whether it can be copied in older parts of the city, where "
            "digging up streets is harder.",
        ],
    ),
    _spec(
        "/2026/11/island-election-result-confirmed.html",
        "world",
        "section atom sitemap",
        "Island election result confirmed after recount",
        "Lena Voss",
        "2026-11-14T13:10",
        [
            "The electoral commission confirmed on Friday that the opposition won last "
            "month's island election, after a recount requested by the governing party "
            "changed the final tally by fewer than fifty votes.",
            "The new government will take office next week with a majority of two seats in "
            "the island's assembly, and has promised to review the ferry contracts that "
            "dominated the campaign.",
            "Observers from the regional association of election officials said the recount "
            "had been carried out openly and that they had found no evidence of "
            "irregularities.",
            "The outgoing premier accepted the result in a short statement and said his party "
            "would work with the new government on the budget due in January.",
        ],
    ),
    _spec(
        "/2026/11/wind-farm-output-record.html",
        "science",
        "home section rdf sitemap news_sitemap",
        "Offshore wind farms set an output record during November storms",
        "Ada Okafor",
        "2026-11-18T08:40",
        [
            "Offshore wind farms generated more than half of the country's electricity for "
            "three days running this week, setting a new record as a series of storms "
            "crossed the coast.",
            "Grid operators said they had to pay some onshore farms to switch off at the "
            "height of the storms because the lines carrying power inland were already "
            "full.",
            "The record has renewed calls for faster construction of new transmission lines, "
            "which have been held up by planning objections in several rural districts.",
            "Energy analysts said the figures showed how much cheap power is wasted when "
            "the wind is strongest, and argued that battery storage should be built close "
            "to the coast.",
        ],
    ),
    _spec(
        "/private/2026/11/budget-briefing-embargoed.html",
        "business",
        "home rss",
        "Embargoed: finance ministry budget briefing notes",
        "Marco Bellini",
        "2026-11-20T18:00",
        [
            "These notes from the finance ministry's background briefing are embargoed until "
            "the budget statement is delivered in parliament.",
            "Officials outlined the expected changes to income tax thresholds and the "
            "timetable for the new duty on sugary drinks, but declined to give figures for "
            "public sector pay.",
            "Editors should not publish any of this material before the embargo lifts, and "
            "the page is kept out of search engines and crawlers.",
            "The full story will be published on the business pages once the minister has "
            "finished speaking.",
        ],
    ),
)

_PROMOS = (
    "Get the Morning Briefing: the day's top stories in your inbox by 7am.",
    "Markets Daily: what moved prices and why, every weekday evening.",
    "Weekend Long Read: our best reporting, delivered on Saturday mornings.",
    "Science Matters: the week's discoveries explained, every Thursday.",
)


@dataclass(frozen=True)
class _Trap:
    """A trap set on one article's page and what it needs (see FixtureSite.serve_wall...)."""

    kind: str  # "wall", "teaser", "cut", "headlines", "json" or "datelines"
    kind_of_wall: str = ""
    lang: str = "en"
    mode: str = ""
    titles: tuple[str, ...] = ()
    style: str = ""
    seed: int = 0


@dataclass(frozen=True)
class _Chrome:
    header_html: str
    inserts: dict[int, str]
    extra_body_html: str
    around_html: str


class FixtureSite(PublishedSite):
    """The Meridian Courier on a loopback `NewsSite`; every page is published by `start`."""

    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.articles: dict[str, ArticleSpec] = {a.path: a for a in ARTICLES}
        self._removed: dict[str, ArticleSpec] = {}
        self._seeds: dict[str, int] = {}
        self._modified: dict[str, datetime] = {}
        # Per article path: the trap its page is served with (see "traps" below), its
        # copies (copy path -> kind), and the old paths it moved from (old path ->
        # whether the old path redirects; without, it serves the page itself).
        self._traps: dict[str, _Trap] = {}
        self._copies: dict[str, dict[str, str]] = {}
        self._moved: dict[str, tuple[str, bool]] = {}

    # -- lifecycle ---------------------------------------------------------------------

    def publish(self) -> None:
        for spec in self.articles.values():
            self._render(spec)
        self._publish_listings()

    @property
    def article_regex(self) -> str:
        """A source's `article_urls` regex matching every article link, private ones too."""
        return rf"^{re.escape(self.base_url)}/(?:private/)?\d{{4}}/\d{{2}}/"

    def source(self, name: str = "courier") -> dict[str, object]:
        """A config `sources:` entry that reads every discovery route of this site."""
        return {
            "name": name,
            "feeds": [self.url(p) for p in ("/rss.xml", "/atom.xml", "/rdf.xml")],
            "sitemaps": [self.url("/sitemap_index.xml")],
            "pages": [self.url("/"), *(self.url(f"/{slug}/") for slug in SECTIONS)],
            "article_urls": self.article_regex,
        }

    # -- what the site holds -----------------------------------------------------------

    def article_urls(self, *, route: str | None = None, include_private: bool = False) -> set[str]:
        """Absolute, clean URLs of the live articles (listed by `route`, if given)."""
        if route is not None and route not in ROUTES:
            raise ValueError(f"unknown route {route!r}; routes are {', '.join(ROUTES)}")
        return {
            self.url(spec.path)
            for spec in self.articles.values()
            if (route is None or route in spec.routes) and (include_private or not spec.private)
        }

    @property
    def requests(self) -> list[RequestRecord]:
        return self.site.requests

    def requests_for(self, path: str) -> list[RequestRecord]:
        return self.site.requests_for(path)

    # -- changes -----------------------------------------------------------------------

    def edit_article(
        self,
        path: str,
        *,
        title: str | None = None,
        paragraphs: Iterable[str] | None = None,
        authors: Iterable[str] | None = None,
    ) -> None:
        """A real edit: new text, a later Last-Modified, the same boilerplate."""
        spec = self.articles[path]
        spec = replace(
            spec,
            title=spec.title if title is None else title,
            paragraphs=spec.paragraphs if paragraphs is None else tuple(paragraphs),
            authors=spec.authors if authors is None else tuple(authors),
        )
        self.articles[path] = spec
        self._touch(path)
        self._render(spec)
        self._publish_listings()

    def churn(self, path: str, seed: int, *, touch_modified: bool = False) -> None:
        """Re-render with the boilerplate of `seed`: same article, different page bytes.

        With `touch_modified` the page's modified time and Last-Modified move too, as on
        sites whose CMS stamps every re-render.
        """
        self._seeds[path] = seed
        if touch_modified:
            self._touch(path)
        self._render(self.articles[path])

    def remove_article(self, path: str, status: int = 404) -> None:
        """Take an article down: its page answers `status` and listings drop it."""
        self._removed[path] = self.articles.pop(path)
        self.site.remove(path, status)
        self._publish_listings()

    def restore_article(self, path: str) -> None:
        """Put a removed article back, unchanged."""
        spec = self._removed.pop(path)
        self.articles[path] = spec
        self._render(spec)
        self._publish_listings()

    def add_article(self, spec: ArticleSpec) -> None:
        """Publish a new article on its page and on every route it lists."""
        unknown = set(spec.routes) - set(ROUTES)
        if unknown or spec.section not in SECTIONS:
            raise ValueError(f"bad routes {sorted(unknown)} or section {spec.section!r}")
        self.articles[spec.path] = spec
        self._render(spec)
        self._publish_listings()

    # -- traps -------------------------------------------------------------------------
    # What real sites serve that is not an edit (tests/traps.py). Each switch holds for
    # one article's page until `clear_trap`, through `churn` and `edit_article` too.

    def serve_wall(self, path: str, kind: str, lang: str = "en") -> None:
        """Answer `path` with a wall instead of the article: 200, kind one of
        tests.traps.WALL_KINDS (consent, bot_check, soft_404, maintenance, rate_limit,
        login), in `lang`; no validators, as interstitials are never cached."""
        if kind not in WALL_KINDS:
            raise ValueError(f"unknown wall kind {kind!r}; one of {WALL_KINDS}")
        self._set_trap(path, _Trap("wall", kind_of_wall=kind, lang=lang))

    def serve_teaser(self, path: str) -> None:
        """Answer `path` with a paywall teaser: its first paragraphs and a subscribe box."""
        self._set_trap(path, _Trap("teaser"))

    def cut_body(self, path: str, mode: str) -> None:
        """Cut the page short in transport, halfway through its body: mode "length"
        announces the whole Content-Length and closes early, "close" is an HTTP/1.0
        answer without Content-Length that just stops. No validators, so every request
        gets the cut body (as on the many news sites that send none)."""
        if mode not in CUT_MODES:
            raise ValueError(f"unknown cut mode {mode!r}; one of {CUT_MODES}")
        self._set_trap(path, _Trap("cut", mode=mode))

    def serve_headline_variants(self, path: str, titles: Iterable[str]) -> None:
        """An A/B test of headlines: from now on the n-th request of the page gets
        ``titles[n % len(titles)]`` in its <title>, <h1>, og:title and JSON-LD (re-rendering
        the page, by `churn` or `edit_article`, starts again at the first)."""
        titles = tuple(titles)
        if not titles:
            raise ValueError("an A/B test needs at least one headline")
        self._set_trap(path, _Trap("headlines", titles=titles))

    def serve_json_only(self, path: str, style: str) -> None:
        """Serve the page client-rendered: no paragraphs in the HTML, the text only in
        JSON-LD articleBody (style "json-ld") or a __NEXT_DATA__ blob ("next-data")."""
        if style not in JSON_STYLES:
            raise ValueError(f"unknown style {style!r}; one of {JSON_STYLES}")
        self._set_trap(path, _Trap("json", style=style))

    def serve_datelines(self, path: str, seed: int) -> None:
        """Add "Updated 14:32 GMT, 3 November 2026" blocks to the page, with the times of
        page load `seed` (call again with another seed for the next load)."""
        self._set_trap(path, _Trap("datelines", seed=seed))

    def clear_trap(self, path: str) -> None:
        """Serve the article's page as it is again, and take its copies down."""
        self._traps.pop(path, None)
        for copy_path in self._copies.pop(path, {}):
            self.site.remove(copy_path)
        self._render(self.articles[path])
        self._publish_listings()

    def move_article(
        self, old_path: str, new_path: str, *, redirect: bool = True, title: str | None = None
    ) -> None:
        """Move an article to a new address, as a CMS does when a slug follows a new
        headline (`title`, a real edit). With `redirect` the old path answers 301 to the
        new one; without, it still answers 200 with the page, whose canonical names the
        new address. Listings list the new path only."""
        if new_path in self.articles:
            raise ValueError(f"{new_path} is already an article")
        spec = self.articles.pop(old_path)
        moved = replace(spec, path=new_path, title=spec.title if title is None else title)
        self.articles[new_path] = moved
        _rename(self._seeds, old_path, new_path)
        _rename(self._modified, old_path, new_path)
        _rename(self._traps, old_path, new_path)
        _rename(self._copies, old_path, new_path)
        self._moved = {
            old: (new_path if target == old_path else target, redirects)
            for old, (target, redirects) in self._moved.items()
        }
        self._moved[old_path] = (new_path, redirect)
        if title is not None:
            self._touch(new_path)
        self._render(moved)
        self._publish_listings()

    def add_copy(self, path: str, copy_path: str, kind: str) -> None:
        """Serve a copy of the article at `copy_path` (may have a query, such as
        ``?output=amp``): kind "amp" (an AMP page, which the article links with
        rel=amphtml) or "print"; its canonical is the article. The sitemap lists it."""
        if kind not in COPY_KINDS:
            raise ValueError(f"unknown copy kind {kind!r}; one of {COPY_KINDS}")
        self._copies.setdefault(path, {})[copy_path] = kind
        self._render(self.articles[path])
        self._publish_listings()

    def _set_trap(self, path: str, trap: _Trap) -> None:
        self._traps[path] = trap
        self._render(self.articles[path])

    def _serve(self, spec: ArticleSpec, page: str, last_modified: datetime) -> None:
        """Put the page (or what its trap makes of it) at its path and at the paths it
        moved from, and its copies at theirs."""
        text = "\n".join(spec.paragraphs)
        seed = self._seeds.get(spec.path, 0)
        trap = self._traps.get(spec.path)
        resources: list[Resource]
        if trap is None:
            resources = [Resource(page.encode(), last_modified=last_modified)]
        elif trap.kind == "wall":
            wall = wall_page(
                trap.kind_of_wall, trap.lang, seed, site_name=SITE_NAME, article_title=spec.title
            )
            headers = {"Cache-Control": "private, no-store"}
            resources = [Resource(wall.encode(), etag=False, headers=headers)]
        elif trap.kind == "cut":
            spans = body_spans(page, text)
            middle = spans[len(spans) // 2]
            cut_at = len(page[: (middle.start + middle.end) // 2].encode())
            body = page.encode()
            close = trap.mode == "close"
            resources = [Resource(body, etag=False, cut_after=cut_at, close_delimited=close)]
        elif trap.kind == "headlines":
            resources = [
                Resource(
                    self._page(replace(spec, title=title)).encode(), last_modified=last_modified
                )
                for title in trap.titles
            ]
        else:
            changed = {
                "teaser": lambda: paywall_teaser(page, seed, text),
                "json": lambda: json_only_page(page, seed, text, trap.style),
                "datelines": lambda: inject_datelines(page, trap.seed, reference=text),
            }[trap.kind]()
            resources = [Resource(changed.encode(), last_modified=last_modified)]
        paths = [spec.path]
        paths += [
            old
            for old, (target, redirects) in self._moved.items()
            if target == spec.path and not redirects
        ]
        for path in paths:
            if len(resources) > 1:
                self.site.rotate(path, resources)
            else:
                self.site.set(path, resources[0])
        for old, (target, redirect) in self._moved.items():
            if target == spec.path and redirect:
                self.site.redirect(old, self.url(spec.path), 301)
        for copy_path, kind in self._copies.get(spec.path, {}).items():
            copy = copy_page(page, self.url(spec.path), kind, reference=text)
            self.site.set(copy_path, Resource(copy.encode(), last_modified=last_modified))

    # -- rendering ---------------------------------------------------------------------

    def _touch(self, path: str) -> None:
        # Strictly later, even within one second, so If-Modified-Since sees the change.
        last = self._modified.get(path, self.articles[path].published)
        now = datetime.now(UTC).replace(microsecond=0)
        self._modified[path] = max(now, last + timedelta(seconds=1))

    def _render(self, spec: ArticleSpec) -> None:
        modified = self._modified.get(spec.path)
        self._serve(spec, self._page(spec), modified or spec.published)

    def _page(self, spec: ArticleSpec) -> str:
        chrome = self._chrome(spec, self._seeds.get(spec.path, 0))
        modified = self._modified.get(spec.path)
        amp = [p for p, kind in self._copies.get(spec.path, {}).items() if kind == "amp"]
        return article_page(
            spec.title,
            spec.paragraphs,
            author=spec.authors,
            published=spec.published,
            modified=modified,
            canonical=self.url(spec.path),
            section=SECTIONS[spec.section],
            section_url=f"/{spec.section}/",
            site_name=SITE_NAME,
            nav=NAV,
            header_html=chrome.header_html,
            inserts=chrome.inserts,
            extra_body_html=chrome.extra_body_html,
            around_html=chrome.around_html,
            head_html="".join(f'<link rel="amphtml" href="{escape(self.url(p))}">\n' for p in amp),
        )

    def _chrome(self, spec: ArticleSpec, seed: int) -> _Chrome:
        """The churning boilerplate of one page load, reproducible from `seed`."""
        rng = random.Random(f"{spec.path}#{seed}")
        token = f"{rng.getrandbits(64):016x}"
        others = sorted(
            p for p in self.articles if p != spec.path and not p.startswith("/private/")
        )

        def link(path: str) -> str:
            return f'<a href="{escape(path)}">{escape(self.articles[path].title)}</a>'

        header = (
            f'<div class="share-bar"><span class="share-count">{rng.randint(40, 25000):,} '
            'shares</span> <a class="share-link" href="#share">Share</a> '
            f'<span class="view-count">{rng.randint(500, 90000):,} views</span></div>\n'
            f'<p class="updated-ago">Updated {rng.randint(2, 59)} minutes ago</p>\n'
        )
        last = len(spec.paragraphs) - 1  # nothing after the last paragraph: that is `extra`
        slots = rng.sample(range(last), k=min(3, last)) if last > 0 else []
        teasers = rng.sample(others, k=min(2, len(others)))
        pieces = [
            f'<aside class="related-stories"><h2>Related</h2><ul>'
            f"{''.join(f'<li>{link(p)}</li>' for p in teasers)}</ul></aside>\n",
            f'<div class="ad-slot" id="ad-{token[:8]}" data-ad-token="{token}">'
            f'<script>window.adSlots=window.adSlots||[];adSlots.push("{token}");</script>'
            "<span>Advertisement</span></div>\n",
            f'<p class="read-more"><strong>Read more:</strong> {link(rng.choice(others))}</p>\n',
        ]
        inserts = dict(zip(slots, pieces, strict=False))
        promo = rng.choice(_PROMOS)
        inline_promo = (
            f'<div class="newsletter-inline"><p>{escape(promo)}</p>'
            '<a href="/newsletters">Sign up</a></div>\n'
        )
        more = rng.sample(others, k=min(3, len(others)))
        extra = (
            inline_promo
            + '<section class="more-stories"><h2>More stories</h2><ul>'
            + "".join(f"<li>{link(p)}</li>" for p in more)
            + "</ul></section>\n"
        )
        most_read = rng.sample(others, k=min(5, len(others)))
        around = (
            '<section class="most-popular"><h2>Most read</h2><ol>'
            + "".join(f"<li>{link(p)}</li>" for p in most_read)
            + "</ol></section>\n"
            f'<section class="newsletter-signup"><h2>Newsletters</h2><p>{escape(promo)}</p>'
            '<form action="/newsletters" method="post">'
            f'<input type="hidden" name="csrf" value="{token}">'
            '<input type="email" name="email"><button type="submit">Sign up</button></form>'
            "</section>\n"
            f'<script>window.__PAGE_TOKEN__="{token}";window.__RENDERED__={seed};</script>\n'
        )
        return _Chrome(header, inserts, extra, around)

    def _publish_listings(self) -> None:
        """Home, section, about and tag pages, the feeds, the sitemaps and robots.txt."""
        stories = sorted(self.articles.values(), key=lambda a: a.published, reverse=True)

        def listed(route: str) -> list[ArticleSpec]:
            return [s for s in stories if route in s.routes]

        home = listed("home")
        links = [(s.path, s.title) for s in home]
        # The same stories again the ways real home pages link them: a comments anchor
        # and a promo link with tracking parameters. Both must normalise to the plain URL.
        public_home = [s for s in home if not s.private]
        if public_home:
            links.append((public_home[0].path + "#comments", "Join the conversation"))
            links.append((f"{public_home[-1].path}?{TRACKING_QUERY}", public_home[-1].title))
        around = (
            '<section class="trending"><h2>Trending</h2><ul>'
            '<li><a href="/tag/elections">Elections</a></li>'
            '<li><a href="/tag/energy">Energy</a></li></ul></section>\n'
            '<section class="partners"><h2>From our partners</h2><ul>'
            '<li><a href="http://example.com/partner/holiday-offers">Winter holiday offers</a>'
            "</li></ul></section>\n"
            '<p class="tips"><a href="mailto:tips@meridian-courier.invalid">Send us a tip</a></p>\n'
        )
        self._html(
            "/", section_page(SITE_NAME, links, site_name=SITE_NAME, nav=NAV, around_html=around)
        )
        for slug, name in SECTIONS.items():
            section_links = [(s.path, s.title) for s in listed("section") if s.section == slug]
            self._html(f"/{slug}/", section_page(name, section_links, site_name=SITE_NAME, nav=NAV))
        self._html(
            "/about",
            section_page("About", [], site_name=SITE_NAME, nav=NAV, intro="An independent daily."),
        )
        for tag in ("elections", "energy"):
            self._html(f"/tag/{tag}", section_page(f"Tag: {tag}", [], site_name=SITE_NAME, nav=NAV))

        home_url = self.url("/")

        def entries(route: str, query: str = "") -> list[FeedEntry]:
            return [
                FeedEntry(
                    s.title,
                    self.url(s.path) + (f"?{query}" if query and len(s.routes) > 1 else ""),
                    s.published,
                    s.paragraphs[0],
                    ", ".join(s.authors),
                    self._modified.get(s.path),
                )
                for s in listed(route)
            ]

        # Feeds commonly tag their links; only stories other routes list get a tag here,
        # so the route-only stories keep one obvious URL.
        rss = rss_feed(SITE_NAME, home_url, entries("rss", FEED_TRACKING_QUERY))
        self._xml("/rss.xml", rss, "application/rss+xml; charset=utf-8")
        atom = atom_feed(SITE_NAME, home_url, entries("atom"), self_url=self.url("/atom.xml"))
        self._xml("/atom.xml", atom, "application/atom+xml; charset=utf-8")
        self._xml("/rdf.xml", rdf_feed(SITE_NAME, home_url, entries("rdf")), "application/rdf+xml")

        sitemap = sitemap_urlset(
            [
                SitemapEntry(self.url(s.path), self._modified.get(s.path, s.published))
                for s in listed("sitemap")
            ]
            + [
                SitemapEntry(self.url(copy_path), self._modified.get(path))
                for path, copies in sorted(self._copies.items())
                if path in self.articles
                for copy_path in copies
            ]
        )
        self.site.set(
            "/sitemap-articles.xml.gz",
            Resource(gzip.compress(sitemap.encode(), mtime=0), "application/x-gzip"),
        )
        news = sitemap_urlset(
            [
                SitemapEntry(self.url(s.path), title=s.title, published=s.published)
                for s in listed("news_sitemap")
            ],
            news=True,
            publication=SITE_NAME,
        )
        self._xml("/sitemap-news.xml", news, _XML)
        index = sitemap_index([self.url("/sitemap-articles.xml.gz"), self.url("/sitemap-news.xml")])
        self._xml("/sitemap_index.xml", index, _XML)
        robots = robots_txt(["/private/"], [self.url("/sitemap_index.xml")])
        self.site.set("/robots.txt", Resource(robots.encode(), "text/plain; charset=utf-8"))

    def _html(self, path: str, page: str) -> None:
        self.site.set(path, page)

    def _xml(self, path: str, text: str, content_type: str) -> None:
        self.site.set(path, Resource(text.encode(), content_type))


def _rename(table: dict[str, _V], old: str, new: str) -> None:
    if old in table:
        table[new] = table.pop(old)


@pytest.fixture
def fixture_site() -> Iterator[FixtureSite]:
    """A started fixture site, stopped after the test."""
    with FixtureSite() as site:
        yield site
