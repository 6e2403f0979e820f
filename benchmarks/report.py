"""Tables and the plot of a benchmark result (used by the CLI and the book's appendix).

:func:`tables` turns a result dict (see :mod:`benchmarks.results`) into
:class:`Table` objects; each renders as Markdown (:meth:`Table.markdown`, printed
by ``python -m benchmarks`` and written next to the JSON) or HTML
(:meth:`Table.html`, shown in the book).  :func:`plot_speed` draws the speed ratios
at the largest size.  Nothing here measures anything.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

__all__ = [
    "Table",
    "tables",
    "accuracy_table",
    "speed_table",
    "ratio_table",
    "memory_table",
    "book_table",
    "kink_table",
    "fmt_score",
    "fmt_ratio",
    "speed_ratios",
    "plot_speed",
    "machine_line",
    "shortfalls",
    "summary_table",
    "training_table",
    "worst_of",
]

NOT_INSTALLED = "not installed"


def fmt_n(n: int) -> str:
    """An array size in short form: 1000 -> '1e3', 10000000 -> '1e7', 1500 -> '1500'."""
    k = len(str(int(n))) - 1
    return f"1e{k}" if n == 10**k else str(n)


@dataclass
class Table:
    """A titled table of strings with a caption."""

    title: str
    headers: list
    rows: list
    caption: str = ""
    notes: list = field(default_factory=list)

    def markdown(self) -> str:
        """GitHub-flavoured Markdown (title as a heading, caption below)."""
        lines = [f"### {self.title}", "", "| " + " | ".join(self.headers) + " |"]
        lines.append("|" + "|".join(" --- " for _ in self.headers) + "|")
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in self.rows]
        if self.caption:
            lines += ["", self.caption]
        lines += [f"- {n}" for n in self.notes]
        return "\n".join(lines) + "\n"

    def myst(self) -> str:
        """Markdown for a notebook output rendered as MyST: bold title, table, caption."""
        lines = [f"**{self.title}.**", "", "| " + " | ".join(self.headers) + " |"]
        lines.append("|" + "|".join(" --- " for _ in self.headers) + "|")
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in self.rows]
        if self.caption:
            lines += ["", self.caption]
        if self.notes:
            lines += [""] + [f"- {n}" for n in self.notes]
        return "\n".join(lines) + "\n"

    def html(self) -> str:
        """A self-contained HTML table with its caption."""
        esc = html.escape
        head = "".join(f"<th>{esc(str(h))}</th>" for h in self.headers)
        body = "".join("<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in row) + "</tr>" for row in self.rows)
        cap = f"<caption><b>{esc(self.title)}.</b> {esc(self.caption)}</caption>"
        notes = "".join(f"<li>{esc(n)}</li>" for n in self.notes)
        notes = f"<ul>{notes}</ul>" if notes else ""
        return f'<table class="bench-table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{notes}'


def machine_line(part: dict | None) -> str:
    """'CPU, N cores; Python x, NumPy y, ...; date' for a result part."""
    if not part:
        return "not measured"
    m = part.get("machine") or {}
    torch = m.get("torch") or NOT_INSTALLED
    return (
        f"{m.get('cpu', '?')}, {m.get('cores', '?')} cores; Python {m.get('python', '?')}, "
        f"NumPy {m.get('numpy', '?')}, SciPy {m.get('scipy', '?')}, mpmath {m.get('mpmath', '?')}, "
        f"PyTorch {torch}"
        + (f"; NumPy SIMD {', '.join(m['numpy_simd'])}" if m.get("numpy_simd") else "")
        + f"; measured {part.get('date', m.get('date', '?'))}"
    )


# --- accuracy -------------------------------------------------------------------------------


def fmt_score(row: dict | None) -> str:
    """'0.5', '2.4e+14', '1.6e+11; 148 NaN/inf' for one accuracy row."""
    if row is None:
        return "—"
    wf = row["worst_finite"]
    text = f"{wf:.2g}" if wf < 1e3 else f"{wf:.1e}"
    if row["nonfinite_wrong"]:
        text += f"; {row['nonfinite_wrong']} NaN/inf"
    return text


def accuracy_table(acc: dict, dtype: str) -> Table:
    """Worst score per activation, value and derivative, for each implementation."""
    impls = ["ours", "naive", "torch"] if dtype in ("float64", "float32") else ["ours"]  # low formats: ours only
    index = {(r["name"], r["kind"], r["dtype"], r["impl"]): r for r in acc["rows"]}
    names = sorted({r["name"] for r in acc["rows"]})
    torch_ok = "torch" in acc.get("impls", [])
    miss = _missing(acc)
    rows = []
    for name in names:
        row = [name]
        for kind in ("value", "grad"):
            for impl in impls:
                if impl == "torch" and not torch_ok:
                    row.append(miss)
                else:
                    row.append(fmt_score(index.get((name, kind, dtype, impl))))
        rows.append(row)
    labels = {"ours": "ours", "naive": "naive", "torch": "PyTorch"}
    headers = ["activation"] + [f"{k} {labels[i]}" for k in ("f", "f'") for i in impls]
    bar = acc.get("bar", 8)
    unit = "ULPs / condition number" if dtype == "float64" else f"{dtype} ULPs"
    return Table(
        title=f"Worst error, {dtype} ({unit})",
        headers=headers,
        rows=rows,
        caption=(
            f"Largest error over the test points (dense grid on [-40, 40], tails to ±1e6, kinks, "
            f"±inf, NaN) against the mpmath reference; the course's bar is {bar:g}. "
            "'; k NaN/inf': besides, at k points the result is NaN or infinite but the "
            "exact value is not, or the reverse (a number returned for x = NaN counts too). "
            "Derivatives at kinks are a convention and are shown in their own table."
        ),
    )


def kink_table(acc: dict) -> Table:
    """f' at the kinks (a convention, not scored) for each implementation, float64."""
    index = {(r["name"], r["impl"]): r for r in acc["rows"] if r["kind"] == "grad" and r["dtype"] == "float64"}
    names = sorted({r["name"] for r in acc["rows"] if r.get("kinks")})
    torch_ok = "torch" in acc.get("impls", [])
    rows = []
    for name in names:
        for i, k in enumerate(index[(name, "ours")]["kinks"]):
            row = [name, f"{k['x']:g}", f"{k['sympy']:.17g}" if "sympy" in k else "—"]
            for impl in ("ours", "naive", "torch"):
                r = index.get((name, impl))
                row.append(
                    f"{r['kinks'][i]['computed']:.17g}"
                    if r
                    else _missing(acc)
                    if impl == "torch" and not torch_ok
                    else "—"
                )
            rows.append(row)
    return Table(
        title="Derivative at the kinks (float64)",
        headers=["activation", "x", "SymPy diff", "ours", "naive", "PyTorch"],
        rows=rows,
        caption=(
            "Where the left and right derivatives differ, f'(x) is a convention; these points are left out "
            "of the accuracy scores above and shown here. The course's kernels follow the convention "
            "documented in activations.kernels; 'SymPy diff' is the derivative of the SymPy definition "
            "evaluated at the kink (for Max(0, x) that is Heaviside(0) = 1/2)."
        ),
    )  # fmt: skip


