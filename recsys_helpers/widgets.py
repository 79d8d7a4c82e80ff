"""Interactive explorers that still make sense in the static HTML book.

In JupyterLab (a live kernel) :func:`explore` shows an ``ipywidgets.interactive``
control: move a slider, the figure or table redraws. The rendered book has no
kernel and loads no widget JavaScript (``nb_ipywidgets_js: {}`` in ``_config.yml``),
so a bare widget would show up there as an empty box. :func:`explore` therefore
returns *one* display object whose MIME bundle carries both

* the live widget (``application/vnd.jupyter.widget-view+json``), which JupyterLab
  prefers, and
* a static rendering of the default settings (``text/html`` with the figure as an
  inline PNG, plus ``image/png`` and ``text/plain``) with a note saying how to get
  the interactive version, which the HTML book shows instead (``_config.yml`` drops
  the widget view from the HTML render priority).

Usage in a notebook::

    def plot_mix(alpha: float = 0.5):
        fig, ax = plt.subplots()
        ...
        return fig            # return a Figure, a string, or a DataFrame

    explore(plot_mix, alpha=(0.0, 1.0, 0.1))   # last expression of the cell

:func:`folded` uses the same two-sided bundle for the result of an exercise's solution: in
JupyterLab a *collapsed* ``ipywidgets.Accordion`` that holds the result (Run All re-opens
the outputs of every cell it runs, even those of a cell whose outputs are hidden, but a
collapsed accordion stays collapsed until the student clicks it), in the HTML book the
result's own rendering (a table, a figure, text) inside the solution's dropdown::

    folded(table)                 # last line of a gated solution's code cell
"""

from __future__ import annotations

import base64
import html
import inspect
import io
from typing import Any, Callable

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from . import _checks

WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
DEFAULT_NOTE = (
    "Static view of the default settings ({settings}). "
    "Interactive version: run this notebook in JupyterLab and move the controls."
)

DEFAULT_FOLDED_TITLE = "Show the solution's result"

__all__ = ["DEFAULT_FOLDED_TITLE", "DEFAULT_NOTE", "Explorer", "Folded", "explore", "figure_to_png",
           "folded", "rich_bundle", "static_bundle"]


def figure_to_png(fig: Figure, dpi: int = 100) -> bytes:
    """Render a matplotlib figure to PNG bytes (the figure is left open)."""
    if not isinstance(fig, Figure):
        raise ValueError(f"fig: expected a matplotlib Figure, got {type(fig).__name__}")
    dpi = _checks.positive_int(dpi, "dpi")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def _format_settings(values: dict[str, Any]) -> str:
    def fmt(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.3g}"
        return repr(value) if isinstance(value, str) else str(value)

    return ", ".join(f"{name} = {fmt(value)}" for name, value in values.items()) or "no controls"


def static_bundle(result: Any, note: str) -> dict[str, Any]:
    """MIME bundle of a static rendering of ``result`` followed by ``note``.

    ``result`` is what the explored function returned: a matplotlib ``Figure``
    (embedded as a base64 PNG), an object with ``_repr_html_`` (e.g. a DataFrame),
    ``None`` (only the note is shown), or anything else (shown as preformatted text).
    Always contains ``text/html`` and ``text/plain``; ``image/png`` for figures.
    """
    _checks.text(note, "note")
    note_html = f'<p class="recsys-widget-note"><em>{html.escape(note)}</em></p>'
    bundle: dict[str, Any] = {}
    if isinstance(result, Figure):
        png = figure_to_png(result)
        encoded = base64.b64encode(png).decode("ascii")
        body = f'<img alt="{html.escape(note)}" src="data:image/png;base64,{encoded}"/>'
        bundle["image/png"] = encoded
        plain = "<matplotlib figure>"
    elif result is None:
        body, plain = "", ""
    elif hasattr(result, "_repr_html_") and callable(result._repr_html_) \
            and (rich := result._repr_html_()) is not None:     # None: no HTML form, as in IPython
        body = str(rich)
        plain = str(result)
    else:
        plain = str(result)
        body = f"<pre>{html.escape(plain)}</pre>"
    bundle["text/html"] = f'<div class="recsys-widget-static">{body}{note_html}</div>'
    bundle["text/plain"] = f"{plain}\n{note}".strip()
    return bundle


def _show_live(result: Any) -> None:
    """Display one result inside the widget's output area (only with a live IPython)."""
    from IPython import get_ipython
    from IPython.display import display

    if get_ipython() is None:  # plain Python: nothing to draw into
        if isinstance(result, Figure):
            plt.close(result)
        return
    if isinstance(result, Figure):
        display(result)
        plt.close(result)
    elif isinstance(result, str):
        print(result)
    elif result is not None:
        display(result)


