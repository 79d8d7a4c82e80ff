"""A small SASRec-style transformer for next-item prediction (Kang & McAuley, 2018).

The model reads a user's last ``max_len`` items (oldest first) and, at every position
``t``, predicts the item at ``t + 1``:

* input  ``x_t = E[i_t] + P[t]`` (item embedding plus a learned position embedding);
  optionally ``E[i] = E_id[i] + W f_i`` where ``f_i`` is a *frozen* language-model
  embedding of the item's text and ``W`` a learned linear projection;
* ``n_blocks`` pre-norm transformer blocks with **causal** self-attention (position ``t``
  only sees positions ``<= t``) and a point-wise feed-forward network, with dropout;
* output score of item ``j`` at position ``t``: ``r_{t,j} = h_t . E[j]`` (the item
  embeddings are shared between input and output);
* loss: cross-entropy over all items (``loss="ce"``) or the binary cross-entropy with one
  sampled negative per position of the original paper (``loss="bce"``).

Item ids are mapped to indices ``1..n_items``; index ``0`` is padding. ``fit_sasrec``
can stop early (``patience``) on the validation NDCG@10 and then keeps the best epoch.
Evaluation is leave-last-out: each user's last item is the test target, the one before it
the validation target, and every item is ranked (the user's earlier items excluded) by
``metrics.full_ranking_metrics``, the package's one evaluation (ties: expected value over
random orders). Baselines such as popularity come from ``recommend``; the experiment that
puts them side by side is written out in chapter 3.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Sequence

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from . import _checks
from .lm import device  # one device rule for the package: cuda when available, else the CPU
from .metrics import full_ranking_metrics

__all__ = [
    "SASRecConfig",
    "CONFIGS",
    "get_config",
    "SASRec",
    "SequenceSplit",
    "sequences_from_interactions",
    "training_windows",
    "fit_sasrec",
    "score_next",
    "seen_mask",
    "evaluate_next_item",
    "device",
]


# --------------------------------------------------------------------------- configuration
@dataclass(frozen=True)
class SASRecConfig:
    """Hyper-parameters of the model and its training loop."""

    d: int = 64                 # embedding / hidden size
    n_blocks: int = 2           # transformer blocks
    n_heads: int = 1            # attention heads (d must be divisible by n_heads)
    max_len: int = 50           # longest history the model reads
    dropout: float = 0.2
    epochs: int = 10
    batch_size: int = 128
    lr: float = 1e-3
    weight_decay: float = 0.0
    loss: str = "ce"            # "ce": softmax over all items; "bce": one sampled negative

    def __post_init__(self) -> None:
        for name in ("d", "n_blocks", "n_heads", "max_len", "epochs", "batch_size"):
            _checks.positive_int(getattr(self, name), name)
        if self.d % self.n_heads:
            raise ValueError(f"n_heads: expected a divisor of d={self.d}, got {self.n_heads}")
        _checks.fraction(self.dropout, "dropout", high_open=True)
        _checks.number(self.lr, "lr", 0.0, low_open=True)
        _checks.number(self.weight_decay, "weight_decay", 0.0)
        _checks.one_of(self.loss, "loss", ("ce", "bce"))


CONFIGS: dict[str, SASRecConfig] = {
    # runs on a 2-core CPU in well under two minutes on MovieLens 100K
    "small": SASRecConfig(d=64, n_blocks=2, n_heads=1, max_len=50, dropout=0.2, epochs=10,
                          batch_size=128, lr=3e-3),
    # the paper's MovieLens-1M setting scaled for a GPU: longer histories, more epochs
    "large": SASRecConfig(d=128, n_blocks=2, n_heads=2, max_len=200, dropout=0.2, epochs=200,
                          batch_size=128, lr=1e-3),
}


def get_config(config: str | SASRecConfig = "small", **overrides: object) -> SASRecConfig:
    """A named configuration (``"small"`` or ``"large"``) or a given one, with overrides."""
    if isinstance(config, SASRecConfig):
        base = config
    elif isinstance(config, str) and config in CONFIGS:
        base = CONFIGS[config]
    else:
        raise ValueError(f"config: expected one of {sorted(CONFIGS)} or a SASRecConfig, got {config!r}")
    overrides = {k: v for k, v in overrides.items() if v is not None}
    unknown = set(overrides) - set(asdict(base))
    if unknown:
        raise ValueError(f"overrides: unknown field(s) {sorted(unknown)}; expected some of {sorted(asdict(base))}")
    return replace(base, **overrides)


# --------------------------------------------------------------------------- model
def _text_features(text_features: object, n_items: int) -> torch.Tensor:
    """Finite float32 features ``(n_items, dim)`` from an array, a nested list or a tensor."""
    if isinstance(text_features, torch.Tensor):
        text_features = text_features.detach().cpu().numpy()
    f = _checks.array(text_features, "text_features", ndim=2)
    if f.shape[0] != n_items:
        raise ValueError(f"text_features: expected shape (n_items={n_items}, dim), got {f.shape}")
    if (np.abs(f) > np.finfo(np.float32).max).any():
        raise ValueError("text_features: expected values that fit in float32, found some beyond 3.4e38")
    return torch.as_tensor(f.astype(np.float32))


class _Block(nn.Module):
    """Pre-norm block: ``h = h + Drop(Attn(LN(h)))``, then ``h = h + Drop(FFN(LN(h)))``."""

    def __init__(self, d: int, n_heads: int, dropout: float) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.ffn = nn.Sequential(nn.Linear(d, d), nn.GELU(), nn.Dropout(dropout), nn.Linear(d, d))
        self.drop = nn.Dropout(dropout)
        self.attn_dropout = dropout

    def forward(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, L, d = h.shape
        q, k, v = self.qkv(self.ln1(h)).split(d, dim=-1)
        q, k, v = (t.view(b, L, self.n_heads, d // self.n_heads).transpose(1, 2) for t in (q, k, v))
        # softmax(q k^T / sqrt(d_head) + mask) v, where mask forbids looking into the future
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask,
                                           dropout_p=self.attn_dropout if self.training else 0.0)
        h = h + self.drop(self.proj(a.transpose(1, 2).reshape(b, L, d)))
        return h + self.drop(self.ffn(self.ln2(h)))


class SASRec(nn.Module):
    """Self-attentive sequential recommendation (Kang & McAuley, 2018), small and readable.

    ``forward(seq)`` takes a ``(batch, L)`` tensor of item indices (``0`` = padding, left
    padded) and returns hidden states ``(batch, L, d)``; ``scores(h)`` turns them into
    ``(..., n_items + 1)`` scores ``h . E[j]`` with the shared item embeddings.
    """

    def __init__(self, n_items: int, d: int = 64, n_blocks: int = 2, n_heads: int = 1,
                 max_len: int = 50, dropout: float = 0.2,
                 text_features: np.ndarray | torch.Tensor | None = None) -> None:
        super().__init__()
        _checks.positive_int(n_items, "n_items")
        for name, v in (("d", d), ("n_blocks", n_blocks), ("n_heads", n_heads), ("max_len", max_len)):
            _checks.positive_int(v, name)
        if d % n_heads:
            raise ValueError(f"n_heads: expected a divisor of d={d}, got {n_heads}")
        _checks.fraction(dropout, "dropout", high_open=True)
        self.n_items, self.max_len = int(n_items), int(max_len)
        self.item_emb = nn.Embedding(n_items + 1, d, padding_idx=0)
        self.pos_emb = nn.Embedding(max_len, d)
        self.emb_drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(_Block(d, n_heads, dropout) for _ in range(n_blocks))
        self.ln = nn.LayerNorm(d)
        nn.init.normal_(self.item_emb.weight, std=d ** -0.5)
        with torch.no_grad():
            self.item_emb.weight[0].zero_()
        self.text_proj: nn.Linear | None = None
        if text_features is not None:
            f = _text_features(text_features, n_items)
            # frozen: a buffer, not a parameter; row 0 (padding) is zero
            self.register_buffer("text_features", torch.cat([torch.zeros(1, f.shape[1]), f]))
            self.text_proj = nn.Linear(f.shape[1], d, bias=False)
            nn.init.normal_(self.text_proj.weight, std=f.shape[1] ** -0.5 * 0.5)

    def item_vectors(self, idx: torch.Tensor | None = None) -> torch.Tensor:
        """``E[i] = E_id[i] (+ W f_i)`` for the given indices (all items, padding included, if None)."""
        if idx is None:
            e = self.item_emb.weight
            if self.text_proj is not None:
                e = e + self.text_proj(self.text_features)
            return e
        e = self.item_emb(idx)
        if self.text_proj is not None:
            e = e + self.text_proj(self.text_features[idx]) * (idx > 0).unsqueeze(-1)
        return e

    def forward(self, seq: torch.Tensor) -> torch.Tensor:
        if not isinstance(seq, torch.Tensor) or seq.dtype not in (torch.int64, torch.int32):
            what = f"dtype {seq.dtype}" if isinstance(seq, torch.Tensor) else type(seq).__name__
            raise ValueError(f"seq: expected a (batch, length) integer tensor of item indices, got {what}")
        if seq.ndim != 2:
            raise ValueError(f"seq: expected a (batch, length) tensor of item indices, got shape {tuple(seq.shape)}")
        if seq.numel() and bool(((seq < 0) | (seq > self.n_items)).any()):
            raise ValueError(f"seq: expected item indices in 0..n_items={self.n_items} (0 = padding), got "
                             f"values in [{int(seq.min())}, {int(seq.max())}]")
        b, L = seq.shape
        if L > self.max_len:
            raise ValueError(f"seq: length {L} exceeds max_len={self.max_len}; keep the last max_len items")
        pos = torch.arange(L, device=seq.device)
        keep = (seq > 0).unsqueeze(-1)
        h = (self.item_vectors(seq) * self.item_emb.embedding_dim ** 0.5 + self.pos_emb(pos)) * keep
        h = self.emb_drop(h)
        # position t may attend to key s when s <= t and s is not padding (always to itself,
        # so that a padded row never has nothing to attend to)
        causal = torch.ones(L, L, dtype=torch.bool, device=seq.device).tril()
        mask = (causal & (seq > 0).unsqueeze(1)) | torch.eye(L, dtype=torch.bool, device=seq.device)
        mask = mask.unsqueeze(1)  # (b, 1, L, L), broadcast over heads
        for block in self.blocks:
            h = block(h, mask) * keep
        return self.ln(h)

    def scores(self, h: torch.Tensor) -> torch.Tensor:
        """Scores of every item: ``h @ E^T``, shape ``(..., n_items + 1)`` (column 0 = padding)."""
        return h @ self.item_vectors().T


# --------------------------------------------------------------------------- data
@dataclass
class SequenceSplit:
    """Per-user item-index sequences split leave-last-out.

    ``train[u]`` is everything but the last two items, ``valid[u]`` the second-to-last and
    ``test[u]`` the last item. ``item_ids[i - 1]`` is the original id of index ``i``.
    """

    users: np.ndarray
    train: list[np.ndarray]
    valid: np.ndarray
    test: np.ndarray
    item_ids: np.ndarray
    report: dict = field(default_factory=dict)

    @property
    def n_items(self) -> int:
        return int(len(self.item_ids))

    def history_for_test(self) -> list[np.ndarray]:
        """The input for the test prediction: the training items plus the validation item."""
        return [np.append(s, v) for s, v in zip(self.train, self.valid)]


def sequences_from_interactions(interactions: pd.DataFrame, min_len: int = 3) -> SequenceSplit:
    """Order each user's items by ``timestamp`` (ties keep row order) and split leave-last-out.

    Users with fewer than ``min_len`` (at least 3) interactions cannot give a train, a
    validation and a test item; they are left out and counted in ``report``.
    """
    cols = ["user_id", "item_id", "timestamp"]
    _checks.frame(interactions, "interactions", cols, no_nan=cols)
    _checks.integer(min_len, "min_len", low=3)
    ts = interactions["timestamp"]
    if pd.api.types.is_bool_dtype(ts) or not (pd.api.types.is_numeric_dtype(ts)
                                               or pd.api.types.is_datetime64_any_dtype(ts)):
        raise ValueError(f"interactions: column 'timestamp' must hold numbers or datetimes, got dtype {ts.dtype}")
    for col in ("user_id", "item_id"):
        try:
            np.sort(interactions[col].unique())
        except TypeError:
            kinds = sorted({type(v).__name__ for v in interactions[col].unique()})
            raise ValueError(f"interactions: column {col!r} mixes id types {kinds} that cannot be "
                             "sorted; expected one type of id") from None
    df = interactions.sort_values(["user_id", "timestamp"], kind="stable")
    item_ids = np.sort(df["item_id"].unique())
    idx = np.searchsorted(item_ids, df["item_id"].to_numpy()) + 1
    users, train, valid, test = [], [], [], []
    n_short = 0
    bounds = np.flatnonzero(np.r_[True, df["user_id"].to_numpy()[1:] != df["user_id"].to_numpy()[:-1], True])
    uid = df["user_id"].to_numpy()
    for a, b in zip(bounds[:-1], bounds[1:]):
        s = idx[a:b]
        if len(s) < min_len:
            n_short += 1
            continue
        users.append(uid[a])
        train.append(s[:-2].astype(np.int64))
        valid.append(s[-2])
        test.append(s[-1])
    if not users:
        raise ValueError(f"interactions: no user has at least min_len={min_len} interactions")
    return SequenceSplit(np.asarray(users), train, np.asarray(valid, np.int64), np.asarray(test, np.int64),
                         item_ids, {"users_kept": len(users), "users_too_short": n_short})


def _index_sequences(sequences: object, name: str, n_items: int | None = None, *,
                     empty_ok: bool = True) -> list[np.ndarray]:
    """A non-empty list of 1-D integer arrays of item indices ``1..n_items`` (0 is padding)."""
    if isinstance(sequences, (str, bytes, np.ndarray)) or not isinstance(sequences, Sequence):
        raise ValueError(f"{name}: expected a list of item-index arrays, got {type(sequences).__name__}")
    if len(sequences) == 0:
        raise ValueError(f"{name}: expected at least one sequence, got none")
    out = []
    for j, s in enumerate(sequences):
        a = _checks.array(s, f"{name}[{j}]", ndim=1, non_empty=not empty_ok, dtype=np.int64)
        if a.size and (a.min() < 1 or (n_items is not None and a.max() > n_items)):
            top = "n_items" if n_items is None else f"n_items={n_items}"
            raise ValueError(f"{name}[{j}]: expected item indices in 1..{top} (0 is padding), got values "
                             f"in [{a.min()}, {a.max()}]")
        out.append(a)
    return out


def _check_model(model: object) -> "SASRec":
    if not isinstance(model, SASRec):
        raise ValueError(f"model: expected a SASRec model, got {type(model).__name__}")
    return model


def training_windows(sequences: Sequence[np.ndarray], max_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut every sequence into left-padded (input, target) windows of length ``max_len``.

    For a sequence ``s`` the targets are ``s[1:]`` and the inputs ``s[:-1]`` (shifted by
    one), taken in chunks of ``max_len`` from the end, so every position is a target once.
    """
    max_len = _checks.positive_int(max_len, "max_len")
    if isinstance(sequences, Sequence) and not isinstance(sequences, (str, bytes)) and len(sequences) == 0:
        raise ValueError("sequences: expected at least one sequence with two or more items")
    xs, ys = [], []
    for s in _index_sequences(sequences, "sequences"):
        for end in range(len(s), 1, -max_len):
            start = max(0, end - 1 - max_len)
            x, y = s[start:end - 1], s[start + 1:end]
            pad = max_len - len(x)
            xs.append(np.pad(x, (pad, 0)))
            ys.append(np.pad(y, (pad, 0)))
    if not xs:
        raise ValueError("sequences: expected at least one sequence with two or more items")
    return np.stack(xs), np.stack(ys)


