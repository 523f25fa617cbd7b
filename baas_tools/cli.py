"""`baas`: apps and their keys, and an app's data in and out, against a local or a deployed server.

    baas apps list | create NAME | keys NAME [--env] | rotate NAME
    baas export --app NAME [-c COLLECTION ...] -o out.jsonl [--files DIR] [--resume]
    baas import PATH --app NAME [--format auto|jsonl|parse|usergrid]
    baas shards show|set|migrate APP COLLECTION [S]
    baas spellings APP [COLLECTION] [--limit N]
    baas mail

The server and the admin come from flags or the environment that `make run` writes to
.local/env.sh (BAAS_URL, BAAS_ORG, ADMIN_TOKEN or BAAS_ADMIN_USER + BAAS_ADMIN_PASSWORD).
Built on click (options, env vars, help) and rich (progress bars, tables).
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .client import ApiError, Client
from .formats import Skipped, detect, read

err = Console(stderr=True)
BATCH = 100  # the server's import batch maximum (chalicelib/core/transfer.py)


@dataclass
class Ctx:
    url: str
    org: str
    token: str | None
    user: str | None
    password: str | None
    _client: Client | None = None

    @property
    def client(self) -> Client:
        if self._client is None:
            c = Client(self.url, self.org, self.token)
            if not c.token:
                if not (self.user and self.password):
                    raise click.UsageError("no admin credentials: pass --token (or ADMIN_TOKEN), or "
                                           "--user and --password (BAAS_ADMIN_USER, BAAS_ADMIN_PASSWORD)")
                c.login(self.user, self.password)
            self._client = c
        return self._client


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--url", envvar="BAAS_URL", default="http://127.0.0.1:8000", show_default=True,
              help="The server (local or the deployed API's URL). Env: BAAS_URL.")
@click.option("--org", envvar="BAAS_ORG", default="local", show_default=True, help="Organization. Env: BAAS_ORG.")
@click.option("--token", envvar=["BAAS_ADMIN_TOKEN", "ADMIN_TOKEN"], help="An org admin token. Env: ADMIN_TOKEN.")
@click.option("--user", envvar="BAAS_ADMIN_USER", help="Admin username (instead of a token). Env: BAAS_ADMIN_USER.")
@click.option("--password", envvar="BAAS_ADMIN_PASSWORD", help="Admin password. Env: BAAS_ADMIN_PASSWORD.")
@click.pass_context
def main(ctx: click.Context, url: str, org: str, token: str | None, user: str | None, password: str | None) -> None:
    """Manage apps and move their data in and out of a Serverless BaaS server."""
    ctx.obj = Ctx(url, org, token, user, password)


def _fail(e: ApiError) -> None:
    err.print(f"[red]error:[/red] {e}")
    sys.exit(1)


# -- apps ----------------------------------------------------------------------------------
@main.group()
def apps() -> None:
    """List, create and show or rotate the keys of the org's apps."""


@apps.command("list")
@click.pass_obj
def apps_list(obj: Ctx) -> None:
    """Every app of the org, with its uuid."""
    try:
        got = obj.client.apps()
    except ApiError as e:
        _fail(e)
    table = Table("app", "uuid")
    for name, uuid in sorted(got.items()):
        table.add_row(name, uuid)
    Console().print(table)


@apps.command("create")
@click.argument("name")
@click.pass_obj
def apps_create(obj: Ctx, name: str) -> None:
    """Create an app and print its keys."""
    try:
        obj.client.create_app(name)
        _print_keys(obj, name, obj.client.credentials(name), env=False)
    except ApiError as e:
        _fail(e)


@apps.command("keys")
@click.argument("name")
@click.option("--env", is_flag=True, help="Print as shell `export` lines.")
@click.pass_obj
def apps_keys(obj: Ctx, name: str, env: bool) -> None:
    """Show an app's uuid, client id and secret, REST API key and master key."""
    try:
        _print_keys(obj, name, obj.client.credentials(name), env)
    except ApiError as e:
        _fail(e)


