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

The zip chalice writes is then slimmed (`slim`): the libraries Lambda's Python runtime already
provides (botocore and its dependencies, which pip pulls in for pynamodb: 96% of the zip) are left
out, and every module is shipped compiled for the runtime's Python. Lambda's /var/task is read-only,
so a `.pyc` that does not ship is compiled again on every cold start; the ones shipped are
`unchecked-hash` pycs, valid whatever timestamps the zip gives the sources.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import py_compile
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from deploy import template  # noqa: E402

WHEELS = ROOT / "build" / "wheels"
KEEP_CACHED_ZIPS = 3  # chalice caches one ~17 MB zip per app-code version in .chalice/deployments/
# Top-level packages (and their dist-info) that every Lambda Python runtime ships with boto3.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "urllib3", "dateutil", "jmespath", "six")
_DIST_NAMES = {"python_dateutil": "dateutil"}


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
    _declare_greedy(out / "sam.json")
    _minify(out / "sam.json")
    slim(out / "deployment.zip", _runtime(out / "sam.json"), {ROUTES_ENTRY: route_manifest()})
    return out


ROUTES_ENTRY = "chalicelib/dialects/routes.json"


def route_manifest() -> bytes:
    """The app's route table (chalicelib/dialects/lazy.py), from a fresh `import app` of this tree:
    in the zip it lets the Lambda import each dialect on its first request instead of at cold start."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "routes.json"
        code = ("import sys; from pathlib import Path; import app; from chalicelib.dialects import lazy; "
                "lazy.write_manifest(Path(sys.argv[1]))")
        env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")}
        subprocess.run([sys.executable, "-c", code, str(target)], cwd=ROOT, env=env, check=True)
        return target.read_bytes()


def _runtime(sam: Path) -> str:
    runtimes = {r["Properties"].get("Runtime") for r in json.loads(sam.read_text())["Resources"].values()
                if r["Type"] == "AWS::Serverless::Function"}
    runtimes.discard(None)
    if len(runtimes) != 1:
        raise SystemExit(f"expected one Lambda runtime in {sam}, found {sorted(runtimes)}")
    return str(runtimes.pop())


def provided_by_runtime(name: str) -> bool:
    """Is this zip entry part of a library the Lambda Python runtime already has?"""
    top = name.split("/", 1)[0]
    if top.endswith((".dist-info", ".data")):
        dist = top.split("-", 1)[0]
        top = _DIST_NAMES.get(dist, dist)
    elif top.endswith(".py"):
        top = top[:-3]
    return top in RUNTIME_PROVIDED


def slim(zpath: Path, runtime: str, extra: dict[str, bytes] | None = None) -> None:
    """Rewrite the zip without what the runtime provides, adding `.pyc`s when this Python is the
    runtime's (chalice picks the runtime from the Python that packages, so it is, unless overridden),
    and the `extra` files (zip path -> content)."""
    here = f"python{sys.version_info.major}.{sys.version_info.minor}"
    compile_pyc = here == runtime
    if not compile_pyc:
        print(f"warning: packaging with {here} for {runtime}: no .pyc shipped", file=sys.stderr)
    tag = sys.implementation.cache_tag
    tmp = zpath.with_suffix(".slim")
    with zipfile.ZipFile(zpath) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst, \
            tempfile.TemporaryDirectory() as work:
        for info in src.infolist():
            if provided_by_runtime(info.filename) or "/__pycache__/" in f"/{info.filename}":
                continue
            data = src.read(info)
            dst.writestr(info, data, zipfile.ZIP_DEFLATED)
            if compile_pyc and info.filename.endswith(".py"):
                dst.writestr(_pyc_info(info, tag), _compile(info.filename, data, Path(work)), zipfile.ZIP_DEFLATED)
        for name, data in (extra or {}).items():
            entry = zipfile.ZipInfo(name, time.localtime()[:6])
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, data, zipfile.ZIP_DEFLATED)
    tmp.replace(zpath)


def _pyc_info(info: zipfile.ZipInfo, tag: str) -> zipfile.ZipInfo:
    folder, _, name = info.filename.rpartition("/")
    pyc = zipfile.ZipInfo(f"{folder + '/' if folder else ''}__pycache__/{name[:-3]}.{tag}.pyc", info.date_time)
    pyc.external_attr = 0o644 << 16
    return pyc


def _compile(arcname: str, source: bytes, work: Path) -> bytes:
    src, out = work / "m.py", work / "m.pyc"
    src.write_bytes(source)
    py_compile.compile(str(src), cfile=str(out), dfile=arcname, doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    return out.read_bytes()


def _declare_greedy(path: Path) -> None:
    """Declare the `proxy` path parameter of the dialects' catch-all `.../{proxy+}` routes
    (dialects/fallback.py). Chalice reads path parameters with `{\\w+}`, which does not see `proxy+`,
    so its swagger leaves it out; OpenAPI 2.0 wants every template variable declared, and API
    Gateway's own examples of greedy proxy resources declare it."""
    sam = json.loads(path.read_text())
    for res in sam["Resources"].values():
        if res["Type"] != "AWS::Serverless::Api":
            continue
        for route, ops in res["Properties"]["DefinitionBody"]["paths"].items():
            if not route.endswith("/{proxy+}"):
                continue
            for op in ops.values():
                params = op.setdefault("parameters", [])
                if isinstance(params, list) and not any(p.get("name") == "proxy" for p in params):
                    params.append({"name": "proxy", "in": "path", "required": True, "type": "string"})
    path.write_text(json.dumps(sam))


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
