"""Text to numbers: tokenising (English and Chinese), TF-IDF from scratch, lexicon sentiment,
cosine similarity and the sentiment weight.

The formulas (chapter 4 derives and checks each one):

* term frequency, book convention: ``tf(t, d) = c(t, d) / sum_t' c(t', d)``;
* inverse document frequency, book convention: ``idf(t) = log2(N / n_t)`` with ``N``
  documents of which ``n_t`` contain ``t``;
* scikit-learn's ``TfidfVectorizer`` default (``convention="sklearn"``): raw counts,
  ``idf(t) = ln((1 + N) / (1 + n_t)) + 1`` and L2-normalised rows;
* cosine similarity ``cos(a, b) = a . b / (||a|| ||b||)``;
* sentiment weight ``w(s) = (1 + s) / 2``, which turns a sentiment ``s`` in [-1, 1] into a
  document weight (the one copy of this formula: ``interests`` builds the sentiment-weighted
  interest vector ``u = normalise(sum_d w(s_d) x_d)`` with it, ``recommend`` scores items).

VADER is reached only through :func:`sentiment_en` (its analyzer is built once, in ``_vader``).
This is a low-level module: it imports only numpy, pandas, scipy, scikit-learn, jieba,
vaderSentiment and the package's private checks.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from functools import lru_cache
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as _SK_STOP_WORDS
from sklearn.utils.validation import check_is_fitted

from . import _checks

__all__ = [
    "ENGLISH_STOP_WORDS",
    "CHINESE_STOP_WORDS",
    "ZH_LEXICON",
    "ZH_NEGATIONS",
    "ZH_INTENSIFIERS",
    "tokenize_en",
    "tokenize_zh",
    "tokenize",
    "term_frequency",
    "inverse_document_frequency",
    "TfIdf",
    "sentiment_en",
    "zh_sentiment_breakdown",
    "sentiment_zh",
    "sentiment",
    "cosine_similarity",
    "sentiment_weight",
]

# --------------------------------------------------------------------------- word lists

#: English stop words: scikit-learn's list (318 words), so ``stop_words=True`` matches
#: ``TfidfVectorizer(stop_words="english")`` exactly.
ENGLISH_STOP_WORDS: frozenset[str] = frozenset(_SK_STOP_WORDS)

#: A *toy* Chinese stop-word list written for this book (function words and degree adverbs).
CHINESE_STOP_WORDS: frozenset[str] = frozenset(
    "的 了 着 过 是 在 和 与 及 或 而 也 都 就 又 还 把 被 给 从 对 让 向 于 以 之 其 "
    "我 你 他 她 它 我们 你们 他们 这 那 这个 那个 这些 那些 这本 本 个 有 吗 呢 吧 啊 呀 得 地 "
    "很 非常 太 更 最".split()
)

# A TOY TEACHING LEXICON, authored for this book: a few dozen common words about books and
# learning with a polarity in [-1, 1] chosen by hand. It is NOT a validated resource; use a
# published lexicon (or a classifier, chapter 2) for real work. Entries include some words
# that jieba keeps as one token although they contain a negation (不错, 不好, 没用).
ZH_LEXICON: dict[str, float] = {
    # positive
    "有用": 0.7, "实用": 0.6, "好": 0.6, "很好": 0.7, "不错": 0.6, "喜欢": 0.8, "喜爱": 0.8,
    "推荐": 0.6, "清晰": 0.5, "清楚": 0.5, "易懂": 0.5, "精彩": 0.8, "满意": 0.7,
    "优秀": 0.8, "出色": 0.8, "值得": 0.5, "棒": 0.8, "有趣": 0.6, "深入": 0.4,
    "详细": 0.4, "全面": 0.4, "经典": 0.5, "受益匪浅": 0.9, "收获": 0.5, "帮助": 0.4,
    # negative
    "差": -0.7, "不好": -0.6, "不太好": -0.3, "没用": -0.7, "无用": -0.7, "失望": -0.8,
    "无聊": -0.6, "枯燥": -0.6, "难懂": -0.5, "糟糕": -0.9, "浪费": -0.7, "错误": -0.5,
    "讨厌": -0.8, "后悔": -0.7, "混乱": -0.6, "过时": -0.4, "啰嗦": -0.4, "贵": -0.3,
}

#: Negation words: each one found in front of a sentiment word multiplies it by -1
#: (``不太`` = "not very": jieba keeps it as one token; it flips and weakens).
ZH_NEGATIONS: dict[str, float] = {
    "不": -1.0, "没": -1.0, "没有": -1.0, "并不": -1.0, "不是": -1.0, "毫不": -1.0,
    "从不": -1.0, "别": -1.0, "无": -1.0, "不太": -0.5,
}

#: Intensifiers (> 1) and diminishers (< 1): multiply the following sentiment word.
ZH_INTENSIFIERS: dict[str, float] = {
    "非常": 2.0, "极其": 2.0, "极": 2.0, "十分": 1.8, "特别": 1.8, "相当": 1.5, "很": 1.5,
    "太": 1.5, "真": 1.3, "更": 1.3, "挺": 1.2, "比较": 1.1, "有点": 0.6, "有些": 0.6,
    "稍微": 0.6, "略": 0.6,
}

_EN_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern
_ZH_CLAUSE = re.compile(r"[，,。.！!？?；;：:、\n\r]+")


# --------------------------------------------------------------------------- validation
def _check_lang(lang: object) -> str:
    return str(_checks.one_of(lang, "lang", ("en", "zh")))


def _check_stop_words(stop_words: object) -> bool | list[str]:
    """``True``/``False``/``None`` (= False) or a list of words; a single string is rejected."""
    if stop_words is None:
        return False
    if isinstance(stop_words, (bool, np.bool_)):
        return bool(stop_words)
    if isinstance(stop_words, (set, frozenset)):
        stop_words = sorted(stop_words, key=str)
    if isinstance(stop_words, (list, tuple, np.ndarray, pd.Series, pd.Index)) and len(stop_words) == 0:
        return []
    try:
        return _checks.texts(stop_words, "stop_words")
    except ValueError as exc:
        raise ValueError(f"{exc} (stop_words: expected True, False, None or a list of words)") from None


# --------------------------------------------------------------------------- tokenising
def tokenize_en(text: str, stop_words: bool | Iterable[str] = False) -> list[str]:
    """Lower-case English words of two or more letters/digits.

    Uses scikit-learn's default pattern ``\\b\\w\\w+\\b`` so that our TF-IDF and
    ``TfidfVectorizer`` see the same tokens. ``stop_words=True`` removes
    :data:`ENGLISH_STOP_WORDS`; an iterable removes those words instead.
    """
    text = _checks.text(text, "text")
    stop_words = _check_stop_words(stop_words)
    tokens = _EN_TOKEN.findall(text.lower())
    if stop_words is True:
        stop: frozenset[str] | set[str] = ENGLISH_STOP_WORDS
    elif stop_words is False:
        return tokens
    else:
        stop = {w.lower() for w in stop_words}
    return [t for t in tokens if t not in stop]


@lru_cache(maxsize=1)
def _jieba():
    """Import and initialise jieba once, without its start-up log lines."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _is_word(token: str) -> bool:
    """True when the token has at least one letter, digit or CJK character."""
    return any(unicodedata.category(ch)[0] in ("L", "N") for ch in token)


