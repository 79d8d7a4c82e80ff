"""``{eval}`expr``` in the HTML book, computed from the notebook's glued values.

The chapters write every number of their prose as a MyST inline expression,
``{eval}`f"{rho:.3f}"```. In JupyterLab, jupyterlab-myst evaluates it in the live kernel
when the markdown cell runs. myst-nb's own ``eval`` role needs a live kernel during the
build (``nb_execution_mode: inline``), but this book builds from cached outputs
(``execute_notebooks: cache``), so this extension replaces the role for the HTML: it
evaluates ``expr`` with Python's ``eval`` against a namespace made of the document's glued
values (``myst_nb.glue(name, value, display=False)`` in a code cell; their ``text/plain``
is parsed back into Python objects). Hence the rule for authors:

    every name used in an {eval} expression is a kernel variable AND is glued under the
    same name with the same value:  rho = float(...); glue("rho", rho, display=False)

A name that is not glued, a glued value that is no Python literal (only numbers, strings,
booleans, None, containers of them and numpy scalars such as ``np.float64(0.5)`` are), or
an expression that raises is reported as a Sphinx warning naming the document, line and
expression (``-W`` turns it into a failed build). The output is what jupyterlab-myst shows:
a ``str`` result as it is, anything else as its IPython ``text/plain`` repr, in the same
``<span class="pasted-text">`` myst-nb's ``{glue:text}`` role writes.
"""

from __future__ import annotations

import ast
import builtins
import math
from typing import Any

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

WARNING_TYPE = "book_eval"
# builtins an expression may call (formatting and arithmetic, nothing that touches the system)
SAFE_BUILTINS = {name: getattr(builtins, name) for name in (
    "abs", "all", "any", "bool", "dict", "divmod", "enumerate", "float", "format", "int", "len",
    "list", "map", "max", "min", "pow", "range", "repr", "reversed", "round", "set", "sorted",
    "str", "sum", "tuple", "zip", "True", "False", "None")}
SAFE_BUILTINS["math"] = math
# numpy scalars as numpy >= 2 prints them: np.float64(0.5), np.int64(3), np.True_, np.str_('a')
NUMPY_SCALARS = {
    "float16", "float32", "float64", "longdouble", "int8", "int16", "int32", "int64",
    "uint8", "uint16", "uint32", "uint64", "bool", "bool_", "str_", "bytes_", "complex64",
    "complex128", "intp", "uintp",
}
SPECIAL_NAMES = {"nan": math.nan, "inf": math.inf, "True": True, "False": False, "None": None}


class NotALiteral(ValueError):
    """A glued ``text/plain`` that cannot be read back as a Python value."""


def parse_plain_text(text: str) -> Any:
    """Read a glued value's ``text/plain`` back into the Python object it shows.

    Python literals (with ``nan``/``inf``), containers of them and numpy scalars
    (``np.float64(0.5)``, ``np.True_``) are accepted; anything else raises NotALiteral.
    """
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise NotALiteral(f"not a Python literal ({exc.msg})") from None
    return _literal(tree.body)


def _numpy() -> Any:
    import numpy

    return numpy


def _literal(node: ast.AST) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _literal(node.operand)
        if isinstance(value, (int, float, complex)) and not isinstance(value, bool) or _is_np_number(value):
            return -value if isinstance(node.op, ast.USub) else +value
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):  # complex: 1+2j
        left, right = _literal(node.left), _literal(node.right)
        if isinstance(right, complex) and isinstance(left, (int, float)):
            return left + right if isinstance(node.op, ast.Add) else left - right
    if isinstance(node, ast.Tuple):
        return tuple(_literal(e) for e in node.elts)
    if isinstance(node, ast.List):
        return [_literal(e) for e in node.elts]
    if isinstance(node, ast.Set):
        return {_literal(e) for e in node.elts}
    if isinstance(node, ast.Dict) and None not in node.keys:
        return {_literal(k): _literal(v) for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.Name) and node.id in SPECIAL_NAMES:
        return SPECIAL_NAMES[node.id]
    if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id in ("np", "numpy") and node.attr in ("True_", "False_", "nan", "inf")):
        return getattr(_numpy(), node.attr)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id in ("np", "numpy")
            and node.func.attr in NUMPY_SCALARS and len(node.args) == 1 and not node.keywords):
        return getattr(_numpy(), node.func.attr)(_literal(node.args[0]))
    raise NotALiteral(f"not a Python literal: {ast.unparse(node)[:60]!r}")