def _with_widget_view(static: dict[str, Any], widget: Any, include: Any = None,
                      exclude: Any = None) -> dict[str, Any]:
    """``static`` plus the widget's view (``WIDGET_VIEW_MIME``), which JupyterLab prefers and
    the HTML book drops (``nb_mime_priority_overrides`` in ``_config.yml``)."""
    bundle = dict(static)
    if widget is not None:
        live = widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        if WIDGET_VIEW_MIME in live:
            bundle[WIDGET_VIEW_MIME] = live[WIDGET_VIEW_MIME]
    return bundle


class Explorer:
    """A live ``ipywidgets.interactive`` control plus a static rendering of its defaults.

    Attributes
    ----------
    widget:
        the ``ipywidgets.interactive`` box, or ``None`` when ipywidgets is missing.
    values:
        the default settings the static rendering was made with.
    static:
        the static MIME bundle (see :func:`static_bundle`).
    """

    def __init__(self, widget: Any, values: dict[str, Any], static: dict[str, Any]) -> None:
        self.widget = widget
        self.values = values
        self.static = static

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return _with_widget_view(self.static, self.widget, include, exclude)


def _check_control(ipywidgets: Any, name: str, abbrev: Any, default: Any) -> None:
    """Raise a ``ValueError`` naming ``controls`` unless ipywidgets can make a control of ``abbrev``."""
    want = ("expected (min, max[, step]), a non-empty list or dict of options, a bool, a string, "
            "ipywidgets.fixed(value) or an ipywidgets control")
    if isinstance(abbrev, (list, dict)) and not abbrev:
        raise ValueError(f"controls: {name!r} has no options; {want}")
    if isinstance(abbrev, (ipywidgets.ValueWidget, ipywidgets.fixed)):
        return
    try:
        made = ipywidgets.interactive.widget_from_abbrev(abbrev, default)  # empty: inspect's marker
    except Exception as exc:  # ipywidgets raises ValueError, TypeError or a TraitError
        raise ValueError(f"controls: {name!r} = {abbrev!r} cannot be made into a control ({exc}); "
                         f"{want}") from None
    if made is None:
        raise ValueError(f"controls: {name!r} = {abbrev!r} cannot be made into a control; {want}")
    made.close()  # a throwaway: the interactive box makes its own


def explore(fn: Callable[..., Any], *, note: str = DEFAULT_NOTE, **controls: Any) -> Explorer:
    """Interactive explorer of ``fn`` with a static fallback for the HTML book.

    ``controls`` are ``ipywidgets.interact`` abbreviations or widgets, one per
    parameter of ``fn``: ``(lo, hi, step)`` for a slider, a list for a dropdown, a
    bool for a checkbox, or an ``ipywidgets`` control. The default state is the
    function's own default when the control allows it. ``fn`` returns a matplotlib
    ``Figure``, a string, an object with ``_repr_html_`` or ``None``; it must not call
    ``plt.show()``. ``note`` may use ``{settings}``, replaced by the default values.

    Make the returned object the last expression of a cell (or ``display`` it).
    """
    if not callable(fn):
        raise ValueError(f"fn: expected a callable that returns a Figure or text, got {type(fn).__name__}")
    _checks.text(note, "note")
    if not controls:
        raise ValueError("controls: expected at least one keyword control, e.g. alpha=(0.0, 1.0, 0.1)")
    params = inspect.signature(fn).parameters
    takes_kwargs = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    unknown = [name for name in controls if name not in params and not takes_kwargs]
    if unknown:
        raise ValueError(f"controls: {unknown} are not parameters of {getattr(fn, '__name__', 'fn')}; "
                         f"expected some of {list(params)}")
    positional = [name for name in controls
                  if name in params and params[name].kind is inspect.Parameter.POSITIONAL_ONLY]
    if positional:
        raise ValueError(f"controls: {positional} are positional-only parameters of "
                         f"{getattr(fn, '__name__', 'fn')}; expected parameters that can be passed by keyword")

    def render_static(values: dict[str, Any], result: Any) -> dict[str, Any]:
        return static_bundle(result, note.replace("{settings}", _format_settings(values)))

    first: dict[str, Any] = {}  # the static rendering, made from the first (default) call
    widget = None
    try:
        import ipywidgets
    except ImportError:  # static rendering only
        ipywidgets = None

    before = set(plt.get_fignums())
    try:
        if ipywidgets is not None:
            def live(**kwargs: Any) -> None:
                result = fn(**kwargs)
                if "static" not in first:
                    first["static"] = render_static(dict(kwargs), result)
                _show_live(result)

            # only the controlled parameters become widgets; the others keep fn's defaults
            live.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
                inspect.Parameter(
                    name, inspect.Parameter.KEYWORD_ONLY,
                    default=params[name].default if name in params else inspect.Parameter.empty)
                for name in controls
            ])
            for name, abbrev in controls.items():
                _check_control(ipywidgets, name, abbrev,
                               params[name].default if name in params else inspect.Parameter.empty)
            widget = ipywidgets.interactive(live, **controls)  # calls live() once
            values = {name: widget.kwargs[name] for name in controls}
        else:
            values = {}
            for name in controls:
                default = params[name].default if name in params else inspect.Parameter.empty
                if default is inspect.Parameter.empty:
                    raise ValueError(f"controls: {name!r} needs a default value in "
                                     f"{getattr(fn, '__name__', 'fn')} when ipywidgets is missing")
                values[name] = default
        if "static" not in first:  # no widget, or fn failed inside the widget: fail loudly here
            first["static"] = render_static(values, fn(**values))
    finally:
        for num in set(plt.get_fignums()) - before:
            plt.close(num)
    return Explorer(widget, values, first["static"])


