"""The config file: `load_config()` reads and checks it; the models describe it (SPEC §1)."""

from config.durations import format_duration, parse_duration
from config.messages import ConfigError
from config.schema import (
    DEFAULT_CONFIG_PATH,
    DEFAULT_RECHECK,
    Config,
    Notify,
    RecheckTier,
    Source,
    Watch,
    Webhook,
    config_path,
    load_config,
)

__all__ = [
    "DEFAULT_CONFIG_PATH",
    "DEFAULT_RECHECK",
    "Config",
    "ConfigError",
    "Notify",
    "RecheckTier",
    "Source",
    "Watch",
    "Webhook",
    "config_path",
    "format_duration",
    "load_config",
    "parse_duration",
]
