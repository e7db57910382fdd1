"""Print the README's settings table from the declared SETTINGS: `--lang da` for Danish."""

import argparse

from pastid.config import SETTINGS

HEADERS = {"en": ("Setting", "Default", "Meaning"), "da": ("Indstilling", "Standard", "Betydning")}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lang", choices=sorted(HEADERS), default="en")
    language = parser.parse_args().lang
    print("| {} | {} | {} |".format(*HEADERS[language]))
    print("|---|---|---|")
    for setting in SETTINGS:
        default = "" if setting.default in (None, "") else f"`{setting.default}`"
        meaning = setting.help_da if language == "da" and setting.help_da else setting.help
        print(f"| `{setting.name}` | {default} | {meaning} |")


if __name__ == "__main__":
    main()
