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
    found = _utf16_without_bom(data)
    if found:
        return found
    if b"\x00" in data:
        raise DocumentError(f"{name}: binary file (NUL bytes), skipped")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "gb18030" and not _plausible_chinese(data, text):
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


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM where Chinese outweighs ASCII, so that NULs are few and on
    both byte parities (一 is U+4E00): the byte order whose strict decoding reads as text.
    Line breaks and digits put NULs in any such file; GBK and UTF-8 text has none."""
    if len(data) < 4 or len(data) % 2 or b"\x00" not in data:
        return None
    best: tuple[float, str, str] | None = None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        share = sum(1 for ch in text if _textlike(ch)) / len(text)
        if best is None or share > best[0]:
            best = (share, text, encoding)
    if best is None or best[0] < 0.95:
        return None
    return best[1], best[2]


def _textlike(ch: str) -> bool:
    """A character of ordinary Chinese or Western text: CJK, its punctuation, printable ASCII."""
    o = ord(ch)
    return (
        0x20 <= o < 0x7F or ch in "\r\n\t"
        or 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF  # ideographs
        or 0x3000 <= o <= 0x30FF or 0xFF00 <= o <= 0xFFEF  # CJK punctuation, kana, full-width forms
        or 0x00A0 <= o <= 0x00FF or 0x2000 <= o <= 0x22FF  # Latin-1, punctuation, symbols
        or 0x2460 <= o <= 0x25FF  # circled numbers, box drawing, bullets
    )


def _plausible_chinese(data: bytes, text: str) -> bool:
    """GB18030 decodes almost any byte string; accept it only when it reads as text: no
    control or private-use characters, and Chinese either makes up a fifth of the text or
    is written almost only in common (GB2312) characters, as in a mostly-ASCII document.
    Latin-1 text decoded as GBK pairs an accented letter with the next ASCII letter,
    which gives a rare character."""
    if not text:
        return True
    if any(ord(ch) < 32 and ch not in "\r\n\t" or 0xE000 <= ord(ch) <= 0xF8FF for ch in text):
        return False
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    if cjk >= 0.2 * len(text.strip() or " "):
        return True
    common = rare = 0
    i = 0
    while i < len(data):
        if data[i] < 0x80:
            i += 1
        elif i + 1 < len(data) and 0x30 <= data[i + 1] <= 0x39:  # a four-byte GB18030 sequence
            rare += 1
            i += 4
        else:
            if i + 1 < len(data) and data[i] >= 0xA1 and data[i + 1] >= 0xA1:
                common += 1
            else:
                rare += 1
            i += 2
    return common >= 0.9 * (common + rare)
