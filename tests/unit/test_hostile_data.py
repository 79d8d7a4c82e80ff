"""Hostile inputs for recsys_helpers.data: frames, splits, packaged files and the readers.

Every bad input ends in a ``ValueError`` whose message names the argument (or, for files,
the FILE, the LINE and the COLUMN), or in a documented result the test checks. Malformed
files are written by the tests in the real formats. Inputs are never modified.
"""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recsys_helpers import data

FAST = settings(max_examples=50, deadline=None, derandomize=True)


def _inter(**over) -> pd.DataFrame:
    df = pd.DataFrame({
        "user_id": [1, 1, 1, 2, 2, 3],
        "item_id": [10, 11, 12, 10, 12, 11],
        "timestamp": np.array([100, 200, 300, 150, 250, 50], dtype="int64"),
        "event": "rating",
        "rating": [5.0, 4.0, 3.0, 2.0, 5.0, 1.0],
    })
    for k, v in over.items():
        df[k] = v
    return df


def _items(**over) -> pd.DataFrame:
    df = pd.DataFrame({"item_id": [10, 11, 12], "title": ["a", "b", "c"],
                       "text": ["A.", "B.", "C."], "categories": [["x"], ["y"], ["x", "y"]]})
    for k, v in over.items():
        df[k] = v
    return df


NOT_FRAMES = [None, [1, 2, 3], {"user_id": [1]}, np.ones((3, 5)), pd.Series([1, 2]), "interactions"]


# --------------------------------------------------------------------------- validate_interactions
@pytest.mark.parametrize("bad", NOT_FRAMES, ids=repr)
def test_validate_interactions_rejects_non_frames(bad):
    with pytest.raises(ValueError, match="interactions: expected a pandas DataFrame"):
        data.validate_interactions(bad)


@pytest.mark.parametrize("col", data.INTERACTION_COLUMNS)
def test_validate_interactions_missing_column(col):
    with pytest.raises(ValueError, match=f"interactions: missing column.*'{col}'"):
        data.validate_interactions(_inter().drop(columns=[col]))


@pytest.mark.parametrize("col, values, match", [
    ("user_id", [1.0, np.nan, 1, 2, 2, 3], "'user_id' has 1 missing"),
    ("user_id", [1, None, 1, 2, 2, 3], "'user_id' has 1 missing"),
    ("item_id", [10, 11, 12, 10, 12, np.nan], "'item_id' has 1 missing"),
    ("event", ["rating"] * 5 + [None], "'event' has 1 missing"),
    ("item_id", [10, "11", 12, 10, 12, 11], "'item_id' mixes id types"),   # 11 and "11": two ids
    ("user_id", [1, 1, 1, 2, 2, b"3"], "'user_id' mixes id types"),
    ("timestamp", pd.array([100, 200, None, 150, 250, 50], dtype="Int64"), "'timestamp' has 1 missing"),
    ("timestamp", [100.0, 200, 300, 150, 250, 50], "'timestamp' must hold integers"),
    ("timestamp", ["100"] * 6, "'timestamp' must hold integers"),
    ("timestamp", [True] * 6, "'timestamp' must hold integers"),
    ("timestamp", pd.to_datetime([100] * 6, unit="s"), "'timestamp' must hold integers"),
    ("rating", ["good"] * 6, "'rating' must be numeric"),
    ("rating", [True] * 6, "'rating' must be numeric"),
    ("rating", [5.0, np.inf, 3, 2, 5, 1], "'rating' has 1 infinite"),
], ids=repr)
def test_validate_interactions_bad_columns(col, values, match):
    with pytest.raises(ValueError, match=match):
        data.validate_interactions(_inter(**{col: values}))


@pytest.mark.parametrize("kwargs, match", [
    ({"name": None}, "name"), ({"name": 3}, "name"), ({"name": ""}, "name"),
    ({"require_sorted": "yes"}, "require_sorted"), ({"require_sorted": 1}, "require_sorted"),
], ids=repr)
def test_validate_interactions_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.validate_interactions(_inter(), **kwargs)


