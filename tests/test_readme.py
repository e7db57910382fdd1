"""The READMEs document every setting the application reads."""

from pathlib import Path

import pytest

from pastid.config import SETTINGS

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("readme", ["README.md", "README.da.md"])
def test_readme_lists_every_setting(readme):
    text = (ROOT / readme).read_text(encoding="utf-8")
    missing = [setting.name for setting in SETTINGS if f"`{setting.name}`" not in text]
    assert missing == []
