"""Repository-level checks: notebooks committed without outputs, one-way imports, pins."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))

# data flows one way: a module may import only modules of a strictly lower layer (or its own).
# `_checks` (the one set of input checks) and the leaves `metrics` and `viz` sit at the bottom,
# so that every module may use one evaluation, one set of figures and one set of checks.
LAYERS = {
    "_checks": 0,
    "metrics": 1, "viz": 1,
    "data": 2,
    "simulate": 3, "text": 3, "lm": 3,
    "interests": 4, "sequence": 4,
    "recommend": 5, "explore": 5,
    "widgets": 6,
}
LEAVES = {"_checks", "metrics", "viz"}


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_committed_without_outputs(nb: Path):
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    dirty = [i for i, c in enumerate(cells)
             if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"{nb.name}: cells {dirty} have outputs; clear them before committing"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_has_objectives_and_exercises(nb: Path):
    md = "\n".join("".join(c["source"]) for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]
                   if c["cell_type"] == "markdown")
    assert "Learning objectives" in md, f"{nb.name}: no 'Learning objectives' section"
    assert "{exercise}" in md and ("{solution}" in md or "{solution-start}" in md), \
        f"{nb.name}: no exercises with solutions"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level and not mod:  # from . import x
                found |= {a.name for a in node.names}
            elif node.level or mod.startswith("recsys_helpers"):
                tail = mod.split(".")[-1] if mod != "recsys_helpers" else ""
                found |= {tail} if tail else {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("recsys_helpers."):
                    found.add(a.name.split(".")[1])
    return found & set(LAYERS)


@pytest.mark.parametrize("module", sorted(LAYERS))
def test_layering_one_way(module: str):
    path = ROOT / "recsys_helpers" / f"{module}.py"
    if not path.exists():
        pytest.skip(f"{module}.py not written yet")
    bad = {m for m in _imports(path) if m != module and LAYERS[m] >= LAYERS[module]}
    assert not bad, f"recsys_helpers/{module}.py imports {sorted(bad)} from the same or a higher layer"


def test_leaves_import_nothing_but_the_checks():
    for module in sorted(LEAVES):
        found = _imports(ROOT / "recsys_helpers" / f"{module}.py") - {module}
        assert found <= {"_checks"}, f"{module}.py must import nothing from the package but _checks: {found}"


def test_every_module_has_a_layer():
    modules = {p.stem for p in (ROOT / "recsys_helpers").glob("*.py")} - {"__init__"}
    assert modules <= set(LAYERS), f"add {sorted(modules - set(LAYERS))} to LAYERS"


def _pins(name: str) -> dict[str, str]:
    """{normalised package name: version} of a requirements file of exact pins."""
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][A-Za-z0-9.+]*", line), f"{name}: {line!r} is not an exact pin"
            package, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", package.split("[")[0]).lower()] = version
    return pins


def test_requirements_are_exact_pins():
    for name in ("requirements.txt", "requirements-nodeps.txt", "requirements-lock.txt"):
        _pins(name)
    reqs = (ROOT / "requirements.txt").read_text()
    assert "torch==2.13.0" in reqs
    assert re.search(r"^jupyter-book==1\.", reqs, re.M), "jupyter-book must be 1.x"


def test_lock_agrees_with_requirements():
    """requirements-lock.txt (make lock) pins every direct requirement at the same version."""
    lock, direct = _pins("requirements-lock.txt"), _pins("requirements.txt")
    stale = {p: (v, lock.get(p)) for p, v in direct.items() if lock.get(p) != v}
    assert not stale, f"run `make lock`: requirements.txt vs lock differ {stale}"
    assert lock["torch"] == "2.13.0", "the lock names torch without a +cpu/+cuXXX tag"
    for package in ("pyyaml", "nbclient", "ipython", "huggingface-hub", "sphinx-thebe", "sphinx-togglebutton"):
        assert package in lock, f"requirements-lock.txt does not pin {package}"
    nodeps = set(_pins("requirements-nodeps.txt")) | {"recsys-helpers"}
    assert not nodeps & set(lock), f"the lock must not list {sorted(nodeps & set(lock))}"


def test_makefile_installs_with_the_lock_and_calls_apt_only_for_the_browser():
    makefile = (ROOT / "Makefile").read_text()
    assert "LOCK := requirements-lock.txt" in makefile
    assert re.search(r"^\$\(STAMP\):.*\$\(LOCK\)", makefile, re.M), "the venv stamp must depend on the lock"
    for line in makefile.splitlines():
        if "pip install" in line and "-r requirements.txt" in line and "$$py" not in line:  # `make lock` re-resolves without it
            assert "-c $(LOCK)" in line, f"install without the lock as constraints: {line.strip()}"
    recipes = re.split(r"^(?=[A-Za-z$][^\s:=]*:(?!=))", makefile, flags=re.M)
    with_apt = [r.split(":")[0] for r in recipes if "apt-get install" in r]
    assert with_apt == ["browser-deps"], f"only browser-deps may call apt-get, not {with_apt}"


def test_no_hub_model_ids_in_code():
    pattern = re.compile(r"sentence-transformers/|HuggingFaceTB/|bert-base-uncased['\"]\s*\)")
    for path in list((ROOT / "recsys_helpers").glob("*.py")) + NOTEBOOKS:
        text = path.read_text(encoding="utf-8")
        assert not pattern.search(text), f"{path.name} names a hub model id; load packaged weights instead"


def test_toc_lists_only_existing_files():
    import yaml
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part.get("chapters", [])]
    for f in files:
        assert any((ROOT / (f + ext)).exists() for ext in (".md", ".ipynb")), f"_toc.yml lists missing {f}"