def test_validate_interactions_documented_passes():
    empty = _inter().iloc[:0]
    assert data.validate_interactions(empty) is empty                 # an empty frame is valid
    nan_rating = _inter(rating=[np.nan] * 6)                         # NaN = no rating
    assert data.validate_interactions(nan_rating) is nan_rating
    nullable = _inter().astype({"timestamp": "Int64", "rating": "Float64"})
    data.validate_interactions(nullable, require_sorted=np.bool_(False))


# --------------------------------------------------------------------------- validate_items / Dataset
@pytest.mark.parametrize("bad", NOT_FRAMES, ids=repr)
def test_validate_items_rejects_non_frames(bad):
    with pytest.raises(ValueError, match="items: expected a pandas DataFrame"):
        data.validate_items(bad)


@pytest.mark.parametrize("items, match", [
    (_items().drop(columns=["text"]), "items: missing column.*'text'"),
    (_items().drop(columns=["categories"]), "items: missing column.*'categories'"),
    (_items(item_id=[10.0, np.nan, 12.0]), "'item_id' has 1 missing"),
    (_items(item_id=[10, 10, 12]), "'item_id' has 1 duplicate"),
    (_items(text=["A.", None, "C."]), "'text' has 1 missing"),
    (_items(text=["A.", 3, "C."]), "'text' has 1 values that are not strings"),
    (_items(item_id=[10, "11", 12]), "'item_id' mixes id types"),
], ids=["no text", "no categories", "nan id", "dup id", "nan text", "int text", "mixed ids"])
def test_validate_items_bad(items, match):
    with pytest.raises(ValueError, match=match):
        data.validate_items(items)


@pytest.mark.parametrize("kwargs, match", [
    ({"name": None}, "name"), ({"name": ""}, "name"),
    ({"interactions": [1, 2]}, "t.interactions: expected a pandas DataFrame"),
    ({"items": None}, "t.items: expected a pandas DataFrame"),
    ({"interactions": _inter(item_id=[10, 11, 99, 10, 12, 11])}, "'item_id' has 1 ids not in t.items"),
    ({"users": pd.DataFrame({"age": [3]})}, "t.users: missing column"),
    ({"users": pd.DataFrame({"user_id": [1, 1]})}, "t.users: column 'user_id' has 1 duplicate"),
    ({"users": pd.DataFrame({"user_id": [1.0, np.nan]})}, "t.users: column 'user_id' has 1 missing"),
    ({"users": [1, 2, 3]}, "t.users: expected a pandas DataFrame"),
    ({"meta": ["source"]}, "meta"),
    ({"friends": [(1, 2)]}, "t.friends: expected a pandas DataFrame"),
    ({"friends": pd.DataFrame({"user_id": [1]})}, r"t.friends: missing column\(s\) \['friend_id'\]"),
    ({"friends": pd.DataFrame({"user_id": [1, 2], "friend_id": [2.0, np.nan]})},
     "t.friends: column 'friend_id' has 1 missing"),
    ({"friends": pd.DataFrame({"user_id": [3], "friend_id": [3]})}, "t.friends: a row has user_id == friend_id"),
    ({"friends": pd.DataFrame({"user_id": [1, "2"], "friend_id": [2, 1]}, dtype=object)}, "t.friends"),
], ids=repr)
def test_dataset_rejects(kwargs, match):
    args = {"name": "t", "interactions": _inter(), "items": _items()} | kwargs
    with pytest.raises(ValueError, match=match):
        data.Dataset(**args)


# --------------------------------------------------------------------------- clean_interactions
def test_clean_reports_nan_ids_and_events_and_does_not_modify_input():
    df = _inter().astype({"user_id": object, "item_id": float})
    df.loc[0, "user_id"] = None
    df.loc[1, "item_id"] = np.nan
    df.loc[2, "event"] = None
    before = df.copy()
    out, report = data.clean_interactions(df)
    assert report.removed == {"missing id or timestamp": 2, "missing event": 1, "duplicate rows": 0}
    assert report.n_before == 6 and report.n_after == 3 == len(out)
    pd.testing.assert_frame_equal(df, before)
    data.validate_interactions(out, require_sorted=True)