def tokenize_zh(text: str, stop_words: bool | Iterable[str] = False) -> list[str]:
    """Chinese words from jieba's default (accurate) mode, punctuation and spaces dropped.

    Latin letters are lower-cased. ``stop_words=True`` removes the toy
    :data:`CHINESE_STOP_WORDS`; a list of words removes those words instead.
    """
    text = _checks.text(text, "text")
    stop_words = _check_stop_words(stop_words)
    tokens = [t.strip().lower() for t in _jieba().lcut(text)]
    tokens = [t for t in tokens if t and _is_word(t)]
    if stop_words is True:
        stop: Iterable[str] = CHINESE_STOP_WORDS
    elif stop_words is False:
        return tokens
    else:
        stop = stop_words
    stop = set(stop)
    return [t for t in tokens if t not in stop]


def tokenize(text: str, lang: Literal["en", "zh"] = "en",
             stop_words: bool | Iterable[str] = False) -> list[str]:
    """Tokenise ``text`` with :func:`tokenize_en` (``lang="en"``) or :func:`tokenize_zh` (``"zh"``)."""
    lang = _check_lang(lang)
    return tokenize_en(text, stop_words) if lang == "en" else tokenize_zh(text, stop_words)


# --------------------------------------------------------------------------- TF-IDF
def _check_tokens(tokens: object, name: str) -> list[str]:
    """A (possibly empty) list of token strings; a single string is not a list of tokens."""
    if isinstance(tokens, (list, tuple, np.ndarray, pd.Series)) and len(tokens) == 0:
        return []
    return _checks.texts(tokens, name)


