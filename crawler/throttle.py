"""AutoThrottle that counts a 304 Not Modified as a healthy answer.

Scrapy's AutoThrottle only lets 200 responses shorten the delay (so that fast error pages
do not speed a crawl up). A recheck of an unchanged site is all 304s, answered quickly
by a healthy server: with the stock rule the delay never comes down from its start value,
and rechecking a site costs as long as crawling it fresh.
"""

from __future__ import annotations

from typing import Any

from scrapy.extensions.throttle import AutoThrottle


class NotModifiedAwareAutoThrottle(AutoThrottle):
    def _adjust_delay(self, slot: Any, latency: float, response: Any) -> None:
        if response.status == 304:
            response = response.replace(status=200)
        super()._adjust_delay(slot, latency, response)
