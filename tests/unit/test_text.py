"""Tests of recsys_helpers.text: tokenisers, TF-IDF (book and scikit-learn conventions, the
scikit-learn estimator contract), lexicon sentiment, cosine similarity and the sentiment weight."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity as sk_cosine

from recsys_helpers import text as T

CORPUS = [
    "The cat sat on the mat.",
    "The dog sat on the log.",
    "Cats and dogs: the cat chased the dog!",
    "I love my dog and my cat, 2 pets.",
]


# --------------------------------------------------------------------------- tokenisers
def test_tokenize_en_lowercases_and_matches_sklearn_analyzer():
    text = "The Cat's 2 hats; a DOG-friendly café!"
    analyzer = TfidfVectorizer().build_analyzer()
    assert T.tokenize_en(text) == analyzer(text)
    assert all(t == t.lower() for t in T.tokenize_en(text))


def test_tokenize_en_stop_words():
    toks = T.tokenize_en("The cat and the dog", stop_words=True)
    assert toks == ["cat", "dog"]
    assert T.tokenize_en("The cat and the dog", stop_words=["cat"]) == ["the", "and", "the", "dog"]


def test_tokenize_zh_drops_punctuation_and_uses_jieba():
    toks = T.tokenize_zh("这本书非常有用，让我对算法有了更深的理解。")
    assert "算法" in toks and "有用" in toks
    assert "，" not in toks and "。" not in toks
    assert all(t.strip() == t and t for t in toks)
    no_stop = T.tokenize_zh("这本书非常有用，让我对算法有了更深的理解。", stop_words=True)
    assert "的" in toks and "的" not in no_stop
    assert set(no_stop) <= set(toks)


def test_tokenize_dispatch():
    assert T.tokenize("Hello world", "en") == ["hello", "world"]
    assert T.tokenize("算法很好", "zh") == T.tokenize_zh("算法很好")
    with pytest.raises(ValueError, match="lang"):
        T.tokenize("hello", "fr")


@pytest.mark.parametrize("bad", ["", "   ", None, 3, float("nan"), ["a"]])
def test_tokenizers_reject_bad_text(bad):
    for fn in (T.tokenize_en, T.tokenize_zh):
        with pytest.raises(ValueError, match="text"):
            fn(bad)


# --------------------------------------------------------------------------- TF-IDF, book convention
def test_term_frequency_and_idf_by_hand():
    tf = T.term_frequency(["a", "b", "a", "c"])
    assert tf == {"a": 0.5, "b": 0.25, "c": 0.25}
    idf = T.inverse_document_frequency([["a", "b"], ["a"], ["c", "a"]])
    assert idf["a"] == 0.0                       # in every document: log2(3/3)
    assert math.isclose(idf["b"], math.log2(3))
    idf_sk = T.inverse_document_frequency([["a", "b"], ["a"], ["c", "a"]], convention="sklearn")
    assert math.isclose(idf_sk["a"], math.log(4 / 4) + 1)
    assert math.isclose(idf_sk["b"], math.log(4 / 2) + 1)


def test_tfidf_book_convention_hand_computed():
    docs = ["cat sat", "dog sat", "cat cat ran"]
    m = T.TfIdf()
    x = m.fit_transform(docs)
    assert list(m.get_feature_names_out()) == ["cat", "dog", "ran", "sat"]
    assert m.n_documents_ == 3
    assert m.document_frequency_.tolist() == [2, 1, 1, 2]
    assert np.allclose(m.idf_, [math.log2(3 / 2), math.log2(3), math.log2(3), math.log2(3 / 2)])
    expected = np.array([
        [0.5 * math.log2(1.5), 0, 0, 0.5 * math.log2(1.5)],
        [0, 0.5 * math.log2(3), 0, 0.5 * math.log2(1.5)],
        [2 / 3 * math.log2(1.5), 0, 1 / 3 * math.log2(3), 0],
    ])
    assert np.allclose(x, expected)
    assert not np.allclose(np.linalg.norm(x, axis=1), 1.0)   # the book convention is not normalised


def test_tfidf_book_matches_teaching_functions():
    m = T.TfIdf(stop_words=True)
    x = m.fit_transform(CORPUS)
    tokenised = [T.tokenize_en(d, stop_words=True) for d in CORPUS]
    idf = T.inverse_document_frequency(tokenised)
    for i, toks in enumerate(tokenised):
        for term, tf in T.term_frequency(toks).items():
            assert math.isclose(x[i, m.vocabulary_[term]], tf * idf[term])
    assert np.count_nonzero(x) <= sum(len(set(t)) for t in tokenised)


def test_term_in_every_document_vanishes_in_book_but_not_in_sklearn():
    docs = ["the cat", "the dog", "the bird"]
    book = T.TfIdf().fit(docs)
    skl = T.TfIdf(convention="sklearn").fit(docs)
    j = book.vocabulary_["the"]
    assert book.idf_[j] == 0.0
    assert skl.idf_[j] == 1.0


def test_transform_ignores_unknown_terms_but_counts_them_in_length():
    m = T.TfIdf().fit(["cat sat", "dog sat"])
    x = m.transform(["cat zebra zebra zebra"])
    assert math.isclose(x[0, m.vocabulary_["cat"]], 0.25 * math.log2(2))
    assert np.count_nonzero(x) == 1


# --------------------------------------------------------------------------- TF-IDF, sklearn convention
@pytest.mark.parametrize("stop_words", [False, True])
def test_tfidf_sklearn_convention_equals_sklearn(stop_words):
    ours = T.TfIdf(convention="sklearn", stop_words=stop_words)
    theirs = TfidfVectorizer(stop_words="english" if stop_words else None)
    a = ours.fit_transform(CORPUS)
    b = theirs.fit_transform(CORPUS).toarray()
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())
    assert np.allclose(ours.idf_, theirs.idf_)
    assert a.shape == b.shape and np.allclose(a, b)
    new = ["A cat and a log", "dogs dogs dogs"]
    assert np.allclose(ours.transform(new), theirs.transform(new).toarray())


def test_tfidf_sklearn_convention_chinese_with_same_tokeniser():
    docs = ["这本书讲算法和编程", "一本关于烹饪的书", "算法导论是经典的算法书", "编程技术入门"]
    ours = T.TfIdf(convention="sklearn", lang="zh")
    theirs = TfidfVectorizer(tokenizer=T.tokenize_zh, lowercase=False, token_pattern=None)
    assert np.allclose(ours.fit_transform(docs), theirs.fit_transform(docs).toarray())


def test_tfidf_sparse_output_and_pretokenised_input():
    dense = T.TfIdf().fit_transform(CORPUS)
    sparse = T.TfIdf(sparse=True).fit_transform(CORPUS)
    assert sp.issparse(sparse) and np.allclose(sparse.toarray(), dense)
    pre = [T.tokenize_en(d) for d in CORPUS]
    assert np.allclose(T.TfIdf().fit_transform(pre), dense)
    l2 = T.TfIdf(norm="l2").fit_transform(CORPUS)
    assert np.allclose(np.linalg.norm(l2, axis=1), 1.0)


@pytest.mark.parametrize("docs, match", [
    ([], "documents"),
    ("a single string", "documents"),
    (["ok text", ""], r"documents\[1\]"),
    (["ok text", float("nan")], r"documents\[1\].*NaN"),
    (["ok text", 42], r"documents\[1\]"),
    (["a", "i"], "documents"),                   # empty vocabulary after tokenising
])
def test_tfidf_rejects_bad_corpus(docs, match):
    with pytest.raises(ValueError, match=match):
        T.TfIdf().fit(docs)


def test_tfidf_rejects_bad_params_and_unfitted_use():
    with pytest.raises(ValueError, match="convention"):
        T.TfIdf(convention="bm25").fit(CORPUS)
    with pytest.raises(ValueError, match="norm"):
        T.TfIdf(norm="l1").fit(CORPUS)
    with pytest.raises(NotFittedError):
        T.TfIdf().transform(CORPUS)
    with pytest.raises(ValueError, match="convention"):
        T.inverse_document_frequency([["a"]], convention="bm25")
    with pytest.raises(ValueError, match="tokens"):
        T.term_frequency([])


# --------------------------------------------------------------------------- sentiment
def test_sentiment_en_is_vader_compound_and_ordered():
    pos = T.sentiment_en("I love this dress, it is beautiful and fits perfectly!")
    neg = T.sentiment_en("Terrible quality, it ripped after one wash. Very disappointed.")
    assert -1.0 <= neg < 0.0 < pos <= 1.0
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    text = "Nice fabric but the zipper broke."
    assert T.sentiment_en(text) == SentimentIntensityAnalyzer().polarity_scores(text)["compound"]
    assert T.sentiment("good", "en") == T.sentiment_en("good")


def test_sentiment_zh_formula_on_worked_example():
    review = "这本书非常有用，让我对算法有了更深的理解。"
    br = T.zh_sentiment_breakdown(review)
    assert br["word"].tolist() == ["有用"]
    assert br["modifiers"].tolist() == ["非常"]
    x = T.ZH_LEXICON["有用"] * T.ZH_INTENSIFIERS["非常"]
    assert math.isclose(br["contribution"].sum(), x)
    assert math.isclose(T.sentiment_zh(review), x / math.sqrt(x * x + 1.0))
    assert T.sentiment(review, "zh") == T.sentiment_zh(review)


def test_sentiment_zh_negation_intensifier_and_range():
    plain = T.sentiment_zh("这本书有用")
    strong = T.sentiment_zh("这本书非常有用")
    negated = T.sentiment_zh("这本书讲得不清楚")
    assert 0 < plain < strong < 1
    assert negated < 0
    assert math.isclose(T.sentiment_zh("讲得不清楚"), -T.sentiment_zh("讲得清楚"))
    assert T.sentiment_zh("今天星期三") == 0.0
    for text in ["非常非常非常精彩，非常出色，受益匪浅", "糟糕，失望，浪费，后悔，无聊"]:
        assert -1 < T.sentiment_zh(text) < 1
    # a negation in another clause does not reach the word
    assert T.sentiment_zh("不，这本书有用") == plain
    # nor one that already belongs to an earlier sentiment word of the same clause
    br = T.zh_sentiment_breakdown("内容不清楚但有用")
    assert br["word"].tolist() == ["清楚", "有用"]
    assert br["contribution"].tolist() == [-T.ZH_LEXICON["清楚"], T.ZH_LEXICON["有用"]]


@pytest.mark.parametrize("bad", ["", None, float("nan"), 1.5])
def test_sentiment_rejects_bad_text(bad):
    for fn in (T.sentiment_en, T.sentiment_zh):
        with pytest.raises(ValueError, match="text"):
            fn(bad)
    with pytest.raises(ValueError, match="alpha"):
        T.sentiment_zh("有用", alpha=0)


# --------------------------------------------------------------------------- cosine
def test_cosine_worked_example_and_properties():
    c = T.cosine_similarity([1, 2, 3], [4, 5, 6])
    assert math.isclose(c, 32 / math.sqrt(1078))
    assert abs(c - 0.875) > 0.05                 # the value quoted on some web pages is wrong
    assert math.isclose(T.cosine_similarity([0.1, 0.2, 0.3], [0.4, 0.5, 0.6]), c)
    rng = np.random.default_rng(0)
    for _ in range(50):
        a, b = rng.normal(size=5), rng.normal(size=5)
        k = rng.uniform(0.1, 10)
        cab = T.cosine_similarity(a, b)
        assert -1 <= cab <= 1
        assert math.isclose(T.cosine_similarity(k * a, b), cab, abs_tol=1e-12)
        assert math.isclose(T.cosine_similarity(-a, b), -cab, abs_tol=1e-12)
        assert math.isclose(cab, sk_cosine([a], [b])[0, 0])
        assert T.cosine_similarity(np.abs(a), np.abs(b)) >= 0
    assert math.isclose(T.cosine_similarity([1, 0], [-1, 0]), -1.0)


@pytest.mark.parametrize("a, b, match", [
    ([0, 0, 0], [1, 2, 3], "a:.*zero"),
    ([1, 2, 3], [0, 0, 0], "b:.*zero"),
    ([1, 2, 3], [1, 2], "b:.*shape"),
    ([1, np.nan, 3], [1, 2, 3], "a:.*NaN"),
    ([], [], "a:"),
])
def test_cosine_errors(a, b, match):
    with pytest.raises(ValueError, match=match):
        T.cosine_similarity(a, b)


# --------------------------------------------------------------------------- sentiment weight
def test_sentiment_weight_schemes():
    assert T.sentiment_weight(1.0) == 1.0 and T.sentiment_weight(-1.0) == 0.0
    assert T.sentiment_weight(0.0) == 0.5
    assert np.allclose(T.sentiment_weight([-0.5, 0.5], "signed"), [-0.5, 0.5])
    with pytest.raises(ValueError, match="s:"):
        T.sentiment_weight(1.5)
    with pytest.raises(ValueError, match="s:"):
        T.sentiment_weight(float("nan"))
    with pytest.raises(ValueError, match="scheme"):
        T.sentiment_weight(0.0, "squared")


# --------------------------------------------------------------------------- TF-IDF: the scikit-learn contract
def test_tfidf_is_a_sklearn_transformer_with_params_from_init():
    from sklearn.base import BaseEstimator, TransformerMixin

    m = T.TfIdf(convention="sklearn", stop_words=True)
    assert isinstance(m, BaseEstimator) and isinstance(m, TransformerMixin)
    assert "get_params" not in vars(T.TfIdf) and "set_params" not in vars(T.TfIdf)  # inherited, not hand-written
    assert m.get_params() == {"convention": "sklearn", "lang": "en", "stop_words": True, "tokenizer": None,
                              "norm": "auto", "sparse": False}
    assert m.set_params(sparse=True, norm="l2") is m
    assert m.sparse is True and m.norm == "l2"
    with pytest.raises(ValueError, match="bm25"):  # scikit-learn rejects unknown parameter names
        m.set_params(bm25=True)
    assert "convention='sklearn'" in repr(m)


def test_tfidf_init_only_stores_and_fit_validates():
    m = T.TfIdf(convention="bm25", lang="fr", norm="l1", sparse="yes", tokenizer=3)  # no error yet
    assert vars(m) == {"convention": "bm25", "lang": "fr", "stop_words": False, "tokenizer": 3,
                       "norm": "l1", "sparse": "yes"}
    for param, fixed in [("convention", "book"), ("lang", "en"), ("norm", "auto"), ("tokenizer", None),
                         ("sparse", False)]:
        with pytest.raises(ValueError, match=param):
            m.fit(CORPUS)
        m.set_params(**{param: fixed})
    m.fit(CORPUS)


def test_tfidf_not_fitted_error_and_trailing_underscore_state():
    m = T.TfIdf()
    for call in (lambda: m.transform(CORPUS), m.get_feature_names_out):
        with pytest.raises(NotFittedError):
            call()
    before = set(vars(m))
    m.fit(CORPUS)
    learned = set(vars(m)) - before
    assert learned == {"vocabulary_", "idf_", "document_frequency_", "n_documents_"}
    from sklearn.utils.validation import check_is_fitted
    check_is_fitted(m)


def test_tfidf_clone_copies_params_not_state():
    from sklearn.base import clone

    m = T.TfIdf(convention="sklearn", stop_words=["cat"], sparse=True).fit(CORPUS)
    c = clone(m)
    assert type(c) is T.TfIdf and c is not m
    assert c.get_params() == m.get_params()
    assert not hasattr(c, "idf_")
    with pytest.raises(NotFittedError):
        c.transform(CORPUS)
    assert np.allclose(c.fit_transform(CORPUS).toarray(), m.transform(CORPUS).toarray())


def test_tfidf_passes_sklearn_api_checks():
    from sklearn.utils import estimator_checks as ec

    for check in (ec.check_no_attributes_set_in_init, ec.check_parameters_default_constructible,
                  ec.check_get_params_invariance, ec.check_set_params, ec.check_estimator_cloneable,
                  ec.check_estimator_repr, ec.check_do_not_raise_errors_in_init_or_set_params):
        check("TfIdf", T.TfIdf())


def test_tfidf_in_pipeline_and_grid_search():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    docs = ["great soft dress", "lovely soft fabric", "great fit lovely", "awful scratchy wool",
            "terrible fit awful", "scratchy terrible seams"] * 2
    y = [1, 1, 1, 0, 0, 0] * 2
    pipe = Pipeline([("tfidf", T.TfIdf()), ("clf", LogisticRegression())])
    search = GridSearchCV(pipe, {"tfidf__convention": ["book", "sklearn"]}, cv=2).fit(docs, y)
    assert search.best_estimator_.named_steps["tfidf"].convention in ("book", "sklearn")
    assert list(search.predict(["soft lovely dress", "awful scratchy seams"])) == [1, 0]


def test_vader_is_built_in_exactly_one_place():
    import pathlib

    assert T._vader() is T._vader()
    package = pathlib.Path(T.__file__).parent
    owners = sorted(p.name for p in package.glob("*.py") if "SentimentIntensityAnalyzer(" in p.read_text(encoding="utf-8"))
    assert owners == ["text.py"]
    assert T.__file__.endswith("text.py") and T.sentiment_en.__module__ == "recsys_helpers.text"