def _last_window(sequences: Sequence[np.ndarray], max_len: int) -> np.ndarray:
    out = np.zeros((len(sequences), max_len), dtype=np.int64)
    for r, s in enumerate(sequences):
        s = np.asarray(s, dtype=np.int64)[-max_len:]
        if len(s):
            out[r, -len(s):] = s
    return out


# --------------------------------------------------------------------------- training
def seen_mask(sequences: Sequence[np.ndarray], n_items: int) -> np.ndarray:
    """Boolean ``(n_sequences, n_items + 1)``: the items of each sequence, and the padding column 0.

    ``sequences`` hold item indices ``1..n_items``; an empty sequence marks only the padding.
    """
    n_items = _checks.positive_int(n_items, "n_items")
    seqs = _index_sequences(sequences, "sequences", n_items)
    mask = np.zeros((len(seqs), n_items + 1), dtype=bool)
    for r, s in enumerate(seqs):
        mask[r, s] = True
    mask[:, 0] = True
    return mask


@torch.no_grad()
def score_next(model: SASRec, sequences: Sequence[np.ndarray], batch_size: int = 512) -> np.ndarray:
    """Scores ``(n_sequences, n_items + 1)`` of every item as the next one (column 0 = padding).

    Each sequence holds at least one item index in ``1..n_items``; only its last ``max_len``
    items are read.
    """
    _check_model(model)
    batch_size = _checks.positive_int(batch_size, "batch_size")
    sequences = _index_sequences(sequences, "sequences", model.n_items, empty_ok=False)
    model.eval()
    dev = next(model.parameters()).device
    x = torch.as_tensor(_last_window(sequences, model.max_len))
    out = []
    for i in range(0, len(x), batch_size):
        h = model(x[i:i + batch_size].to(dev))[:, -1, :]
        out.append(model.scores(h).float().cpu())
    return torch.cat(out).numpy()


