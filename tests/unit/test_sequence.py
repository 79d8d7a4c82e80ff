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


def test_evaluation_uses_the_one_full_ranking_with_ties():
    """A model that scores every item alike gets exactly chance: the tie rule of metrics."""
    m = _model(n_items=10)
    with torch.no_grad():
        for p in m.parameters():
            p.zero_()
    hists = [np.array([1, 2]), np.array([3])]
    res = sq.evaluate_next_item(m, hists, np.array([5, 6]), k=2)
    # user 0 ranks 8 unseen items, user 1 ranks 9: hit@2 = (2/8 + 2/9) / 2
    assert res["hit@2"] == pytest.approx((2 / 8 + 2 / 9) / 2)
    rows = sq.evaluate_next_item(m, hists, np.array([5, 6]), k=2, per_row=True)
    assert rows["rank"].tolist() == pytest.approx([4.5, 5.0])


def test_seen_mask_marks_history_and_padding():
    mask = sq.seen_mask([np.array([1, 3]), np.array([], dtype=np.int64)], 4)
    assert mask.tolist() == [[True, True, False, True, False], [True, False, False, False, False]]


def test_sequence_modules_has_no_own_ranking_or_popularity():
    """One evaluation (metrics) and one popularity baseline (recommend) for the package."""
    for name in ("target_ranks", "rank_metrics", "popularity_scores", "evaluate_popularity",
                 "run_sasrec_experiment"):
        assert not hasattr(sq, name), name


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
    mode = torch.are_deterministic_algorithms_enabled()
    m1, h1 = sq.fit_sasrec(seqs, 5, **kw)
    assert torch.are_deterministic_algorithms_enabled() == mode  # switched on for the call only
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


def test_training_windows_validation():
    with pytest.raises(ValueError, match="max_len"):
        sq.training_windows([np.arange(1, 5)], max_len=0)
    with pytest.raises(ValueError, match="max_len"):
        sq.training_windows([np.arange(1, 5)], max_len=True)
    with pytest.raises(ValueError, match="sequences"):
        sq.training_windows("1234", max_len=2)
    with pytest.raises(ValueError, match=r"sequences\[0\]"):
        sq.training_windows([np.array([1.5, 2.0])], max_len=2)
    with pytest.raises(ValueError, match="sequences"):
        sq.training_windows([np.array([1])], max_len=2)


def test_evaluate_next_item_validation():
    m = _model(n_items=10)
    with pytest.raises(ValueError, match="targets"):
        sq.evaluate_next_item(m, [np.array([1])], np.array([11]))
    with pytest.raises(ValueError, match="targets"):
        sq.evaluate_next_item(m, [np.array([1])], np.array([2, 3]))
    with pytest.raises(ValueError, match="exclude_seen"):
        sq.evaluate_next_item(m, [np.array([1])], np.array([2]), exclude_seen=1)


def _cycle_data(n_items: int = 12, n: int = 40):
    rng = np.random.default_rng(0)
    seqs = [(np.arange(s, s + 9) % n_items) + 1 for s in rng.integers(0, n_items, n)]
    train = [s[:-2] for s in seqs]
    return train, ([s[:-1] for s in seqs], np.array([s[-1] for s in seqs]))


def test_early_stopping_keeps_the_best_epoch_and_stops_after_patience():
    train, valid = _cycle_data()
    kw = dict(d=8, n_blocks=1, max_len=6, batch_size=8, seed=0, progress=False, device_="cpu")
    full, h_full = sq.fit_sasrec(train, 12, epochs=12, valid=valid, **kw)
    es, h_es = sq.fit_sasrec(train, 12, epochs=12, valid=valid, patience=2, **kw)
    # the same seeded run up to the stop: identical validation scores epoch by epoch
    n = len(h_es)
    assert np.allclose(h_es["valid_ndcg@10"], h_full["valid_ndcg@10"].iloc[:n])
    assert h_es["best"].sum() == 1
    best = int(h_es.loc[h_es["best"], "epoch"].iloc[0])
    assert h_es["valid_ndcg@10"].iloc[best - 1] == h_es["valid_ndcg@10"].max()
    # it stopped exactly `patience` epochs after the best one (or ran out of epochs)
    assert n == 12 or n == best + 2
    # the returned weights are those of the best epoch: they reproduce its score
    again = sq.evaluate_next_item(es, valid[0], valid[1])["ndcg@10"]
    assert np.isclose(again, h_es["valid_ndcg@10"].iloc[best - 1])
    assert "best" not in h_full.columns


def test_early_stopping_stops_before_the_epoch_budget():
    train, valid = _cycle_data()
    # a constant validation score (lr tiny): no improvement after epoch 1 -> stop at 1 + patience
    _, h = sq.fit_sasrec(train, 12, d=8, n_blocks=1, max_len=6, epochs=20, lr=1e-12,
                         valid=valid, patience=3, seed=0, progress=False, device_="cpu",
                         dropout=0.0)
    assert len(h) == 4 and h["best"].tolist() == [True, False, False, False]


def test_gpu_cell_code_path_runs_on_cpu_with_a_tiny_large_config():
    """The chapter's GPU cell: the large configuration, text or not, early stopping."""
    train, valid = _cycle_data()
    feats = np.random.default_rng(1).normal(size=(12, 5)).astype(np.float32)
    hist_test = [np.append(s, t) for s, t in zip(valid[0], valid[1])]
    for feats_ in (None, feats):
        cfg = sq.get_config("large", d=8, max_len=6, epochs=3, batch_size=16)
        model, history = sq.fit_sasrec(train, 12, cfg, text_features=feats_, seed=0,
                                       valid=valid, patience=2, progress=False,
                                       device_="cpu")
        assert history["best"].sum() == 1 and len(history) <= 3
        res = sq.evaluate_next_item(model, hist_test, valid[1])
        assert set(res) == {"hit@10", "ndcg@10", "mrr"}