# --- speed -------------------------------------------------------------------------------------


def speed_ratios(speed: dict, n: int, dtype: str, impl: str = "ours") -> dict:
    """(name, kind) -> throughput of ``impl`` / throughput of PyTorch (None without torch)."""
    out = {}
    for r in speed["rows"]:
        if r["n"] == n and r["dtype"] == dtype:
            s = r["seconds"]
            ok = s.get("torch") and s.get(impl)
            out[(r["name"], r["kind"])] = s["torch"] / s[impl] if ok else None
    return out


def fmt_ratio(v, missing: str = NOT_INSTALLED) -> str:
    """'0.83x', or ``missing`` when there is no PyTorch figure."""
    return missing if v is None else f"{v:.2f}x"


def _missing(part: dict) -> str:
    """Label of an absent PyTorch figure: not installed, or installed but not run."""
    return NOT_INSTALLED if not part.get("torch") else "not measured"


def _meps(seconds, n) -> str:
    return "—" if not seconds else f"{n / seconds / 1e6:.0f}" if n / seconds >= 1e7 else f"{n / seconds / 1e6:.1f}"


def speed_table(speed: dict, n: int | None = None, dtype: str = "float64") -> Table:
    """Throughput (million elements / s) and ratio to PyTorch at one size and dtype."""
    n = n or max(speed["sizes"])
    miss = _missing(speed)
    rows = []
    by = {(r["name"], r["kind"]): r for r in speed["rows"] if r["n"] == n and r["dtype"] == dtype}
    names = sorted({k[0] for k in by})
    for name in names:
        row = [name]
        for kind in ("value", "grad"):
            r = by.get((name, kind))
            s = r["seconds"] if r else {}
            row += [
                _meps(s.get("ours"), n),
                _meps(s.get("naive"), n),
                _meps(s.get("torch"), n) if s.get("torch") else miss,
            ]
            row.append(fmt_ratio(s["torch"] / s["ours"]) if s.get("torch") and s.get("ours") else miss)
        rows.append(row)
    headers = ["activation"] + [f"{k} {c}" for k in ("f", "f'") for c in ("ours", "naive", "PyTorch", "ours/PyTorch")]
    return Table(
        title=f"Throughput at n = {fmt_n(n)}, {dtype} (million elements / s, one thread)",
        headers=headers,
        rows=rows,
        caption=(
            "Fastest of interleaved repetitions. ours/PyTorch > 1 means our kernel is faster; the goal "
            "is at least 0.5x at n = 1e7. PyTorch's f' is autograd forward + backward."
        ),
    )  # fmt: skip