def term_frequency(tokens: Sequence[str]) -> dict[str, float]:
    """Book convention: ``tf(t, d) = c(t, d) / sum_t' c(t', d)`` (the counts divided by the length)."""
    tokens = _check_tokens(tokens, "tokens")
    if not tokens:
        raise ValueError("tokens: expected at least one token, got an empty list")
    counts = pd.Series(tokens).value_counts(sort=False)
    return {str(t): float(c) / len(tokens) for t, c in counts.items()}


def inverse_document_frequency(documents: Sequence[Sequence[str]],
                               convention: Literal["book", "sklearn"] = "book") -> dict[str, float]:
    """IDF of every term of tokenised ``documents``.

    ``"book"``: ``idf(t) = log2(N / n_t)``; ``"sklearn"``: ``idf(t) = ln((1 + N) / (1 + n_t)) + 1``,
    where ``N`` is the number of documents and ``n_t`` the number that contain ``t``.
    """
    _checks.one_of(convention, "convention", ("book", "sklearn"))
    if documents is None or isinstance(documents, (str, bytes, Mapping, pd.DataFrame)) \
            or not isinstance(documents, Iterable):
        raise ValueError(f"documents: expected a list of token lists, got {type(documents).__name__}")
    docs = [set(_check_tokens(d, f"documents[{i}]")) for i, d in enumerate(documents)]
    if not docs:
        raise ValueError("documents: expected at least one document, got an empty corpus")
    n = len(docs)
    df: dict[str, int] = {}
    for d in docs:
        for t in d:
            df[t] = df.get(t, 0) + 1
    if convention == "book":
        return {t: math.log2(n / k) for t, k in df.items()}
    return {t: math.log((1 + n) / (1 + k)) + 1.0 for t, k in df.items()}


