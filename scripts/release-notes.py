#!/usr/bin/env python3
"""Print the CHANGELOG.md section of VERSION (the release notes): `release-notes.py 0.1.0`.

Exits 1 when CHANGELOG.md has no `## [VERSION]` section, so a release cannot go out without
notes. Used by .github/workflows/release.yml; scripts/ci-packaging.sh checks it.
"""

import os
import re
import sys


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: release-notes.py VERSION", file=sys.stderr)
        return 2
    version = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    text = open(os.path.join(root, "CHANGELOG.md"), encoding="utf-8").read()
    heads = list(re.finditer(r"^## \[([^\]]+)\].*$", text, re.M))
    for i, head in enumerate(heads):
        if head.group(1) == version:
            end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
            body = text[head.end():end]
            body = re.sub(r"^\[[^\]]+\]: .*$", "", body, flags=re.M).strip()
            print(body)
            return 0
    print(f"release-notes: CHANGELOG.md has no section ## [{version}]", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
