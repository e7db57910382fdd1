"""Copy the browser assets that Pastid serves from node_modules into static/vendor/.

Run after `npm ci`. Each run first deletes the vendor folders it writes, so running it
again gives the same tree and drops files that a new package version no longer ships.
"""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

# Det Fælles Designsystem: the compiled CSS loads fonts and icons through the relative
# paths ../fonts and ../img, so these folders must stay siblings.
DKFDS_FOLDERS = ("css", "fonts", "img", "js")

# ALTCHA: the dist/external build injects no <style> and bundles no blob: workers, so
# it runs under a Content-Security-Policy without 'unsafe-inline'. static/js/app.js
# registers the worker files for the PBKDF2 and SHA algorithms.
ALTCHA_FILES = {
    "dist/external/altcha.min.js": "altcha.min.js",
    "dist/external/altcha.css": "altcha.css",
    "dist/workers/pbkdf2.js": "workers/pbkdf2.js",
    "dist/workers/sha.js": "workers/sha.js",
    # The widget's Danish texts; English is built in.
    "dist/i18n/da.js": "i18n/da.js",
}


class MissingAssetError(Exception):
    """A file or folder expected in node_modules is missing."""


def require_path(path):
    """Return path, or raise MissingAssetError when it does not exist."""
    if not path.exists():
        raise MissingAssetError(
            f"{path} is missing. Run `npm ci` in {ROOT} first, then run this script again."
        )
    return path


def copy_dkfds():
    source = require_path(NODE_MODULES / "dkfds" / "dist")
    target = VENDOR / "dkfds"
    sources = [require_path(source / folder) for folder in DKFDS_FOLDERS]

    shutil.rmtree(target, ignore_errors=True)
    for folder in sources:
        shutil.copytree(folder, target / folder.name)


def copy_altcha():
    source = require_path(NODE_MODULES / "altcha")
    target = VENDOR / "altcha"
    pairs = [(require_path(source / name), target / destination)
             for name, destination in ALTCHA_FILES.items()]

    shutil.rmtree(target, ignore_errors=True)
    for file, destination in pairs:
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, destination)


def main():
    try:
        require_path(NODE_MODULES)
        copy_dkfds()
        copy_altcha()
    except MissingAssetError as error:
        print(f"copy_assets: {error}", file=sys.stderr)
        return 1
    print(f"copy_assets: copied dkfds and altcha into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