def _is_np_number(value: Any) -> bool:
    return type(value).__module__ == "numpy" and hasattr(value, "dtype")


def namespace(glue_data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """``(values, problems)`` from myst-nb glue data: ``{name: value}`` for every glued value
    whose ``text/plain`` reads back as a Python object, ``{name: why not}`` for the others."""
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, output in glue_data.items():
        data = output.get("data", {}) if isinstance(output, dict) else getattr(output, "data", {})
        text = data.get("text/plain")
        if text is None:
            problems[name] = "it was glued without a text/plain representation"
            continue
        if isinstance(text, list):
            text = "".join(text)
        try:
            values[name] = parse_plain_text(text)
        except NotALiteral as exc:
            problems[name] = f"its glued text {text[:60]!r} is {exc}"
    return values, problems


def plain_text(value: Any) -> str:
    """What jupyterlab-myst shows for a result: a str as it is, else IPython's text/plain."""
    if isinstance(value, str):
        return value
    try:
        from IPython.lib.pretty import pretty

        return pretty(value, max_width=79)
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return repr(value)


def evaluate(expr: str, values: dict[str, Any], problems: dict[str, str] | None = None) -> str:
    """The text ``{eval}`expr``` shows, or ValueError saying why there is none."""
    problems = problems or {}
    try:
        code = compile(expr.strip(), "<{eval}>", "eval")
    except SyntaxError as exc:
        raise ValueError(f"not a Python expression ({exc.msg})") from None
    try:
        value = eval(code, {"__builtins__": SAFE_BUILTINS}, dict(values))  # noqa: S307 - the book's own text
    except NameError as exc:
        name = getattr(exc, "name", None) or str(exc)
        if name in problems:
            raise ValueError(f"{name!r} is glued, but {problems[name]}") from None
        raise ValueError(f"{exc}: every name in an {{eval}} expression must be glued under that name "
                         f'in a code cell, e.g. glue("{name}", {name}, display=False)') from None
    except Exception as exc:  # noqa: BLE001 - any error of the expression is reported
        raise ValueError(f"{type(exc).__name__}: {exc}") from None
    return plain_text(value)


def _glue_data(document: nodes.document) -> dict[str, Any] | None:
    renderer = document.get("nb_renderer") if hasattr(document, "get") else None
    if renderer is None:
        return None
    try:
        return renderer.renderer.nb_client.glue_data
    except AttributeError:
        return None


class EvalRole:
    """The ``eval`` role: ``{eval}`expr``` -> the expression's value, from the glued values."""

    def __call__(self, name: str, rawtext: str, text: str, lineno: int, inliner: Any,
                 options: dict | None = None, content: Any = ()) -> tuple[list, list]:
        from docutils.utils import unescape

        expr = unescape(text)
        document = inliner.document
        env = getattr(document.settings, "env", None)
        docname = env.docname if env is not None else document.get("source", "?")
        source, line = inliner.reporter.get_source_and_line(lineno)
        glue_data = _glue_data(document)
        try:
            if glue_data is None:
                raise ValueError("this document has no glued values (only notebooks have)")
            cache = env.temp_data.setdefault("book_eval_namespace", {}) if env is not None else {}
            key = (docname, id(glue_data), len(glue_data))
            if key not in cache:
                cache.clear()
                cache[key] = namespace(glue_data)
            values, problems = cache[key]
            shown = evaluate(expr, values, problems)
        except ValueError as exc:
            logger.warning(f"{{eval}}`{expr}` in {docname}: {exc}", location=(docname, line),
                           type=WARNING_TYPE, subtype="expression")
            node = nodes.literal(rawtext, expr, classes=["eval-error"])
            return [node], []
        node = nodes.inline(shown, shown, classes=["pasted-text"])
        node.source, node.line = source, line
        return [node], []


def _register(app: Any) -> None:
    app.add_role("eval", EvalRole(), override=True)


def setup(app: Any) -> dict[str, Any]:
    app.setup_extension("myst_nb")  # myst-nb registers its own `eval`; ours replaces it below
    _register(app)
    # in case myst-nb is set up again later by another extension, register once more
    app.connect("builder-inited", _register)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