def ratio_table(speed: dict, kind: str) -> Table:
    """ours/PyTorch throughput ratio of ``kind`` for every size and dtype."""
    cols = [(n, d) for d in speed["dtypes"] for n in speed["sizes"]]
    ratios = {c: speed_ratios(speed, *c) for c in cols}
    names = sorted({r["name"] for r in speed["rows"]})
    miss = _missing(speed)
    rows = [[name] + [fmt_ratio(ratios[c].get((name, kind)), miss) for c in cols] for name in names]
    label = "f" if kind == "value" else "f'"
    return Table(
        title=f"Speed of {label}, ours relative to PyTorch",
        headers=["activation"] + [f"{d} n={fmt_n(n)}" for n, d in cols],
        rows=rows,
        caption="Throughput ratio ours / PyTorch (one thread); at small n, per-call overhead dominates.",
    )


def memory_table(speed: dict) -> Table | None:
    """Peak live input-sized arrays of our kernels, and their time in memory passes."""
    prof = speed.get("memory")
    if not prof:
        return None
    n = prof[0]["n"]
    big = max(speed["sizes"])
    sec = {(r["name"], r["kind"]): r["seconds"] for r in speed["rows"] if r["n"] == big and r["dtype"] == "float64"}
    one = next((p for p in speed.get("passes", []) if p["n"] == big and p["dtype"] == "float64"), None)
    rows = []
    for p in prof:
        row = [p["name"], p["ours_value"], p["naive_value"], p["ours_grad"], p["naive_grad"]]
        for kind in ("value", "grad"):
            s = sec.get((p["name"], kind), {}).get("ours")
            row.append(f"{s / one['seconds']:.1f}" if s and one else "—")
        rows.append(row)
    notes = []
    if one and one.get("seconds_prealloc"):
        notes.append(
            f"One pass at n = {fmt_n(big)} (float64) took {one['seconds'] * 1e3:.1f} ms with a fresh output array and "
            f"{one['seconds_prealloc'] * 1e3:.1f} ms into a preallocated one: each new input-sized temporary costs "
            f"about {(one['seconds'] - one['seconds_prealloc']) / one['seconds_prealloc']:.1f} passes' worth of "
            "time in page faults before any arithmetic."
        )
    return Table(
        title="Why a kernel is slow: temporaries and passes over memory",
        headers=["activation", "f ours peak", "f naive peak", "f' ours peak", "f' naive peak",
                 f"f ours time / pass (n={fmt_n(big)})", f"f' ours time / pass (n={fmt_n(big)})"],
        rows=rows,
        caption=(
            f"'peak' = peak bytes allocated during one call / bytes of the input (n = {fmt_n(n)}, float64, "
            "tracemalloc): input-sized arrays alive at once, the result included. 'time / pass' = "
            "time of the call / time of x + 1.0 on the same array (fresh output), i.e. the cost in passes "
            "over memory."
        ),
        notes=notes,
    )  # fmt: skip


