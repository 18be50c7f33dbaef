"""Turning a file's bytes into text: UTF-8 first, then UTF-16 and GB18030, detected."""

from __future__ import annotations

import codecs

from rag.errors import DocumentError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Return (text, encoding) or raise DocumentError naming the file."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data, encoding, name), encoding
    if _looks_utf16(data):
        encoding = "utf-16-le" if data[1::2].count(0) > data[0::2].count(0) else "utf-16-be"
        return _strict(data, encoding, name), encoding
    if b"\x00" in data:
        raise DocumentError(f"{name}: binary file (NUL bytes), skipped")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "gb18030" and not _plausible_chinese(text):
            break
        return text, encoding
    raise DocumentError(f"{name}: not UTF-8, UTF-16 or GB18030/GBK text, skipped")


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{name}: undecodable as {encoding} ({exc.reason}), skipped") from exc


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM: many NULs, all on the same byte parity (ASCII-heavy text)."""
    if len(data) < 4 or len(data) % 2:
        return False
    even, odd = data[0::2].count(0), data[1::2].count(0)
    return max(even, odd) > len(data) // 8 and min(even, odd) == 0


def _plausible_chinese(text: str) -> bool:
    """GB18030 decodes almost any byte string; accept it only when it reads as text."""
    if not text:
        return True
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
    return controls == 0 and cjk >= 0.2 * len(text.strip() or " ")
