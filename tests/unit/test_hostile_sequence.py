"""Hostile inputs for every public function and class of recsys_helpers.sequence.

``REJECTED``: one bad argument per call (None, a wrong type, ``True`` for a number, an empty
input, a missing column, NaN in ids or timestamps, item indices outside ``1..n_items``,
``text_features`` rows that do not match ``n_items``, ``k`` larger than the catalogue), each
answered by a ``ValueError`` whose message starts with the argument's name. ``DOCUMENTED``:
inputs that look hostile but have a documented answer. Every call checks that its arguments
were not mutated. Only one tiny model is trained (``epochs=1``); all other calls fail before
training starts.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from recsys_helpers import sequence as sq

SETTINGS = settings(max_examples=50, deadline=None, derandomize=True)
NAN, INF = float("nan"), float("inf")
N = 12                                                              # items of the small model


from hostile import D, R, assert_unchanged, call_unchanged  # noqa: E402,F401

# --------------------------------------------------------------------------- small valid inputs
def inter(**cols) -> pd.DataFrame:
    df = pd.DataFrame({"user_id": [1, 1, 1, 2, 2, 2], "item_id": [10, 20, 30, 20, 30, 10],
                       "timestamp": [1, 2, 3, 1, 2, 3]})
    for k, v in cols.items():
        df[k] = v
    return df


torch.manual_seed(0)
MODEL = sq.SASRec(N, d=8, n_blocks=1, n_heads=1, max_len=4, dropout=0.0).eval()
SEQS = [np.array([1, 2, 3]), np.array([2, 3, 4])]
TINY = dict(d=8, n_blocks=1, max_len=4, epochs=1, batch_size=4, progress=False, deterministic=False)


def fit(*args, **kwargs):
    return sq.fit_sasrec(*args, **{**TINY, **kwargs})


REJECTED = [
    # ---------------------------------------------------------------- configuration
    R("config-d-True", "^d:", sq.SASRecConfig, d=True),
    R("config-d-0", "^d:", sq.SASRecConfig, d=0),
    R("config-d-float", "^d:", sq.SASRecConfig, d=8.0),
    R("config-n_heads-not-a-divisor", "^n_heads:", sq.SASRecConfig, d=8, n_heads=3),
    R("config-max_len-negative", "^max_len:", sq.SASRecConfig, max_len=-1),
    R("config-epochs-None", "^epochs:", sq.SASRecConfig, epochs=None),
    R("config-batch_size-True", "^batch_size:", sq.SASRecConfig, batch_size=True),
    R("config-dropout-1", "^dropout:", sq.SASRecConfig, dropout=1.0),
    R("config-dropout-NaN", "^dropout:", sq.SASRecConfig, dropout=NAN),
    R("config-lr-0", "^lr:", sq.SASRecConfig, lr=0),
    R("config-lr-inf", "^lr:", sq.SASRecConfig, lr=INF),
    R("config-lr-True", "^lr:", sq.SASRecConfig, lr=True),
    R("config-weight_decay-negative", "^weight_decay:", sq.SASRecConfig, weight_decay=-1),
    R("config-loss", "^loss:", sq.SASRecConfig, loss="mse"),
    R("config-loss-None", "^loss:", sq.SASRecConfig, loss=None),
    R("get_config-unknown-name", "^config:", sq.get_config, "medium"),
    R("get_config-None", "^config:", sq.get_config, None),
    R("get_config-dict", "^config:", sq.get_config, {"d": 8}),
    R("get_config-unknown-field", "^overrides:", sq.get_config, "small", foo=1),
    R("get_config-bad-override", "^d:", sq.get_config, "small", d=True),
    # ---------------------------------------------------------------- the model
    R("model-n_items-0", "^n_items:", sq.SASRec, 0),
    R("model-n_items-True", "^n_items:", sq.SASRec, True),
    R("model-d-float", "^d:", sq.SASRec, 5, d=1.5),
    R("model-n_heads-not-a-divisor", "^n_heads:", sq.SASRec, 5, d=8, n_heads=3),
    R("model-dropout-negative", "^dropout:", sq.SASRec, 5, dropout=-0.1),
    R("model-text-NaN", "^text_features:.*NaN", sq.SASRec, 5, d=8, text_features=np.full((5, 3), NAN)),
    R("model-text-inf", "^text_features:.*finite", sq.SASRec, 5, d=8, text_features=np.full((5, 3), INF)),
    R("model-text-rows", r"^text_features:.*n_items=5", sq.SASRec, 5, d=8, text_features=np.ones((4, 3))),
    R("model-text-1d", "^text_features:.*2-D", sq.SASRec, 5, d=8, text_features=np.ones(5)),
    R("model-text-str", "^text_features:", sq.SASRec, 5, d=8, text_features="abc"),
    R("model-text-bool", "^text_features:.*boolean", sq.SASRec, 5, d=8, text_features=np.ones((5, 3), bool)),
    R("model-text-no-columns", "^text_features:", sq.SASRec, 5, d=8, text_features=np.ones((5, 0))),
    R("model-text-float32-overflow", "^text_features:.*float32", sq.SASRec, 5, d=8, text_features=np.full((5, 3), 1e300)),
    R("forward-1d", "^seq:.*shape", MODEL, torch.tensor([1, 2])),
    R("forward-too-long", "^seq:.*max_len", MODEL, torch.tensor([[1, 2, 3, 4, 5]])),
    R("forward-index-too-large", "^seq:.*0..n_items=12", MODEL, torch.tensor([[1, 2, 13]])),
    R("forward-negative-index", "^seq:.*0..n_items=12", MODEL, torch.tensor([[1, -2, 3]])),
    R("forward-float-tensor", "^seq:.*integer tensor", MODEL, torch.tensor([[1.0, 2.0]])),
    R("forward-bool-tensor", "^seq:.*integer tensor", MODEL, torch.tensor([[True, False]])),
    R("forward-numpy", "^seq:.*integer tensor", MODEL, np.array([[1, 2]])),
    R("forward-list", "^seq:.*integer tensor", MODEL, [[1, 2]]),
    # ---------------------------------------------------------------- sequences_from_interactions
    R("split-None", "^interactions:", sq.sequences_from_interactions, None),
    R("split-list", "^interactions:", sq.sequences_from_interactions, [[1, 10, 1]]),
    R("split-empty", "^interactions:.*at least one row", sq.sequences_from_interactions, inter().iloc[:0]),
    R("split-missing-timestamp", "^interactions:.*timestamp", sq.sequences_from_interactions, inter().drop(columns="timestamp")),
    R("split-NaN-timestamp", "^interactions:.*'timestamp'.*NaN", sq.sequences_from_interactions, inter(timestamp=[1, NAN, 3, 1, 2, 3])),
    R("split-NaN-item", "^interactions:.*'item_id'.*NaN", sq.sequences_from_interactions, inter(item_id=[10, NAN, 30, 20, 30, 10])),
    R("split-None-user", "^interactions:.*'user_id'.*NaN", sq.sequences_from_interactions, inter(user_id=[1, None, 1, 2, 2, 2])),
    R("split-str-timestamp", "^interactions:.*'timestamp' must hold numbers", sq.sequences_from_interactions, inter(timestamp=list("213123"))),
    R("split-bool-timestamp", "^interactions:.*'timestamp' must hold numbers", sq.sequences_from_interactions, inter(timestamp=[True] * 6)),
    R("split-mixed-item-types", "^interactions:.*'item_id' mixes", sq.sequences_from_interactions, inter(item_id=[10, "a", 30, 20, 30, 10])),
    R("split-mixed-user-types", "^interactions:.*'user_id' mixes", sq.sequences_from_interactions, inter(user_id=[1, "a", 1, 2, 2, 2])),
    R("split-min_len-2", "^min_len:", sq.sequences_from_interactions, inter(), 2),
    R("split-min_len-True", "^min_len:", sq.sequences_from_interactions, inter(), True),
    R("split-min_len-float", "^min_len:", sq.sequences_from_interactions, inter(), 3.0),
    R("split-everyone-too-short", "^interactions:.*min_len=4", sq.sequences_from_interactions, inter(), 4),
    # ---------------------------------------------------------------- training_windows
    R("windows-None", "^sequences:", sq.training_windows, None, 4),
    R("windows-str", "^sequences:", sq.training_windows, "abc", 4),
    R("windows-2d-array", "^sequences:", sq.training_windows, np.array([[1, 2, 3]]), 4),
    R("windows-dict", "^sequences:", sq.training_windows, {0: [1, 2]}, 4),
    R("windows-empty", "^sequences:", sq.training_windows, [], 4),
    R("windows-all-too-short", "^sequences:.*two or more", sq.training_windows, [np.array([1])], 4),
    R("windows-float-items", r"^sequences\[0\]:.*integers", sq.training_windows, [np.array([1.5, 2.0])], 4),
    R("windows-NaN-item", r"^sequences\[0\]:.*integers", sq.training_windows, [np.array([1.0, NAN])], 4),
    R("windows-negative-item", r"^sequences\[0\]:.*1..n_items", sq.training_windows, [np.array([1, -2, 3])], 4),
    R("windows-padding-inside", r"^sequences\[0\]:.*0 is padding", sq.training_windows, [np.array([1, 0, 3])], 4),
    R("windows-str-element", r"^sequences\[0\]:", sq.training_windows, ["123"], 4),
    R("windows-bool-element", r"^sequences\[0\]:.*boolean", sq.training_windows, [[True, False]], 4),
    R("windows-max_len-0", "^max_len:", sq.training_windows, SEQS, 0),
    R("windows-max_len-True", "^max_len:", sq.training_windows, SEQS, True),
    # ---------------------------------------------------------------- seen_mask
    R("seen-None", "^sequences:", sq.seen_mask, None, N),
    R("seen-str", "^sequences:", sq.seen_mask, "abc", N),
    R("seen-empty", "^sequences:", sq.seen_mask, [], N),
    R("seen-n_items-0", "^n_items:", sq.seen_mask, SEQS, 0),
    R("seen-n_items-True", "^n_items:", sq.seen_mask, SEQS, True),
    R("seen-index-too-large", r"^sequences\[0\]:.*n_items=5", sq.seen_mask, [np.array([1, 9])], 5),
    R("seen-negative-index", r"^sequences\[0\]:", sq.seen_mask, [np.array([1, -1])], 5),
    R("seen-float-index", r"^sequences\[0\]:.*integers", sq.seen_mask, [np.array([1.5])], 5),
    R("seen-NaN-index", r"^sequences\[0\]:.*integers", sq.seen_mask, [np.array([1.0, NAN])], 5),
    # ---------------------------------------------------------------- score_next
    R("score-model-None", "^model:", sq.score_next, None, SEQS),
    R("score-model-Module", "^model:", sq.score_next, torch.nn.Linear(2, 2), SEQS),
    R("score-index-too-large", r"^sequences\[0\]:.*n_items=12", sq.score_next, MODEL, [np.array([1, 13])]),
    R("score-negative-index", r"^sequences\[0\]:", sq.score_next, MODEL, [np.array([1, -1])]),
    R("score-padding-index", r"^sequences\[0\]:.*0 is padding", sq.score_next, MODEL, [np.array([0, 1])]),
    R("score-NaN-index", r"^sequences\[0\]:.*integers", sq.score_next, MODEL, [np.array([1.0, NAN])]),
    R("score-str", "^sequences:", sq.score_next, MODEL, "abc"),
    R("score-no-sequences", "^sequences:", sq.score_next, MODEL, []),
    R("score-empty-history", r"^sequences\[0\]:.*at least one", sq.score_next, MODEL, [np.array([], int)]),
    R("score-batch_size-0", "^batch_size:", sq.score_next, MODEL, SEQS, 0),
    R("score-batch_size-True", "^batch_size:", sq.score_next, MODEL, SEQS, True),
    # ---------------------------------------------------------------- evaluate_next_item
    R("eval-model-None", "^model:", sq.evaluate_next_item, None, SEQS, [4, 5]),
    R("eval-histories-None", "^histories:", sq.evaluate_next_item, MODEL, None, [4, 5], 2),
    R("eval-histories-str", "^histories:", sq.evaluate_next_item, MODEL, "ab", [4, 5], 2),
    R("eval-histories-index-too-large", r"^histories\[0\]:.*n_items=12", sq.evaluate_next_item, MODEL, [np.array([1, 13]), np.array([2])], [4, 5], 2),
    R("eval-histories-empty-history", r"^histories\[1\]:", sq.evaluate_next_item, MODEL, [np.array([1]), np.array([], int)], [4, 5], 2),
    R("eval-targets-length", "^targets:.*one target per history", sq.evaluate_next_item, MODEL, SEQS, [4], 2),
    R("eval-targets-padding", "^targets:.*1..12", sq.evaluate_next_item, MODEL, SEQS, [0, 5], 2),
    R("eval-targets-too-large", "^targets:.*1..12", sq.evaluate_next_item, MODEL, SEQS, [4, 13], 2),
    R("eval-targets-NaN", "^targets:.*integers", sq.evaluate_next_item, MODEL, SEQS, [4, NAN], 2),
    R("eval-targets-float", "^targets:.*integers", sq.evaluate_next_item, MODEL, SEQS, [4, 4.5], 2),
    R("eval-targets-str", "^targets:", sq.evaluate_next_item, MODEL, SEQS, "45", 2),
    R("eval-targets-bool", "^targets:.*boolean", sq.evaluate_next_item, MODEL, SEQS, [True, True], 2),
    R("eval-k-above-n_items", r"^k:.*\[1, 12\]", sq.evaluate_next_item, MODEL, SEQS, [4, 5], 13),
    R("eval-k-True", "^k:", sq.evaluate_next_item, MODEL, SEQS, [4, 5], True),
    R("eval-exclude_seen-1", "^exclude_seen:", sq.evaluate_next_item, MODEL, SEQS, [4, 5], 2, exclude_seen=1),
    R("eval-per_row-1", "^per_row:", sq.evaluate_next_item, MODEL, SEQS, [4, 5], 2, per_row=1),
    # ---------------------------------------------------------------- fit_sasrec (all fail before training)
    R("fit-n_items-True", "^n_items:", fit, SEQS, True),
    R("fit-n_items-too-small", r"^sequences\[1\]:.*n_items=3", fit, SEQS, 3),
    R("fit-text-rows", r"^text_features:.*n_items=12", fit, SEQS, N, text_features=np.ones((4, 3))),
    R("fit-text-NaN", "^text_features:.*NaN", fit, SEQS, N, text_features=np.full((N, 3), NAN)),
    R("fit-sequences-str", "^sequences:", fit, "abc", N),
    R("fit-sequences-None", "^sequences:", fit, None, N),
    R("fit-sequences-empty", "^sequences:", fit, [], N),
    R("fit-sequences-NaN", r"^sequences\[0\]:.*integers", fit, [np.array([1.0, NAN, 2.0])], N),
    R("fit-sequences-str-element", r"^sequences\[0\]:", fit, ["123"], N),
    R("fit-sequences-padding", r"^sequences\[0\]:.*0 is padding", fit, [np.array([1, 0, 2])], N),
    R("fit-all-too-short", "^sequences:.*two or more", fit, [np.array([1]), np.array([2])], N),
    R("fit-seed-negative", "^seed:", fit, SEQS, N, seed=-1),
    R("fit-progress-0", "^progress:", fit, SEQS, N, progress=0),
    R("fit-deterministic-str", "^deterministic:", fit, SEQS, N, deterministic="yes"),
    R("fit-config-unknown", "^config:", fit, SEQS, N, config="x"),
    R("fit-override-epochs-0", "^epochs:", fit, SEQS, N, epochs=0),
    R("fit-override-unknown", "^overrides:", fit, SEQS, N, epoch=1),
    R("fit-valid-str", "^valid:", fit, SEQS, N, valid="x"),
    R("fit-valid-triple", "^valid:", fit, SEQS, N, valid=(SEQS, [4, 5], None)),
    R("fit-valid-targets-length", r"^valid\[1\] \(targets\):", fit, SEQS, N, valid=(SEQS, [4])),
    R("fit-valid-targets-out-of-range", r"^valid\[1\] \(targets\):", fit, SEQS, N, valid=(SEQS, [4, 13])),
    R("fit-valid-histories-out-of-range", r"^valid\[0\] \(histories\)\[0\]:", fit, SEQS, N, valid=([np.array([13])], [4])),
    R("fit-valid-too-few-items-for-k", "^valid:.*n_items >= 10", fit, SEQS, 5, valid=(SEQS, [4, 5])),
    R("fit-device", "^device_:", fit, SEQS, N, device_="nonsense"),
    R("fit-patience-0", "^patience:", fit, SEQS, N, valid=(SEQS, [4, 5]), patience=0),
    R("fit-patience-True", "^patience:", fit, SEQS, N, valid=(SEQS, [4, 5]), patience=True),
    R("fit-patience-float", "^patience:", fit, SEQS, N, valid=(SEQS, [4, 5]), patience=2.0),
    R("fit-patience-str", "^patience:", fit, SEQS, N, valid=(SEQS, [4, 5]), patience="3"),
    R("fit-patience-without-valid", "^patience:.*valid", fit, SEQS, N, patience=2),
]


@pytest.mark.parametrize("fn, args, kwargs, match", REJECTED)
def test_hostile_input_is_rejected_by_name(fn, args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        call_unchanged(fn, args, kwargs)


DOCUMENTED = [
    # None in get_config's overrides means "keep the configured value"
    D("get_config-None-override", lambda got: got.d == sq.CONFIGS["small"].d, sq.get_config, "small", d=None),
    # text features may be a nested list or a tensor
    D("model-text-list", lambda got: got.item_vectors().shape == (6, 8), sq.SASRec, 5, d=8, text_features=[[1.0, 2.0]] * 5),
    D("model-text-tensor", lambda got: got.item_vectors().shape == (6, 8), sq.SASRec, 5, d=8, text_features=torch.ones(5, 3)),
    # a sequence of length 1 gives no training window; a tuple of lists is a list of sequences
    D("windows-skip-length-1", lambda got: got[0].shape == (1, 4), sq.training_windows, [np.array([5]), [1, 2, 3]], 4),
    D("windows-tuple-of-lists", lambda got: got[1].tolist() == [[0, 0, 2, 3]], sq.training_windows, ([1, 2, 3],), 4),
    # an empty sequence marks only the padding column in seen_mask
    D("seen-empty-sequence", lambda got: got.tolist() == [[True, False, False]], sq.seen_mask, [np.array([], int)], 2),
    # a history longer than max_len: only its last max_len items are read
    D("score-long-history", lambda got: np.allclose(got, sq.score_next(MODEL, [np.array([3, 4, 5, 6])])),
      sq.score_next, MODEL, [np.array([1, 2, 3, 4, 5, 6])]),
    # a target inside its own history is never excluded from the ranking
    D("eval-target-in-history", lambda got: 0.0 <= got["hit@2"] <= 1.0, sq.evaluate_next_item, MODEL, SEQS, [3, 4], 2),
    # users below min_len are counted in the report, not dropped silently
    D("split-short-users-reported", lambda got: got.report == {"users_kept": 2, "users_too_short": 1},
      sq.sequences_from_interactions, pd.concat([inter(), pd.DataFrame({"user_id": [3], "item_id": [10], "timestamp": [9]})])),
    # datetimes are timestamps too
    D("split-datetime-timestamps", lambda got: got.test.tolist() == [3, 1], sq.sequences_from_interactions,
      inter(timestamp=pd.to_datetime([1, 2, 3, 1, 2, 3], unit="D"))),
]


@pytest.mark.parametrize("fn, args, kwargs, check", DOCUMENTED)
def test_hostile_looking_input_has_the_documented_answer(fn, args, kwargs, check):
    assert check(call_unchanged(fn, args, kwargs))


def test_tiny_fit_skips_short_sequences_and_leaves_its_inputs_alone():
    seqs = [np.arange(1, 8), np.array([3]), np.array([], dtype=np.int64), [2, 4, 6, 8]]
    valid = ([np.arange(1, 5), np.array([9])], np.array([5, 10]))
    feats = np.random.default_rng(0).normal(size=(N, 5))
    mode = torch.are_deterministic_algorithms_enabled()
    model, history = call_unchanged(fit, (seqs, N), {"valid": valid, "text_features": feats})
    assert torch.are_deterministic_algorithms_enabled() == mode      # deterministic=False: untouched
    assert list(history.columns[:2]) == ["epoch", "train_loss"] and len(history) == 1
    assert np.isfinite(history["train_loss"]).all() and 0 <= history["valid_hit@10"].iloc[0] <= 1
    call_unchanged(sq.evaluate_next_item, (model, valid[0], valid[1]), {"per_row": True})


@SETTINGS
@given(st.lists(st.lists(st.integers(1, 20), max_size=12), min_size=1, max_size=5), st.integers(1, 6))
def test_training_windows_use_every_next_item_once_as_a_target(seqs, max_len):
    if all(len(s) < 2 for s in seqs):
        with pytest.raises(ValueError, match="^sequences:"):
            sq.training_windows(seqs, max_len)
        return
    x, y = sq.training_windows(seqs, max_len)
    assert x.shape == y.shape and x.shape[1] == max_len
    assert sorted(y[y > 0].tolist()) == sorted(i for s in seqs for i in s[1:])
    assert ((x > 0) <= (y > 0)).all()                                   # an input has a target
