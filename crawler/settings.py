"""Scrapy settings for mediawatch: polite, bounded, and fast enough for a news site.

`mediawatch crawl` and `scrapy crawl news -a source=NAME` both use these; the first also
sets MEDIAWATCH_CONFIG / MEDIAWATCH_DATABASE_URL and quieter logging.
"""

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
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 8
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

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
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
}
# <meta http-equiv=refresh> redirects would make Scrapy decode every page in the crawl
# process; news articles do not use them, and decoding belongs to the extraction workers.
METAREFRESH_ENABLED = False
# The spider decides what 304, 404 and 410 mean for an article.
HTTPERROR_ALLOWED_CODES = [304, 404, 410]

ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
# Items wait for extraction in the process pool; this bounds how many at once.
CONCURRENT_ITEMS = 64

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"

# mediawatch's own settings.
MEDIAWATCH_BATCH_SIZE = 50  # articles stored per transaction
MEDIAWATCH_BATCH_SECONDS = 2.0  # ... or after this long, whichever comes first
MEDIAWATCH_MAX_SITEMAP_DEPTH = 3  # sitemap index -> index -> urlset
