"""Correctness of the benchmark code (``benchmarks/``): what is timed computes the same thing.

No timing is asserted here; speed is measured by ``make bench`` only.
"""

from __future__ import annotations

import os

import numpy as np
import psutil
import pytest

from benchmarks import bench_build, bench_encode, bench_notebooks, bench_topk, run
from recsys_helpers import metrics


# --------------------------------------------------------------------------- top-K paths
@pytest.mark.parametrize("n_items", [50, 700])
def test_three_topk_paths_return_the_same_items(n_items: int) -> None:
    items, user = bench_topk.make_catalogue(n_items, dim=16, seed=3)
    book = bench_topk.topk_book(user, items, k=10)
    assert np.array_equal(bench_topk.topk_loop(user, items, k=10), book)
    assert np.array_equal(bench_topk.topk_bare(user, bench_topk.normalise_items(items), k=10), book)


def test_loop_path_follows_the_book_tie_rule() -> None:
    """Exact duplicates of the best items tie; loop and book order them alike (seeded keys).

    Integer-valued vectors make every dot product exact, so duplicates get bit-identical
    scores in both paths; a wide range makes other (mathematical) ties unlikely.
    """
    rng = np.random.default_rng(0)
    base = rng.integers(-50, 51, size=(30, 8)).astype(np.float32)
    user = base[0].copy()
    items = np.concatenate([base, np.repeat(base[:3], 4, axis=0)])  # 5 copies of the top items
    for seed in (0, 1, 7):
        book = bench_topk.topk_book(user, items, k=12, seed=seed)
        loop = bench_topk.topk_loop(user, items, k=12, seed=seed)
        assert np.array_equal(loop, book)
        scores = np.array(bench_topk.loop_scores(user, items))
        assert np.all(np.diff(scores[book]) <= 1e-12)  # best first
    # the tie order really depends on the seed, so the check above is not vacuous
    orders = {tuple(bench_topk.topk_book(user, items, k=12, seed=s)) for s in range(5)}
    assert len(orders) > 1


def test_loop_scores_are_cosines() -> None:
    items, user = bench_topk.make_catalogue(40, dim=6, seed=1)
    expected = items @ user / (np.linalg.norm(items, axis=1) * np.linalg.norm(user))
    assert np.allclose(bench_topk.loop_scores(user, items), expected, atol=1e-6)
    assert np.array_equal(bench_topk.topk_book(user, items, k=5), metrics.top_k(expected[None], 5)[0])


def test_best_of_returns_result_and_a_time() -> None:
    out, seconds = bench_topk.best_of(lambda: 42, 3)
    assert out == 42 and seconds >= 0


# --------------------------------------------------------------------------- encoders
def test_sentence_transformers_matches_lm_encode() -> None:
    texts = ["A soft cotton dress, true to size.", "Too tight in the shoulders.", "ok",
             "The fabric pilled after one wash and the colour faded quickly. " * 3]
    ours = bench_encode.lm_encode(texts, batch_size=2)
    st = bench_encode.st_encode(bench_encode.load_sentence_transformer(), texts, batch_size=2)
    assert ours.shape == st.shape == (len(texts), 384)
    max_diff, min_cos = bench_encode.agreement(ours, st)
    assert max_diff < 1e-4
    assert min_cos > 1 - 1e-6


def test_agreement_detects_a_difference() -> None:
    a = np.eye(3, dtype=np.float32)
    b = a.copy()
    b[2] = [0, 1, 0]
    max_diff, min_cos = bench_encode.agreement(a, b)
    assert max_diff == 1.0 and min_cos == pytest.approx(0.0)


def test_encode_with_cache_dir_uses_only_that_folder(tmp_path) -> None:
    vec = bench_encode.lm_encode(["hello there"], cache_dir=tmp_path)
    assert vec.shape == (1, 384)
    assert any(tmp_path.rglob("shard-*.npz"))


# --------------------------------------------------------------------------- runner and helpers
def test_discover_only_and_skip() -> None:
    every = run.discover()
    assert "benchmarks.bench_topk" in every and "benchmarks.bench_build" in every
    assert run.discover(["topk", "encode"]) == ["benchmarks.bench_encode", "benchmarks.bench_topk"]
    assert "benchmarks.bench_build" not in run.discover(skip=["build"])
    assert run.discover(["nothing-like-this"]) == []


def test_markdown_report_names_the_machine_and_every_figure() -> None:
    info = run.machine()
    assert info["cpu_count"] == os.cpu_count()
    results = {"topk": {"1K items: loop / book": 12.5, "1K items: bare list == book list": True,
                        "a | b": 1000}}
    md = run.format_markdown(info, results, {"encode": "RuntimeError: boom"}, {"topk": 3.0})
    assert f"{os.cpu_count()} cores" in md and info["cpu_model"] in md
    assert f"Python {info['python']}" in md and f"torch {info['torch']}" in md
    assert "| 1K items: loop / book | 12.5 |" in md
    assert "| 1K items: bare list == book list | yes |" in md
    assert "| a \\| b | 1,000 |" in md
    assert "## encode" in md and "RuntimeError: boom" in md
    assert "Top-K for one user" in md  # the module's docstring says what was measured


def test_main_writes_json_and_markdown(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(run, "run_all", lambda modules, seconds=None: ({"topk": {"x": 1}}, {}))
    out = tmp_path / "bench.json"
    assert run.main(["topk", "--out", str(out)]) == 0
    assert out.exists() and (tmp_path / "bench.md").exists()
    assert "| x | 1 |" in (tmp_path / "bench.md").read_text(encoding="utf-8")


def test_selected_notebooks_filters_by_word() -> None:
    every = bench_notebooks.selected_notebooks("")
    assert every and all(p.name.startswith("ch") for p in every)
    ch04 = bench_notebooks.selected_notebooks("ch04")
    assert [p.stem for p in ch04] == [p.stem for p in every if "ch04" in p.stem]


def test_notebook_env_is_restored() -> None:
    before = os.environ.get("RECSYS_CACHE_DIR")
    with bench_notebooks._env(RECSYS_CACHE_DIR="/nowhere"):
        assert os.environ["RECSYS_CACHE_DIR"] == "/nowhere"
    assert os.environ.get("RECSYS_CACHE_DIR") == before


def test_tree_rss_counts_this_process() -> None:
    total, largest = bench_build._tree_rss(psutil.Process())
    assert total >= largest > 0


def test_build_log_summary_counts_notebooks_and_problems() -> None:
    log = "\n".join([
        "/x/ch01.ipynb: Executed notebook in 58.02 seconds [mystnb]",
        "/x/ch03.ipynb: Executing notebook failed: CellExecutionError [mystnb]",
        "/x/ch03.ipynb: WARNING: Executing notebook failed: CellExecutionError [mystnb.exec]",
        "reading sources... [ 50%]",
    ])
    s = bench_build.summarise_log(log)
    assert s["executed"] == 1 and s["failed"] == 1 and len(s["problems"]) == 1
