#!/bin/sh
# Build the single-file gcollect (a shiv zipapp) that `gcollect collect --hosts` pushes to hosts
# without gcollect, and that the Ansible role installs.
#
#   packaging/zipapp/build.sh [OUT]          # default dist/gcollect.pyz (+ OUT.json)
#
# It carries manylinux wheels of every dependency, compiled ones included (google-re2, hyperscan, zstandard,
# isal, psutil, cryptography, bcrypt, pynacl, cffi), for each CPython in GCOLLECT_PY_VERSIONS
# (default: this Python's, e.g. "3.11"; e.g. "3.11 3.12 3.13" for mixed fleets) and one machine
# (GCOLLECT_ARCH, default `uname -m`). Extension modules carry their ABI in their file names, so
# several Python versions share one site-packages. OUT.json records what the file can serve
# (python versions, machine, lowest glibc); gcollect checks a host against it before pushing.
#
# Needs: python3 -m pip, shiv (pip install shiv), hatchling, and a package index (PyPI or a mirror).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
OUT=${1:-$SRC/dist/gcollect.pyz}
PY=${PYTHON:-python3}
[ -x "$SRC/.venv/bin/python" ] && [ -z "${PYTHON:-}" ] && PY=$SRC/.venv/bin/python
SHIV=${SHIV:-$(dirname "$PY")/shiv}
[ -x "$SHIV" ] || SHIV=shiv
ARCH=${GCOLLECT_ARCH:-$(uname -m)}
VERSIONS=${GCOLLECT_PY_VERSIONS:-$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gcollect-zipapp.XXXXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
mkdir -p "$WORK/wheels" "$WORK/site" "$(dirname "$OUT")"

echo "build.sh: gcollect wheel from $SRC" >&2
"$PY" -m pip wheel --quiet --no-deps --no-build-isolation -w "$WORK/wheels" "$SRC"
WHEEL=$(ls "$WORK"/wheels/gcollect-*.whl)

for V in $VERSIONS; do
    echo "build.sh: manylinux $ARCH wheels for CPython $V" >&2
    "$PY" -m pip install --quiet --disable-pip-version-check --no-compile --target "$WORK/site" --upgrade \
        --only-binary=:all: --implementation cp --python-version "$V" \
        --platform "manylinux2014_$ARCH" --platform "manylinux_2_17_$ARCH" \
        --platform "manylinux_2_28_$ARCH" --platform "manylinux_2_24_$ARCH" \
        "$WHEEL"
done
rm -rf "$WORK"/site/bin

"$SHIV" --site-packages "$WORK/site" --entry-point collector.cli:main --python "/usr/bin/env python3" \
    --compressed --reproducible --no-modify --output-file "$OUT.tmp" >&2
chmod 0755 "$OUT.tmp"
mv "$OUT.tmp" "$OUT"

# What the file can serve: Python versions, machine, and the newest glibc any wheel needs.
"$PY" - "$WORK/site" "$OUT" "$ARCH" $VERSIONS <<'PYEOF'
import hashlib, json, pathlib, re, sys
site, out, arch, versions = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3], sys.argv[4:]
glibc, wheels = (2, 17), []
for wheel in sorted(site.glob("*.dist-info/WHEEL")):
    tags = [l.split(":", 1)[1].strip() for l in wheel.read_text().splitlines() if l.startswith("Tag:")]
    wheels.append({"name": wheel.parent.name.removesuffix(".dist-info"), "tags": tags})
    for tag in tags:
        m = re.search(r"manylinux_(\d+)_(\d+)_", tag)
        if m:
            glibc = max(glibc, (int(m.group(1)), int(m.group(2))))
version = next((w["name"].split("-", 1)[1] for w in wheels if w["name"].startswith("gcollect-")), "?")
meta = {"gcollect": version, "python": versions, "machine": arch, "glibc": "%d.%d" % glibc,
        "os": "linux", "sha256": hashlib.sha256(out.read_bytes()).hexdigest(), "wheels": wheels}
pathlib.Path(str(out) + ".json").write_text(json.dumps(meta, indent=1) + "\n")
print(f"build.sh: {out} ({out.stat().st_size // 1024} KiB) for CPython {' '.join(versions)} "
      f"on {arch} linux, glibc >= {meta['glibc']}", file=sys.stderr)
PYEOF
echo "$OUT"
