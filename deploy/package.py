"""`make package`: the stage's merged SAM template and deployment zip in build/<stage>/, offline.

Writes build/<stage>/resources.json (deploy/template.py: tables and bucket, deployable alone),
merge.json (the same plus the BaasSecretKey parameter) and runs `chalice package --stage <stage>
--merge-template merge.json build/<stage>/`, which adds sam.json (API, Lambda, role from
.chalice/policy-<stage>.json, tables, bucket; written minified, as CloudFormation takes at most
1 MB) and deployment.zip.

Nothing here talks to AWS: chalice only needs a region name to render the template, so a dummy
one is given when none is set. Chalice rebuilds its dependency zip with `pip download` whenever
app code changes; pip is pointed at a wheelhouse in build/wheels/, filled from the package index
only when requirements.txt changes, so after that first fill packaging needs no network at all.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from deploy import template  # noqa: E402

WHEELS = ROOT / "build" / "wheels"
KEEP_CACHED_ZIPS = 3  # chalice caches one ~17 MB zip per app-code version in .chalice/deployments/


@contextmanager
def _locked() -> Iterator[None]:
    """One packager at a time: chalice's zip cache is shared and not written atomically."""
    lock = ROOT / "build" / ".package.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _wheelhouse() -> Path:
    digest = hashlib.sha256((ROOT / "requirements.txt").read_bytes()).hexdigest()[:16]
    stamp = WHEELS / f".filled-lambda-{digest}"
    if not stamp.exists():
        base = [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
                "-r", str(ROOT / "requirements.txt"), "-d", str(WHEELS)]
        subprocess.run(base, cwd=ROOT, check=True)
        # Compiled wheels (bcrypt) for Lambda's platform, not this machine's: chalice keeps only
        # wheels that run on Lambda's glibc (manylinux2014), and pip would pick the newest local tag.
        subprocess.run([*base, "--only-binary=:all:", "--platform", "manylinux2014_x86_64",
                        "--implementation", "cp", "--python-version", f"{sys.version_info[0]}{sys.version_info[1]}"],
                       cwd=ROOT, check=True)
        stamp.touch()
    return WHEELS


def _prune_chalice_cache() -> None:
    zips = sorted((ROOT / ".chalice" / "deployments").glob("*.zip"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in zips[KEEP_CACHED_ZIPS:]:
        old.unlink(missing_ok=True)


def package(stage: str, out: Path | None = None) -> Path:
    """Build build/<stage>/ (or `out`) and return it; raises CalledProcessError if pip or chalice fails."""
    out = (out or ROOT / "build" / stage).resolve()
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("sam.json", "deployment.zip"):
        (out / stale).unlink(missing_ok=True)
    template.main(["--stage", stage, "--output", str(out / "resources.json")])
    merge = out / "merge.json"
    template.main(["--stage", stage, "--merge", "--output", str(merge)])
    with _locked():
        env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(_wheelhouse()),
               "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
        env.setdefault("AWS_DEFAULT_REGION", env.get("AWS_REGION", "us-east-1"))
        chalice = Path(sys.executable).parent / "chalice"
        subprocess.run([str(chalice), "package", "--stage", stage, "--merge-template", str(merge), str(out)],
                       cwd=ROOT, env=env, check=True)
        _prune_chalice_cache()
    _minify(out / "sam.json")
    return out


def _minify(path: Path) -> None:
    """CloudFormation takes templates up to 1 MB; chalice's indented swagger passes that with ~100 routes."""
    path.write_text(json.dumps(json.loads(path.read_text()), separators=(",", ":")))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--stage", default=os.environ.get("STAGE") or "dev")
    parser.add_argument("--out", type=Path, help="default: build/<stage>/")
    args = parser.parse_args(argv)
    out = package(args.stage, args.out)
    size = (out / "deployment.zip").stat().st_size
    print(f"{out}/sam.json, {out}/resources.json, {out}/deployment.zip ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
