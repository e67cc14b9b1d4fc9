"""Exporting the archive for other tools: JSON Lines, CSV, and WARC of the raw pages."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import IO, Any

from sqlalchemy.orm import Session

from storage.archive import decompress_html
from storage.models import Article, Version
from storage.queries import iso, iter_versions

FORMATS = ("jsonl", "csv", "warc")

CSV_COLUMNS = (
    "url",
    "canonical_url",
    "source",
    "version",
    "fetched_at",
    "title",
    "authors",
    "published",
    "modified",
    "language",
    "content_hash",
    "changed",
    "change_kind",
    "words_added",
    "words_removed",
    "text",
)


def version_record(version: Version, article: Article, source: str) -> dict[str, Any]:
    return {
        "url": article.url,
        "canonical_url": article.canonical_url,
        "source": source,
        "version": version.number,
        "fetched_at": iso(version.fetched_at),
        "title": version.title,
        "authors": list(version.authors),
        "published": version.published,
        "modified": version.modified,
        "language": version.language,
        "content_hash": version.content_hash,
        "changed": list(version.changed),
        "change_kind": version.change_kind,
        "words_added": version.words_added,
        "words_removed": version.words_removed,
        "text": version.text,
        "metadata": dict(version.meta),
    }


def export_jsonl(session: Session, out: IO[str], sources: Sequence[str] = ()) -> int:
    count = 0
    for version, article, source in iter_versions(session, sources=sources):
        out.write(json.dumps(version_record(version, article, source), ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


def export_csv(session: Session, out: IO[str], sources: Sequence[str] = ()) -> int:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for version, article, source in iter_versions(session, sources=sources):
        record = version_record(version, article, source)
        record["authors"] = "; ".join(record["authors"])
        record["changed"] = ",".join(record["changed"])
        writer.writerow(record)
        count += 1
    return count


def export_warc(session: Session, out: IO[bytes], sources: Sequence[str] = ()) -> int:
    """One WARC response record per version that kept its raw HTML, plus a metadata
    record with the extracted fields, so that replay tools and text tools both work."""
    # Imported here: every `mediawatch` command loads this module, few write WARC files.
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    writer = WARCWriter(out, gzip=True)
    count = 0
    for version, article, source in iter_versions(session, sources=sources):
        if version.raw_html is None:
            continue
        body = decompress_html(version.raw_html)
        headers = StatusAndHeaders(
            "200 OK",
            [("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
            protocol="HTTP/1.1",
        )
        warc_date = version.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        response = writer.create_warc_record(
            article.url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),  # known length: warcio needs no spooled temporary copy
            http_headers=headers,
            warc_headers_dict={"WARC-Date": warc_date},
        )
        writer.write_record(response)
        metadata = json.dumps(version_record(version, article, source), ensure_ascii=False).encode()
        writer.write_record(
            writer.create_warc_record(
                article.url,
                "metadata",
                payload=io.BytesIO(metadata),
                length=len(metadata),
                warc_content_type="application/json",
                warc_headers_dict={
                    "WARC-Date": warc_date,
                    "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
                },
            )
        )
        count += 1
    return count
