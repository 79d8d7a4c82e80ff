"""Hostile inputs for every public function and class of recsys_helpers.interests.

Each case feeds one bad argument (None, a wrong type, ``True`` for a number, an empty input,
a missing column, NaN/inf, a duplicate or unknown id, a mismatched shape) and expects a
``ValueError`` whose message starts with the argument's name. The tables below are the
documented answers; the last tests check that no input is mutated and probe a few
properties with hypothesis.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from recsys_helpers import interests as it

DAY = it.DAY
SETTINGS = settings(max_examples=50, deadline=None, derandomize=True)


# --------------------------------------------------------------------------- small valid inputs
def items() -> pd.DataFrame:
    return pd.DataFrame(np.eye(3), index=pd.Index([10, 20, 30], name="item_id"))


def inter() -> pd.DataFrame:
    return pd.DataFrame({"user_id": [1, 1, 2], "item_id": [10, 20, 30], "event": ["view", "cart", "view"],
                         "timestamp": [0, DAY, 2 * DAY], "review_text": ["Lovely, I adore it!", "", "Awful."]})


def users() -> pd.DataFrame:
    return pd.DataFrame([[1.0, 0.2, 0.0], [0.0, 0.3, 1.0]], index=pd.Index([1, 2], name="user_id"))


def labels() -> pd.DataFrame:
    return pd.DataFrame({"a": [1.0, 1.0, 0.0], "b": [0.0, 0.0, 1.0]}, index=pd.Index([10, 20, 30], name="item_id"))


def protos() -> it.InterestPrototypes:
    return it.interest_prototypes(items(), labels())


def catalogue() -> pd.DataFrame:
    return pd.DataFrame({"item_id": [10, 20, 30], "text": ["red summer dress", "blue summer dress", "denim jeans"]})


def namer() -> it.InterestNamer:
    return it.InterestNamer(min_df=1).fit(catalogue())


def model() -> it.InterestModel:
    return it.InterestModel(half_life_days=None).fit(inter(), items())


class Gen:
    """Stands in for lm.Generator."""

    def score_options(self, prompt, options):
        return pd.Series(np.arange(len(options), 0, -1, dtype=float), index=options)


def with_(df: pd.DataFrame, **cols) -> pd.DataFrame:
    out = df.copy()
    for k, v in cols.items():
        out[k] = v
    return out


NAN = float("nan")
INF = float("inf")

# (id, call, expected message regex): every call must raise ValueError matching the regex
CASES = [
    # event_time_weights
    ("etw-none", lambda: it.event_time_weights(None), "^interactions: expected a pandas DataFrame"),
    ("etw-list", lambda: it.event_time_weights([["view", 0]]), "^interactions: expected a pandas DataFrame"),
    ("etw-missing-col", lambda: it.event_time_weights(inter().drop(columns="timestamp")),
     r"^interactions: missing column\(s\) \['timestamp'\]"),
    ("etw-empty", lambda: it.event_time_weights(inter().iloc[:0]), "^interactions: expected at least one row"),
    ("etw-nan-time", lambda: it.event_time_weights(with_(inter(), timestamp=[0, NAN, 1])),
     "^interactions: column 'timestamp' has 1 missing"),
    ("etw-str-time", lambda: it.event_time_weights(with_(inter(), timestamp=["a", "b", "c"])),
     "^interactions: column 'timestamp' expected Unix times"),
    ("etw-inf-time", lambda: it.event_time_weights(with_(inter(), timestamp=[0, INF, 1])),
     "^interactions: column 'timestamp' expected finite"),
    ("etw-half-life-true", lambda: it.event_time_weights(inter(), half_life_days=True), "^half_life_days: "),
    ("etw-half-life-str", lambda: it.event_time_weights(inter(), half_life_days="30"), "^half_life_days: "),
    ("etw-half-life-nan", lambda: it.event_time_weights(inter(), half_life_days=NAN), "^half_life_days: "),
    ("etw-half-life-zero", lambda: it.event_time_weights(inter(), half_life_days=0), "^half_life_days: .*> 0"),
    ("etw-weights-list", lambda: it.event_time_weights(inter(), ["view"]), "^event_weights: expected a non-empty mapping"),
    ("etw-weights-true", lambda: it.event_time_weights(inter(), {"view": True, "cart": 1.0}),
     r"^event_weights\['view'\]: expected a number >= 0"),
    ("etw-weights-nan", lambda: it.event_time_weights(inter(), {"view": NAN, "cart": 1.0}), r"^event_weights\['view'\]"),
    ("etw-unknown-event", lambda: it.event_time_weights(inter(), {"view": 1.0}),
     r"^event_weights: no weight for event type\(s\) \['cart'\]"),
    ("etw-now-true", lambda: it.event_time_weights(inter(), now=True), "^now: "),
    ("etw-now-early", lambda: it.event_time_weights(inter(), now=0), "^now: expected a Unix time at or after"),
    # as_item_frame
    ("aif-none", lambda: it.as_item_frame(None), "^item_vectors: expected a DataFrame indexed by item_id"),
    ("aif-list-no-ids", lambda: it.as_item_frame([[1.0, 0.0]]), "^item_vectors: expected a DataFrame"),
    ("aif-ids-length", lambda: it.as_item_frame(np.eye(2), [1]), "^item_ids: expected one entry per element"),
    ("aif-ids-duplicate", lambda: it.as_item_frame(np.eye(2), [1, 1]), "^item_ids: expected distinct ids"),
    ("aif-ids-str", lambda: it.as_item_frame(np.eye(2), "ab"), "^item_ids: expected a list of ids"),
    ("aif-nan", lambda: it.as_item_frame(items().replace(1.0, NAN)), "^item_vectors: expected numbers, found 3 NaN"),
    ("aif-inf", lambda: it.as_item_frame(items().replace(1.0, INF)), "^item_vectors: expected finite numbers"),
    ("aif-strings", lambda: it.as_item_frame(items().astype(str)), "^item_vectors: expected numeric columns, column 0 has dtype"),
    ("aif-bools", lambda: it.as_item_frame(items().astype(bool)), "^item_vectors: expected numeric columns, column 0 has dtype bool"),
    ("aif-dup-index", lambda: it.as_item_frame(items().set_axis([10, 10, 30])),
     r"^item_vectors: index \(item_id\) has duplicates \(e.g. 10\)"),
    ("aif-nan-index", lambda: it.as_item_frame(items().set_axis([10.0, NAN, 30.0])), r"^item_vectors index \(item_id\)"),
    ("aif-empty", lambda: it.as_item_frame(items().iloc[:0]), "^item_vectors: expected at least one row"),
    ("aif-ids-for-frame", lambda: it.as_item_frame(items(), [1, 2, 3]), "^item_ids: expected None for a DataFrame"),
    # behaviour_vectors
    ("bv-unknown-item", lambda: it.behaviour_vectors(with_(inter(), item_id=[10, 20, 99]), items()),
     r"^interactions: column 'item_id' has 1 ids with no row in item_vectors \(e.g. 99\)"),
    ("bv-nan-user", lambda: it.behaviour_vectors(with_(inter(), user_id=[1.0, NAN, 2.0]), items()),
     "^interactions: column 'user_id' has 1 missing"),
    ("bv-items-list", lambda: it.behaviour_vectors(inter(), np.eye(3).tolist()), "^item_vectors: expected a DataFrame"),
    ("bv-zero-user", lambda: it.behaviour_vectors(with_(inter(), event=["skip", "skip", "view"]), items()),
     r"^interactions: 1 row\(s\) are the zero vector"),
    ("bv-mixed-ids", lambda: it.behaviour_vectors(with_(inter(), user_id=["a", "a", 2]), items()),
     "^interactions: column 'user_id' mixes id types"),
    # review_sentiments
    ("rs-none", lambda: it.review_sentiments(None), "^texts: expected a non-empty sequence"),
    ("rs-str", lambda: it.review_sentiments("great"), "^texts: .*single string"),
    ("rs-int", lambda: it.review_sentiments([1]), "^texts: expected every element to be a str, element 0 is int"),
    ("rs-empty", lambda: it.review_sentiments([]), "^texts: expected a non-empty sequence"),
    ("rs-nan", lambda: it.review_sentiments(["ok", NAN]), "^texts: .*element 1 is float"),
    # text_vectors
    ("tv-review-shape", lambda: it.text_vectors(inter(), items(), np.ones((1, 3))),
     r"^review_vectors: expected shape \(2 reviews, 3\)"),
    ("tv-review-nan", lambda: it.text_vectors(inter(), items(), np.full((2, 3), NAN)), "^review_vectors: expected numbers"),
    ("tv-review-str", lambda: it.text_vectors(inter(), items(), "vectors"), "^review_vectors: expected a numeric array"),
    ("tv-weight-true", lambda: it.text_vectors(inter(), items(), review_weight=True), "^review_weight: "),
    ("tv-weight-neg", lambda: it.text_vectors(inter(), items(), review_weight=-1.0), "^review_weight: expected a number >= 0"),
    ("tv-text-ints", lambda: it.text_vectors(with_(inter(), review_text=[1, 2, 3]), items()),
     "^interactions: column 'review_text' expected texts"),
    ("tv-text-column", lambda: it.text_vectors(inter(), items(), text_column=5), "^text_column: "),
    # fuse
    ("fuse-alpha-true", lambda: it.fuse(users(), users(), True), "^alpha: expected a number in"),
    ("fuse-alpha-big", lambda: it.fuse(users(), users(), 1.5), "^alpha: expected a number in"),
    ("fuse-alpha-nan", lambda: it.fuse(users(), users(), NAN), "^alpha: "),
    ("fuse-list", lambda: it.fuse(users().to_numpy().tolist(), users()), "^behaviour: expected a pandas DataFrame"),
    ("fuse-none", lambda: it.fuse(users(), None), "^text: expected a pandas DataFrame"),
    ("fuse-dims", lambda: it.fuse(users(), users().iloc[:, :2]), "^text: expected vectors in the same space"),
    ("fuse-missing", lambda: it.fuse(users(), users().iloc[:1]), r"^text: 1 user\(s\) of behaviour are missing from text"),
    ("fuse-how-true", lambda: it.fuse(users(), users(), how=True), "^how: expected one of"),
    ("fuse-nan", lambda: it.fuse(users(), users().replace(1.0, NAN)), "^text: expected numbers, found 2 NaN"),
    ("fuse-dup-users", lambda: it.fuse(users().set_axis([1, 1]), users()), r"^behaviour: index \(user_id\) has duplicates"),
    ("fuse-zero-row", lambda: it.fuse(users().mul([1.0, 0.0], axis=0), users()), r"^behaviour: 1 row\(s\) are the zero vector"),
    # interest_vector
    ("iv-none", lambda: it.interest_vector(None), "^vectors: expected a numeric array"),
    ("iv-str", lambda: it.interest_vector("dress"), "^vectors: expected a numeric array"),
    ("iv-3d", lambda: it.interest_vector(np.ones((2, 2, 2))), "^vectors: expected a 2-D matrix"),
    ("iv-empty", lambda: it.interest_vector(np.zeros((0, 3))), "^vectors: expected at least one value"),
    ("iv-sent-length", lambda: it.interest_vector(np.eye(2), [0.5]), "^sentiments: expected one score per row"),
    ("iv-sent-bool", lambda: it.interest_vector(np.eye(2), [True, False]), "^sentiments: expected numbers, got a boolean"),
    ("iv-sent-nan", lambda: it.interest_vector(np.eye(2), [NAN, 0.5]), "^sentiments: expected numbers, found 1 NaN"),
    ("iv-sent-range", lambda: it.interest_vector(np.eye(2), [2.0, 0.5]), r"^sentiments: expected scores in \[-1, 1\]"),
    ("iv-normalise-int", lambda: it.interest_vector(np.eye(2), normalise=1), "^normalise: expected True or False"),
    ("iv-scheme-none", lambda: it.interest_vector(np.eye(2), scheme=None), "^scheme: expected one of"),
    ("iv-sparse-nan", lambda: it.interest_vector(sp.csr_matrix(np.array([[NAN, 1.0]]))), "^vectors: expected finite"),
    ("iv-sparse-bool", lambda: it.interest_vector(sp.csr_matrix(np.eye(2, dtype=bool))), "^vectors: expected a numeric"),
    # InterestModel
    ("im-kind-none", lambda: it.InterestModel(kind=None).fit(inter(), items()), "^kind: expected one of"),
    ("im-alpha-str", lambda: it.InterestModel(alpha="0.5").fit(inter(), items()), "^alpha: "),
    ("im-half-life-true", lambda: it.InterestModel(half_life_days=True).fit(inter(), items()), "^half_life_days: "),
    ("im-review-weight-nan", lambda: it.InterestModel(review_weight=NAN).fit(inter(), items()), "^review_weight: "),
    ("im-now-str", lambda: it.InterestModel(now="yesterday").fit(inter(), items()), "^now: "),
    ("im-encoder-str", lambda: it.InterestModel(encoder="minilm").fit(inter(), items()), "^encoder: expected a callable"),
    ("im-text-column-empty", lambda: it.InterestModel(text_column="").fit(inter(), items()), "^text_column: "),
    ("im-event-weights-list", lambda: it.InterestModel(event_weights=["view"]).fit(inter(), items()), "^event_weights: "),
    ("im-interactions-none", lambda: it.InterestModel().fit(None, items()), "^interactions: expected a pandas DataFrame"),
    ("im-items-none", lambda: it.InterestModel().fit(inter(), None), "^item_vectors: expected a DataFrame"),
    ("im-encoder-shape", lambda: it.InterestModel("text", encoder=lambda t: np.ones((1, 3))).fit(inter(), items()),
     r"^encoder: expected one vector per review \(2\)"),
    ("im-transform-str", lambda: model().transform("1"), "^user_ids: expected a list of ids"),
    ("im-transform-nan", lambda: model().transform([None]), r"^user_ids: 1 id\(s\) are missing values"),
    ("im-transform-unknown", lambda: model().transform([1, 99]), r"^user_ids: 1 unknown user id\(s\) \(e.g. 99\)"),
    ("im-transform-empty", lambda: model().transform([]), "^user_ids: expected at least one id"),
    ("im-not-fitted", lambda: it.InterestModel().transform(), "not fitted"),
    # InterestPrototypes / interest_prototypes / interest_affinity
    ("ip-labels-list", lambda: it.interest_prototypes(items(), [[1, 0]]), "^item_interests: expected a DataFrame"),
    ("ip-center-str", lambda: it.interest_prototypes(items(), labels(), center="yes"), "^center: expected True or False"),
    ("ip-empty-interest", lambda: it.interest_prototypes(items(), labels().assign(c=0.0)),
     r"^item_interests: interest\(s\) \['c'\] have no item"),
    ("ip-unknown-items", lambda: it.interest_prototypes(items().iloc[:2], labels()),
     r"^item_interests: 1 item id\(s\) have no row in item_vectors \(e.g. 30\)"),
    ("ipc-vectors-list", lambda: it.InterestPrototypes([[1.0, 0.0]], np.zeros(2)), "^vectors: expected a pandas DataFrame"),
    ("ipc-center-nan", lambda: it.InterestPrototypes(pd.DataFrame(np.eye(2)), [NAN, 0.0]), "^center: expected numbers"),
    ("ipc-center-none", lambda: it.InterestPrototypes(pd.DataFrame(np.eye(2)), None), "^center: expected a numeric"),
    ("ia-frame-protos", lambda: it.interest_affinity(users(), protos().vectors),
     "^prototypes: expected InterestPrototypes"),
    ("ia-users-none", lambda: it.interest_affinity(None, protos()), "^user_vectors: expected a pandas DataFrame"),
    ("ia-dims", lambda: it.interest_affinity(users().iloc[:, :2], protos()),
     r"^user_vectors: expected 3 columns \(the dimension of the prototypes\), got 2"),
    ("ia-nan", lambda: it.interest_affinity(users().replace(1.0, NAN), protos()), "^user_vectors: expected numbers"),
    # recovery_scores
    ("rec-k-true", lambda: it.recovery_scores(users(), users(), k=True), "^k: expected an integer in"),
    ("rec-k-zero", lambda: it.recovery_scores(users(), users(), k=0), "^k: expected an integer in"),
    ("rec-missing-users", lambda: it.recovery_scores(users(), users().iloc[:1]),
     r"^truth: 1 user\(s\) of affinity are missing from truth"),
    ("rec-truth-none", lambda: it.recovery_scores(users(), None), "^truth: expected a pandas DataFrame"),
    ("rec-columns", lambda: it.recovery_scores(users(), users().set_axis(["x", "y", "z"], axis=1)),
     "^affinity: expected the interest columns of truth"),
    # choose_k / cluster_history
    ("ck-none", lambda: it.choose_k(None), "^x: expected a numeric array"),
    ("ck-1d", lambda: it.choose_k(np.ones(4)), "^x: expected a 2-D matrix"),
    ("ck-max-k-true", lambda: it.choose_k(np.eye(4), max_k=True), "^max_k: expected a positive integer"),
    ("ck-threshold-nan", lambda: it.choose_k(np.eye(4), threshold=NAN), "^threshold: "),
    ("ck-seed-negative", lambda: it.choose_k(np.eye(4), seed=-1), "^seed: expected an integer >= 0"),
    ("ch-weights-length", lambda: it.cluster_history(np.eye(4), [1.0, 2.0]), "^weights: expected one weight per row"),
    ("ch-weights-zero", lambda: it.cluster_history(np.eye(4), np.zeros(4)), "^weights: expected non-negative weights"),
    ("ch-weights-negative", lambda: it.cluster_history(np.eye(4), [1.0, -1.0, 1.0, 1.0]), "^weights: expected non-negative"),
    # InterestNamer
    ("nm-fit-none", lambda: it.InterestNamer().fit(None), "^items: expected a pandas DataFrame"),
    ("nm-fit-no-text", lambda: it.InterestNamer().fit(catalogue().drop(columns="text")), r"^items: missing column\(s\) \['text'\]"),
    ("nm-fit-duplicates", lambda: it.InterestNamer().fit(pd.concat([catalogue(), catalogue()])),
     "^items: column 'item_id' has 3 duplicate"),
    ("nm-fit-min-df-true", lambda: it.InterestNamer(min_df=True).fit(catalogue()), "^min_df: expected a positive integer"),
    ("nm-fit-stop-words-str", lambda: it.InterestNamer(extra_stop_words="dress").fit(catalogue()),
     "^extra_stop_words: expected a list of str"),
    ("nm-fit-text-ints", lambda: it.InterestNamer().fit(with_(catalogue(), text=[1, 2, 3])), "^items: column 'text' expected texts"),
    ("nm-fit-no-terms", lambda: it.InterestNamer().fit(with_(catalogue(), text=["", "", ""])),
     "^items: column 'text' gives no usable term"),
    ("nm-kw-not-fitted", lambda: it.InterestNamer().keywords([10]), "not fitted"),
    ("nm-kw-n-zero", lambda: namer().keywords([10], n=0), "^n: expected a positive integer"),
    ("nm-kw-str", lambda: namer().keywords("10"), "^item_ids: expected a list of ids"),
    ("nm-kw-unknown", lambda: namer().keywords([10, 99]), r"^item_ids: 1 id\(s\) are not in the catalogue"),
    ("nm-kw-duplicate", lambda: namer().keywords([10, 10]), "^item_ids: expected distinct ids"),
    ("nm-kw-weights-zero", lambda: namer().keywords([10, 20], weights=[0, 0]), "^weights: expected at least one positive"),
    ("nm-kw-weights-nan", lambda: namer().keywords([10, 20], weights=[NAN, 1.0]), "^weights: expected numbers"),
    ("nm-prompt-str", lambda: it.InterestNamer.prompt("a dress", ["dress"]), "^texts: .*single string"),
    ("nm-prompt-max-chars", lambda: it.InterestNamer.prompt(["a dress"], ["dress"], max_chars=True), "^max_chars: "),
    ("nm-prompt-keywords", lambda: it.InterestNamer.prompt(["a dress"], "dress"), "^keywords: expected a list of str"),
    ("nm-llm-generator", lambda: namer().llm_name(None, [10], ["Dresses"], catalogue()), "^generator: expected an object"),
    ("nm-llm-options-empty", lambda: namer().llm_name(Gen(), [10], [], catalogue()), "^options: expected a non-empty"),
    ("nm-llm-options-dup", lambda: namer().llm_name(Gen(), [10], ["a", "a"], catalogue()), "^options: expected distinct"),
    ("nm-llm-items-list", lambda: namer().llm_name(Gen(), [10], ["a"], [10]), "^items: expected a pandas DataFrame"),
    ("nm-llm-n-examples", lambda: namer().llm_name(Gen(), [10], ["a"], catalogue(), n_examples=0), "^n_examples: "),
]


@pytest.mark.parametrize("call, match", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_input_raises_a_named_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_case_ids_are_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))


# --------------------------------------------------------------------------- documented results (no error)
def test_documented_results_for_edge_inputs():
    # a blank review is neutral, a missing review text is no review
    assert it.review_sentiments(["", "   "]).tolist() == [0.0, 0.0]
    with_nan = it.text_vectors(with_(inter(), review_text=["Lovely, I adore it!", None, "Awful."]), items())
    assert np.allclose(with_nan, it.text_vectors(inter(), items()))
    # a user asked for twice gets two equal rows
    out = model().transform([1, 1])
    assert out.shape == (2, 3) and np.allclose(out[0], out[1])
    # keywords: at most n, only terms more typical of the cluster than of the catalogue
    kw = namer().keywords([10, 20], n=50)
    assert 0 < len(kw) < 50 and "denim" not in kw
    # a 1-D vector is one document; with normalise=False the weighted sum is returned as is
    assert np.allclose(it.interest_vector([3.0, 4.0]), [0.6, 0.8])
    assert np.allclose(it.interest_vector([3.0, 4.0], [0.0], normalise=False), [1.5, 2.0])
    # how="inner" keeps exactly the users in both frames (sorted)
    f = it.fuse(users(), users().iloc[::-1].iloc[:1], how="inner")
    assert list(f.index) == [2]
    # one vector cannot be split: k = 1, every label 0
    labels_, k, sil = it.cluster_history(np.ones((1, 3)))
    assert k == 1 and labels_.tolist() == [0] and sil.empty
    # an explicit centre of zeros is plain cosine
    p = it.InterestPrototypes(pd.DataFrame(np.eye(3)[:2], index=["a", "b"]), np.zeros(3))
    assert np.allclose(it.interest_affinity(users(), p).to_numpy(),
                       users().to_numpy()[:, :2] / np.linalg.norm(users().to_numpy(), axis=1, keepdims=True))


# --------------------------------------------------------------------------- inputs are not mutated
def _snapshot(x):
    return copy.deepcopy(x)


def _same(a, b) -> bool:
    if isinstance(a, pd.DataFrame):
        return a.equals(b) and a.attrs == b.attrs and list(a.columns) == list(b.columns)
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b, equal_nan=True)
    if sp.issparse(a):
        return (a != b).nnz == 0
    if isinstance(a, it.InterestPrototypes):
        return _same(a.vectors, b.vectors) and np.array_equal(a.center, b.center)
    return a == b


MUTATION_CALLS = [
    ("event_time_weights", lambda a: it.event_time_weights(*a), lambda: [inter(), {"view": 1.0, "cart": 2.0}]),
    ("behaviour_vectors", lambda a: it.behaviour_vectors(*a), lambda: [inter(), items()]),
    ("text_vectors", lambda a: it.text_vectors(*a), lambda: [inter(), items(), np.ones((2, 3))]),
    ("review_sentiments", lambda a: it.review_sentiments(*a), lambda: [["Lovely!", ""]]),
    ("fuse", lambda a: it.fuse(*a, how="inner"), lambda: [users(), users().iloc[:1]]),
    ("interest_vector", lambda a: it.interest_vector(*a), lambda: [np.eye(3), np.array([0.5, -0.5, 0.1])]),
    ("interest_vector_sparse", lambda a: it.interest_vector(*a), lambda: [sp.csr_matrix(np.eye(3)), [0.5, 0.2, 0.1]]),
    ("interest_prototypes", lambda a: it.interest_prototypes(*a), lambda: [items(), labels()]),
    ("interest_affinity", lambda a: it.interest_affinity(*a), lambda: [users(), protos()]),
    ("recovery_scores", lambda a: it.recovery_scores(*a, k=1), lambda: [users(), users() + 0.1]),
    ("cluster_history", lambda a: it.cluster_history(*a), lambda: [np.eye(4), np.ones(4)]),
    ("model_fit", lambda a: it.InterestModel("fused", event_weights=a[2]).fit(a[0], a[1]),
     lambda: [inter(), items(), {"view": 1.0, "cart": 2.0}]),
    ("namer_fit", lambda a: it.InterestNamer(min_df=1).fit(*a), lambda: [catalogue()]),
    ("namer_keywords", lambda a: namer().keywords(a[0], weights=a[1]), lambda: [[10, 20], np.array([1.0, 3.0])]),
]


@pytest.mark.parametrize("call, make", [c[1:] for c in MUTATION_CALLS], ids=[c[0] for c in MUTATION_CALLS])
def test_inputs_are_not_mutated(call, make):
    args = make()
    before = [_snapshot(a) for a in args]
    call(args)
    for a, b in zip(args, before):
        assert _same(a, b)


def test_prototypes_center_is_a_copy():
    c = np.zeros(3)
    p = it.InterestPrototypes(pd.DataFrame(np.eye(3)), c)
    c[0] = 5.0
    assert p.center[0] == 0.0


# --------------------------------------------------------------------------- properties (hypothesis)
ids = st.sets(st.integers(0, 8), min_size=1, max_size=6)


@SETTINGS
@given(a=ids, b=ids, alpha=st.floats(0, 1))
def test_fuse_raises_iff_users_differ_and_inner_is_the_intersection(a, b, alpha):
    rng = np.random.default_rng(len(a) * 10 + len(b))
    fa = pd.DataFrame(rng.normal(size=(len(a), 4)) + 3.0, index=sorted(a))
    fb = pd.DataFrame(rng.normal(size=(len(b), 4)) + 3.0, index=sorted(b))
    if a != b:
        with pytest.raises(ValueError, match="missing from") as err:
            it.fuse(fa, fb, alpha)
        if a - b:
            assert f"{len(a - b)} user(s) of behaviour are missing from text" in str(err.value)
        if b - a:
            assert f"{len(b - a)} user(s) of text are missing from behaviour" in str(err.value)
    else:
        out = it.fuse(fa, fb, alpha)
        assert list(out.index) == sorted(a)
    if a & b:
        inner = it.fuse(fa, fb, alpha, how="inner")
        assert list(inner.index) == sorted(a & b)
        assert np.allclose(np.linalg.norm(inner.to_numpy(), axis=1), 1.0)


@SETTINGS
@given(n=st.integers(1, 5), d=st.integers(1, 6), data=st.data())
def test_interest_vector_matches_the_formula(n, d, data):
    x = np.array(data.draw(st.lists(st.lists(st.floats(-5, 5), min_size=d, max_size=d), min_size=n, max_size=n)))
    s = np.array(data.draw(st.lists(st.floats(-1, 1), min_size=n, max_size=n)))
    expected = ((1 + s) / 2) @ x
    norm = np.linalg.norm(expected)
    if norm == 0.0:
        with pytest.raises(ValueError, match="^vectors: the sentiment-weighted sum is the zero vector"):
            it.interest_vector(x, s)
    elif norm > 1e-9:
        assert np.allclose(it.interest_vector(x, s), expected / norm)
    assert np.allclose(it.interest_vector(x, s, normalise=False), expected)


@SETTINGS
@given(d_user=st.integers(1, 6), d_proto=st.integers(1, 6))
def test_affinity_is_a_cosine_or_a_dimension_error(d_user, d_proto):
    rng = np.random.default_rng(d_user * 7 + d_proto)
    p = it.InterestPrototypes(pd.DataFrame(rng.normal(size=(3, d_proto)), index=["a", "b", "c"]),
                              rng.normal(size=d_proto))
    u = pd.DataFrame(rng.normal(size=(4, d_user)) + 10.0, index=[1, 2, 3, 4])
    if d_user != d_proto:
        with pytest.raises(ValueError, match=f"^user_vectors: expected {d_proto} columns"):
            it.interest_affinity(u, p)
    else:
        a = it.interest_affinity(u, p).to_numpy()
        assert a.shape == (4, 3) and np.all(np.abs(a) <= 1 + 1e-12)


@SETTINGS
@given(times=st.lists(st.integers(0, 400), min_size=1, max_size=8), h=st.floats(0.5, 400))
def test_event_weights_decay_between_zero_and_the_event_weight(times, h):
    df = pd.DataFrame({"event": "cart", "timestamp": np.array(times) * DAY})
    w = it.event_time_weights(df, half_life_days=h)
    assert np.all(w > 0) and np.all(w <= 2.0 + 1e-12)
    assert w[int(np.argmax(times))] == pytest.approx(2.0)
    order = np.argsort(times, kind="stable")
    assert np.all(np.diff(w[order]) >= -1e-12)          # newer never weighs less


@SETTINGS
@given(value=st.one_of(st.none(), st.booleans(), st.text(max_size=3), st.just(float("nan")),
                       st.just(float("inf")), st.integers(-5, -1), st.lists(st.floats(0, 1), max_size=2)))
def test_alpha_rejects_anything_but_a_fraction(value):
    with pytest.raises(ValueError, match="^alpha: "):
        it.fuse(users(), users(), value)
