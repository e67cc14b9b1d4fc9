"""The built-in demo news site for `mediawatch demo`: "The Harbour Gazette".

A fictional local paper (all text written for this project) served by `NewsSite` on
``http://127.0.0.1:8765``: six articles in two sections, a home page, section pages, an
RSS feed, a sitemap and a robots.txt. `DemoSite.edit_story` makes the kind of edit a
newsroom makes after publication, so the demo can show the archive catching it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from crawler.newssite import (
    FeedEntry,
    PublishedSite,
    Resource,
    SitemapEntry,
    article_page,
    robots_txt,
    rss_feed,
    section_page,
    sitemap_urlset,
)

DEMO_PORT = 8765
SITE_NAME = "The Harbour Gazette"
SECTIONS = {"news": "News", "culture": "Culture"}
NAV = [("/", "Home"), ("/news/", "News"), ("/culture/", "Culture"), ("/about", "About us")]


@dataclass(frozen=True)
class DemoArticle:
    """One story of the demo paper."""

    path: str
    section: str  # a key of SECTIONS
    title: str
    author: str
    published: datetime
    paragraphs: tuple[str, ...]
    modified: datetime | None = None


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


FERRY = DemoArticle(
    path="/2026/11/harbour-ferry-fares-rise.html",
    section="news",
    title="Harbour ferry fares to rise by 12 per cent in January",
    author="Maren Olsen",
    published=_at(24, 7, 30),
    paragraphs=(
        "Passengers on the Harbour ferry will pay more for every crossing from January, after "
        "Skerry Link confirmed on Monday that fares are to rise by 12 per cent across its routes.",
        "Under the new tariff, a single adult ticket between Eastquay and Skerry Point will cost "
        "£4.70, up from £4.20. A monthly commuter pass rises from £96 to £107.50, and the "
        "concession fare for pensioners and students goes up by 40p.",
        "Skerry Link said the increase would raise about £1.2 million a year, most of which will "
        "go towards engine work on its two vessels, the Marram and the Kittiwake, both of which "
        "are more than 25 years old.",
        "“Nobody likes putting prices up, and we have held them for three years,” said the "
        "company's operations director, Ruth Calder. “But the boats are at the point where we "
        "either invest now or start cancelling sailings next winter.”",
        "Commuters waiting at the Eastquay pier on Monday morning were unimpressed. Liam Hughes, "
        "who crosses twice a day to his job at the boatyard on Skerry Point, said the rise would "
        "cost him well over £100 a year. “There is no other way across unless you drive forty "
        "minutes round the head of the bay,” he said.",
        "The harbour council, which subsidises the late-evening sailings, said it would review "
        "its contribution at its budget meeting next month. Councillor Fiona Grant, who chairs "
        "the transport committee, said she wanted assurances that the timetable would not be cut "
        "while fares went up.",
        "The new fares take effect on 5 January. Season tickets bought before the end of "
        "December will be honoured at the old price until they expire.",
    ),
)

ARTICLES: tuple[DemoArticle, ...] = (
    FERRY,
    DemoArticle(
        path="/2026/11/northgate-sea-wall-repairs.html",
        section="news",
        title="Repairs begin on storm-damaged sea wall at Northgate",
        author="Daniel Achterberg",
        published=_at(20, 10, 15),
        paragraphs=(
            "Contractors began work this week on the stretch of sea wall at Northgate that was "
            "breached during the October storms, closing the promenade between the lifeboat "
            "station and the old bathing pool until the spring.",
            "About 60 metres of the Victorian wall collapsed on the night of 14 October, when a "
            "spring tide and a north-easterly gale combined to push waves over the parapet. "
            "Seawater flooded the cellars of eleven houses on Strand Terrace and left a crater in "
            "the road behind the wall.",
            "The council has set aside £2.3 million for the repairs, which will replace the "
            "collapsed section with a concrete core faced in the original granite blocks, many of "
            "them recovered from the beach by volunteers in the days after the storm.",
            "“People were out with wheelbarrows at six in the morning,” said Hamish Reid, who runs "
            "the café at the bathing pool. “Those stones have been part of this town for a "
            "hundred and fifty years. It matters to folk that they go back.”",
            "Engineers say the new section will be raised by 40 centimetres to allow for higher "
            "sea levels. Residents on Strand Terrace have asked for the rest of the wall to be "
            "surveyed before next winter, and the council has agreed to publish the results.",
            "A temporary footpath has been laid along Northgate Road, and buses will continue to "
            "stop outside the lifeboat station throughout the works.",
        ),
    ),
    DemoArticle(
        path="/2026/11/westfield-library-sundays.html",
        section="news",
        title="Council votes to keep Westfield library open on Sundays",
        author="Priya Raman",
        published=_at(18, 16, 40),
        paragraphs=(
            "Westfield library will stay open on Sunday afternoons after councillors voted on "
            "Tuesday to reverse a plan that would have closed it at weekends to save money.",
            "The proposal, part of a package of savings drawn up in the summer, would have cut "
            "the library's opening hours from 52 to 40 a week. More than 3,000 people signed a "
            "petition against it, and a group of parents held a read-in on the library steps "
            "last month.",
            "Councillors voted 14 to 9 to find the £38,000 a year needed from the council's "
            "reserves instead. The library will also trial opening until eight in the evening "
            "on Thursdays from February.",
            "“Sunday is the one day a lot of families can come in together,” said the head "
            "librarian, Agnes Mbeki. “We have children who do their homework here because there "
            "is no quiet place at home. Closing on Sundays would have hit them hardest.”",
            "Opposition councillors warned that the reserves could not be used to plug gaps for "
            "ever, and said the decision only postponed a harder conversation about the cost of "
            "running the town's three libraries.",
        ),
    ),
    DemoArticle(
        path="/2026/11/lighthouse-choir-winter-concert.html",
        section="culture",
        title="Lighthouse Choir returns with a winter concert in the old net loft",
        author="Tomás Ferreira",
        published=_at(22, 9),
        paragraphs=(
            "The Lighthouse Choir will give its first winter concert in four years next month, in "
            "the restored net loft above the fish market where the choir was founded in 1978.",
            "The programme mixes sea shanties and working songs collected from the harbour's own "
            "fishing families with carols and a new piece, The Long Light, written for the choir "
            "by the local composer Isla Murray.",
            "Murray said the piece was built around the rhythm of the lighthouse on Skerry Point, "
            "which flashes twice every fifteen seconds. “Every child in this town has fallen "
            "asleep counting that light,” she said. “I wanted the choir to sing it.”",
            "The choir has 46 members, the youngest of them fourteen and the oldest ninety-one. "
            "Rehearsals have been held on Wednesday nights in the scout hall since the summer, "
            "with a week of evening sessions in the loft itself to get used to its acoustics.",
            "Tickets, at £8 or £5 for under-16s, are on sale from the harbour office and the "
            "bookshop on Quay Street. Proceeds will go towards a new roof for the lifeboat "
            "station.",
        ),
    ),
    DemoArticle(
        path="/2026/11/harbour-film-festival-programme.html",
        section="culture",
        title="Harbour Film Festival builds its programme around the sea",
        author="Aoife Brennan",
        published=_at(16, 12),
        paragraphs=(
            "The Harbour Film Festival has announced a programme of 28 films for its twelfth "
            "edition in February, almost all of them made on, by or about the sea.",
            "The festival opens with a restored print of a 1950s documentary about the herring "
            "fleet, filmed partly in the harbour itself, with a live score by a string quartet "
            "from the music school. Several families whose relatives appear in the film have "
            "been invited to the screening.",
            "Other highlights include a new Norwegian drama about a ferry captain's final "
            "crossing, a programme of short films made by pupils at the high school, and an "
            "all-night screening in the lifeboat station for those who can stay awake until the "
            "dawn tide.",
            "Festival director Kasia Nowak said she had wanted to bring the event back to the "
            "waterfront after two years in the cinema on the High Street. “The town looks out to "
            "sea, so the festival should too,” she said.",
            "Passes go on sale on 1 December. As in previous years, screenings for schools and "
            "for residents of the care homes on Hill Road will be free.",
        ),
    ),
    DemoArticle(
        path="/2026/11/potters-cooperative-quay-street.html",
        section="culture",
        title="Potters' cooperative opens a shop in the old chandlery on Quay Street",
        author="Ellis Grant",
        published=_at(12, 14, 30),
        paragraphs=(
            "A cooperative of nine potters from around the bay has opened a shop in the former "
            "ship chandlery on Quay Street, which had stood empty since the chandler retired "
            "three years ago.",
            "The shop sells mugs, bowls and tiles, many of them glazed in the greys and greens of "
            "the harbour in winter. Each member works one day a week behind the counter, and the "
            "back room has been turned into a workshop where visitors can watch a wheel in use.",
            "“We all used to sell at the summer market and then had nowhere to go from October to "
            "May,” said Jess Amory, one of the founders. “Now we can keep working through the "
            "year and people can find us.”",
            "The building's owner agreed a reduced rent for the first two years as part of a "
            "council scheme to fill empty shops on the waterfront. Two other units on the street "
            "are due to reopen in the spring, one as a bakery and one as a bicycle repair "
            "workshop.",
            "The cooperative plans to run evening classes from January, and the old chandlery "
            "sign, repainted by a sign-writer from the boatyard, has gone back up above the door.",
        ),
    ),
)

# The edit `edit_story` makes: a corrected figure, a correction note, a sharper headline.
_FIGURE_BEFORE = "about £1.2 million a year"
_FIGURE_AFTER = "about £1.6 million a year"
_EDITED_TITLE = "Harbour ferry fares to rise by 12 per cent from January, operator confirms"
_CORRECTION = (
    "Correction, 25 November 2026: An earlier version of this article said the fare rise would "
    "raise about £1.2 million a year. Skerry Link has since said the figure is £1.6 million."
)
_EDITED_AT = _at(25, 16, 5)

_AROUND_HTML = (
    '<section class="most-read"><h2>Most read</h2><ol>'
    '<li><a href="/2026/11/northgate-sea-wall-repairs.html">Repairs begin on storm-damaged sea '
    "wall at Northgate</a></li>"
    '<li><a href="/2026/11/harbour-ferry-fares-rise.html">Harbour ferry fares to rise</a></li>'
    '<li><a href="/2026/11/westfield-library-sundays.html">Westfield library keeps its '
    "Sundays</a></li></ol></section>\n"
    '<section class="newsletter-signup"><h2>The Morning Tide</h2>'
    "<p>Harbour news, weather and sailing times in your inbox before the first ferry. Free, "
    "every weekday.</p>"
    '<form action="/newsletter" method="post"><input type="email" name="email" '
    'placeholder="Your email"><button type="submit">Sign up</button></form></section>\n'
)


class DemoSite(PublishedSite):
    """The Harbour Gazette on a loopback `NewsSite`; port 0 picks a free port."""

    EDITED_PATH = FERRY.path

    def __init__(self, port: int = DEMO_PORT) -> None:
        super().__init__(port)
        self.articles: dict[str, DemoArticle] = {a.path: a for a in ARTICLES}
        newest_first = sorted(ARTICLES, key=lambda a: a.published, reverse=True)
        self.article_paths: list[str] = [a.path for a in newest_first]
        self.edited = False

    def publish(self) -> None:
        """Every article, the listings and robots.txt."""
        for article in self.articles.values():
            self.site.set(article.path, self.render_article(article))
        self._publish_listings()

    def article_urls(self) -> list[str]:
        """Every article's absolute URL, newest first."""
        return [self.url(path) for path in self.article_paths]

    def edit_story(self) -> None:
        """Edit the ferry story as a newsroom would: fix a figure, add a correction, retitle.

        A second call changes nothing: the story is edited once.
        """
        if self.edited:
            return
        story = self.articles[self.EDITED_PATH]
        paragraphs = tuple(p.replace(_FIGURE_BEFORE, _FIGURE_AFTER) for p in story.paragraphs)
        edited = replace(
            story,
            title=_EDITED_TITLE,
            paragraphs=(*paragraphs, _CORRECTION),
            modified=_EDITED_AT,
        )
        self.articles[self.EDITED_PATH] = edited
        self.site.set(edited.path, self.render_article(edited))
        self._publish_listings()
        self.edited = True

    def render_article(self, article: DemoArticle) -> Resource:
        """The article page, with Last-Modified from its last edit."""
        page = article_page(
            article.title,
            article.paragraphs,
            author=article.author,
            published=article.published,
            modified=article.modified,
            canonical=self.url(article.path),
            section=SECTIONS[article.section],
            section_url=f"/{article.section}/",
            site_name=SITE_NAME,
            nav=NAV,
            around_html=_AROUND_HTML,
        )
        return Resource(page.encode(), last_modified=article.modified or article.published)

    def _publish_listings(self) -> None:
        """Home and section pages, the RSS feed, the sitemap and robots.txt."""
        stories = sorted(self.articles.values(), key=lambda a: a.published, reverse=True)
        self.site.set(
            "/",
            section_page(
                SITE_NAME,
                [(a.path, a.title) for a in stories],
                site_name=SITE_NAME,
                nav=NAV,
                intro="News from the harbour, the bay and the islands since 1891.",
                around_html=_AROUND_HTML,
            ),
        )
        for slug, name in SECTIONS.items():
            links = [(a.path, a.title) for a in stories if a.section == slug]
            self.site.set(f"/{slug}/", section_page(name, links, site_name=SITE_NAME, nav=NAV))
        self.site.set(
            "/about",
            section_page(
                "About us",
                [],
                site_name=SITE_NAME,
                nav=NAV,
                intro="The Harbour Gazette is an independent weekly and daily website covering "
                "the harbour town and the bay. Tips: newsdesk@harbour-gazette.invalid.",
            ),
        )
        self.site.set(
            "/admin/",
            section_page("Staff sign-in", [], site_name=SITE_NAME, intro="Staff only."),
        )
        entries = [
            FeedEntry(a.title, self.url(a.path), a.published, a.paragraphs[0], a.author, a.modified)
            for a in stories
        ]
        feed = rss_feed(
            SITE_NAME, self.base_url + "/", entries, description="Latest from The Harbour Gazette"
        )
        self.site.set("/rss.xml", Resource(feed.encode(), "application/rss+xml; charset=utf-8"))
        sitemap = sitemap_urlset(
            [SitemapEntry(self.url(a.path), a.modified or a.published) for a in stories]
        )
        self.site.set("/sitemap.xml", Resource(sitemap.encode(), "application/xml; charset=utf-8"))
        robots = robots_txt(["/admin/"], [self.url("/sitemap.xml")])
        self.site.set("/robots.txt", Resource(robots.encode(), "text/plain; charset=utf-8"))