@apps.command("rotate")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask: the old keys stop working at once.")
@click.pass_obj
def apps_rotate(obj: Ctx, name: str, yes: bool) -> None:
    """Replace an app's keys (client secret, REST API key, master key); prints the new ones."""
    if not yes:
        click.confirm(f"Rotate the keys of {obj.org}/{name}? Clients using the old ones stop working", abort=True)
    try:
        _print_keys(obj, name, obj.client.credentials(name, rotate=True), env=False)
    except ApiError as e:
        _fail(e)


def _print_keys(obj: Ctx, name: str, creds: dict[str, str], env: bool) -> None:
    names = {"app_uuid": "APP_UUID", "client_id": "CLIENT_ID", "client_secret": "CLIENT_SECRET",
             "rest_api_key": "REST_API_KEY", "master_key": "MASTER_KEY"}
    if env:
        click.echo(f"export BAAS_URL={shlex.quote(obj.url)} BAAS_ORG={shlex.quote(obj.org)} BAAS_APP={shlex.quote(name)}")
        for key, var in names.items():
            click.echo(f"export {var}={shlex.quote(creds[key])}")
        return
    table = Table(f"{obj.org}/{name}", "")
    for key in names:
        table.add_row(key, creds[key])
    Console().print(table)


# -- export --------------------------------------------------------------------------------
@main.command("export")
@click.option("--app", "app", required=True, help="The app to export.")
@click.option("-c", "--collection", "collections", multiple=True, help="Only these collections (repeatable).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="JSON Lines file to write.")
@click.option("--files", "files_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also save files into this folder: the entities' assets (Usergrid file-metadata, one "
                   "file per entity uuid) and the app's free-standing files (files.jsonl, big ones in blobs/).")
@click.option("--resume", is_flag=True, help="Continue an interrupted export from its saved cursor.")
@click.option("--page", default=500, show_default=True, help="Entities per request (at most 1000).")
@click.pass_obj
def export(obj: Ctx, app: str, collections: tuple[str, ...], output: Path, files_dir: Path | None,
           resume: bool, page: int) -> None:
    """Write an app (or some collections) to JSON Lines, one entity a line, resumable.

    The cursor of the last page written is kept in OUTPUT.cursor (with the byte length of the file
    at that point), so `--resume` truncates a half-written page and goes on from there."""
    state_file = output.with_name(output.name + ".cursor")
    state: dict[str, Any] = {}
    if resume:
        if not state_file.exists():
            raise click.UsageError(f"nothing to resume: {state_file} does not exist")
        state = json.loads(state_file.read_text())
    try:
        client = obj.client
        todo = list(collections) or client.collections(app)
        done = set(state.get("done", []))
        mode = "r+b" if resume and output.exists() else "wb"
        count, size = int(state.get("count", 0)), int(state.get("bytes", 0))
        with output.open(mode) as out, _progress() as progress:
            out.truncate(size)
            out.seek(size)
            task = progress.add_task("export", total=None, completed=count, size=size)
            for coll in todo:
                if coll in done:
                    continue
                cursor = state.get("cursor") if state.get("collection") == coll else None
                while True:
                    lines, cursor = client.export_page(app, coll, cursor, page)
                    for line in lines:
                        if files_dir is not None:
                            _save_asset(client, f"{obj.org}/{app}", line, files_dir)
                        raw = (json.dumps(line, separators=(",", ":"), sort_keys=True) + "\n").encode()
                        out.write(raw)
                        count, size = count + 1, size + len(raw)
                    out.flush()
                    state = {"collection": coll, "cursor": cursor, "count": count, "bytes": size, "done": sorted(done)}
                    state_file.write_text(json.dumps(state))
                    progress.update(task, completed=count, size=size, description=f"export {coll}")
                    if not cursor:
                        break
                done.add(coll)
                state.update(done=sorted(done), collection=None, cursor=None)
                state_file.write_text(json.dumps(state))
        nfiles = 0
        if files_dir is not None:
            nfiles = _export_files(client, app, files_dir, state, state_file, resume)
    except ApiError as e:
        _fail(e)
    state_file.unlink(missing_ok=True)
    err.print(f"exported {count} entities ({size} bytes) from {obj.org}/{app} to {output}"
              + (f", {nfiles} files to {files_dir / FILES_JSONL}" if files_dir is not None else ""))


FILES_JSONL = "files.jsonl"


def _export_files(client: Client, app: str, folder: Path, state: dict[str, Any], state_file: Path,
                  resume: bool) -> int:
    """The app's free-standing files into FOLDER/files.jsonl, one record a line (small files inline
    as base64, big ones downloaded from their presigned URL into FOLDER/blobs/<sha256 of the path>),
    resumable through the same cursor file as the entities (its "files" entry)."""
    folder.mkdir(parents=True, exist_ok=True)
    out_path = folder / FILES_JSONL
    fstate = dict(state.get("files") or {})
    mode = "r+b" if resume and fstate and out_path.exists() else "wb"
    count, size, cursor = int(fstate.get("count", 0)), int(fstate.get("bytes", 0)), fstate.get("cursor")
    if fstate.get("finished"):
        return count
    with out_path.open(mode) as out, _progress() as progress:
        out.truncate(size)
        out.seek(size)
        task = progress.add_task("files", total=None, completed=count, size=size)
        while True:
            records, cursor = client.files_page(app, cursor)
            for rec in records:
                if "url" in rec:
                    blob = f"blobs/{hashlib.sha256(rec['path'].encode()).hexdigest()}"
                    (folder / "blobs").mkdir(exist_ok=True)
                    (folder / blob).write_bytes(client.fetch_url(rec.pop("url")))
                    rec["blob"] = blob
                raw = (json.dumps(rec, separators=(",", ":"), sort_keys=True) + "\n").encode()
                out.write(raw)
                count, size = count + 1, size + len(raw)
            out.flush()
            state["files"] = {"cursor": cursor, "count": count, "bytes": size, "finished": not cursor}
            state_file.write_text(json.dumps(state))
            progress.update(task, completed=count, size=size)
            if not cursor:
                return count


def _save_asset(client: Client, org_app: str, line: dict[str, Any], folder: Path) -> None:
    meta = line["entity"].get("file-metadata")
    if not isinstance(meta, dict):
        return
    ctype = str(meta.get("content-type") or "application/octet-stream")
    data = client.asset(org_app, line["collection"], line["uuid"], ctype)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / line["uuid"]).write_bytes(data)


