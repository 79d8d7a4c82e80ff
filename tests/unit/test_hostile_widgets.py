"""Hostile inputs for every public function of recsys_helpers.widgets.

``REJECTED``: one bad argument per call (None, a wrong type, ``True`` for a number, an empty
note, a control ipywidgets cannot build, a control for a parameter that cannot take it), each
answered by a ``ValueError`` whose message starts with the argument's name. ``DOCUMENTED``:
inputs that look hostile but have a documented answer. Rejected calls leave no figure open.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import ipywidgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from recsys_helpers import widgets as w  # noqa: E402

NAN = float("nan")


def plot(a: float = 0.5, n: int = 3):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot(range(n), [a * i for i in range(n)])
    ax.set_xlabel("i")
    ax.set_ylabel("a * i")
    ax.set_title("line")
    return fig


def text_only(a: float = 0.5):
    return f"a = {a}"


def positional_only(a=0.5, /):
    return str(a)


def R(case_id: str, match: str, fn, *args, **kwargs):
    return pytest.param(fn, args, kwargs, match, id=case_id)


def D(case_id: str, check, fn, *args, **kwargs):
    return pytest.param(fn, args, kwargs, check, id=case_id)


class NoHtml:
    """An object whose ``_repr_html_`` declines (returns None), as IPython allows."""

    def _repr_html_(self):
        return None

    def __str__(self):
        return "plain <text>"


def figure():
    return plot()


REJECTED = [
    # ---------------------------------------------------------------- figure_to_png
    R("png-fig-None", "^fig:", w.figure_to_png, None),
    R("png-fig-Axes", "^fig:", lambda: w.figure_to_png(plt.subplots()[1])),
    R("png-fig-str", "^fig:", w.figure_to_png, "figure"),
    R("png-dpi-0", "^dpi:", lambda: w.figure_to_png(figure(), 0)),
    R("png-dpi-negative", "^dpi:", lambda: w.figure_to_png(figure(), -72)),
    R("png-dpi-True", "^dpi:", lambda: w.figure_to_png(figure(), True)),
    R("png-dpi-float", "^dpi:", lambda: w.figure_to_png(figure(), 72.0)),
    R("png-dpi-None", "^dpi:", lambda: w.figure_to_png(figure(), None)),
    # ---------------------------------------------------------------- static_bundle
    R("bundle-note-None", "^note:", w.static_bundle, None, None),
    R("bundle-note-empty", "^note:", w.static_bundle, "x", ""),
    R("bundle-note-blank", "^note:", w.static_bundle, "x", "   "),
    R("bundle-note-int", "^note:", w.static_bundle, "x", 5),
    R("bundle-note-NaN", "^note:", w.static_bundle, "x", NAN),
    R("bundle-note-list", "^note:", w.static_bundle, "x", ["note"]),
    # ---------------------------------------------------------------- explore: the function and the note
    R("explore-fn-None", "^fn:", w.explore, None, a=(0.0, 1.0)),
    R("explore-fn-str", "^fn:", w.explore, "plot", a=(0.0, 1.0)),
    R("explore-fn-Figure", "^fn:", lambda: w.explore(figure(), a=(0.0, 1.0))),
    R("explore-note-None", "^note:", w.explore, plot, note=None, a=(0.0, 1.0)),
    R("explore-note-empty", "^note:", w.explore, plot, note="", a=(0.0, 1.0)),
    R("explore-note-int", "^note:", w.explore, plot, note=1, a=(0.0, 1.0)),
    # ---------------------------------------------------------------- explore: the controls
    R("explore-no-controls", "^controls:.*at least one", w.explore, plot),
    R("explore-unknown-parameter", r"^controls:.*\['b'\]", w.explore, plot, b=(0.0, 1.0)),
    R("explore-builtin-without-the-parameter", "^controls:", w.explore, print, a=(0.0, 1.0)),
    R("explore-positional-only", "^controls:.*positional-only", w.explore, positional_only, a=(0.0, 1.0)),
    R("explore-control-None", "^controls:.*'a'", w.explore, plot, a=None),
    R("explore-control-object", "^controls:.*'a'", w.explore, plot, a=object()),
    R("explore-control-tuple-of-str", "^controls:.*'a'", w.explore, plot, a=("x", "y", "z")),
    R("explore-control-empty-tuple", "^controls:.*'a'", w.explore, plot, a=()),
    R("explore-control-4-tuple", "^controls:.*'a'", w.explore, plot, a=(0.0, 1.0, 0.1, 3)),
    R("explore-control-min-above-max", "^controls:.*'a'", w.explore, plot, a=(1.0, 0.0)),
    R("explore-control-step-0", "^controls:.*'a'", w.explore, plot, a=(0.0, 1.0, 0.0)),
    R("explore-control-NaN", "^controls:.*'a'", w.explore, plot, a=(0.0, NAN)),
    R("explore-control-empty-list", "^controls:.*'a' has no options", w.explore, plot, a=[]),
    R("explore-control-empty-dict", "^controls:.*'a' has no options", w.explore, plot, a={}),
    R("explore-second-control-bad", "^controls:.*'n'", w.explore, plot, a=(0.0, 1.0), n=None),
    # ---------------------------------------------------------------- folded and rich_bundle
    R("folded-obj-None", "^obj:", w.folded, None),
    R("folded-title-None", "^title:", w.folded, "x", None),
    R("folded-title-empty", "^title:", w.folded, "x", ""),
    R("folded-title-blank", "^title:", w.folded, "x", " \n"),
    R("folded-title-int", "^title:", w.folded, "x", 1),
    R("folded-title-NaN", "^title:", w.folded, "x", NAN),
    R("folded-title-list", "^title:", w.folded, "x", ["title"]),
    R("rich-bundle-None", "^obj:", w.rich_bundle, None),
]


@pytest.mark.parametrize("fn, args, kwargs, match", REJECTED)
def test_hostile_input_is_rejected_by_name_and_leaves_no_figure(fn, args, kwargs, match):
    before = set(plt.get_fignums())
    try:
        with pytest.raises(ValueError, match=match):
            fn(*args, **kwargs)
        if fn is w.explore or fn is w.folded:
            assert set(plt.get_fignums()) == before
    finally:
        plt.close("all")


DOCUMENTED = [
    # a result without HTML (its _repr_html_ returns None) is shown as escaped text
    D("bundle-repr-html-None", lambda got: "<pre>plain &lt;text&gt;</pre>" in got["text/html"], w.static_bundle,
      NoHtml(), "note"),
    # any other object is shown as text; None shows only the note
    D("bundle-int", lambda got: "<pre>5</pre>" in got["text/html"], w.static_bundle, 5, "note"),
    D("bundle-None", lambda got: got["text/plain"] == "note", w.static_bundle, None, "note"),
    # a DataFrame uses its own HTML table
    D("bundle-DataFrame", lambda got: "<table" in got["text/html"], w.static_bundle, pd.DataFrame({"a": [1]}), "n"),
    # fn's default is the starting value; a default outside the slider's range is not used
    D("explore-default-inside-range", lambda got: got.values == {"a": 0.5}, w.explore, text_only, a=(0.0, 1.0)),
    D("explore-default-outside-range", lambda got: 0.0 <= got.values["a"] <= 1.0, w.explore,
      lambda a=5.0: str(a), a=(0.0, 1.0)),
    # without a default the slider starts in the middle
    D("explore-no-default", lambda got: got.values == {"a": 0.5}, w.explore, lambda a: str(a), a=(0.0, 1.0)),
    # a string control is a text box, a bool a checkbox, fixed(...) a fixed value, a widget itself
    D("explore-text-control", lambda got: got.values == {"a": "abc"}, w.explore, text_only, a="abc"),
    D("explore-bool-control", lambda got: got.values == {"a": True}, w.explore, text_only, a=True),
    D("explore-fixed-control", lambda got: got.values == {"a": 5}, w.explore, text_only, a=ipywidgets.fixed(5)),
    D("explore-widget-control", lambda got: got.values == {"a": 0.25}, w.explore, text_only,
      a=ipywidgets.FloatSlider(value=0.25, min=0.0, max=1.0)),
    # folded: a result without HTML (its _repr_html_ returns None) is its text, as a cell shows it
    D("folded-repr-html-None", lambda got: "text/html" not in got.static
      and "NoHtml" in got.static["text/plain"], w.folded, NoHtml()),
    # folded: a string is not HTML, whatever it holds; 0 and "" are results like any other
    D("folded-html-like-string", lambda got: got.static == {"text/plain": "<b>bold</b>"}, w.folded,
      "<b>bold</b>"),
    D("folded-zero", lambda got: got.static["text/plain"] == "0", w.folded, 0),
    D("folded-empty-string", lambda got: got.static == {"text/plain": ""}, w.folded, ""),
    # folded: an explorer inside is its static rendering (no widget inside a widget's output)
    D("folded-explorer", lambda got: w.WIDGET_VIEW_MIME not in got.static
      and "Interactive version" in got.static["text/html"],
      lambda: w.folded(w.explore(text_only, a=(0.0, 1.0)))),
    # braces in the note other than {settings} are kept as they are
    D("explore-note-braces", lambda got: "{x}" in got.static["text/plain"], w.explore, text_only,
      note="{x} {settings}", a=(0.0, 1.0)),
]


@pytest.mark.parametrize("fn, args, kwargs, check", DOCUMENTED)
def test_hostile_looking_input_has_the_documented_answer(fn, args, kwargs, check):
    try:
        assert check(fn(*args, **kwargs))
    finally:
        plt.close("all")


def test_errors_of_the_explored_function_are_its_own():
    """A failing ``fn`` is not a bad argument: its own exception reaches the caller."""
    def broken(a: float = 0.5):
        raise ZeroDivisionError("inside fn")

    with pytest.raises(ZeroDivisionError, match="inside fn"):
        w.explore(broken, a=(0.0, 1.0))


def test_explore_leaves_its_controls_alone():
    controls = {"a": [0.1, 0.2, 0.3], "n": (2, 8)}
    before = {k: list(v) if isinstance(v, list) else v for k, v in controls.items()}
    explorer = w.explore(plot, **controls)
    assert controls == before and explorer.values == {"a": 0.1, "n": 3}
    plt.close("all")
