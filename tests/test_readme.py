"""The READMEs' settings tables match the settings the application declares."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from settings_table import READMES, render_table, replace_table  # noqa: E402


@pytest.mark.parametrize("language", sorted(READMES))
def test_readme_settings_table_is_current(language):
    text = READMES[language].read_text(encoding="utf-8")

    # A failure here means: run `.venv/bin/python scripts/settings_table.py --write`.
    assert replace_table(text, render_table(language)) == text


def test_settings_table_script_runs():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "settings_table.py"),
                             "--lang", "da"], capture_output=True, text=True, check=True)

    assert result.stdout.startswith("| Indstilling | Standard | Betydning |")
    assert "| `HOLD_MINUTES` | `10` |" in result.stdout
