"""The errors the storage layer raises, all with a message a user can act on.

ArchiveError                 anything the user must fix about the archive
├── NotInitialised           the schema is missing or old: run `mediawatch init`
├── NotFound                 no such article or version
└── BadQuery                 a search query the full-text engine cannot parse
"""


class ArchiveError(Exception):
    """A problem with the archive, described so that the user knows what to do."""


class NotInitialised(ArchiveError):
    """The database has no mediawatch schema, or an older one."""


class NotFound(ArchiveError):
    """No article or version matches what was asked for."""


class BadQuery(ArchiveError):
    """The search query is not valid full-text search syntax."""