def test_clean_everything_removed_gives_an_empty_valid_frame():
    df = _inter().astype({"user_id": float})
    df["user_id"] = np.nan
    out, report = data.clean_interactions(df)
    assert out.empty and report.n_after == 0 and report.removed["missing id or timestamp"] == 6
    data.validate_interactions(out)


@pytest.mark.parametrize("df, items, match", [
    (None, None, "interactions: expected a pandas DataFrame"),
    ([1, 2], None, "interactions: expected a pandas DataFrame"),
    (_inter().drop(columns=["event"]), None, "interactions: missing column.*'event'"),
    (_inter(timestamp=[100.5, 200, 300, 150, 250, 50]), None, "'timestamp' has 1 values that are not whole"),
    (_inter(timestamp=["a"] * 6), None, "'timestamp' must hold integers"),
    (_inter(timestamp=[True] * 6), None, "'timestamp' must hold integers"),
    (_inter(rating=["good"] * 6), None, "'rating' must be numeric"),
    (_inter(user_id=[1, "a", 1, 2, 2, 3]), None, "'user_id' mixes id types"),
    (_inter(), [1, 2], "items: expected a pandas DataFrame"),
    (_inter(), _items(item_id=[10, 10, 12]), "items: column 'item_id' has 1 duplicate"),
], ids=repr)
def test_clean_rejects_what_it_cannot_repair(df, items, match):
    with pytest.raises(ValueError, match=match):
        data.clean_interactions(df, items)


def test_clean_whole_float_timestamps_become_int():
    out, _ = data.clean_interactions(_inter(timestamp=[100.0, 200, 300, 150, 250, 50]))
    assert out["timestamp"].dtype == "int64"


# --------------------------------------------------------------------------- splits
@pytest.mark.parametrize("bad", [0, -1, 1.5, True, False, "1", None, float("nan")], ids=repr)
def test_leave_last_out_n(bad):
    with pytest.raises(ValueError, match="n: expected a positive integer"):
        data.leave_last_out(_inter(), n=bad)


@pytest.mark.parametrize("bad", [0, 1, -0.1, 1.5, float("nan"), True, "0.2", None], ids=repr)
def test_temporal_split_test_fraction(bad):
    with pytest.raises(ValueError, match="test_fraction"):
        data.temporal_split(_inter(), test_fraction=bad)


@pytest.mark.parametrize("bad", [1.5, "200", True, [200]], ids=repr)
def test_temporal_split_cutoff(bad):
    with pytest.raises(ValueError, match="cutoff"):
        data.temporal_split(_inter(), cutoff=bad)


@pytest.mark.parametrize("bad", [0, 1, -0.1, 1.5, float("nan"), True, "0.2", None], ids=repr)
def test_next_after_cutoff_test_fraction(bad):
    with pytest.raises(ValueError, match="test_fraction"):
        data.next_after_cutoff(_inter(), test_fraction=bad)


@pytest.mark.parametrize("bad", [1.5, "200", True, [200], float("nan")], ids=repr)
def test_next_after_cutoff_cutoff(bad):
    with pytest.raises(ValueError, match="cutoff"):
        data.next_after_cutoff(_inter(), cutoff=bad)


def test_next_after_cutoff_mixed_id_types():
    with pytest.raises(ValueError, match="user_id"):
        data.next_after_cutoff(_inter(user_id=[1, "1", 1, 2, 2, 3]), cutoff=200)


@pytest.mark.parametrize("fn", [data.leave_last_out, data.temporal_split, data.next_after_cutoff])
@pytest.mark.parametrize("bad", [None, [1], _inter().drop(columns=["timestamp"])], ids=["None", "list", "no ts"])
def test_splits_validate_the_frame(fn, bad):
    with pytest.raises(ValueError, match="interactions"):
        fn(bad)


