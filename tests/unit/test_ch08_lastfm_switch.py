"""Chapter 8's data switch: section 8.7 runs on files in Last.fm hetrec-2011's format.

The chapter's first code cell holds ``DATA`` ("simulator" by default, or "lastfm") and
``LASTFM_DIR``. The book build runs the default; these tests run the chapter's own code
with ``DATA = "lastfm"`` on a small folder in the release's format that the test writes
itself: the first code cell (imports, parameters, the checks of the switch), then every
code cell of section 8.7, bookkeeping cells included, in one namespace.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "book" / "ch08_music.ipynb"
SECTION = "## 8.7"


def _cells() -> tuple[str, list[str]]:
    """The chapter's first code cell and the code cells of section 8.7, as source text."""
    cells = json.loads(CHAPTER.read_text(encoding="utf-8"))["cells"]
    src = ["".join(c["source"]) for c in cells]
    first = next(s for c, s in zip(cells, src) if c["cell_type"] == "code")
    start = next(i for i, s in enumerate(src) if s.startswith(SECTION))
    end = next(i for i in range(start + 1, len(cells))
               if cells[i]["cell_type"] == "markdown" and src[i].startswith("## "))
    section = [s for c, s in zip(cells[start:end], src[start:end]) if c["cell_type"] == "code"]
    return first, section


def _switch(first: str, data: str, folder: Path) -> str:
    """The first code cell with ``DATA`` and ``LASTFM_DIR`` set as a reader would set them."""
    out, n = re.subn(r'^DATA = "simulator"', f"DATA = {data!r}", first, flags=re.M)
    out, m = re.subn(r"^LASTFM_DIR = Path\(.*?\)", f"LASTFM_DIR = Path({str(folder)!r})", out,
                     flags=re.M)
    assert n == 1 and m == 1, "the first code cell must set DATA and LASTFM_DIR on lines of their own"
    return out


def _write_release(folder: Path, n_users: int = 30, n_artists: int = 40, seed: int = 0) -> None:
    """A small hetrec-2011 folder: play counts, artists, friends listed both ways."""
    rng = np.random.default_rng(seed)
    lines = ["userID\tartistID\tweight"]
    for u in range(2, n_users + 2):                      # ids need not start at 1
        for a in sorted(rng.choice(n_artists, size=12, replace=False)):
            lines.append(f"{u}\t{a + 100}\t{int(rng.integers(1, 500))}")
    (folder / "user_artists.dat").write_text("\n".join(lines) + "\n", encoding="utf-8")
    artists = ["id\tname\turl\tpictureURL"]
    artists += [f"{a + 100}\tArtist {a}\thttp://www.last.fm/music/a{a}\thttp://x/{a}.jpg"
                for a in range(n_artists)]
    (folder / "artists.dat").write_text("\n".join(artists) + "\n", encoding="utf-8")
    pairs = {(u, v) for u in range(2, n_users + 2)
             for v in rng.choice(np.arange(2, n_users + 2), size=3) if u != v}
    pairs |= {(v, u) for u, v in pairs}
    friends = ["userID\tfriendID"] + [f"{u}\t{v}" for u, v in sorted(pairs)]
    (folder / "user_friends.dat").write_text("\n".join(friends) + "\n", encoding="utf-8")


def _run(sources: list[str]) -> dict:
    matplotlib.use("Agg")
    ns: dict = {"__name__": "__ch08__"}
    for src in sources:
        exec(compile(src, str(CHAPTER), "exec"), ns)
    return ns


def test_section_8_7_runs_on_a_small_lastfm_folder(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(ROOT / "book")                     # where the book runs the chapter
    _write_release(tmp_path)
    first, section = _cells()
    assert section, "section 8.7 has no code cell"
    ns = _run([_switch(first, "lastfm", tmp_path)] + section)
    runs = ns["artist_runs"]
    assert set(runs["data"]) == {"Last.fm"}
    assert sorted(runs["seed"].unique()) == ns["SEEDS"]
    assert set(runs["blend"]) == {"own only", "friends", "random listeners", "popularity"}
    assert len(runs) == len(ns["SEEDS"]) * len(ns["HISTORY_ARTISTS"]) * 4
    assert runs["recall@10"].between(0, 1).all()
    assert runs["lambda"].isin(ns["LAMBDAS"]).all()
    log = ns["logs"]["Last.fm", ns["SEEDS"][0]]
    assert log.n_users == 30 and log.n_items == 40 and log.friends is not None


def test_switch_rejects_a_wrong_value_and_a_missing_folder(tmp_path: Path):
    first, _ = _cells()
    with pytest.raises(ValueError, match="DATA: expected 'simulator' or 'lastfm'"):
        _run([_switch(first, "last.fm", tmp_path)])
    with pytest.raises(FileNotFoundError, match="LASTFM_DIR: no user_artists.dat"):
        _run([_switch(first, "lastfm", tmp_path / "missing")])