class TfIdf(TransformerMixin, BaseEstimator):
    """TF-IDF written from scratch, a scikit-learn transformer (fit / transform / clone / Pipeline).

    Parameters
    ----------
    convention:
        ``"book"`` (default): ``x(t, d) = tf(t, d) * idf(t)`` with ``tf = c(t, d) / |d|``
        (``|d|`` = number of tokens of ``d``) and ``idf = log2(N / n_t)``; rows are not normalised.
        ``"sklearn"``: reproduces ``sklearn.feature_extraction.text.TfidfVectorizer()``'s
        defaults exactly: raw counts ``c(t, d)``, ``idf = ln((1 + N) / (1 + n_t)) + 1``
        (smooth_idf=True) and L2-normalised rows.
    lang:
        ``"en"`` or ``"zh"``: which tokeniser to use (:func:`tokenize`).
    stop_words:
        passed to the tokeniser (``True`` = the module's stop-word list, or a list of words).
    tokenizer:
        a callable ``str -> list[str]`` that replaces ``lang``/``stop_words``.
    norm:
        ``"l2"``, ``None`` or ``"auto"`` (the convention's default: ``None`` for the book,
        ``"l2"`` for sklearn).
    sparse:
        return a ``scipy.sparse.csr_matrix`` instead of a dense ``numpy`` array.

    As in scikit-learn, ``__init__`` only stores the parameters (``get_params``/``set_params``/
    ``clone`` come from :class:`sklearn.base.BaseEstimator`); they are validated by ``fit``
    (and again by ``transform``), and using an unfitted instance raises
    :class:`sklearn.exceptions.NotFittedError`.

    Learned state: ``vocabulary_`` (term -> column, terms sorted as in scikit-learn),
    ``idf_`` (one value per column), ``document_frequency_`` (``n_t`` per column) and
    ``n_documents_`` (``N``). Documents may be strings or already-tokenised lists of strings.
    Terms unseen at ``fit`` time are ignored by ``transform`` (they still count in ``|d|``).
    """

    def __init__(self, convention: Literal["book", "sklearn"] = "book", lang: Literal["en", "zh"] = "en",
                 stop_words: bool | Iterable[str] = False,
                 tokenizer: Callable[[str], list[str]] | None = None,
                 norm: Literal["l2", "auto"] | None = "auto", sparse: bool = False) -> None:
        self.convention = convention
        self.lang = lang
        self.stop_words = stop_words
        self.tokenizer = tokenizer
        self.norm = norm
        self.sparse = sparse

    # ----------------------------------------------------------------- helpers
    def _check_params(self) -> None:
        """Validate the parameters (called by ``fit`` and ``transform``, never by ``__init__``)."""
        _checks.one_of(self.convention, "convention", ("book", "sklearn"))
        _check_lang(self.lang)
        _check_stop_words(self.stop_words)
        _checks.one_of(self.norm, "norm", ("l2", "auto", None))
        if self.tokenizer is not None and not callable(self.tokenizer):
            raise ValueError(f"tokenizer: expected a callable str -> list[str], got {type(self.tokenizer).__name__}")
        _checks.flag(self.sparse, "sparse")

    def _norm_used(self) -> str | None:
        if self.norm == "auto":
            return "l2" if self.convention == "sklearn" else None
        return self.norm

    def _tokenize_all(self, documents: object) -> list[list[str]]:
        if documents is None or isinstance(documents, (str, bytes, Mapping, pd.DataFrame)) \
                or not isinstance(documents, Iterable):
            raise ValueError("documents: expected a list of strings (or of token lists), "
                             f"got {type(documents).__name__}"
                             + ("; pass one column, e.g. df['text']" if isinstance(documents, pd.DataFrame) else ""))
        docs = list(documents)
        if not docs:
            raise ValueError("documents: expected at least one document, got an empty corpus")
        out = []
        for i, d in enumerate(docs):
            name = f"documents[{i}]"
            if isinstance(d, str) or (isinstance(d, float) and math.isnan(d)) or d is None:
                _checks.text(d, name)
                toks = (self.tokenizer(d) if self.tokenizer is not None
                        else tokenize(d, self.lang, self.stop_words))
                out.append(_check_tokens(toks, f"tokenizer({name})"))
            elif isinstance(d, (list, tuple)):
                out.append(_check_tokens(d, name))
            else:
                raise ValueError(f"{name}: expected a string or a list of tokens, got {type(d).__name__}")
        return out

    def _counts(self, tokenised: list[list[str]]) -> tuple[sp.csr_matrix, np.ndarray]:
        """Sparse count matrix over the learned vocabulary and the length |d| of every document."""
        vocab = self.vocabulary_
        rows, cols = [], []
        lengths = np.zeros(len(tokenised))
        for i, toks in enumerate(tokenised):
            lengths[i] = len(toks)
            for t in toks:
                j = vocab.get(t)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
        data = np.ones(len(rows))
        counts = sp.csr_matrix((data, (rows, cols)), shape=(len(tokenised), len(vocab)))
        counts.sum_duplicates()
        return counts, lengths

    # ----------------------------------------------------------------- API
    def fit(self, documents: Sequence[str] | Sequence[Sequence[str]], y: object = None) -> "TfIdf":
        """Learn the vocabulary and ``idf_`` from ``documents`` (``y`` is ignored, as in scikit-learn)."""
        self._check_params()
        tokenised = self._tokenize_all(documents)
        terms = sorted({t for toks in tokenised for t in toks})
        if not terms:
            raise ValueError("documents: every document is empty after tokenising; expected at "
                             "least one term (check stop_words and the tokeniser)")
        vocabulary = {t: j for j, t in enumerate(terms)}
        self.vocabulary_ = vocabulary
        counts, _ = self._counts(tokenised)
        n = counts.shape[0]
        df = np.asarray((counts > 0).sum(axis=0)).ravel().astype(float)
        self.n_documents_ = n
        self.document_frequency_ = df.astype(np.int64)
        if self.convention == "book":
            self.idf_ = np.log2(n / df)
        else:
            self.idf_ = np.log((1.0 + n) / (1.0 + df)) + 1.0
        return self

    def transform(self, documents: Sequence[str] | Sequence[Sequence[str]]) -> np.ndarray | sp.csr_matrix:
        """TF-IDF matrix (documents x vocabulary) of ``documents`` under the learned ``idf_``."""
        check_is_fitted(self, ["vocabulary_", "idf_"])
        self._check_params()
        counts, lengths = self._counts(self._tokenize_all(documents))
        if self.convention == "book":
            inv = np.divide(1.0, lengths, out=np.zeros_like(lengths), where=lengths > 0)
            tf = sp.diags(inv) @ counts
        else:
            tf = counts
        x = sp.csr_matrix(tf @ sp.diags(self.idf_))
        if self._norm_used() == "l2":
            norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
            inv = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
            x = sp.csr_matrix(sp.diags(inv) @ x)
        x.eliminate_zeros()
        return x if self.sparse else x.toarray()

    def fit_transform(self, documents: Sequence[str] | Sequence[Sequence[str]], y: object = None
                      ) -> np.ndarray | sp.csr_matrix:
        """``fit(documents)`` then ``transform(documents)`` (a one-shot iterator is read once)."""
        if isinstance(documents, Iterable) and not isinstance(documents, (str, bytes, Mapping)):
            documents = list(documents)
        return self.fit(documents).transform(documents)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """The vocabulary terms in column order (``input_features`` is ignored: the input is text)."""
        check_is_fitted(self, ["vocabulary_", "idf_"])
        return np.array(sorted(self.vocabulary_, key=self.vocabulary_.__getitem__), dtype=object)