def shortfalls(speed: dict, goal: float = 0.5) -> list[tuple]:
    """(name, kind, dtype, ratio) where ours / PyTorch < ``goal`` at the largest size."""
    n = max(speed["sizes"])
    out = []
    for dtype in speed["dtypes"]:
        for (name, kind), v in sorted(speed_ratios(speed, n, dtype).items()):
            if v is not None and v < goal:
                out.append((name, kind, dtype, v))
    return out


# --- summary and training --------------------------------------------------------------------------


def worst_of(acc: dict, impl: str, dtypes, names=None) -> tuple:
    """(largest finite score, activation, kind) of ``impl`` over ``dtypes`` (a name or a
    tuple) and ``names`` (default all); ``(None, None, None)`` without such rows."""
    dtypes = (dtypes,) if isinstance(dtypes, str) else tuple(dtypes)
    rows = [
        r for r in acc["rows"] if r["impl"] == impl and r["dtype"] in dtypes and (names is None or r["name"] in names)
    ]
    if not rows:
        return None, None, None
    r = max(rows, key=lambda r: r["worst_finite"])
    return r["worst_finite"], r["name"], r["kind"]


def summary_table(acc: dict | None, speed: dict | None) -> Table:
    """One row per activation: our worst float64 error (f, f'), PyTorch's, and the speed
    ratio ours / PyTorch at the largest size in float64 and float32."""
    index = {(r["name"], r["kind"], r["dtype"], r["impl"]): r for r in (acc or {}).get("rows", [])}
    n = max(speed["sizes"]) if speed else None
    ratios = {d: speed_ratios(speed, n, d) for d in ("float64", "float32")} if speed else {}
    names = sorted({r["name"] for part in (acc, speed) for r in (part or {}).get("rows", [])})
    miss_acc = _missing(acc) if acc else "not measured"
    miss_sp = _missing(speed) if speed else "not measured"
    torch_acc = bool(acc and "torch" in acc.get("impls", []))
    rows = []
    for name in names:
        row = [name]
        row += [fmt_score(index.get((name, k, "float64", "ours"))) if acc else miss_acc for k in ("value", "grad")]
        if torch_acc:
            row.append(" / ".join(fmt_score(index.get((name, k, "float64", "torch"))) for k in ("value", "grad")))
        else:
            row.append(miss_acc)
        for d in ("float64", "float32"):
            for k in ("value", "grad"):
                row.append(fmt_ratio(ratios[d].get((name, k)), miss_sp) if speed else miss_sp)
        rows.append(row)
    size = f"n = {fmt_n(n)}" if n else "the largest size"
    return Table(
        title="Accuracy and speed of every activation",
        headers=["activation", "error f", "error f'", "PyTorch error f / f'", "speed f (float64)",
                 "speed f' (float64)", "speed f (float32)", "speed f' (float32)"],
        rows=rows,
        caption=(
            "error: our worst float64 score (ULPs / condition number; bar 8) over the test points; PyTorch's "
            "for comparison ('; k NaN/inf': k more points where the result is NaN or infinite but the exact "
            f"value is not, or the reverse). speed: throughput ours / PyTorch at {size}, one thread (> 1: ours "
            "is faster; goal 0.5)."
        ),
    )  # fmt: skip


