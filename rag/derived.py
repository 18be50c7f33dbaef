"""Data the package derives from CC-CEDICT and ships (``rag/data/``), so that a cold start
does not parse the dictionary: the gazetteer of Chinese places and the proper names.

``python -m rag.derived`` writes both files again; a test checks they equal what the
dictionary gives. CC-CEDICT is by MDBG and its contributors, CC BY-SA 4.0; the derived
lists are under the same licence.
"""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def save_gazetteer(path: Path) -> int:
    """Write the gazetteer as JSON rows [name, kind, province] (and the name, when a place is
    written with its suffix); returns how many."""
    from rag.places import build_gazetteer

    rows = sorted([key, p.kind, p.province] + ([p.name] if key != p.name else [])
                  for key, p in build_gazetteer().items())
    path.write_text(json.dumps(rows, ensure_ascii=False) + "\n", "utf-8")
    return len(rows)


def save_names(path: Path) -> int:
    """Write the proper names and the people among them as JSON; returns how many names."""
    from rag.cedict import build_names

    n = build_names()
    path.write_text(json.dumps({"proper": sorted(n.proper), "people": sorted(n.people)}, ensure_ascii=False) + "\n", "utf-8")
    return len(n.proper)


def main() -> int:
    from rag.cedict import NAMES_FILE
    from rag.places import GAZETTEER_FILE

    print(f"{save_gazetteer(DATA / GAZETTEER_FILE)} places, {save_names(DATA / NAMES_FILE)} names written to {DATA}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