# --------------------------------------------------------------------------- sentiment
@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentiment_en(text: str) -> float:
    """VADER's compound score in [-1, 1] (Hutto and Gilbert, 2014).

    VADER sums rule-adjusted word valences ``x`` (lexicon scores in [-4, 4]) and squashes
    the sum: ``compound = x / sqrt(x^2 + 15)``.
    """
    return float(_vader().polarity_scores(_checks.text(text, "text"))["compound"])


def _check_weights(mapping: object, name: str) -> dict[str, float]:
    """A mapping word -> finite number (a lexicon, negations or intensifiers)."""
    if not isinstance(mapping, Mapping):
        raise ValueError(f"{name}: expected a dict word -> number, got {type(mapping).__name__}")
    out = {}
    for word, value in mapping.items():
        _checks.text(word, f"{name} key")
        out[word] = _checks.number(value, f"{name}[{word!r}]")
    return out


def zh_sentiment_breakdown(text: str, lexicon: Mapping[str, float] | None = None,
                           negations: Mapping[str, float] | None = None,
                           intensifiers: Mapping[str, float] | None = None,
                           window: int = 3) -> pd.DataFrame:
    """Every sentiment word of a Chinese ``text`` with its modifiers and contribution.

    The text is split into clauses at punctuation and each clause is cut with jieba. For a
    lexicon word ``w`` with polarity ``p(w)``, the up to ``window`` tokens in front of it
    (in the same clause, stopping at another lexicon word) are scanned: every negation
    multiplies by its factor (-1 for 不) and every intensifier by its factor (2 for 非常).
    ``contribution = p(w) * product of the modifiers``. Columns: clause, word, polarity,
    modifiers, multiplier, contribution. Defaults: :data:`ZH_LEXICON`,
    :data:`ZH_NEGATIONS`, :data:`ZH_INTENSIFIERS` (a toy lexicon written for this book).
    """
    text = _checks.text(text, "text")
    lex = ZH_LEXICON if lexicon is None else _check_weights(lexicon, "lexicon")
    neg = ZH_NEGATIONS if negations is None else _check_weights(negations, "negations")
    inten = ZH_INTENSIFIERS if intensifiers is None else _check_weights(intensifiers, "intensifiers")
    window = _checks.integer(window, "window", low=0)
    jieba = _jieba()
    rows = []
    for k, clause in enumerate(c for c in _ZH_CLAUSE.split(text) if c.strip()):
        toks = [t for t in (x.strip() for x in jieba.lcut(clause)) if t and _is_word(t)]
        for i, tok in enumerate(toks):
            if tok not in lex:
                continue
            mods, mult = [], 1.0
            for j in range(i - 1, max(-1, i - 1 - window), -1):
                prev = toks[j]
                if prev in lex:
                    break
                if prev in neg:
                    mods.append(prev)
                    mult *= float(neg[prev])
                elif prev in inten:
                    mods.append(prev)
                    mult *= float(inten[prev])
            p = float(lex[tok])
            rows.append({"clause": k, "word": tok, "polarity": p, "modifiers": "".join(reversed(mods)),
                         "multiplier": mult, "contribution": p * mult})
    return pd.DataFrame(rows, columns=["clause", "word", "polarity", "modifiers", "multiplier",
                                       "contribution"])


