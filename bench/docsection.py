"""One marked section of docs/BENCHMARKS.md rewritten by the benchmark that measures it.

A section sits between `<!-- <name>:start -->` and `<!-- <name>:end -->`; `write_section` replaces
what lies between them (or appends the section when the file has none yet), so a rerun updates its
own table and leaves the prose around it alone.
"""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "BENCHMARKS.md"


def write_section(name: str, text: str, doc_path: Path = DOC) -> None:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    doc = doc_path.read_text()
    block = f"{start}\n{text}\n{end}"
    if start in doc and end in doc:
        doc = doc[: doc.index(start)] + block + doc[doc.index(end) + len(end):]
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    doc_path.write_text(doc)
