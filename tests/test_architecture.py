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