def test_splits_documented_results_and_no_mutation():
    df = _inter()
    before = df.copy()
    train, test = data.leave_last_out(df, n=np.int64(5))       # nobody has more than 5 events
    assert test.empty and len(train) == 6
    train, test = data.temporal_split(df, cutoff=np.int64(200))
    assert (train["timestamp"] < 200).all() and (test["timestamp"] >= 200).all()
    train, test = data.temporal_split(df, cutoff=10**12)        # the cutoff is honoured: all in train
    assert test.empty and len(train) == 6
    with pytest.raises(ValueError, match="interactions: expected at least one row"):
        data.temporal_split(df.iloc[:0])
    assert data.temporal_split(df.iloc[:0], cutoff=0)[0].empty  # with a cutoff, empty is a valid result
    train, test = data.next_after_cutoff(df, cutoff=np.int64(200))
    assert len(train) == 3 and len(test) == 2 and (test["timestamp"] >= 200).all()
    train, test = data.next_after_cutoff(df, cutoff=0)          # nobody has a past: no targets
    assert train.empty and test.empty
    train, test = data.next_after_cutoff(df, cutoff=10**12)     # no future: no targets
    assert test.empty and len(train) == 6
    with pytest.raises(ValueError, match="interactions: expected at least one row"):
        data.next_after_cutoff(df.iloc[:0])
    pd.testing.assert_frame_equal(df, before)


@FAST
@given(st.one_of(st.integers(-3, 8), st.booleans(), st.floats(), st.text(max_size=2)))
def test_leave_last_out_n_property(n):
    if isinstance(n, int) and not isinstance(n, bool) and n >= 1:
        train, test = data.leave_last_out(_inter(), n=n)
        assert len(train) + len(test) == 6
        assert test.groupby("user_id").size().le(n).all()
    else:
        with pytest.raises(ValueError, match="n: "):
            data.leave_last_out(_inter(), n=n)


@FAST
@given(st.one_of(st.floats(), st.booleans()))
def test_temporal_split_fraction_property(f):
    if not isinstance(f, bool) and math.isfinite(f) and 0 < f < 1:
        train, test = data.temporal_split(_inter(), test_fraction=f)
        assert len(train) + len(test) == 6
        if len(train) and len(test):
            assert train["timestamp"].max() < test["timestamp"].min()
    else:
        with pytest.raises(ValueError, match="test_fraction"):
            data.temporal_split(_inter(), test_fraction=f)


@FAST
@given(st.integers(-10, 400))
def test_next_after_cutoff_property(cutoff):
    train, test = data.next_after_cutoff(_inter(), cutoff=cutoff)
    assert (train["timestamp"] < cutoff).all() and (test["timestamp"] >= cutoff).all()
    assert test["user_id"].is_unique and set(test["user_id"]) <= set(train["user_id"])
    later = _inter().query("timestamp >= @cutoff and user_id in @train.user_id")
    assert set(test["user_id"]) == set(later["user_id"])


# --------------------------------------------------------------------------- packaged files
@pytest.mark.parametrize("bad", [None, 3, ["ml-100k.item"], "nope", "", True], ids=repr)
def test_package_file_key(bad):
    with pytest.raises(ValueError, match="key: expected one of"):
        data.package_file(bad)


@pytest.mark.parametrize("fn", [lambda v: data.package_file("ml-100k.item", verify=v),
                                lambda v: data.load_movielens_100k(verify=v),
                                lambda v: data.load_clothing_reviews(verify=v)], ids=["file", "ml", "clothing"])
@pytest.mark.parametrize("bad", ["no", 1, None], ids=repr)
def test_verify_is_a_flag(fn, bad):
    with pytest.raises(ValueError, match="verify: expected True or False"):
        fn(bad)


def test_sha256_of_bad_paths(tmp_path):
    with pytest.raises(ValueError, match="path"):
        data.sha256_of(None)
    with pytest.raises(ValueError, match="path: expected a file"):
        data.sha256_of(tmp_path)
    with pytest.raises(FileNotFoundError):
        data.sha256_of(tmp_path / "missing")


