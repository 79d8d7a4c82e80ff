"""One set of input checks for the whole package (private; imports nothing from the package).

Every public function of ``recsys_helpers`` validates its arguments with these helpers, so
one rule answers each question everywhere:

* **Booleans are not numbers.** Python makes ``True`` an ``int`` (``True + 1 == 2``); here
  ``True`` is rejected wherever an integer or a float is expected, and only ``bool`` (or
  ``numpy.bool_``) is accepted where a flag is expected.
* NumPy scalars (``np.int64``, ``np.float32``) count like Python ``int`` / ``float``.
* NaN is never a valid number; infinity only where a check says so.
* A string is not a list (``"abc"`` is not the list ``["a", "b", "c"]``).
* Every failure is a ``ValueError`` whose message starts with the argument's name and says
  what was expected and what was given. Nothing is modified: checks return new objects.
"""

from __future__ import annotations

import math
import os
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "is_int", "is_number", "integer", "positive_int", "number", "fraction", "seed", "flag",
    "one_of", "frame", "columns_without_nan", "array", "vector", "matrix_like", "text",
    "texts", "id_list", "same_length", "no_nan_ids", "path",
]


def _show(value: object, limit: int = 60) -> str:
    r = repr(value)
    return r if len(r) <= limit else r[: limit - 3] + "..."