# -- import --------------------------------------------------------------------------------
@main.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--app", "app", required=True, help="The app to import into (created when missing).")
@click.option("--format", "fmt", type=click.Choice(["auto", "jsonl", "parse", "usergrid"]), default="auto",
              show_default=True, help="What PATH holds (auto: guessed from its name and content).")
@click.option("--files", "files_dir", type=click.Path(file_okay=False, path_type=Path),
              help="A folder written by `baas export --files`: assets go back to the imported entities, "
                   "free-standing files (files.jsonl) back to their paths with their owners.")
@click.pass_obj
def import_(obj: Ctx, path: Path, app: str, fmt: str, files_dir: Path | None) -> None:
    """Bring entities in, batched and idempotent: uuids are kept (or derived from the source's ids), so
    running it again skips what is there. Ends with a summary of what was skipped and why."""
    fmt = detect(path) if fmt == "auto" else fmt
    skipped = Skipped()
    imported, reasons = 0, Counter[str]()
    examples: dict[str, str] = {}
    try:
        client = obj.client
        if app not in client.apps():
            client.create_app(app)
        batches: dict[str, list[dict[str, Any]]] = {}
        with _progress() as progress:
            task = progress.add_task(f"import ({fmt})", total=None, size=0)
            seen = size = 0

            def flush(coll: str) -> None:
                nonlocal imported
                items = batches.pop(coll, [])
                if not items:
                    return
                got = client.import_batch(app, coll, items)
                imported += int(got["imported"])
                for s in got["skipped"]:
                    reasons[s["reason"].split(":")[0]] += 1
                    examples.setdefault(s["reason"].split(":")[0], f"{coll} {s['uuid']}: {s['reason']}")
                if files_dir is not None:
                    _upload_assets(client, f"{obj.org}/{app}", coll, items, files_dir)

            for item in read(path, fmt, skipped):
                coll = item.pop("collection")
                batches.setdefault(coll, []).append(item)
                seen += 1
                size += len(json.dumps(item))
                if len(batches[coll]) >= BATCH:
                    flush(coll)
                progress.update(task, completed=seen, size=size)
            for coll in list(batches):
                flush(coll)
        files_summary = None
        if files_dir is not None and (files_dir / FILES_JSONL).exists():
            files_summary = _import_files(client, app, files_dir)
    except ApiError as e:
        _fail(e)
    for s in skipped.items:
        reasons[s["reason"]] += 1
        examples.setdefault(s["reason"], f"{s['where']}: {s['reason']}")
    err.print(f"imported {imported} entities into {obj.org}/{app} from {path} ({fmt})")
    if reasons:
        table = Table("skipped", "count", "example", title="Skipped")
        for reason, n in reasons.most_common():
            table.add_row(reason, str(n), examples[reason])
        err.print(table)
    summary: dict[str, Any] = {"imported": imported, "skipped": dict(reasons)}
    if files_summary is not None:
        summary["files"] = files_summary
        err.print(f"files: {files_summary['imported']} restored, skipped {files_summary['skipped'] or 'none'}")
    click.echo(json.dumps(summary))


