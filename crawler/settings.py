"""Scrapy settings for mediawatch: polite, bounded, and fast enough for a news site.

`mediawatch crawl` and `scrapy crawl news -a source=NAME` both use these; the first also
sets MEDIAWATCH_CONFIG / MEDIAWATCH_DATABASE_URL and quieter logging.
"""

from scrapy.settings import default_settings as scrapy_defaults

BOT_NAME = "mediawatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Good manners (SPEC section 4). The user agent comes from the config at crawl time.
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
EXTENSIONS = {
    "scrapy.extensions.throttle.AutoThrottle": None,
    "crawler.throttle.NotModifiedAwareAutoThrottle": 0,
}
# The delay before the first answers tell AutoThrottle how fast the site is; it then
# follows the site's latency within a few responses. At 0.5 s the ramp-down alone added
# about 0.8 s to every crawl of every source (a third of a recheck of an unchanged site);
# at 0.1 s a site sees at most ten requests in the first second.
AUTOTHROTTLE_START_DELAY = 0.1
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 8
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# News sites are http(s); the file:, data:, ftp: and s3: handlers are never needed.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}

# Bounded: a page over this is refused while downloading, never held in memory.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
DOWNLOAD_TIMEOUT = 30
DNS_TIMEOUT = 15

# Retries with backoff (crawler.middlewares.BackoffRetryMiddleware replaces Scrapy's own).
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Each failure is recorded and summed up at the end; the log need not shout about it.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 30.0
DOWNLOADER_MIDDLEWARES = {
    # Before robots.txt (100) and Scrapy's OffsiteMiddleware (50), which skips dont_filter.
    "crawler.middlewares.AllowedDomainsMiddleware": 40,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
}
# <meta http-equiv=refresh> redirects would make Scrapy decode every page in the crawl
# process; news articles do not use them, and decoding belongs to the extraction workers.
METAREFRESH_ENABLED = False
# The spider decides what 304, 404 and 410 mean for an article.
HTTPERROR_ALLOWED_CODES = [304, 404, 410]

ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
# Items processed in parallel *per response*. The spider yields at most one item per
# response (its article), so more buys nothing, and Scrapy starts this many tasks for
# every response whatever it yields: at the 64 set here before, a recheck of 438 unchanged
# pages made 30,000 asyncio tasks. How many articles wait for extraction at once is
# bounded by CONCURRENT_REQUESTS and Scrapy's scraper slot instead.
CONCURRENT_ITEMS = 4

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"

# mediawatch's own settings.
MEDIAWATCH_BATCH_SIZE = 50  # articles stored per transaction
MEDIAWATCH_BATCH_SECONDS = 2.0  # ... or after this long, whichever comes first
MEDIAWATCH_MAX_SITEMAP_DEPTH = 3  # sitemap index -> index -> urlset
# How long a worker's claim on an article it is fetching holds (storage/work.py). Claims
# are renewed while the worker lives; this is how soon the articles of a worker that died
# are fetched by another. `mediawatch crawl` reads it from the environment variable of
# the same name (tests shorten it); `scrapy crawl` from -s MEDIAWATCH_CLAIM_SECONDS=...
MEDIAWATCH_CLAIM_SECONDS = 300.0


# Components that mediawatch never uses, left out of Scrapy's base lists. Scrapy imports
# every listed component at start-up even when it is switched off by its own setting or
# set to None (the remote control alone imports aiohttp, the cookie middleware
# tldextract), and a recheck of an unchanged site is mostly process start-up. The lists
# are Scrapy's own minus these, so components a Scrapy upgrade adds are kept.
def _without(base: dict[str, int], *unused: str) -> dict[str, int]:
    return {name: order for name, order in base.items() if name not in unused}


EXTENSIONS_BASE = _without(
    scrapy_defaults.EXTENSIONS_BASE,
    "scrapy.extensions.telnet.TelnetConsole",  # TELNETCONSOLE_ENABLED is off
    "scrapy.extensions.remote_control.RemoteControl",
    "scrapy.extensions.feedexport.FeedExporter",  # items go to the archive, not to feeds
    "scrapy.extensions.memdebug.MemoryDebugger",
    "scrapy.extensions.spiderstate.SpiderState",  # no JOBDIR
    "scrapy.extensions.throttle.AutoThrottle",  # replaced, see EXTENSIONS
)
DOWNLOADER_MIDDLEWARES_BASE = _without(
    scrapy_defaults.DOWNLOADER_MIDDLEWARES_BASE,
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",  # COOKIES_ENABLED is off
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware",  # METAREFRESH_ENABLED
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware",  # no HTTP cache
    "scrapy.downloadermiddlewares.retry.RetryMiddleware",  # replaced, see above
)