def sentiment_zh(text: str, alpha: float = 1.0, **kwargs) -> float:
    """Toy lexicon sentiment of a Chinese text, in (-1, 1).

    ``x = sum of contributions`` (see :func:`zh_sentiment_breakdown`), then the same squashing
    as VADER, ``s = x / sqrt(x^2 + alpha)``. VADER uses ``alpha = 15`` for word scores in
    [-4, 4]; our scores are in [-1, 1], i.e. 4 times smaller, so ``alpha = 15 / 16`` would be
    the same curve: we round it to 1. A text with no lexicon word scores 0.
    """
    alpha = _checks.number(alpha, "alpha", 0.0, low_open=True)
    x = float(zh_sentiment_breakdown(text, **kwargs)["contribution"].sum())
    return x / math.sqrt(x * x + alpha)


def sentiment(text: str, lang: Literal["en", "zh"] = "en") -> float:
    """Sentiment in [-1, 1]: VADER for ``lang="en"``, the toy Chinese lexicon for ``"zh"``."""
    lang = _check_lang(lang)
    return sentiment_en(text) if lang == "en" else sentiment_zh(text)


# --------------------------------------------------------------------------- vectors and scores
def cosine_similarity(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    """``cos(a, b) = a . b / (||a|| ||b||)``, in [-1, 1].

    Raises ``ValueError`` when the shapes differ or a vector is zero (the angle is undefined).
    """
    a = _checks.vector(a, "a")
    b = _checks.vector(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"b: expected the same shape as a {a.shape}, got {b.shape}")
    # each vector is divided by its largest |entry| first (cos is scale-invariant), so that
    # squares of very small or very large entries neither underflow to 0 nor overflow to inf
    ma, mb = float(np.max(np.abs(a))), float(np.max(np.abs(b)))
    if ma == 0.0:
        raise ValueError("a: cosine similarity is undefined for a zero vector")
    if mb == 0.0:
        raise ValueError("b: cosine similarity is undefined for a zero vector")
    a, b = a / ma, b / mb
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return float(np.clip(np.dot(a, b) / (na * nb), -1.0, 1.0))


def sentiment_weight(s: float | Sequence[float] | np.ndarray,
                     scheme: Literal["affine", "signed"] = "affine") -> float | np.ndarray:
    """Turn a sentiment ``s`` in [-1, 1] into a document weight.

    ``"affine"``: ``w(s) = (1 + s) / 2`` in [0, 1]: a glowing review counts fully, a neutral one
    half, a furious one not at all. ``"signed"``: ``w(s) = s`` in [-1, 1]: a negative review
    pushes the interest vector *away* from its words.
    """
    _checks.one_of(scheme, "scheme", ("affine", "signed"))
    arr = _checks.array(s, "s", non_empty=False)
    if arr.size and (np.any(arr < -1.0) or np.any(arr > 1.0)):
        raise ValueError(f"s: expected sentiment scores in [-1, 1], got values from "
                         f"{arr.min():.3g} to {arr.max():.3g}")
    w = (1.0 + arr) / 2.0 if scheme == "affine" else arr.copy()
    return float(w) if w.ndim == 0 else w
