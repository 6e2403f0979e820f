"""The "claims from the notes" register: load, check and render ``appendix/claims/*.yml``.

Each chapter records the claims of the source notes it tests in
``appendix/claims/<chapter-slug>.yml``: a YAML list of mappings with the keys

``claim``
    the claim, in our words;
``note``
    which source note makes it (file name and language);
``verdict``
    one of :data:`VERDICTS`;
``evidence``
    the MyST label (or a list of labels) of the section or figure where the chapter
    measures it.

:func:`book_labels` collects the labels the chapters define, so a test and the
appendix page can check that every piece of evidence points somewhere real.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

__all__ = ["VERDICTS", "KEYS", "load_claims", "book_labels", "missing_labels", "short_note", "claims_markdown"]

#: Allowed verdicts ("not tested here": the chapter states the claim but measures nothing).
#: Empirical comparisons use the protocol's vocabulary (:data:`activations.protocol.VERDICTS`):
#: "supported", "contradicted", "not detectable with this design (MDE = ...)" (the MDE
#: suffix is free text), "not testable here".
VERDICTS = (
    "supported",
    "partly",
    "not supported",
    "wrong",
    "contradicted",
    "not detectable with this design",
    "not testable here",
    "not tested here",
)
KEYS = ("claim", "note", "verdict", "evidence")

# MyST targets "(label)=" on a line of their own, and ":name: label" options of
# directives (figures, glue:figure, tables, math).
_TARGET = re.compile(r"^\s*\(([A-Za-z0-9_.:-]+)\)=\s*$", re.MULTILINE)
_NAME_OPTION = re.compile(r"^\s*:name:\s*([A-Za-z0-9_.:-]+)\s*$", re.MULTILINE)
_NOTE_FILE = re.compile(r"\b(\d{3})_[0-9a-f]{8,}\.txt\b")


def _evidence_list(value, where):
    labels = [value] if isinstance(value, str) else value
    if not isinstance(labels, list) or not labels or not all(isinstance(v, str) and v.strip() for v in labels):
        raise ValueError(f"load_claims(): {where}: evidence must be a label or a non-empty list of labels")
    return [v.strip() for v in labels]


def load_claims(directory) -> list[dict]:
    """Every claim of every ``*.yml`` file in ``directory``, in file order then list order.

    Each returned dict has the keys of :data:`KEYS` (``evidence`` as a list of labels)
    plus ``source``, the YAML file's stem (the chapter slug).  Raises ``ValueError``
    naming the file and entry when a key is missing or a verdict is not in
    :data:`VERDICTS`.
    """
    import yaml

    directory = Path(directory)
    if not directory.is_dir():
        raise ValueError(f"load_claims(): {directory} is not a directory")
    claims = []
    for path in sorted(directory.glob("*.yml")):
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(entries, list):
            raise ValueError(f"load_claims(): {path.name} must hold a YAML list of claims")
        for i, entry in enumerate(entries, start=1):
            where = f"{path.name} entry {i}"
            if not isinstance(entry, dict):
                raise ValueError(f"load_claims(): {where} is not a mapping")
            missing = [k for k in KEYS if k not in entry]
            if missing:
                raise ValueError(f"load_claims(): {where} lacks {', '.join(missing)}")
            verdict = str(entry["verdict"]).strip()
            if verdict.lower() in VERDICTS:
                verdict = verdict.lower()
            elif not verdict.startswith(("not detectable with this design (", "not testable here:")):
                raise ValueError(f"load_claims(): {where}: verdict {entry['verdict']!r} not in {VERDICTS}")
            claims.append(
                {
                    "claim": str(entry["claim"]).strip(),
                    "note": str(entry["note"]).strip(),
                    "verdict": verdict,
                    "evidence": _evidence_list(entry["evidence"], where),
                    "source": path.stem,
                }
            )
    return claims


def _labels_in_text(text):
    return set(_TARGET.findall(text)) | set(_NAME_OPTION.findall(text))


def _labels_in_notebook(path):
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    labels = set()
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if cell.get("cell_type") == "markdown":
            labels |= _labels_in_text(source)
        fig = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
        if isinstance(fig, dict) and fig.get("name"):
            labels.add(str(fig["name"]))
    return labels


def book_labels(root, folders=("chapters", "appendix", "exercises")) -> set[str]:
    """Labels defined in the ``.ipynb`` and ``.md`` files under ``root/<folder>``.

    Counts MyST targets ``(label)=``, ``:name:`` options of directives in markdown, and
    ``mystnb.figure.name`` in code-cell metadata.  Plain-text scanning: a label that
    only appears inside a code block would be counted too, which is harmless here.
    """
    root = Path(root)
    labels: set[str] = set()
    for folder in folders:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if ".ipynb_checkpoints" in path.parts:
                continue
            if path.suffix == ".ipynb":
                labels |= _labels_in_notebook(path)
            elif path.suffix == ".md":
                labels |= _labels_in_text(path.read_text(encoding="utf-8"))
    return labels


def missing_labels(claims, labels) -> list[tuple[str, str]]:
    """(source, label) pairs of evidence labels that are not in ``labels``."""
    return [(c["source"], lab) for c in claims for lab in c["evidence"] if lab not in labels]


def _cell(text):
    # A pipe would end the table cell; newlines would end the row.
    return " ".join(str(text).split()).replace("|", "\\|")


def _link(label: str) -> str:
    # {ref} to a figure would print its whole caption; {numref} prints "Fig. N".
    role = "numref" if label.startswith("fig-") else "ref"
    return f"{{{role}}}`{label}`"


def short_note(note: str) -> str:
    """``"001_00fb61d6be5eefac.txt (Chinese)"`` -> ``"001 (Chinese)"``: the number identifies the note."""
    return _NOTE_FILE.sub(r"\1", note)


def claims_markdown(claims) -> str:
    """A MyST Markdown table: claim | note | verdict | evidence ({ref} / {numref} links)."""
    lines = ["| claim | note | verdict | evidence |", "| --- | --- | --- | --- |"]
    for c in claims:
        refs = ", ".join(_link(lab) for lab in c["evidence"])
        lines.append(f"| {_cell(c['claim'])} | {_cell(short_note(c['note']))} | {c['verdict']} | {refs} |")
    return "\n".join(lines)
