"""Incremental, capped decompression of a response body (gzip, deflate, brotli). Pure.

A decoder never holds more than ``limit`` decoded bytes plus one bounded
step: zlib and brotli are asked for at most what is left under the limit, so
a 1 MB gzip bomb that would inflate to 1 GB stops after ``limit`` bytes.
"""

from __future__ import annotations

import zlib
from typing import Protocol

try:
    import brotli

    # Only a brotli that can cap its output (1.1+) is safe against bombs.
    if not hasattr(brotli.Decompressor(), "can_accept_more_data"):
        brotli = None
except ImportError:  # brotli is optional: without it, br is simply not offered
    brotli = None


class BodyTooLarge(ValueError):
    """The body, raw or decoded, went past the configured limit."""


def encodings_accepted() -> str:
    """The Accept-Encoding header value: what this process can decode."""
    return "gzip, deflate, br" if brotli is not None else "gzip, deflate"


class Decoder(Protocol):
    def feed(self, chunk: bytes) -> None: ...

    def finish(self) -> bytes: ...


class _Buffer:
    def __init__(self, limit: int):
        self.limit = limit
        self.out = bytearray()

    def room(self) -> int:
        """How many more decoded bytes may come, plus one to detect going over."""
        return self.limit - len(self.out) + 1

    def add(self, data: bytes) -> None:
        self.out += data
        if len(self.out) > self.limit:
            raise BodyTooLarge(f"body is over the {self.limit:,}-byte limit once decompressed")


class _Identity(_Buffer):
    def feed(self, chunk: bytes) -> None:
        self.add(chunk)

    def finish(self) -> bytes:
        return bytes(self.out)


class _Zlib(_Buffer):
    """gzip (possibly several members) or deflate (zlib-wrapped or raw)."""

    def __init__(self, limit: int, gzip: bool):
        super().__init__(limit)
        self.gzip = gzip
        self.raw = False
        self.inflater = zlib.decompressobj(zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS)

    def _inflate(self, data: bytes) -> None:
        while data:
            try:
                self.add(self.inflater.decompress(data, self.room()))
            except zlib.error:
                if self.gzip or self.out or self.raw:
                    raise ValueError("corrupt compressed body") from None
                # "deflate" from some servers is raw DEFLATE without the zlib wrapper.
                self.raw = True
                self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            if self.inflater.unconsumed_tail:
                data = self.inflater.unconsumed_tail
            elif self.inflater.eof and self.inflater.unused_data and self.gzip:
                data = self.inflater.unused_data  # another gzip member follows
                self.inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
            else:
                data = b""

    def feed(self, chunk: bytes) -> None:
        self._inflate(chunk)

    def finish(self) -> bytes:
        self.add(self.inflater.flush(self.room()))
        return bytes(self.out)


class _Brotli(_Buffer):
    def __init__(self, limit: int):
        super().__init__(limit)
        self.inflater = brotli.Decompressor()

    def feed(self, chunk: bytes) -> None:
        try:
            self.add(self.inflater.process(chunk, output_buffer_limit=self.room()))
            while not self.inflater.can_accept_more_data():
                self.add(self.inflater.process(b"", output_buffer_limit=self.room()))
        except brotli.error:
            raise ValueError("corrupt brotli body") from None

    def finish(self) -> bytes:
        return bytes(self.out)


def decoder_for(content_encoding: str | None, limit: int) -> Decoder:
    """A capped decoder for a Content-Encoding; ValueError for one we did not offer."""
    coding = (content_encoding or "identity").strip().lower()
    if coding in ("identity", ""):
        return _Identity(limit)
    if coding in ("gzip", "x-gzip"):
        return _Zlib(limit, gzip=True)
    if coding == "deflate":
        return _Zlib(limit, gzip=False)
    if coding == "br" and brotli is not None:
        return _Brotli(limit)
    raise ValueError(f"unsupported Content-Encoding {coding!r}")
