"""recsys_helpers.widgets: a live control plus a static rendering for the HTML book."""

from __future__ import annotations

import base64
import builtins

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from recsys_helpers.widgets import WIDGET_VIEW_MIME, explore, figure_to_png, static_bundle  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def line_plot(slope: float = 1.5, n: int = 4, colour: str = "C0"):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot(range(n), [slope * i for i in range(n)], color=colour)
    ax.set_xlabel("i")
    ax.set_ylabel("slope * i")
    ax.set_title("a line")
    return fig


def test_explore_bundle_has_live_widget_and_static_figure():
    before = plt.get_fignums()
    explorer = explore(line_plot, slope=(0.0, 3.0, 0.5), n=(2, 8))
    bundle = explorer._repr_mimebundle_()
    assert WIDGET_VIEW_MIME in bundle  # JupyterLab renders the live control
    assert bundle["text/html"].count("<img") == 1  # the HTML book shows the figure ...
    assert "Interactive version" in bundle["text/html"]  # ... and says how to get the widget
    png = base64.b64decode(bundle["image/png"])
    assert png[:8] == PNG_SIGNATURE
    assert f'src="data:image/png;base64,{bundle["image/png"]}"' in bundle["text/html"]
    assert plt.get_fignums() == before  # every figure made for the rendering is closed


def test_static_rendering_uses_the_function_defaults():
    explorer = explore(line_plot, slope=(0.0, 3.0, 0.5), n=(2, 8))
    assert explorer.values == {"slope": 1.5, "n": 4}
    assert "slope = 1.5, n = 4" in explorer.static["text/plain"]
    # only controlled parameters become widgets; colour keeps its default
    labels = [child.description for child in explorer.widget.children[:-1]]
    assert labels == ["slope", "n"]


def test_static_rendering_follows_a_changed_default():
    def describe(k: int = 3) -> str:
        return f"top-{k} list"

    assert "top-3 list" in explore(describe, k=(1, 10)).static["text/html"]
    describe.__defaults__ = (7,)
    assert "top-7 list" in explore(describe, k=(1, 10)).static["text/html"]


def test_text_result_is_escaped():
    explorer = explore(lambda word="<b>cosine</b>": word, word=["<b>cosine</b>", "dot"])
    html = explorer.static["text/html"]
    assert "&lt;b&gt;cosine&lt;/b&gt;" in html
    assert "<b>cosine</b>" not in html


def test_dataframe_result_uses_its_html_table():
    def table(k: int = 2) -> pd.DataFrame:
        return pd.DataFrame({"item": list("abcdef")[:k]})

    html = explore(table, k=(1, 6)).static["text/html"]
    assert "<table" in html and ">b<" in html and ">c<" not in html


def test_note_template_and_no_cdn_reference():
    explorer = explore(line_plot, note="Default view ({settings}).", n=(2, 8))
    assert "Default view (n = 4)." in explorer.static["text/html"]
    text = str(explorer._repr_mimebundle_())
    for cdn in ("unpkg", "jsdelivr", "cdnjs", "https://"):
        assert cdn not in text


def test_without_ipywidgets_only_the_static_rendering(monkeypatch):
    real_import = builtins.__import__

    def no_ipywidgets(name, *args, **kwargs):
        if name == "ipywidgets":
            raise ImportError("ipywidgets hidden for this test")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ipywidgets)
    explorer = explore(line_plot, slope=(0.0, 3.0, 0.5))
    assert explorer.widget is None
    assert explorer.values == {"slope": 1.5}
    bundle = explorer._repr_mimebundle_()
    assert WIDGET_VIEW_MIME not in bundle and "<img" in bundle["text/html"]


def test_errors_in_the_function_are_raised():
    def broken(k: int = 1):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        explore(broken, k=(1, 3))


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("not callable",), {"k": (1, 3)}, "fn"),
        ((line_plot,), {}, "controls"),
        ((line_plot,), {"nope": (1, 3)}, "controls"),
        ((line_plot,), {"note": "  ", "n": (2, 8)}, "note"),
    ],
)
def test_explore_validates_its_arguments(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        explore(*args, **kwargs)


def test_static_bundle_and_figure_to_png_validate():
    with pytest.raises(ValueError, match="note"):
        static_bundle("x", "")
    with pytest.raises(ValueError, match="fig"):
        figure_to_png("not a figure")
    fig = line_plot()
    with pytest.raises(ValueError, match="dpi"):
        figure_to_png(fig, dpi=0)
    assert figure_to_png(fig)[:8] == PNG_SIGNATURE
    plt.close(fig)
    assert static_bundle(None, "just the note")["text/plain"] == "just the note"
