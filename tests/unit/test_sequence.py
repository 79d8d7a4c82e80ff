"""Tests of the SASRec-style next-item model in recsys_helpers.sequence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from recsys_helpers import sequence as sq


def _model(n_items: int = 30, text: np.ndarray | None = None, **kw) -> sq.SASRec:
    torch.manual_seed(0)
    m = sq.SASRec(n_items, d=16, n_blocks=2, n_heads=2, max_len=8, dropout=0.0, text_features=text, **kw)
    return m.eval()


def test_forward_and_score_shapes():
    m = _model()
    x = torch.tensor([[0, 0, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 8]])
    h = m(x)
    assert h.shape == (2, 8, 16)
    assert m.scores(h).shape == (2, 8, 31)


def test_text_features_change_item_vectors_and_are_frozen():
    rng = np.random.default_rng(0)
    f = rng.normal(size=(30, 12)).astype(np.float32)
    m = _model(text=f)
    assert m.item_vectors().shape == (31, 16)
    assert "text_features" not in dict(m.named_parameters())
    assert torch.allclose(m.item_vectors()[0], torch.zeros(16))  # padding stays zero
    base = _model()
    assert not torch.allclose(m.item_vectors()[1:], base.item_vectors()[1:])
    with pytest.raises(ValueError, match="text_features"):
        _model(text=f[:5])


def test_causal_mask_future_items_do_not_change_the_past():
    m = _model()
    x = torch.tensor([[0, 0, 3, 4, 5, 6, 7, 8]])
    x2 = x.clone()
    x2[0, 6:] = torch.tensor([20, 21])
    h1, h2 = m(x), m(x2)
    assert torch.allclose(h1[:, :6], h2[:, :6], atol=1e-6)
    assert not torch.allclose(h1[:, 6:], h2[:, 6:])


def test_padded_positions_give_finite_outputs():
    m = _model()
    a = m(torch.tensor([[0, 0, 0, 0, 5, 6, 7, 8]]))
    b = m(torch.tensor([[0, 0, 0, 0, 0, 0, 0, 0]]))  # all padding: no row without keys, no NaN
    assert torch.isfinite(a).all() and torch.isfinite(b).all()


def test_training_windows_cover_every_target_once():
    x, y = sq.training_windows([np.arange(1, 12)], max_len=4)
    assert x.shape[1] == 4 and x.shape == y.shape
    assert sorted(y[y > 0].tolist()) == list(range(2, 12))
    # the target is the input shifted by one wherever both are real items
    both = (x > 0) & (y > 0)
    assert np.all(y[both] == x[both] + 1)


def test_sequences_from_interactions_leave_last_out():
    inter = pd.DataFrame({"user_id": [1, 1, 1, 1, 2, 2, 3], "item_id": [10, 20, 30, 40, 20, 10, 30],
                          "timestamp": [4, 1, 2, 3, 1, 2, 1]})
    inter2 = pd.concat([inter, pd.DataFrame({"user_id": [2], "item_id": [30], "timestamp": [3]})])
    split = sq.sequences_from_interactions(inter2)
    assert list(split.users) == [1, 2]
    assert split.report["users_too_short"] == 1
    # user 1 by time: 20, 30, 40, 10 -> indices 2, 3, 4, 1
    assert split.train[0].tolist() == [2, 3] and split.valid[0] == 4 and split.test[0] == 1
    assert split.history_for_test()[0].tolist() == [2, 3, 4]
    with pytest.raises(ValueError, match="interactions"):
        sq.sequences_from_interactions(inter.drop(columns="timestamp"))
    with pytest.raises(ValueError, match="interactions"):
        sq.sequences_from_interactions(inter.iloc[:0])


def test_rank_metrics_by_hand():
    scores = np.array([[0.0, 0.9, 0.8, 0.1], [0.0, 0.9, 0.8, 0.1]])
    # row 0: target 2 ranked second; row 1: target 2 but item 1 excluded -> first
    excl = np.array([[False] * 4, [False, True, False, False]])
    m = sq.rank_metrics(scores, np.array([2, 2]), excl, k=1)
    assert m["hit@1"] == pytest.approx(0.5)
    assert m["ndcg@1"] == pytest.approx(0.5)
    m2 = sq.rank_metrics(scores, np.array([2, 2]), None, k=2)
    assert m2["ndcg@2"] == pytest.approx(1 / np.log2(3))


def test_popularity_baseline_excludes_seen():
    train = [np.array([1, 1, 2]), np.array([1, 3])]
    pop = sq.popularity_scores(train, 3)
    assert pop[1] == 3 and pop[0] == -np.inf
    m = sq.evaluate_popularity(train, [np.array([1]), np.array([2])], np.array([2, 1]), 3, k=1)
    # user 0 has seen item 1, so item 2 (next most popular) is first: a hit; user 1's target
    # 1 is first too (only seen items other than the target are excluded)
    assert m["hit@1"] == pytest.approx(1.0)


def test_learns_deterministic_next_item_pattern_far_above_chance():
    n_items = 20
    rng = np.random.default_rng(0)
    seqs = [(np.arange(s, s + 15) % n_items) + 1 for s in rng.integers(0, n_items, 200)]
    model, hist = sq.fit_sasrec(seqs, n_items, "small", d=32, n_blocks=1, max_len=10, epochs=8,
                                lr=5e-3, dropout=0.0, seed=0, progress=False, device_="cpu")
    assert hist["train_loss"].iloc[-1] < hist["train_loss"].iloc[0]
    hists = [(np.arange(s, s + 6) % n_items) + 1 for s in range(n_items)]
    targets = np.array([((s + 6) % n_items) + 1 for s in range(n_items)])
    m = sq.evaluate_next_item(model, hists, targets, k=1, exclude_seen=False)
    assert m["hit@1"] > 0.8  # chance is 1/20


def test_seeded_training_is_deterministic():
    seqs = [np.array([1, 2, 3, 4, 5]), np.array([2, 3, 4, 5, 1]), np.array([5, 4, 3])]
    kw = dict(d=8, n_blocks=1, max_len=4, epochs=2, batch_size=2, seed=3, progress=False, device_="cpu")
    m1, h1 = sq.fit_sasrec(seqs, 5, **kw)
    m2, h2 = sq.fit_sasrec(seqs, 5, **kw)
    m3, _ = sq.fit_sasrec(seqs, 5, **{**kw, "seed": 4})
    for p1, p2 in zip(m1.parameters(), m2.parameters()):
        assert torch.equal(p1, p2)
    assert h1["train_loss"].tolist() == h2["train_loss"].tolist()
    assert not all(torch.equal(p1, p3) for p1, p3 in zip(m1.parameters(), m3.parameters()))


def test_bce_loss_option_trains():
    seqs = [np.array([1, 2, 3, 4, 5])] * 4
    _, h = sq.fit_sasrec(seqs, 5, d=8, n_blocks=1, max_len=4, epochs=3, loss="bce", seed=0,
                         progress=False, device_="cpu")
    assert np.isfinite(h["train_loss"]).all()


def test_config_validation():
    assert sq.get_config("small").d == 64
    assert sq.get_config("large").max_len > sq.get_config("small").max_len
    assert sq.get_config("small", epochs=2).epochs == 2
    with pytest.raises(ValueError, match="config"):
        sq.get_config("huge")
    with pytest.raises(ValueError, match="n_heads"):
        sq.SASRecConfig(d=10, n_heads=3)
    with pytest.raises(ValueError, match="overrides"):
        sq.get_config("small", colour="red")
    with pytest.raises(ValueError, match="sequences"):
        sq.fit_sasrec([np.array([1, 9])], 5, epochs=1, progress=False)
    with pytest.raises(ValueError, match="seq"):
        _model()(torch.zeros(2, 9, dtype=torch.long))


def test_per_row_metrics_and_target_ranks():
    scores = np.array([[0.0, 0.9, 0.8, 0.1], [0.0, 0.1, 0.2, 0.9]])
    assert sq.target_ranks(scores, np.array([2, 3])).tolist() == [1, 0]
    rows = sq.rank_metrics(scores, np.array([2, 3]), k=1, per_row=True)
    assert rows["hit@1"].tolist() == [0.0, 1.0]
    assert rows["rank"].tolist() == [1, 0]
    with pytest.raises(ValueError, match="targets"):
        sq.target_ranks(scores, np.array([2, 7]))
    with pytest.raises(ValueError, match="exclude"):
        sq.target_ranks(scores, np.array([2, 3]), np.zeros((1, 4), bool))
