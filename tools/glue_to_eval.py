"""Rewrite a chapter from glue roles to inline expressions that render in JupyterLab too.

    .venv/bin/python tools/glue_to_eval.py book/ch03_user_interests.ipynb          # rewrite in place
    .venv/bin/python tools/glue_to_eval.py --check book/*.ipynb                   # report only, exit 1 if work is left

A number in the prose used to be a myst-nb glue role, ``{glue:text}`name:.3f```, which only
the HTML build can fill in. JupyterLab (with jupyterlab-myst) renders the MyST inline
expression ``{eval}`expr``` instead: it evaluates ``expr`` in the live kernel when the
markdown cell runs. The HTML build evaluates the same expression against the notebook's glued
values (``_ext/book_eval.py``). So one source renders in both places when

    every name used in an {eval} expression is a kernel variable AND is glued under the same
    name with the same value:  ``rho = float(...)`` then ``glue("rho", rho, display=False)``.

What the tool does, per notebook:

* prose: ``{glue:text}`key:fmt``` becomes ``{eval}`f"{key:fmt}"```, ``{glue:text}`key``` and
  ``{glue:}`key``` / ``{glue}`key``` become ``{eval}`key```. A key that is not a Python
  identifier ("ch1_hit_Item-item CF") is renamed to one ("ch1_hit_Item_item_CF"), the same
  way in the glue call and in the prose.
* code: ``glue("key", <expr>, display=False)`` becomes ``key = <expr>`` followed by
  ``glue("key", key, display=False)``, so that the kernel has a variable of the glued name
  holding the glued value. If ``key`` already names a variable of the notebook (it is
  assigned, imported, defined or a loop variable somewhere, or a builtin), the tool does not
  clobber it: ``glue("key", key)`` is left alone, ``glue("key", float(key))`` too (the
  variable holds the same number), and anything else is glued under a new name
  ``key_value`` (prose updated accordingly).
* a glue call whose key is computed (``glue(f"hit_{name}", v)`` in a loop) cannot be
  resolved before the code runs: it becomes ``glue_var(f"hit_{name}", v, display=False)``,
  a small helper (added once, after ``from myst_nb import glue``) that renames the key the
  same way, refuses to overwrite a variable the notebook already has with another value,
  sets the variable and glues it.

It refuses (exit status 2, nothing written) what it cannot convert safely: glue roles that
paste from another document (``doc::key``), ``{glue:md}``/``{glue:math}``/``{glue:figure}``
and the ``{glue}`` directives, cells with IPython magics that call glue, two keys that
become the same identifier, and glue calls that are not a statement of their own. Running it
twice changes nothing the second time.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import keyword
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

# the glue roles: {glue}`k`, {glue:}`k`, {glue:any}`k`, {glue:text}`k:fmt`, {glue:md}`k`, ...
ROLE_RE = re.compile(r"\{glue(?::(?P<kind>[A-Za-z]*))?\}`(?P<body>[^`]*)`")
# the glue directives: ```{glue} key / ```{glue:figure} key / :::{glue:md} key ...
DIRECTIVE_RE = re.compile(r"^\s*(`{3,}|:{3,})\{glue(:[A-Za-z]*)?\}", re.M)
EVAL_RE = re.compile(r"\{eval\}`(?P<expr>[^`]*)`")
HELPER_NAME = "glue_var"
HELPER_MARK = "# glue_var: added by tools/glue_to_eval.py"
HELPER_SOURCE = f'''


{HELPER_MARK}
def {HELPER_NAME}(name, value, **kwargs):
    """glue(name, value) that also keeps ``value`` as the variable ``name``, which the text's
    {{eval}} expressions read. A name that is not an identifier is rewritten the same way
    as in the text ("hit_Item-item CF" -> "hit_Item_item_CF")."""
    import keyword, re
    name = re.sub(r"\\W", "_", name)
    name = "_" + name if name[:1].isdigit() else name
    name = name + "_" if keyword.iskeyword(name) else name
    glued = globals().setdefault("_glued_variables", set())
    if name in globals() and name not in glued:
        try:
            same = globals()[name] is value or bool(globals()[name] == value)
        except Exception:
            same = False
        if not same:
            raise NameError(f"{{name!r}} is already a variable with another value; rename the glue key")
    glued.add(name)
    globals()[name] = value
    glue(name, value, **kwargs)'''
# value-preserving wrappers: ``glue("x", float(x))`` glues the number the variable x holds
SAME_NUMBER_WRAPPERS = {"float"}


class ConversionError(Exception):
    """The notebook cannot be converted safely; nothing is written."""


def identifier(key: str) -> str:
    """The variable name a glue key becomes: every non-word character -> ``_``.

    ``"ch1_hit_Item-item CF"`` -> ``"ch1_hit_Item_item_CF"``; a leading digit gets a ``_``
    in front and a keyword a ``_`` behind. The ``glue_var`` helper applies the same rule.
    """
    name = re.sub(r"\W", "_", key)
    if name[:1].isdigit():
        name = "_" + name
    if keyword.iskeyword(name):
        name += "_"
    return name


@dataclass
class GlueCall:
    cell: int
    node: ast.Call
    stmt: ast.stmt
    key: str | None  # None: computed at run time


@dataclass
class Report:
    path: str
    roles: int = 0
    calls_rewritten: int = 0
    calls_dynamic: int = 0
    renamed: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    changed: bool = False

    def summary(self) -> str:
        lines = [f"{self.path}: {self.roles} glue roles -> {{eval}}, {self.calls_rewritten} glue calls "
                 f"rewritten, {self.calls_dynamic} computed keys via {HELPER_NAME}"
                 + ("" if self.changed else " (no change)")]
        lines += [f"  renamed {old!r} -> {new!r}" for old, new in sorted(self.renamed.items())]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _parse(source: str, where: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:
        if "glue" in source:
            raise ConversionError(f"{where}: cannot parse the cell as Python (IPython magic?) and it "
                                  "mentions glue; convert it by hand") from None
        return None


def _is_glue(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "glue")


def _module_bindings(tree: ast.Module) -> list[str]:
    """Names bound in the notebook's global namespace by this cell (not inside functions),
    once per binding statement."""
    bound: list[str] = []

    def targets(node: ast.AST) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
                bound.append(sub.id)

    def visit(stmts: list[ast.stmt]) -> None:
        for st in stmts:
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bound.append(st.name)
                continue
            if isinstance(st, (ast.Import, ast.ImportFrom)):
                for alias in st.names:
                    bound.append((alias.asname or alias.name).split(".")[0])
                continue
            if isinstance(st, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                for t in (st.targets if isinstance(st, ast.Assign) else [st.target]):
                    targets(t)
            elif isinstance(st, (ast.For, ast.AsyncFor)):
                targets(st.target)
            elif isinstance(st, (ast.With, ast.AsyncWith)):
                for item in st.items:
                    if item.optional_vars is not None:
                        targets(item.optional_vars)
            elif isinstance(st, ast.Try):
                for handler in st.handlers:
                    if handler.name:
                        bound.append(handler.name)
            # walrus anywhere at module level binds globally
            for sub in ast.walk(st):
                if isinstance(sub, ast.NamedExpr) and isinstance(sub.target, ast.Name):
                    bound.append(sub.target.id)
            for attr in ("body", "orelse", "finalbody"):
                inner = getattr(st, attr, None)
                if isinstance(inner, list):
                    visit(inner)
            for handler in getattr(st, "handlers", []) or []:
                visit(handler.body)
            for case in getattr(st, "cases", []) or []:
                visit(case.body)

    visit(tree.body)
    return bound


def _statements(tree: ast.Module) -> list[tuple[ast.stmt, ast.Call]]:
    """(statement, call) for every ``glue(...)`` call; the call must be its own statement."""
    found = []
    parents: dict[ast.AST, ast.AST] = {}
    for parent in ast.walk(tree):
        for child in ast.iter_child_nodes(parent):
            parents[child] = parent
    helper = {id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name == HELPER_NAME
              for n in ast.walk(f)}
    for node in ast.walk(tree):
        if _is_glue(node) and id(node) not in helper:  # the helper's own glue call stays
            parent = parents.get(node)
            if not isinstance(parent, ast.Expr):
                raise ConversionError(f"line {node.lineno}: glue(...) is not a statement of its own; "
                                      "convert it by hand")
            found.append((parent, node))
    return found


def _line_span(lines: list[str], stmt: ast.stmt) -> tuple[int, int, str, str]:
    """(first, last) 0-based line numbers of ``stmt``, its indentation and a trailing comment.

    The statement must occupy whole lines (no ``a = 1; glue(...)``).
    """
    first, last = stmt.lineno - 1, stmt.end_lineno - 1
    head = lines[first].encode("utf-8")[: stmt.col_offset].decode("utf-8")
    tail = lines[last].encode("utf-8")[stmt.end_col_offset:].decode("utf-8")
    if head.strip() or (tail.strip() and not tail.strip().startswith("#")):
        raise ConversionError(f"line {stmt.lineno}: glue(...) shares its line with other code; "
                              "put it on a line of its own")
    return first, last, head, tail.rstrip("\n")


def _call_source(lines: list[str], call: ast.Call, key_src: str, value_src: str,
                 func: str = "glue") -> str:
    """``glue(<key_src>, <value_src>, <the call's other arguments as written>)``."""
    rest = []
    segment = "".join(lines)
    for arg in call.args[2:]:
        rest.append(ast.get_source_segment(segment, arg) or ast.unparse(arg))
    for kw in call.keywords:
        value = ast.get_source_segment(segment, kw.value) or ast.unparse(kw.value)
        rest.append(f"**{value}" if kw.arg is None else f"{kw.arg}={value}")
    return f"{func}({', '.join([key_src, value_src] + rest)})"


def _segment(source: str, node: ast.AST) -> str:
    text = ast.get_source_segment(source, node)
    return text if text is not None else ast.unparse(node)


def convert_notebook(nb: nbformat.NotebookNode, path: str = "<notebook>") -> Report:
    """Convert ``nb`` in place; raise :class:`ConversionError` (and leave ``nb`` alone) if unsafe."""
    report = Report(path)
    cells = nb.cells

    # ---- 1. prose: every glue role and directive
    prose_keys: dict[str, list[tuple[str, str]]] = {}
    for i, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        if DIRECTIVE_RE.search(cell.source):
            raise ConversionError(f"{path}: cell {i} uses a glue directive ({{glue}}/{{glue:figure}}/...); "
                                  "paste figures with a code cell instead")
        for m in ROLE_RE.finditer(cell.source):
            kind, body = m.group("kind"), m.group("body")
            if kind not in (None, "", "any", "text"):
                raise ConversionError(f"{path}: cell {i}: {{glue:{kind}}} cannot become an inline "
                                      "expression; convert it by hand")
            if "::" in body:
                raise ConversionError(f"{path}: cell {i}: {m.group(0)} pastes from another document")
            key, fmt = (body.rsplit(":", 1) if kind == "text" and ":" in body else (body, ""))
            prose_keys.setdefault(key, []).append((kind or "", fmt))

    # ---- 2. code: every glue call, every global name
    trees: dict[int, ast.Module] = {}
    bindings: list[str] = []
    calls: list[GlueCall] = []
    helper_defined = False
    for i, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        tree = _parse(cell.source, f"{path}: cell {i}")
        if tree is None:
            continue
        trees[i] = tree
        bindings += _module_bindings(tree)
        helper_defined |= HELPER_MARK in cell.source
        try:
            stmts = _statements(tree)
        except ConversionError as exc:
            raise ConversionError(f"{path}: cell {i}, {exc}") from None
        for stmt, call in stmts:
            if len(call.args) < 2:
                raise ConversionError(f"{path}: cell {i}, line {call.lineno}: glue() without a key and a value")
            key_node = call.args[0]
            key = key_node.value if isinstance(key_node, ast.Constant) and isinstance(key_node.value, str) else None
            calls.append(GlueCall(i, call, stmt, key))
    reserved = set(dir(builtins)) | {HELPER_NAME, "glue"}
    bound = set(bindings)

    # ---- 3. one identifier per key, no two keys on one identifier
    static_keys = [c.key for c in calls if c.key is not None]
    dupes = sorted({k for k in static_keys if static_keys.count(k) > 1})
    if dupes:
        raise ConversionError(f"{path}: glue keys used twice: {dupes}")
    has_dynamic = any(c.key is None for c in calls)
    all_keys = set(static_keys) | set(prose_keys)
    ident: dict[str, str] = {k: identifier(k) for k in all_keys}
    # keys glued by a computed name: known only from the prose
    unresolved = sorted(k for k in prose_keys if k not in static_keys)
    if unresolved and not has_dynamic:
        raise ConversionError(f"{path}: the prose uses glue keys no code cell glues: {unresolved}")

    plan: dict[int, list[tuple[ast.stmt, str]]] = {}  # cell -> (statement, replacement text)
    for call in calls:
        source = cells[call.cell].source
        lines = source.splitlines(keepends=True)
        value_node = call.node.args[1]
        if call.key is None:
            # computed key: the helper renames it at run time, sets the variable and glues it
            if isinstance(call.node.func, ast.Name) and call.node.func.id == HELPER_NAME:
                continue
            first, last, indent, tail = _line_span(lines, call.stmt)
            text = indent + _call_source(lines, call.node, _segment(source, call.node.args[0]),
                                         _segment(source, value_node), func=HELPER_NAME) + tail
            plan.setdefault(call.cell, []).append((call.stmt, text))
            report.calls_dynamic += 1
            continue
        name = ident[call.key]
        is_name = isinstance(value_node, ast.Name) and value_node.id == name
        if is_name and call.key == name:
            continue  # already glue("x", x)
        if is_name:  # glue("a b", a_b): only the key needs renaming
            new_name = name
            value_src = name
            assign = None
        elif (isinstance(value_node, ast.Name) and bindings.count(value_node.id) == 1
              and value_node.id not in reserved and value_node.id not in ident.values()
              and value_node.id not in all_keys):
            # glue("share", share_4plus): glue the variable under its own name, which the
            # notebook sets exactly once, instead of copying it into a second variable
            new_name = value_src = value_node.id
            assign = None
        elif name in bound or name in reserved:
            wraps_same = (isinstance(value_node, ast.Call) and isinstance(value_node.func, ast.Name)
                          and value_node.func.id in SAME_NUMBER_WRAPPERS and len(value_node.args) == 1
                          and not value_node.keywords and isinstance(value_node.args[0], ast.Name)
                          and value_node.args[0].id == name and name not in reserved)
            if wraps_same and call.key == name:
                continue  # glue("x", float(x)): the variable x holds the glued number
            if wraps_same:
                new_name, value_src, assign = name, _segment(source, value_node), None
            else:
                new_name = name + "_value"
                while new_name in bound or new_name in reserved or new_name in ident.values():
                    new_name += "_"
                value_src, assign = new_name, f"{new_name} = {_segment(source, value_node)}"
                report.notes.append(f"{call.key!r}: the notebook already has a variable {name!r}; "
                                    f"glued as {new_name!r} instead")
        else:
            new_name = name
            value_src, assign = name, f"{name} = {_segment(source, value_node)}"
        first, last, indent, tail = _line_span(lines, call.stmt)
        glue_line = indent + _call_source(lines, call.node, repr(new_name).replace("'", '"'), value_src)
        text = (indent + assign + "\n" + glue_line if assign else glue_line) + tail
        plan.setdefault(call.cell, []).append((call.stmt, text))
        if new_name != call.key:
            report.renamed[call.key] = new_name
        ident[call.key] = new_name
        report.calls_rewritten += 1
    for key in unresolved:
        if ident[key] != key:
            report.renamed[key] = ident[key]

    if len(set(ident.values())) != len(ident):
        clash: dict[str, list[str]] = {}
        for k, v in ident.items():
            clash.setdefault(v, []).append(k)
        raise ConversionError(f"{path}: glue keys that become the same variable: "
                              f"{ {v: ks for v, ks in clash.items() if len(ks) > 1} }")

    helper_cell = None
    if report.calls_dynamic and not helper_defined:
        helper_cell = next((i for i in sorted(trees)
                            if re.search(r"^from myst_nb import glue\b", cells[i].source, re.M)), None)
        if helper_cell is None:
            raise ConversionError(f"{path}: no `from myst_nb import glue` line to put {HELPER_NAME} after")

    # ---- 4. apply: code cells bottom-up within each cell, then the helper, then the prose
    for i, edits in plan.items():
        lines = cells[i].source.splitlines(keepends=True)
        for stmt, text in sorted(edits, key=lambda e: e[0].lineno, reverse=True):
            first, last = stmt.lineno - 1, stmt.end_lineno - 1
            newline = "\n" if lines[last].endswith("\n") else ""
            lines[first:last + 1] = [text + newline]
        cells[i].source = "".join(lines)
        report.changed = True
    if helper_cell is not None:
        # after the last top-level import of the cell that imports glue
        lines = cells[helper_cell].source.splitlines(keepends=True)
        tree = ast.parse(cells[helper_cell].source)
        end = max(st.end_lineno for st in tree.body if isinstance(st, (ast.Import, ast.ImportFrom)))
        if end and not lines[end - 1].endswith("\n"):
            lines[end - 1] += "\n"
        block = "\n\n" + HELPER_SOURCE.strip("\n") + "\n"
        while end < len(lines) and not lines[end].strip():  # the blank lines after the imports
            del lines[end]
        lines[end:end] = [block + ("\n\n" if end < len(lines) else "")]
        cells[helper_cell].source = "".join(lines).rstrip("\n")
        report.notes.append(f"computed glue keys: added the helper {HELPER_NAME} after the glue import; "
                            "explicit variables (or one glued dict) read better, consider rewriting by hand")

    def expression(match: re.Match) -> str:
        kind, body = match.group("kind"), match.group("body")
        key, fmt = (body.rsplit(":", 1) if kind == "text" and ":" in body else (body, ""))
        name = ident[key]
        report.roles += 1
        if kind in (None, "", "any"):
            report.notes.append(f"{match.group(0)} pasted the full output; {{eval}}`{name}` shows its text")
        return f'{{eval}}`f"{{{name}:{fmt}}}"`' if fmt else f"{{eval}}`{name}`"

    for cell in cells:
        if cell.cell_type == "markdown" and ROLE_RE.search(cell.source):
            cell.source = ROLE_RE.sub(expression, cell.source)
            report.changed = True
    return report


def eval_names(nb: nbformat.NotebookNode) -> dict[str, set[str]]:
    """``{expression: names it reads}`` for every ``{eval}`` role of the notebook's prose."""
    found: dict[str, set[str]] = {}
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for m in EVAL_RE.finditer(cell.source):
            expr = m.group("expr")
            tree = ast.parse(expr, mode="eval")
            local = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            found[expr] = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
                           and isinstance(n.ctx, ast.Load)} - local - set(dir(builtins))
    return found


def convert_file(path: Path, *, write: bool = True) -> Report:
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    report = convert_notebook(nb, str(path))
    if write and report.changed:
        out = nbformat.writes(nb) + "\n"
        ast_check = [c for c in nb.cells if c.cell_type == "code"]
        for i, cell in enumerate(ast_check):  # never write a notebook whose code no longer parses
            _parse(cell.source, f"{path}: code cell {i} after conversion")
        path.write_text(out, encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true",
                        help="only report; exit status 1 when a notebook still needs converting")
    args = parser.parse_args(argv)
    status = 0
    for path in args.notebooks:
        try:
            report = convert_file(path, write=not args.check)
        except ConversionError as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 2
            continue
        print(report.summary() if not args.check else
              f"{path}: {'needs converting' if report.changed else 'converted'}")
        if args.check and report.changed:
            status = max(status, 1)
    return status


if __name__ == "__main__":
    sys.exit(main())