# ------------------------------------------------------------------------------------ folded
def rich_bundle(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(data, metadata)``: the MIME bundle a notebook shows for ``obj`` as a cell's result.

    A matplotlib ``Figure`` becomes a PNG (``image/png`` and ``text/plain``; the figure is
    left open), a string its text as ``print`` shows it (``text/plain``, no quotes), anything
    else what IPython's display formatter makes of it (a DataFrame: ``text/html`` and
    ``text/plain``), with the running kernel's settings when there is one. A widget view in
    ``obj``'s own bundle is dropped: the HTML book could not show it.
    """
    if obj is None:
        raise ValueError("obj: expected a result to show (a DataFrame, Series, Figure, string or "
                         "anything with a rich display), got None")
    if isinstance(obj, Figure):
        return ({"image/png": base64.b64encode(figure_to_png(obj)).decode("ascii"),
                 "text/plain": repr(obj)}, {})
    if isinstance(obj, str):
        return {"text/plain": obj}, {}
    from IPython import get_ipython
    from IPython.core.formatters import DisplayFormatter

    shell = get_ipython()
    formatter = shell.display_formatter if shell is not None else DisplayFormatter()
    data, metadata = formatter.format(obj)
    data = {k: v for k, v in data.items() if k != WIDGET_VIEW_MIME}
    if not data:
        raise ValueError(f"obj: {type(obj).__name__} has no static representation to show "
                         "(no text/plain, text/html or image)")
    return dict(data), {k: v for k, v in (metadata or {}).items() if k in data}


class Folded:
    """A result shown collapsed in JupyterLab and as itself in the HTML book (see :func:`folded`).

    Attributes
    ----------
    widget:
        the collapsed ``ipywidgets.Accordion`` (one panel: an ``ipywidgets.Output`` holding
        the result), or ``None`` when ipywidgets is missing.
    static:
        the result's own MIME bundle (see :func:`rich_bundle`), what the HTML book shows.
    metadata:
        the display metadata of that bundle (e.g. an image's size).
    title:
        the accordion's title.
    """

    def __init__(self, widget: Any, static: dict[str, Any], metadata: dict[str, Any],
                 title: str) -> None:
        self.widget = widget
        self.static = static
        self.metadata = metadata
        self.title = title

    def _repr_mimebundle_(self, include: Any = None,
                          exclude: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
        return _with_widget_view(self.static, self.widget, include, exclude), dict(self.metadata)


def folded(obj: Any, title: str = DEFAULT_FOLDED_TITLE) -> Folded:
    """Show ``obj`` folded away in JupyterLab, as itself in the HTML book.

    For the results of exercise solutions: JupyterLab's Run All shows the outputs of every
    cell it runs, also of a solution's cells whose outputs were hidden (``jupyter:
    outputs_hidden``). Make ``folded(result)`` the last line of such a cell: in JupyterLab
    the cell shows a collapsed accordion titled ``title``, and the result appears when the
    student opens it; the HTML book, which shows no widgets, shows the result as a cell
    would (a DataFrame's table, a figure, a string as ``print`` shows it).

    ``obj`` is a DataFrame, Series, matplotlib Figure (closed once rendered, so that it is
    not shown a second time, unfolded, at the end of the cell), string, or anything with a
    rich display; ``title`` a non-empty string.
    """
    title = _checks.text(title, "title")
    data, metadata = rich_bundle(obj)
    if isinstance(obj, Figure):
        plt.close(obj)
    try:
        import ipywidgets
    except ImportError:  # the static rendering only
        return Folded(None, data, metadata, title)
    panel = ipywidgets.Output(outputs=({"output_type": "display_data", "data": data,
                                        "metadata": metadata},))
    accordion = ipywidgets.Accordion(children=(panel,), titles=(title,), selected_index=None)
    return Folded(accordion, data, metadata, title)
