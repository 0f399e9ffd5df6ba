"""The README stays true: its configuration table is the one the code defines."""
from pathlib import Path

from campaign.config import markdown_table

ROOT = Path(__file__).resolve().parents[1]


def test_readme_configuration_table_matches_the_settings():
    readme = (ROOT / "README.md").read_text()
    assert markdown_table() in readme, "run `flask config-table` and paste it into the README"