FILE_BATCH_BYTES = 3_000_000  # base64 bytes per files request (a Lambda request carries at most 6 MB)


def _import_files(client: Client, app: str, folder: Path) -> dict[str, Any]:
    """FOLDER/files.jsonl back into the app, batched; paths that exist are skipped by the server, and
    big files go straight to S3 through the presigned PUTs it answers with."""
    imported, reasons = 0, Counter[str]()
    blobs: dict[str, str] = {}
    batch: list[dict[str, Any]] = []
    weight = 0

    def flush() -> None:
        nonlocal imported, weight
        if not batch:
            return
        got = client.import_files(app, batch)
        imported += int(got["imported"])
        for s in got["skipped"]:
            reasons[s["reason"].split(":")[0]] += 1
        for up in got.get("uploads") or []:
            client.put_url(up["uploadURL"], up["headers"], (folder / blobs[up["path"]]).read_bytes())
            imported += 1
        batch.clear()
        blobs.clear()
        weight = 0

    with (folder / FILES_JSONL).open() as lines:
        for line in lines:
            try:
                rec = json.loads(line)
            except ValueError:
                reasons["not JSON"] += 1
                continue
            if not isinstance(rec, dict):
                reasons["not an object"] += 1
                continue
            blob = rec.pop("blob", None)
            if isinstance(blob, str) and not rec.get("directory"):
                if not (folder / blob).is_file():
                    reasons["missing blob"] += 1
                    continue
                blobs[str(rec.get("path", "")).strip("/")] = blob
            size = len(line)
            if batch and (len(batch) >= FILE_BATCH or weight + size > FILE_BATCH_BYTES):
                flush()
            batch.append(rec)
            weight += size
        flush()
    return {"imported": imported, "skipped": dict(reasons)}


FILE_BATCH = 50  # the server's files batch maximum (chalicelib/core/file_transfer.py)


def _upload_assets(client: Client, org_app: str, coll: str, items: list[dict[str, Any]], folder: Path) -> None:
    for item in items:
        meta = item["entity"].get("file-metadata")
        blob = folder / str(item["uuid"])
        if isinstance(meta, dict) and blob.exists():
            client.put_asset(org_app, coll, item["uuid"], str(meta.get("content-type") or "application/octet-stream"),
                             blob.read_bytes())


# -- shards ----------------------------------------------------------------------------------
@main.group()
def shards() -> None:
    """Spread a busy collection's indexes over several partition keys (docs/ARCHITECTURE.md, hot partitions)."""


def _print_layout(got: dict[str, Any]) -> None:
    click.echo(f"{got.get('collection', '')}: shards {got['shards']} (writing {got['writing']}), live layouts "
               f"{got['live']}{'' if got['migrated'] else ' - old entries remain: run `baas shards migrate`'}")