def evaluate_next_item(model: SASRec, histories: Sequence[np.ndarray], targets: np.ndarray,
                       k: int = 10, exclude_seen: bool = True,
                       per_row: bool = False) -> dict[str, float] | pd.DataFrame:
    """Hit@k, NDCG@k and MRR of ``model`` ranking all items, the items in each history excluded.

    Computed by ``metrics.full_ranking_metrics`` (one target per row; ties: the expected
    value over random orders). ``per_row=True`` returns one row per history (for paired
    comparisons of two models on the same users).
    """
    _check_model(model)
    _checks.flag(exclude_seen, "exclude_seen")
    _checks.flag(per_row, "per_row")
    k = _checks.integer(k, "k", 1, model.n_items)
    histories = _index_sequences(histories, "histories", model.n_items, empty_ok=False)
    targets = _checks.array(targets, "targets", ndim=1, dtype=np.int64)
    if len(targets) != len(histories):
        raise ValueError(f"targets: expected one target per history ({len(histories)}), got {len(targets)}")
    if targets.min() < 1 or targets.max() > model.n_items:
        raise ValueError(f"targets: expected item indices in 1..{model.n_items}, got values in "
                         f"[{targets.min()}, {targets.max()}]")
    s = score_next(model, histories)
    exclude = seen_mask(histories, model.n_items) if exclude_seen else None
    if exclude is None:
        exclude = np.zeros(s.shape, dtype=bool)
        exclude[:, 0] = True                                      # the padding column is never an item
    res = full_ranking_metrics(s, targets, k, exclude, per_user=per_row)
    keep = ["rank", f"hit@{k}", f"ndcg@{k}", "mrr"]
    if per_row:
        return res[keep]
    return {c: res[c] for c in keep[1:]}


