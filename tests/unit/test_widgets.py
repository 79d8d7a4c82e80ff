"""recsys_helpers.widgets: a live control plus a static rendering for the HTML book."""

from __future__ import annotations

import base64
import builtins
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from recsys_helpers.widgets import (  # noqa: E402
    DEFAULT_FOLDED_TITLE, WIDGET_VIEW_MIME, explore, figure_to_png, folded, rich_bundle, static_bundle)

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


@pytest.fixture
def no_ipywidgets(monkeypatch):
    """``import ipywidgets`` fails, as on a machine without it."""
    real_import = builtins.__import__

    def hide(name, *args, **kwargs):
        if name == "ipywidgets":
            raise ImportError("ipywidgets hidden for this test")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", hide)


def test_without_ipywidgets_only_the_static_rendering(no_ipywidgets):
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


# ------------------------------------------------------------------------------------ folded
def test_folded_bundle_has_the_widget_view_and_the_tables_own_html():
    table = pd.DataFrame({"hit@10": [0.123, 0.098]}, index=["CF", "CF + MMR"])
    shown = folded(table)
    data, metadata = shown._repr_mimebundle_()
    # JupyterLab renders the accordion ...
    assert data[WIDGET_VIEW_MIME]["model_id"] == shown.widget.model_id
    # ... the HTML book (no widget view) the table exactly as a cell ending with `table` would
    assert data["text/html"] == table._repr_html_()
    assert data["text/plain"] == repr(table)
    assert {k: v for k, v in data.items() if k != WIDGET_VIEW_MIME} == rich_bundle(table)[0]


def test_the_html_book_drops_the_widget_view():
    import yaml

    config = yaml.safe_load((Path(__file__).resolve().parents[2] / "_config.yml").read_text())
    overrides = config["sphinx"]["config"]["nb_mime_priority_overrides"]
    assert ["html", WIDGET_VIEW_MIME, None] in overrides


def test_folded_accordion_is_collapsed_and_holds_the_result():
    table = pd.DataFrame({"a": [1, 2]})
    shown = folded(table, title="Show the table")
    accordion = shown.widget
    assert accordion.selected_index is None  # collapsed: the student clicks to open it
    assert accordion.titles == ("Show the table",)
    (panel,) = accordion.children
    assert panel.outputs == ({"output_type": "display_data", "data": shown.static, "metadata": {}},)
    assert "<table" in panel.outputs[0]["data"]["text/html"]
    assert folded(table).title == DEFAULT_FOLDED_TITLE == folded(table).widget.titles[0]


def test_folded_text_is_shown_as_print_shows_it():
    data, _ = folded("hit@10 = 0.1230 <b>")._repr_mimebundle_()
    assert data["text/plain"] == "hit@10 = 0.1230 <b>"  # no quotes, as print, and not as HTML
    assert "text/html" not in data


def test_folded_series_is_its_text():
    series = pd.Series({"all rated movies": 0.1, "rated 4 or 5 only": 0.05})
    data, _ = folded(series)._repr_mimebundle_()
    assert data["text/plain"] == repr(series) and "text/html" not in data


def test_folded_figure_is_a_png_and_is_closed():
    fig = line_plot()
    shown = folded(fig)
    assert not plt.fignum_exists(fig.number)  # the inline backend will not show it unfolded
    data, _ = shown._repr_mimebundle_()
    assert base64.b64decode(data["image/png"])[:8] == PNG_SIGNATURE
    assert "text/html" not in data and data["text/plain"].startswith("<Figure")
    assert shown.widget.children[0].outputs[0]["data"]["image/png"] == data["image/png"]


def test_folded_without_ipywidgets_is_the_result_alone(no_ipywidgets):
    shown = folded(pd.DataFrame({"a": [1]}))
    assert shown.widget is None
    data, _ = shown._repr_mimebundle_()
    assert WIDGET_VIEW_MIME not in data and "<table" in data["text/html"]


@pytest.mark.parametrize(("args", "kwargs", "match"), [
    ((None,), {}, "^obj:"),
    (("x",), {"title": ""}, "^title:"),
    (("x",), {"title": "   "}, "^title:"),
    (("x",), {"title": None}, "^title:"),
    (("x",), {"title": 3}, "^title:"),
])
def test_folded_validates_its_arguments(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        folded(*args, **kwargs)
