"""monitor: a daily digest of what is new about Japan's AI industry and SoftBank."""

__version__ = "0.1.0"
