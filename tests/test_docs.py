"""The README stays true: its configuration table is the one the code defines, and the test
command it gives is the one CI and `make test` run (with the coverage floor)."""
import tomllib
from pathlib import Path

from campaign.config import markdown_table

ROOT = Path(__file__).resolve().parents[1]


def test_readme_configuration_table_matches_the_settings():
    readme = (ROOT / "README.md").read_text()
    assert markdown_table() in readme, "run `flask config-table` and paste it into the README"


def _readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("**Test**", 1)[1].split("```sh\n", 1)[1].split("\n```", 1)[0]
    return block.strip()


def test_ci_and_make_run_the_readme_test_command_and_make_has_the_coverage_floor():
    command = _readme_test_command()
    assert "pytest" in command
    assert command in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert command in makefile
    assert "pytest -q -n auto tests --cov" in makefile.split("coverage:", 1)[1].split("\n\n", 1)[0]
    coverage = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["coverage"]
    assert coverage["run"]["branch"] is True
    assert coverage["report"]["fail_under"] > 0


def test_every_test_security_md_names_exists():
    """docs/security.md cites a test for each control: each file and test it names exists."""
    import re
    doc = (ROOT / "docs" / "security.md").read_text()
    for path in re.findall(r"tests/[\w/]+\.py", doc):
        assert (ROOT / path).is_file(), path
    modules = {p.stem for p in (ROOT / "tests").rglob("test_*.py")}
    defined = {name for p in (ROOT / "tests").rglob("*.py")
               for name in re.findall(r"^def (test_\w+)", p.read_text(), re.MULTILINE)}
    for name in set(re.findall(r"\b(test_\w+)", doc)):
        if name.endswith("_"):  # a prefix (`test_redis_down_…`)
            assert any(d.startswith(name) for d in defined), name
        else:
            assert name in defined | modules, name