def training_table(part: dict) -> Table:
    """Steps per second of the reference MLP, ours and PyTorch, per optimiser and dtype."""
    rows = []
    for r in part["rows"]:
        s = r["steps_per_s"]
        q = r["ratio_ours_over_torch"]
        rows.append([
            {"sgd": "SGD", "adam": "Adam"}.get(r["optimizer"], r["optimizer"]),
            r["dtype"],
            f"{s['ours']:.0f}" if s.get("ours") else "—",
            f"{s['torch']:.0f}" if s.get("torch") else NOT_INSTALLED,
            "—" if q is None else f"{q:.2f}x",
        ])  # fmt: skip
    notes = [part["note"]] if part.get("note") else []
    return Table(
        title=f"Training steps per second, reference MLP {part['network']}, batch {part['batch']}",
        headers=["optimiser", "dtype", "ours (steps/s)", "PyTorch (steps/s)", "ours / PyTorch"],
        rows=rows,
        caption=(
            f"{part['steps']} steps per repetition, {part['repeats']} interleaved repetitions, medians; "
            "ours / PyTorch is the median of the per-repetition ratios (> 1: the course's nn is faster). "
            "One thread, the thread's CPU time. PyTorch "
            f"{part.get('torch_version') or NOT_INSTALLED}."
        ),
        notes=notes,
    )


# --- book ----------------------------------------------------------------------------------------


def _secs(v) -> str:
    if v is None:
        return "not measured"
    if isinstance(v, str):
        return v
    return f"{v:.1f} s" if v < 120 else f"{v / 60:.1f} min"


def book_table(book: dict) -> Table:
    """Build, rebuild, per-chapter execution, test-suite and grading times."""
    rows = []
    notes = list(book.get("notes", []))
    for key, label in (("cold_build", "cold build (every notebook executed)"),
                       ("warm_build", "warm rebuild (nothing changed)")):  # fmt: skip
        if key in book:
            r = book[key]
            rows.append([label, _secs(r.get("seconds")), r.get("status", "")])
            notes += [f"{label}: {p}" for p in r.get("problems", [])]
    for ch in book.get("executed_in_build", []):
        rows.append([f"executing {ch['notebook']} (during the cold build)", _secs(ch.get("seconds")), "ok"])
    for ch in book.get("chapters", []):
        rows.append([f"executing {ch['notebook']} alone (nbclient)", _secs(ch.get("seconds")), ch.get("status", "")])
    for key, label in (("tests_fast", "test suite, not slow"), ("tests_full", "test suite, everything")):
        if key in book:
            r = book[key]
            cmd = f" (`{r['command']}`)" if r.get("command") else ""
            rows.append([label + cmd, _secs(r.get("seconds")), f"{r.get('status', '')}: {r.get('summary', '')}"])
    if "tests_fast" not in book and "tests_full" not in book:
        rows.append(["test suite", "not measured", "python -m benchmarks --only book --tests"])
    g = book.get("grading")
    if g:
        if "throughput" in g:
            what = (f"{g['throughput']} submissions/s ({g.get('submissions', '?')} submissions, "
                    f"{g.get('workers', '?')} workers, engine {g.get('engine', '?')})")  # fmt: skip
            rows.append(["grading throughput", what, g.get("status", "")])
        else:
            rows.append(["grading throughput", _secs(g.get("seconds")), g.get("status", "")])
    return Table(
        title="Cost of building the book",
        headers=["what", "time", "status"],
        rows=rows,
        caption=(
            "Wall-clock time; the builds ran in a temporary copy of the repository, so the real _build was untouched."
        ),
        notes=notes,
    )


