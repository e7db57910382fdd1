"""Print or update the READMEs' settings tables from the declared SETTINGS.

    python scripts/settings_table.py [--lang da]    print one table
    python scripts/settings_table.py --write        rewrite both READMEs' tables
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pastid.config import SETTINGS  # noqa: E402  (needs the repository on the path)

HEADERS = {"en": ("Setting", "Default", "Meaning"), "da": ("Indstilling", "Standard", "Betydning")}
READMES = {"en": ROOT / "README.md", "da": ROOT / "README.da.md"}
MARKER = "<!-- settings table"


def render_table(language):
    lines = ["| {} | {} | {} |".format(*HEADERS[language]), "|---|---|---|"]
    for setting in SETTINGS:
        default = "" if setting.default in (None, "") else f"`{setting.default}`"
        meaning = setting.help_da if language == "da" and setting.help_da else setting.help
        lines.append(f"| `{setting.name}` | {default} | {meaning} |")
    return "\n".join(lines) + "\n"


def replace_table(text, table):
    """Return text with the table after the marker comment replaced by table."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(MARKER)) + 1
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return "".join(lines[:start]) + table + "".join(lines[end:])


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", choices=sorted(HEADERS), default="en")
    parser.add_argument("--write", action="store_true", help="rewrite both READMEs' tables")
    arguments = parser.parse_args()
    if not arguments.write:
        print(render_table(arguments.lang), end="")
        return
    for language, path in READMES.items():
        path.write_text(replace_table(path.read_text(encoding="utf-8"), render_table(language)),
                        encoding="utf-8")


if __name__ == "__main__":
    main()