@shards.command("show")
@click.argument("app")
@click.argument("collection")
@click.pass_obj
def shards_show(obj: Ctx, app: str, collection: str) -> None:
    """A collection's layout."""
    try:
        _print_layout(obj.client.shards(app, collection))
    except ApiError as e:
        _fail(e)


@shards.command("set")
@click.argument("app")
@click.argument("collection")
@click.argument("count", type=click.IntRange(1, 256))
@click.pass_obj
def shards_set(obj: Ctx, app: str, collection: str, count: int) -> None:
    """Spread each index of COLLECTION over COUNT keys (1: one key, the default). Writers follow after
    about 30 s; then `baas shards migrate` moves the existing entries."""
    try:
        _print_layout(obj.client.shards(app, collection, count))
    except ApiError as e:
        _fail(e)


@shards.command("migrate")
@click.argument("app")
@click.argument("collection")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="Wait for writers to switch (the server answers 409 until then) instead of failing.")
@click.pass_obj
def shards_migrate(obj: Ctx, app: str, collection: str, wait: bool) -> None:
    """Rewrite COLLECTION's index entries under its layout, page by page, then drop the old layouts."""
    import re
    import time

    cursor, moved = None, 0
    while True:
        try:
            got = obj.client.migrate_step(app, collection, cursor)
        except ApiError as e:
            m = re.search(r"HTTP 409: .*migrate in (\d+) s", str(e))
            if wait and m:
                err.print(f"writers switch to the new layout first: waiting {m[1]} s")
                time.sleep(int(m[1]) + 1)
                continue
            _fail(e)
        moved += got["moved"]
        cursor = got.get("cursor")
        if not cursor:
            break
    err.print(f"moved {moved} entities")
    _print_layout({"collection": collection, **got})


# -- spellings ------------------------------------------------------------------------------
@main.command("spellings")
@click.argument("app")
@click.argument("collection", required=False)
@click.option("--limit", type=click.IntRange(1, 1000), default=500, show_default=True,
              help="Entities the server reads per request.")
@click.pass_obj
def spellings(obj: Ctx, app: str, collection: str | None, limit: int) -> None:
    """Record the mixed-case property names of data stored before an upgrade (every collection, or
    COLLECTION), so Usergrid ql finds them in any case (`NAME = 'x'` finds `Name`). Run once after
    upgrading; safe to run again (what is recorded stays, nothing is rewritten)."""
    cursor, read, recorded = None, 0, 0
    while True:
        try:
            got = obj.client.spellings_step(app, collection, cursor, limit)
        except ApiError as e:
            _fail(e)
        read, recorded = read + got["read"], recorded + got["recorded"]
        cursor = got.get("cursor")
        if not cursor:
            break
    click.echo(f"read {read} entities of {collection or 'every collection'}: recorded {recorded} new "
               f"spelling{'' if recorded == 1 else 's'}")


# -- mail ----------------------------------------------------------------------------------
@main.command("mail")
@click.option("--moto-url", envvar="BAAS_MOTO_URL", default="http://127.0.0.1:5005", show_default=True,
              help="The local server's moto (make run). Env: BAAS_MOTO_URL.")
@click.option("--json", "as_json", is_flag=True, help="Print the raw messages.")
def mail(moto_url: str, as_json: bool) -> None:
    """The emails the local server sent (password resets, messaging): its local mailbox."""
    import requests

    try:
        got = requests.get(f"{moto_url.rstrip('/')}/_local/mail", timeout=30).json()
    except (requests.RequestException, ValueError) as e:
        err.print(f"[red]error:[/red] no local mailbox at {moto_url}: {e}")
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(got, indent=1))
        return
    for m in got["messages"]:
        click.echo(f"--- {m['id']}  from {m.get('source')}  to {json.dumps(m.get('destinations'))}")
        click.echo(f"Subject: {m.get('subject', '')}\n\n{m.get('body') or m.get('raw_data') or ''}\n")
    err.print(f"{got['count']} message(s)")


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("entities"),
                    TextColumn("{task.fields[size]} bytes"), TimeElapsedColumn(),
                    console=err, disable=not err.is_terminal and not os.environ.get("BAAS_PROGRESS"))


if __name__ == "__main__":
    main()