# --------------------------------------------------------------------------- scalars
def is_int(value: object) -> bool:
    """True for ``int`` and NumPy integers, False for ``bool`` (the package's one rule)."""
    return isinstance(value, (Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


def is_number(value: object) -> bool:
    """True for real numbers (ints, floats, NumPy scalars), False for ``bool``."""
    return isinstance(value, (Real, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def integer(value: object, name: str, low: int | None = None, high: int | None = None) -> int:
    """An integer in ``[low, high]`` (either bound optional); ``bool`` is rejected."""
    if low is not None and high is not None:
        want = f"an integer in [{low}, {high}]"
    elif low is not None:
        want = "a positive integer" if low == 1 else f"an integer >= {low}"
    elif high is not None:
        want = f"an integer <= {high}"
    else:
        want = "an integer"
    if not is_int(value) or (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name}: expected {want}, got {_show(value)}")
    return int(value)


def positive_int(value: object, name: str) -> int:
    """An integer >= 1."""
    return integer(value, name, low=1)


def seed(value: object, name: str = "seed") -> int:
    """A random seed: an integer >= 0."""
    return integer(value, name, low=0)


def number(value: object, name: str, low: float | None = None, high: float | None = None, *,
           low_open: bool = False, high_open: bool = False, allow_inf: bool = False) -> float:
    """A real number in the interval given by ``low``/``high`` (closed unless ``*_open``).

    NaN is always rejected; infinity unless ``allow_inf``; ``bool`` always.
    """
    lo = "" if low is None else ("(" if low_open else "[") + f"{low:g}"
    hi = "" if high is None else f"{high:g}" + (")" if high_open else "]")
    if low is not None and high is not None:
        want = f"a number in {lo}, {hi}"
    elif low is not None:
        want = f"a number {'>' if low_open else '>='} {low:g}"
    elif high is not None:
        want = f"a number {'<' if high_open else '<='} {high:g}"
    else:
        want = "a finite number" if not allow_inf else "a number"
    ok = is_number(value)
    if ok:
        try:
            v = float(value)  # type: ignore[arg-type]
        except OverflowError:                      # an int too large for a float
            v = math.inf if value > 0 else -math.inf  # type: ignore[operator]
        ok = not math.isnan(v) and (allow_inf or math.isfinite(v))
        if ok and low is not None:
            ok = v > low if low_open else v >= low
        if ok and high is not None:
            ok = v < high if high_open else v <= high
    if not ok:
        raise ValueError(f"{name}: expected {want}, got {_show(value)}")
    return v


def fraction(value: object, name: str, *, low_open: bool = False, high_open: bool = False) -> float:
    """A number in [0, 1] (ends open on request)."""
    return number(value, name, 0.0, 1.0, low_open=low_open, high_open=high_open)


def flag(value: object, name: str) -> bool:
    """A boolean switch: only ``True``/``False`` (or ``numpy.bool_``); ``1`` or ``"yes"`` are rejected."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}: expected True or False, got {_show(value)}")
    return bool(value)


def one_of(value: object, name: str, options: Iterable[object]) -> Any:
    """``value`` if it is one of ``options``."""
    opts = list(options)
    try:
        ok = value in opts
    except TypeError:
        ok = False
    if not ok or isinstance(value, (bool, np.bool_)) and not any(o is value for o in opts):
        raise ValueError(f"{name}: expected one of {opts}, got {_show(value)}")
    return value


# --------------------------------------------------------------------------- frames
def frame(df: object, name: str, columns: Sequence[str] = (), *, non_empty: bool = True,
          no_nan: Sequence[str] = ()) -> pd.DataFrame:
    """A DataFrame with ``columns``; not empty (unless told); no NaN in the ``no_nan`` columns."""
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{name}: expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; expected columns {list(columns)}, "
                         f"got {list(df.columns)}")
    if non_empty and df.empty:
        raise ValueError(f"{name}: expected at least one row, got an empty frame")
    columns_without_nan(df, name, no_nan)
    return df


def columns_without_nan(df: pd.DataFrame, name: str, columns: Iterable[str]) -> None:
    """Raise if any of ``columns`` of ``df`` holds a missing value (NaN / None / NaT)."""
    for c in columns:
        n = int(df[c].isna().sum())
        if n:
            raise ValueError(f"{name}: column {c!r} has {n} missing value(s) (NaN); expected none")


def no_nan_ids(values: Iterable[Hashable], name: str) -> None:
    """Raise if a collection of ids contains a missing value (NaN or None)."""
    bad = [v for v in values if v is None or (isinstance(v, float) and math.isnan(v))
           or (isinstance(v, np.floating) and np.isnan(v))]
    if bad:
        raise ValueError(f"{name}: {len(bad)} id(s) are missing values (NaN/None); expected real ids")


# --------------------------------------------------------------------------- arrays
def array(x: object, name: str, ndim: int | None = None, *, finite: bool = True,
          allow_neg_inf: bool = False, non_empty: bool = True, dtype: type = float) -> np.ndarray:
    """``x`` as a NumPy array of ``dtype`` (a copy), with the given number of dimensions.

    ``finite`` rejects NaN and infinity (``allow_neg_inf`` lets ``-inf`` through, the
    package's mark for a forbidden item); booleans are rejected as numbers.
    """
    if x is None or isinstance(x, (str, bytes)):
        got = "None" if x is None else "a string"
        raise ValueError(f"{name}: expected a numeric array, got {got}")
    try:
        raw = np.asarray(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a numeric array, got {type(x).__name__}") from None
    if raw.dtype == bool and dtype is not bool:
        raise ValueError(f"{name}: expected numbers, got a boolean array")
    if raw.dtype.kind in "USO" and dtype is not object and any(
            isinstance(v, (str, bytes)) for v in raw.ravel()):
        raise ValueError(f"{name}: expected numbers, got strings (numbers written as text are not converted)")
    if np.issubdtype(np.dtype(dtype), np.integer) and raw.dtype.kind == "f":
        if not np.all(np.isfinite(raw)) or not np.all(raw == np.round(raw)):
            raise ValueError(f"{name}: expected integers, got non-integer values")
    try:
        arr = np.array(raw, dtype=dtype, copy=True)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name}: expected a numeric array, got values of dtype {raw.dtype}") from None
    if ndim is not None and arr.ndim != ndim:
        shape = {1: "a 1-D vector", 2: "a 2-D matrix"}.get(ndim, f"a {ndim}-D array")
        raise ValueError(f"{name}: expected {shape}, got shape {arr.shape}")
    if non_empty and arr.size == 0:
        raise ValueError(f"{name}: expected at least one value, got an empty array (shape {arr.shape})")
    # one pass when every value is finite (the common case); the detailed scan only on failure
    if finite and arr.dtype.kind == "f" and not np.isfinite(arr).all():
        if np.isnan(arr).any():
            raise ValueError(f"{name}: expected numbers, found {int(np.isnan(arr).sum())} NaN")
        bad = np.isposinf(arr) | (np.isneginf(arr) & (not allow_neg_inf))
        if bad.any():
            what = "+inf" if allow_neg_inf else "infinity"
            raise ValueError(f"{name}: expected finite numbers, found {what}")
    return arr


def vector(x: object, name: str) -> np.ndarray:
    """A non-empty finite 1-D float vector (a 1 x n row, dense or sparse, is accepted)."""
    if hasattr(x, "toarray") and getattr(x, "ndim", 0) == 2:
        if x.shape[0] != 1:  # type: ignore[union-attr]
            raise ValueError(f"{name}: expected a 1-D vector or a 1 x n sparse row, got shape {x.shape}")
        x = x.toarray()[0]  # type: ignore[union-attr]
    arr = array(x, name)
    if arr.ndim == 2 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D vector, got shape {arr.shape}")
    return arr


def matrix_like(x: object, name: str) -> None:
    """Raise unless ``x`` is a 2-D NumPy array or SciPy sparse matrix."""
    from scipy import sparse

    if not (sparse.issparse(x) or isinstance(x, np.ndarray)) or np.ndim(x) != 2:  # type: ignore[arg-type]
        raise ValueError(f"{name}: expected a 2-D matrix (numpy array or scipy.sparse), "
                         f"got {type(x).__name__}")


# --------------------------------------------------------------------------- texts and ids
def text(value: object, name: str = "text") -> str:
    """A non-empty, non-blank string."""
    if isinstance(value, float) and math.isnan(value):
        raise ValueError(f"{name}: expected a non-empty string, got NaN")
    if not isinstance(value, str):
        raise ValueError(f"{name}: expected a non-empty string, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name}: expected a non-empty string, got an empty or blank string")
    return value


def texts(values: object, name: str = "texts", allow_empty_strings: bool = True) -> list[str]:
    """A non-empty list of strings (a single string is rejected: wrap it in a list)."""
    if values is None:
        raise ValueError(f"{name}: expected a non-empty sequence of str, got None")
    if isinstance(values, (str, bytes)):
        raise ValueError(f"{name}: expected a sequence of str, got a single string; wrap it in a list: [text]")
    if isinstance(values, (Mapping, pd.DataFrame)) or not isinstance(values, Iterable):
        raise ValueError(f"{name}: expected a sequence of str, got {type(values).__name__}")
    out = list(values)
    if not out:
        raise ValueError(f"{name}: expected a non-empty sequence of str, got an empty sequence")
    for i, t in enumerate(out):
        if not isinstance(t, str):
            raise ValueError(f"{name}: expected every element to be a str, element {i} is "
                             f"{type(t).__name__} ({_show(t, 40)})")
        if not allow_empty_strings and not t.strip():
            raise ValueError(f"{name}: element {i} is an empty string; expected text")
    return out


def id_list(values: object, name: str, *, non_empty: bool = True, unique: bool = False) -> list:
    """A list of ids from a list-like (not a string, not a mapping); no NaN/None ids."""
    if values is None or isinstance(values, (str, bytes, Mapping, pd.DataFrame)) \
            or not isinstance(values, (Iterable, np.ndarray, pd.Index, pd.Series)):
        raise ValueError(f"{name}: expected a list of ids, got {type(values).__name__}"
                         + (" (a single string; wrap it in a list)" if isinstance(values, str) else ""))
    out = list(values)
    if non_empty and not out:
        raise ValueError(f"{name}: expected at least one id, got none")
    no_nan_ids(out, name)
    if unique and len(set(out)) != len(out):
        raise ValueError(f"{name}: expected distinct ids, got duplicates")
    return out


def same_length(a: Collection, b: Collection, name_a: str, name_b: str) -> None:
    """Raise unless ``a`` and ``b`` have the same length."""
    if len(a) != len(b):
        raise ValueError(f"{name_b}: expected one entry per element of {name_a} ({len(a)}), got {len(b)}")


def path(value: object, name: str, kind: str | None = None, must_exist: bool = False) -> Path:
    """A filesystem path (``str`` or ``os.PathLike``, not blank); with ``must_exist`` it must be
    a ``kind`` ("file" or "folder"): ``FileNotFoundError`` names it when absent."""
    if not isinstance(value, (str, os.PathLike)) or not str(value).strip():
        what = f"a {kind} path" if kind else "a path"
        raise ValueError(f"{name}: expected {what} (str or pathlib.Path), got {_show(value)}")
    p = Path(value)
    if must_exist:
        if not p.exists():
            raise FileNotFoundError(f"{p}: {kind or 'path'} not found ({name})")
        if kind == "file" and not p.is_file():
            raise ValueError(f"{name}: expected a file, got the folder {p}")
        if kind == "folder" and not p.is_dir():
            raise ValueError(f"{name}: expected a folder, got the file {p}")
    return p