# --------------------------------------------------------------------------- MovieLens files
ITEM_242 = "242|Kolya (1996)|24-Jan-1997||http://x|" + "|".join(["0"] * 3 + ["1"] + ["0"] * 15)
ITEM_302 = "302|L.A. Confidential (1997)|01-Jan-1997||http://y|" + "|".join(["0"] * 8 + ["1"] + ["0"] * 10)
GOOD_100K = {
    "u.data": "196\t242\t3\t881250949\n186\t302\t3\t891717742\n",
    "u.item": ITEM_242 + "\n" + ITEM_302 + "\n",
    "u.user": "196|49|M|writer|55105\n186|39|F|executive|00000\n",
}
GOOD_1M = {
    "ratings.dat": "1::1193::5::978300760\n1::661::3::978302109\n",
    "movies.dat": "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n661::James (1996)::Animation|Musical\n",
    "users.dat": "1::F::1::10::48067\n",
}
GOOD_LATEST = {
    "ratings.csv": "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.5,964981247\n",
    "movies.csv": 'movieId,title,genres\n1,Toy Story (1995),Animation|Comedy\n3,"President, The (1995)",Drama\n',
}


def _write(folder: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        raw = content if isinstance(content, bytes) else content.encode("latin-1")
        (folder / name).write_bytes(raw)
    return folder


@pytest.mark.parametrize("variant, good", [("100k", GOOD_100K), ("1m", GOOD_1M), ("latest-small", GOOD_LATEST)])
def test_good_files_read(tmp_path, variant, good):
    ds = data.read_movielens(_write(tmp_path, good), variant)
    assert len(ds.interactions) == 2 and ds.n_items == 2


MALFORMED = [
    # (variant, file, new content, regex naming the file, line and column)
    ("100k", "u.data", "196\t242\tgood\t881250949\n", r"u\.data: line 1, column 'rating': expected a number"),
    ("100k", "u.data", "196\t242\t3\t881250949\n186\t302\t3\t8917x7742\n",
     r"u\.data: line 2, column 'timestamp': expected an integer"),
    ("100k", "u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742.5\n",
     r"u\.data: line 2, column 'timestamp': expected an integer"),
    ("100k", "u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\t9\n",
     r"u\.data: line 2 has 5 field\(s\).*expected 4 \(user_id, item_id, rating, timestamp\)"),
    ("100k", "u.data", "196\t242\t3\t881250949\n\n186\t302\t3\n", r"u\.data: line 3 has 3 field\(s\)"),
    ("100k", "u.data", "\t242\t3\t881250949\n", r"u\.data: line 1, column 'user_id': expected an integer, got ''"),
    ("100k", "u.data", "1.5\t242\t3\t881250949\n", r"u\.data: line 1, column 'user_id': expected an integer"),
    ("100k", "u.data", "196\t242\tnan\t881250949\n", r"u\.data: line 1, column 'rating'"),
    ("100k", "u.data", "196\t999\t3\t881250949\n", r"u\.data: column 'item_id' has 1 id\(s\) not in u\.item \(e\.g\. 999 on line 1\)"),
    ("100k", "u.data", "", r"u\.data: no data rows"),
    ("100k", "u.item", ITEM_242 + "\n" + ITEM_242 + "\n", r"u\.item: column 'item_id' has duplicate ids \(e\.g\. 242 on lines 1 and 2\)"),
    ("100k", "u.item", ITEM_242.replace("|1|", "|2|") + "\n" + ITEM_302 + "\n", r"u\.item: line 1, column 'Animation': expected 0 or 1"),
    ("100k", "u.item", ITEM_242 + "|0\n" + ITEM_302 + "\n", r"u\.item: line 1 has 25 field\(s\)"),
    ("100k", "u.item", "x" + ITEM_242 + "\n" + ITEM_302 + "\n", r"u\.item: line 1, column 'item_id'"),
    ("100k", "u.user", "196|forty|M|writer|55105\n", r"u\.user: line 1, column 'age': expected an integer"),
    ("100k", "u.user", "196|49|M|writer|55105\n196|39|F|executive|00000\n", r"u\.user: column 'user_id' has duplicate ids"),
    ("1m", "ratings.dat", "1::1193::5::978300760\n1::661:3::978302109\n", r"ratings\.dat: line 2 has 3 field\(s\) separated by '::'"),
    ("1m", "ratings.dat", "1::1193::five::978300760\n", r"ratings\.dat: line 1, column 'rating'"),
    ("1m", "movies.dat", "1193::Title\n661::James (1996)::Animation\n", r"movies\.dat: line 1 has 2 field\(s\)"),
    ("1m", "users.dat", "1::F::x::10::48067\n", r"users\.dat: line 1, column 'age'"),
    ("latest-small", "ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.5\n",
     r"ratings\.csv: line 3 has 3 field\(s\)"),
    ("latest-small", "ratings.csv", "userId,movie,rating,timestamp\n1,1,4.0,964982703\n",
     r"ratings\.csv: missing column\(s\) \['movieId'\] in the header"),
    ("latest-small", "ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,2020-01-01\n",
     r"ratings\.csv: line 2, column 'timestamp': expected an integer"),
    ("latest-small", "ratings.csv", b"userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,\xff,4.5,1\n",
     r"ratings\.csv: line 3 is not valid utf-8"),
    ("latest-small", "ratings.csv", "userId,movieId,rating,timestamp\n", r"ratings\.csv: no data rows"),
    ("latest-small", "movies.csv", "", r"movies\.csv: the file is empty"),
]


@pytest.mark.parametrize("variant, name, content, match", MALFORMED,
                         ids=[f"{v}-{n}-{i}" for i, (v, n, _, _) in enumerate(MALFORMED)])
def test_malformed_movielens_files_name_file_line_and_column(tmp_path, variant, name, content, match):
    good = {"100k": GOOD_100K, "1m": GOOD_1M, "latest-small": GOOD_LATEST}[variant]
    folder = _write(tmp_path, good | {name: content})
    with pytest.raises(ValueError, match=match):
        data.read_movielens(folder, variant)


@pytest.mark.parametrize("path, variant, match", [
    (None, "100k", "path: expected a folder path"),
    (3, "100k", "path: expected a folder path"),
    ("", "100k", "path: expected a folder path"),
    ("FILE", "100k", "path: expected a folder"),
    (".", "10m", "variant: expected one of"),
    (".", None, "variant"),
    (".", "100K", "variant"),
    (".", True, "variant"),
], ids=repr)
def test_read_movielens_bad_arguments(tmp_path, path, variant, match):
    if path == "FILE":
        path = tmp_path / "u.data"
        path.write_text("1\t2\t3\t4\n")
    elif path == ".":
        path = tmp_path
    with pytest.raises(ValueError, match=match):
        data.read_movielens(path, variant)


def test_read_movielens_windows_line_ends_and_missing_user_file(tmp_path):
    files = {k: v.replace("\n", "\r\n") for k, v in GOOD_100K.items() if k != "u.user"}
    ds = data.read_movielens(_write(tmp_path, files), "100k")
    assert ds.users is None and ds.interactions["timestamp"].tolist() == [891717742, 881250949]
    assert ds.items.set_index("item_id").loc[302, "title"] == "L.A. Confidential (1997)"
    with pytest.raises(FileNotFoundError, match="u.item"):
        (tmp_path / "u.item").unlink()
        data.read_movielens(tmp_path, "100k")


# --------------------------------------------------------------------------- Last.fm files
GOOD_LASTFM = {
    "user_artists.dat": "userID\tartistID\tweight\n2\t51\t13883\n2\t52\t11690\n3\t51\t7\n",
    "artists.dat": "id\tname\turl\tpictureURL\n51\tDuran Duran\thttp://a\thttp://x.jpg\n52\tMorcheeba\thttp://b\n",
    "tags.dat": "tagID\ttagValue\n1\tmetal\n2\tnew wave\n",
    "user_taggedartists-timestamps.dat": "userID\tartistID\ttagID\ttimestamp\n2\t51\t2\t1238536800000\n2\t52\t9\t1230764400000\n",
}


def test_lastfm_good_files_and_documented_leniency(tmp_path):
    ds = data.read_lastfm_hetrec(_write(tmp_path, GOOD_LASTFM))
    assert ds.n_items == 2 and ds.meta["timed"] == 2
    assert ds.meta["unknown_tag_rows"] == 1                      # tag 9 is not in tags.dat: counted
    assert ds.items.set_index("item_id").loc[52, "categories"] == []
    assert ds.friends is None                                    # no user_friends.dat: no graph
    with pytest.raises(ValueError, match=r"user_friends\.dat: no data rows"):  # like every other file
        data.read_lastfm_hetrec(_write(tmp_path, GOOD_LASTFM | {"user_friends.dat": "userID\tfriendID\n"}))


@pytest.mark.parametrize("name, content, match", [
    ("user_artists.dat", "userID\tartist\tweight\n2\t51\t1\n", r"user_artists\.dat: missing column\(s\) \['artistID'\]"),
    ("user_artists.dat", "userID\tartistID\tweight\n2\t51\tmany\n", r"user_artists\.dat: line 2, column 'weight'"),
    ("user_artists.dat", "userID\tartistID\tweight\n2\tx51\t1\n", r"user_artists\.dat: line 2, column 'artistID'"),
    ("user_artists.dat", "userID\tartistID\tweight\n2\t51\t1\t0\n", r"user_artists\.dat: line 2 has 4 field\(s\)"),
    ("user_artists.dat", "userID\tartistID\tweight\n2\t99\t1\n", r"user_artists\.dat: column 'artistID' has 1 id\(s\) not in artists\.dat"),
    ("user_artists.dat", "userID\tartistID\tweight\n", r"user_artists\.dat: no data rows"),
    ("artists.dat", "id\tname\turl\tpictureURL\n51\tA\tu\tp\n51\tB\tu\tp\n", r"artists\.dat: column 'id' has duplicate ids"),
    ("artists.dat", "id\tname\turl\tpictureURL\n51\n52\tB\n", r"artists\.dat: line 2 has 1 field\(s\)"),
    ("tags.dat", "tagID\ttagValue\nx\tmetal\n", r"tags\.dat: line 2, column 'tagID'"),
    ("user_taggedartists-timestamps.dat", "userID\tartistID\ttagID\ttimestamp\n2\t51\t2\tsoon\n",
     r"user_taggedartists-timestamps\.dat: line 2, column 'timestamp'"),
    ("user_friends.dat", "userID\tfriend\n2\t3\n", r"user_friends\.dat: missing column\(s\) \['friendID'\]"),
    ("user_friends.dat", "userID\tfriendID\n2\tthree\n", r"user_friends\.dat: line 2, column 'friendID'"),
    ("user_friends.dat", "userID\tfriendID\n2\t3\n3\t3\n",
     r"user_friends\.dat: line 3, columns 'userID' and 'friendID' are both 3"),
    ("user_friends.dat", "userID\tfriendID\n2\t3\t4\n", r"user_friends\.dat: line 2 has 3 field\(s\)"),
], ids=repr)
def test_malformed_lastfm_files(tmp_path, name, content, match):
    with pytest.raises(ValueError, match=match):
        data.read_lastfm_hetrec(_write(tmp_path, GOOD_LASTFM | {name: content}))


# --------------------------------------------------------------------------- Amazon JSONL files
REVIEW = {"rating": 5.0, "title": "Great", "text": "Love it", "parent_asin": "P1", "user_id": "U1",
          "timestamp": 1588687728923}


def _jsonl(path: Path, lines: list) -> Path:
    text = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("second, match", [
    ('{"rating": 5.0, "parent_asin": "P2", "user_id": "U', r"line 2 is not valid JSON.*truncated"),
    ("[1, 2]", r"line 2: expected a JSON object, got list"),
    ("42", r"line 2: expected a JSON object, got int"),
    (REVIEW | {"user_id": None}, r"line 2, field 'user_id': missing or null"),
    ({k: v for k, v in REVIEW.items() if k != "parent_asin"}, r"line 2, field 'parent_asin': missing"),
    (REVIEW | {"user_id": ""}, r"line 2, field 'user_id': expected a non-empty string"),
    (REVIEW | {"user_id": 17}, r"line 2, field 'user_id': expected a non-empty string"),
    (REVIEW | {"timestamp": "1588687728923"}, r"line 2, field 'timestamp': expected an integer"),
    (REVIEW | {"timestamp": 1588687728.5}, r"line 2, field 'timestamp': expected an integer"),
    (REVIEW | {"timestamp": True}, r"line 2, field 'timestamp': expected an integer"),
    (REVIEW | {"rating": "5"}, r"line 2, field 'rating': expected a finite number"),
    (REVIEW | {"rating": True}, r"line 2, field 'rating': expected a finite number"),
    ('{"rating": NaN, "parent_asin": "P2", "user_id": "U2", "timestamp": 1}', r"line 2, field 'rating'"),
], ids=repr)
def test_malformed_amazon_reviews_name_file_line_and_field(tmp_path, second, match):
    path = _jsonl(tmp_path / "All_Beauty.jsonl", [REVIEW, second])
    with pytest.raises(ValueError, match=r"All_Beauty\.jsonl: " + match):
        data.read_amazon_reviews_2023(path)


def test_amazon_truncated_gzip_and_empty_file(tmp_path):
    gz = _jsonl(tmp_path / "All_Beauty.jsonl.gz", [REVIEW] * 50)
    gz.write_bytes(gz.read_bytes()[:-12])
    with pytest.raises(ValueError, match=r"All_Beauty\.jsonl\.gz: could not be read"):
        data.read_amazon_reviews_2023(gz)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    with pytest.raises(ValueError, match=r"empty\.jsonl: no records"):
        data.read_amazon_reviews_2023(empty)


def test_amazon_meta_problems_and_documented_counts(tmp_path):
    reviews = _jsonl(tmp_path / "r.jsonl", [REVIEW, REVIEW | {"parent_asin": "P2", "title": None}])
    meta = _jsonl(tmp_path / "m.jsonl", [{"parent_asin": "P1", "title": "Oil"}, {"parent_asin": "P1", "title": "Dup"}])
    ds = data.read_amazon_reviews_2023(reviews, meta)
    assert ds.meta["duplicate_meta_records"] == 1 and ds.meta["items_without_meta"] == 1
    assert ds.items.set_index("item_id").loc["P1", "title"] == "Oil"
    assert ds.interactions["review_title"].tolist()[0] in ("", "Great")
    bad_meta = _jsonl(tmp_path / "bad.jsonl", [{"title": "no id"}])
    with pytest.raises(ValueError, match=r"bad\.jsonl: line 1, field 'parent_asin'"):
        data.read_amazon_reviews_2023(reviews, bad_meta)


@pytest.mark.parametrize("reviews, meta, match", [
    (None, None, "reviews: expected a file path"),
    (3, None, "reviews: expected a file path"),
    ("DIR", None, "reviews: expected a file"),
    ("OK", 3, "meta: expected a file path"),
    ("OK", "DIR", "meta: expected a file"),
], ids=repr)
def test_amazon_bad_paths(tmp_path, reviews, meta, match):
    ok = _jsonl(tmp_path / "r.jsonl", [REVIEW])
    sub = {"DIR": tmp_path, "OK": ok}
    with pytest.raises(ValueError, match=match):
        data.read_amazon_reviews_2023(sub.get(reviews, reviews) if isinstance(reviews, str) else reviews,
                                      sub.get(meta, meta) if isinstance(meta, str) else meta)