def page_weight_table(book: dict) -> Table | None:
    """Bytes per page of the HTML book (cold load), without and with its figures."""
    pw = book.get("page_weight") or {}
    if not pw.get("pages"):
        return None
    mb = lambda n: f"{n / 1e6:.2f}"
    rows = [
        [
            r["page"],
            r["requests"],
            mb(r["bytes"] - r["figure_bytes"]),
            mb(r["bytes_gzip"] - r["figure_bytes_gzip"]),
            mb(r["figure_bytes"]),
            mb(r["bytes"]),
            mb(r["bytes_gzip"]),
        ]
        for r in pw["pages"]
    ]
    return Table(
        title="Page weight of the HTML book",
        headers=[
            "page",
            "requests",
            "MB without figures",
            "MB without figures, gzip",
            "MB of figures",
            "MB in all",
            "MB in all, gzip",
        ],
        rows=rows,
        caption="One cold load per page in headless Chromium (python -m benchmarks --only book); "
        "'gzip': each file gzip-compressed, as a web host serving gzip sends it.",
    )


def tables(results: dict) -> list[Table]:
    """Every table for ``results`` that has data (missing parts are skipped)."""
    out = []
    acc = results.get("accuracy")
    if acc and results.get("speed"):
        out.append(summary_table(acc, results["speed"]))
    if acc:
        dts = ("float64", "float32", "float16", "bfloat16")
        out += [accuracy_table(acc, d) for d in dts if any(r["dtype"] == d for r in acc["rows"])]
        if any(r.get("kinks") for r in acc["rows"]):
            out.append(kink_table(acc))
    sp = results.get("speed")
    if sp:
        out += [speed_table(sp, None, d) for d in sp["dtypes"]]
        out += [ratio_table(sp, k) for k in ("value", "grad")]
        mem = memory_table(sp)
        if mem:
            out.append(mem)
    book = results.get("book")
    if book:
        out.append(book_table(book))
        weight = page_weight_table(book)
        if weight:
            out.append(weight)
    return out


def markdown(results: dict) -> str:
    """All tables as one Markdown document, with the machine of each part."""
    parts = ["# Benchmark results", ""]
    for part in ("accuracy", "speed", "training", "book"):
        parts.append(f"- {part}: {machine_line(results.get(part))}")
    parts.append("")
    parts += [t.markdown() for t in tables(results)]
    if results.get("training"):
        from . import training

        parts += [
            "### Training the reference MLP (course nn vs PyTorch)",
            "",
            training.markdown(results["training"]),
            "",
        ]
    return "\n".join(parts)


# --- plot ------------------------------------------------------------------------------------------


def plot_speed(speed: dict, dtype: str = "float64", ax=None, goal: float = 0.5):
    """Horizontal bars: ours / PyTorch throughput at the largest size, f and f'.

    Returns the matplotlib ``Axes``; ``None`` if PyTorch was not measured.
    """
    from activations.plotting import OKABE_ITO, figure

    n = max(speed["sizes"])
    ratios = speed_ratios(speed, n, dtype)
    if not any(v is not None for v in ratios.values()):
        return None
    names = sorted({k[0] for k in ratios}, reverse=True)
    if ax is None:
        _, ax = figure(width=7.0, height=0.32 * len(names) + 1.4)  # the course's style: white, Okabe-Ito
    y = list(range(len(names)))
    h = 0.38
    for off, kind, colour, hatch, label in (
        (h / 2, "value", OKABE_ITO["blue"], "", "f (value)"),
        (-h / 2, "grad", OKABE_ITO["orange"], "//", "f' (derivative)"),
    ):
        vals = [ratios.get((nm, kind)) or math.nan for nm in names]
        ax.barh([v + off for v in y], vals, height=h, color=colour, hatch=hatch, edgecolor="black", linewidth=0.4,
                label=label)  # fmt: skip
    ax.axvline(1.0, color="black", linewidth=1)
    ax.axvline(goal, color=OKABE_ITO["vermillion"], linestyle="--", linewidth=1.2, label=f"goal {goal:g}x")
    ax.set_xscale("log", base=2)
    ax.set_yticks(y, names)
    ax.set_xlabel(f"throughput ours / PyTorch (n = {fmt_n(n)}, {dtype}, one thread; > 1 = faster)")
    ax.set_ylabel("activation")
    ax.legend(loc="lower right", fontsize="small", framealpha=1)
    ax.grid(axis="y", visible=False)
    ax.set_axisbelow(True)
    return ax