def _seed_everything(seed: int) -> None:
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


def fit_sasrec(sequences: Sequence[np.ndarray], n_items: int, config: str | SASRecConfig = "small",
               text_features: np.ndarray | None = None, seed: int = 0,
               valid: tuple[Sequence[np.ndarray], np.ndarray] | None = None,
               device_: torch.device | str | None = None, progress: bool = True,
               deterministic: bool = True, patience: int | None = None,
               **overrides: object) -> tuple[SASRec, pd.DataFrame]:
    """Train a :class:`SASRec` on item-index sequences; return the model and a per-epoch history.

    ``sequences``: arrays of item indices in ``1..n_items`` (oldest first). ``valid``:
    optional ``(histories, targets)`` evaluated after every epoch (hit@10, NDCG@10).
    ``patience``: early stopping on ``valid`` (required then): training stops after
    ``patience`` epochs without a higher validation NDCG@10 than the best so far, and the
    model returned holds the weights of the best epoch (column ``best`` of the history marks
    it). ``overrides`` change fields of the configuration (e.g. ``epochs=3``; with
    ``patience``, ``epochs`` is the most epochs). Training is seeded; with ``deterministic``
    PyTorch's deterministic algorithms are switched on for the duration of the call
    (bit-for-bit repeatable on the CPU).
    """
    cfg = get_config(config, **overrides)
    _checks.positive_int(n_items, "n_items")
    _checks.seed(seed)
    _checks.flag(progress, "progress")
    _checks.flag(deterministic, "deterministic")
    if patience is not None:
        _checks.positive_int(patience, "patience")
        if valid is None:
            raise ValueError("patience: early stopping needs valid=(histories, targets), got valid=None")
    sequences = _index_sequences(sequences, "sequences", n_items)
    if text_features is not None:
        _text_features(text_features, n_items)       # fail before training changes any global state
    if valid is not None:
        if isinstance(valid, (str, bytes)) or not isinstance(valid, Sequence) or len(valid) != 2:
            raise ValueError("valid: expected a pair (histories, targets), got "
                             f"{type(valid).__name__}")
        v_hist = _index_sequences(valid[0], "valid[0] (histories)", n_items, empty_ok=False)
        v_target = _checks.array(valid[1], "valid[1] (targets)", ndim=1, dtype=np.int64)
        if len(v_target) != len(v_hist) or v_target.min() < 1 or v_target.max() > n_items:
            raise ValueError(f"valid[1] (targets): expected {len(v_hist)} item indices in 1..{n_items} "
                             f"(one per history), got {len(v_target)} in [{v_target.min()}, {v_target.max()}]")
        if n_items < 10:
            raise ValueError(f"valid: the per-epoch evaluation ranks at k=10, which needs n_items >= 10, "
                             f"got n_items={n_items}")
        valid = (v_hist, v_target)
    try:
        dev = torch.device(device_) if device_ is not None else device()
    except (RuntimeError, TypeError, ValueError):
        raise ValueError(f"device_: expected a torch device such as 'cpu' or 'cuda', got {device_!r}") from None
    x_all, y_all = training_windows(sequences, cfg.max_len)        # no randomness: before the seed
    x_all, y_all = torch.as_tensor(x_all), torch.as_tensor(y_all)
    prev_det = torch.are_deterministic_algorithms_enabled()
    prev_warn = torch.is_deterministic_algorithms_warn_only_enabled()
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=dev.type != "cpu")
    try:
        _seed_everything(seed)
        model = SASRec(n_items, cfg.d, cfg.n_blocks, cfg.n_heads, cfg.max_len, cfg.dropout,
                       text_features).to(dev)
        opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, betas=(0.9, 0.98),
                               weight_decay=cfg.weight_decay)
        gen = torch.Generator().manual_seed(seed)
        rows = []
        from tqdm.auto import tqdm  # imported here: only training needs it
        bar = tqdm(range(1, cfg.epochs + 1), desc="SASRec epochs", disable=not progress)
        t0 = time.perf_counter()
        best_ndcg, best_epoch, best_state = -math.inf, 0, None
        for epoch in bar:
            model.train()
            perm = torch.randperm(len(x_all), generator=gen)
            total, n_tok = 0.0, 0
            for i in range(0, len(perm), cfg.batch_size):
                b = perm[i:i + cfg.batch_size]
                x, y = x_all[b].to(dev), y_all[b].to(dev)
                h = model(x)
                keep = y > 0
                hk, yk = h[keep], y[keep]
                if cfg.loss == "ce":
                    logits = model.scores(hk)
                    logits[:, 0] = -torch.inf
                    loss = F.cross_entropy(logits, yk)
                else:
                    neg = torch.randint(1, n_items + 1, yk.shape, generator=gen).to(dev)
                    pos_s = (hk * model.item_vectors(yk)).sum(-1)
                    neg_s = (hk * model.item_vectors(neg)).sum(-1)
                    loss = (F.binary_cross_entropy_with_logits(pos_s, torch.ones_like(pos_s))
                            + F.binary_cross_entropy_with_logits(neg_s, torch.zeros_like(neg_s)))
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += float(loss.detach()) * len(yk)
                n_tok += len(yk)
            row = {"epoch": epoch, "train_loss": total / n_tok, "seconds": time.perf_counter() - t0}
            if valid is not None:
                m = evaluate_next_item(model, valid[0], np.asarray(valid[1]))
                row.update({f"valid_{k}": v for k, v in m.items()})
            rows.append(row)
            bar.set_postfix(loss=f"{row['train_loss']:.3f}")
            if patience is not None:
                if row["valid_ndcg@10"] > best_ndcg:
                    best_ndcg, best_epoch = row["valid_ndcg@10"], epoch
                    best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
                elif epoch - best_epoch >= patience:
                    break
        if best_state is not None:
            model.load_state_dict(best_state)
    finally:
        if deterministic:
            torch.use_deterministic_algorithms(prev_det, warn_only=prev_warn)
    model.eval()
    history = pd.DataFrame(rows)
    if patience is not None:
        history["best"] = history["epoch"] == best_epoch
    return model, history
