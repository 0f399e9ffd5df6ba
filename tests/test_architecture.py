"""The shape of the code, checked from the code itself.

- Only `petitions` writes a signature's status or touches the counter slots: every change
  of state goes through petitions/lifecycle.py (docs/architecture.md draws the states).
- No bare status literals: statuses are SignatureStatus members.
- The features' import graph has no cycle (dependencies point one way).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "campaign"
OWNER = "petitions"
# campaigns/models.py defines the slot table and sums it for Campaign.signature_count;
# campaign/models.py imports every model so the metadata knows them. Neither writes.
COUNTER_READERS = {"campaigns/models.py", "models.py"}
_RAW_WRITE = re.compile(
    r"\b(insert\s+into|update|delete\s+from|copy)\s+(signatures|signature_counters)\b", re.I)
_STATUSES = {"pending", "confirmed", "invalidated"}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(), str(path))


def _name(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def lifecycle_violations(relative: str, tree: ast.AST) -> list[str]:
    """What in one module changes a signature's status or the count outside petitions."""
    found = []
    owner = relative.startswith(OWNER + "/")
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, (ast.Name, ast.Attribute)):
            name = _name(node)
            if name == "SignatureCounter" and not owner and relative not in COUNTER_READERS:
                found.append(f"{relative}:{line} uses the counter slots")
            if name == "add_to_count" and not owner:
                found.append(f"{relative}:{line} moves the count")
        if isinstance(node, ast.Call) and not owner:
            function = _name(node.func)
            if function in ("update", "delete", "insert") and node.args and _name(
                    node.args[0]) == "Signature":
                found.append(f"{relative}:{line} writes signatures with {function}()")
            if function == "Signature" and any(k.arg == "status" for k in node.keywords):
                found.append(f"{relative}:{line} creates a signature with a status")
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and not owner:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for element in (target.elts if isinstance(target, ast.Tuple) else [target]):
                    if (isinstance(element, ast.Attribute) and element.attr == "status"
                            and "sig" in _name(element.value).lower()):
                        found.append(f"{relative}:{line} assigns a signature's status")
        if (isinstance(node, ast.Constant) and isinstance(node.value, str) and not owner
                and _RAW_WRITE.search(node.value)):
            found.append(f"{relative}:{line} writes signatures in raw SQL")
    return found


def status_literals(relative: str, tree: ast.AST) -> list[str]:
    """`Signature.status == "confirmed"` and the like: a bare literal instead of the enum."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        on_status = any(isinstance(side, ast.Attribute) and side.attr == "status"
                        and _name(side.value) in ("Signature", "signature", "existing")
                        for side in sides)
        literal = any(isinstance(side, ast.Constant) and side.value in _STATUSES
                      for side in sides)
        if on_status and literal:
            found.append(f"{relative}:{node.lineno} compares a status with a bare literal")
    return found


def test_only_petitions_changes_a_signatures_status_or_the_count():
    problems = [problem for relative, tree in _modules()
                for problem in lifecycle_violations(relative, tree)]
    assert not problems, "\n".join(problems)


def test_no_bare_status_literals():
    problems = [problem for relative, tree in _modules()
                for problem in status_literals(relative, tree)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("code", [
    "update(Signature).where(x).values(status='invalidated')",
    "db.session.execute(delete(Signature).where(Signature.id == 1))",
    "Signature(full_name='A', status='confirmed')",
    "signature.status = 'confirmed'",
    "sig.status, other = 'confirmed', 1",
    "lifecycle.add_to_count(1, 5)",
    "select(SignatureCounter)",
    "raw.execute('UPDATE signatures SET status = 1')",
    "cursor.copy('COPY signatures (a) FROM STDIN')",
])
def test_the_scan_catches_each_kind_of_write(code):
    """The scan can fail: each way of changing a status outside petitions is reported."""
    assert lifecycle_violations("abuse/service.py", ast.parse(code))
    assert not lifecycle_violations("petitions/lifecycle.py", ast.parse(code))


def test_the_literal_scan_catches_a_bare_status():
    assert status_literals("x.py", ast.parse("q.where(Signature.status == 'confirmed')"))
    assert not status_literals("x.py", ast.parse(
        "q.where(Signature.status == SignatureStatus.CONFIRMED)"))


# --- the features' import graph --------------------------------------------------------

def feature_graph() -> dict[str, set[str]]:
    """feature -> the features its modules import (campaign/<feature>/... only; top-level
    modules such as campaign/__init__.py, cli.py and demo.py compose features)."""
    features = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    graph: dict[str, set[str]] = {feature: set() for feature in features}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).parts
        if len(parts) < 2:
            continue
        package = ["campaign", *parts[:-1]]
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[list[str]] = []
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package[:len(package) - (node.level - 1)]
                targets = ([base + node.module.split(".")] if node.module
                           else [base + [alias.name] for alias in node.names])
            elif isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module.split(".")]
            elif isinstance(node, ast.Import):
                targets = [alias.name.split(".") for alias in node.names]
            for target in targets:
                if (len(target) > 1 and target[0] == "campaign" and target[1] in features
                        and target[1] != parts[0]):
                    graph[parts[0]].add(target[1])
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle as a path [a, b, ..., a], or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for neighbour in sorted(graph.get(node, ())):
            if state.get(neighbour) == "open":
                return stack[stack.index(neighbour):] + [neighbour]
            if neighbour not in state and (cycle := visit(neighbour)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_feature_import_graph_has_no_cycle():
    graph = feature_graph()
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])
    # The bottom of the graph, as docs/architecture.md draws it: ops (metrics that any layer
    # reports to) imports no feature; the base features import nothing but ops.
    assert graph["ops"] == set(), f"ops imports {graph['ops']}"
    for base in ("campaigns", "outbox", "abuse", "audit"):
        assert graph[base] <= {"ops"}, f"{base} imports {graph[base] - {'ops'}}"
    assert "petitions" not in graph["organizers"]


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_docs_draw_the_import_graph_as_it_is():
    """docs/architecture.md's mermaid drawing lists exactly the edges the code has."""
    text = (PACKAGE.parent / "docs" / "architecture.md").read_text()
    drawn = set(re.findall(r"^    (\w+) --> (\w+)$", text, re.M))
    code = {(source, target) for source, targets in feature_graph().items()
            for target in targets}
    assert drawn == code, {"missing from the docs": code - drawn,
                           "not in the code": drawn - code}
