#!/usr/bin/env python3
"""Cut the agwlint binary out of the wheel in WHEEL_DIR into a release archive.

    release-archive.py WHEEL_DIR NAME OUT_DIR

Writes OUT_DIR/NAME.tar.gz (NAME.zip when the binary is agwlint.exe) holding NAME/agwlint,
NAME/LICENSE, NAME/README.md and NAME/CHANGELOG.md, and OUT_DIR/NAME.<ext>.sha256 in
`sha256sum` format. The archive carries the very binary the wheel installs, so the two cannot
drift. Used by .github/workflows/release.yml; scripts/ci-packaging.sh runs it on the local wheel.
"""

import hashlib
import io
import os
import sys
import tarfile
import zipfile


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    wheel_dir, name, out_dir = sys.argv[1:]
    wheels = sorted(f for f in os.listdir(wheel_dir) if f.endswith(".whl"))
    if len(wheels) != 1:
        print(f"release-archive: expected one wheel in {wheel_dir}, found {wheels}", file=sys.stderr)
        return 1
    with zipfile.ZipFile(os.path.join(wheel_dir, wheels[0])) as whl:
        scripts = [
            i for i in whl.infolist()
            if ".data/scripts/" in i.filename and os.path.basename(i.filename) in ("agwlint", "agwlint.exe")
        ]
        if len(scripts) != 1:
            print(f"release-archive: no agwlint binary in {wheels[0]}", file=sys.stderr)
            return 1
        binary_name = os.path.basename(scripts[0].filename)
        binary = whl.read(scripts[0])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    extras = {f: open(os.path.join(root, f), "rb").read() for f in ("LICENSE", "README.md", "CHANGELOG.md")}
    os.makedirs(out_dir, exist_ok=True)
    if binary_name.endswith(".exe"):
        path = os.path.join(out_dir, name + ".zip")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(f"{name}/{binary_name}", binary)
            for f, data in extras.items():
                z.writestr(f"{name}/{f}", data)
    else:
        path = os.path.join(out_dir, name + ".tar.gz")
        with tarfile.open(path, "w:gz") as t:
            for f, data, mode in [(binary_name, binary, 0o755)] + [(f, d, 0o644) for f, d in extras.items()]:
                info = tarfile.TarInfo(f"{name}/{f}")
                info.size, info.mode, info.mtime = len(data), mode, 0
                t.addfile(info, io.BytesIO(data))
    digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
    with open(path + ".sha256", "w", encoding="ascii") as f:
        f.write(f"{digest}  {os.path.basename(path)}\n")
    print(f"{path} ({os.path.getsize(path)} bytes) sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
