"""The grader as an adversary sees it: every attack of the review (and its relatives) is a case here.

Each hostile notebook is the full solution of exercise 02 plus one cell that tries an
attack and sets ``x_saturated = 0.0`` (a wrong answer: q3 then scores 0) when the attack
worked.  Sandboxed, every attack must fail (q3 keeps its points, victims keep full marks,
nothing outside changes); the controls run the harmless ones with ``--unsafe-no-sandbox``
and show that the same cells DO succeed without the sandbox, so the assertions can fail.
"""

from __future__ import annotations

import csv
import hashlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

from activations.grading import notebooks
from activations.grading import questions as Q
from activations.grading.bank import get_exercise
from activations.grading.batch import NotANotebook, csv_header, feedback_name, grade_dir, read_cells, safe_cell
from activations.grading.sandbox import bwrap_path

REPO = Path(__file__).resolve().parents[1]
SOURCE_DIR = REPO / "exercises" / "source"
EXERCISES_DIR = REPO / "exercises"

SOURCES = {p.stem: p for p in notebooks.sources(SOURCE_DIR)}
EX = "02_sigmoid_tanh"
SECRET = "grading-secret-MARKER-7d1f"
SLEEP_MARK = "31.4159"

needs_bwrap = pytest.mark.skipif(bwrap_path() is None, reason="bubblewrap (bwrap) is not installed")


def _nb(source_path=None):
    return nbformat.read(str(source_path or SOURCES[EX]), as_version=4)


def _with_cell(code, base=None) -> str:
    nb = _nb(base)
    cell = nbformat.v4.new_code_cell(code)
    cell.id = "attack"
    nb.cells.append(cell)
    return nbformat.writes(nb)


def _attack(body: str) -> str:
    """Solution + a cell that runs ``body`` (which sets ``worked``) and spoils q3 if it worked."""
    return _with_cell(
        "worked = False\ntry:\n"
        + "\n".join("    " + line for line in body.splitlines())
        + "\nexcept BaseException:\n    pass\nif worked:\n    x_saturated = 0.0\n"
    )


def _digests(folder: Path) -> dict:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _public_lookup_table_attack() -> str:
    """A 'function' that only knows the answers for the inputs everyone can compute without the secret."""
    q = get_exercise(EX).question("q1")
    Q.use_secret(None)
    try:
        table = {}
        for c in q.cases(True) + q.cases(False):
            x = c.args[0]
            table[x.tobytes() + str(x.dtype).encode()] = q.reference(x)
    finally:
        Q.use_secret(None)
    import base64
    import pickle

    blob = base64.b64encode(pickle.dumps(table)).decode()
    nb = _nb(EXERCISES_DIR / f"{EX}.ipynb")
    i = next(k for k, c in enumerate(nb.cells) if c.cell_type == "code" and "def stable_sigmoid(" in c.source)
    nb.cells[i].source = (
        "import base64, pickle\n"
        f"_T = pickle.loads(base64.b64decode('{blob}'))\n"
        "def stable_sigmoid(x):\n    return _T[x.tobytes() + str(x.dtype).encode()].copy()\n"
    )
    return nbformat.writes(nb)


@pytest.fixture(scope="module")
def arena(tmp_path_factory):
    base = tmp_path_factory.mktemp("arena")
    subs, outside = base / "subs", base / "outside"
    subs.mkdir()
    outside.mkdir()
    (outside / "keep.txt").write_text("do not touch")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    port = server.getsockname()[1]
    solution = SOURCES[EX].read_text(encoding="utf-8")
    for name in ("victim_alice", "victim_bob", "zz_victim_carol"):
        (subs / f"{name}_{EX}.ipynb").write_text(solution, encoding="utf-8")
    attacks = {
        # H1: the grader's command line / other processes through /proc
        "proc": "import os\nworked = any(p.isdigit() and int(p) > 2 for p in os.listdir('/proc'))",
        # H1: read (and copy) a classmate's notebook from the submissions folder
        "read_victim": f"worked = 'def stable_sigmoid' in open({str(subs / f'victim_alice_{EX}.ipynb')!r}).read()",
        # H2: write and delete outside, inject into the submissions folder, edit a classmate
        "write_outside": (
            f"open({str(outside / 'pwned.txt')!r}, 'w').write('x')\n"
            f"open({str(subs / 'INJECTED_02_sigmoid_tanh.ipynb')!r}, 'w').write('{{}}')\n"
            "worked = True"
        ),
        "delete_outside": f"import os\nos.remove({str(outside / 'keep.txt')!r})\nworked = True",
        "edit_victim": (f"open({str(subs / f'zz_victim_carol_{EX}.ipynb')!r}, 'w').write('{{}}')\nworked = True"),
        # the secret in the environment, other processes' environments or command lines
        "secret_env": (
            f"import os, glob\nworked = {SECRET!r} in repr(dict(os.environ))\n"
            "for f in glob.glob('/proc/*/environ') + glob.glob('/proc/*/cmdline'):\n"
            "    try:\n"
            f"        worked = worked or {SECRET!r}.encode() in open(f, 'rb').read()\n"
            "    except OSError:\n        pass"
        ),
        # D5: the question bank and the instructor's solutions
        "bank": ("import activations.grading.bank as B\nworked = hasattr(B, 'get_exercise')"),
        "solutions": f"import os\nworked = os.path.exists({str(SOURCE_DIR)!r})",
        # H9/H10: kill the parent, the grader, every process it can see
        "kill_everyone": (
            "import os, signal\n"
            "for pid in range(1, 5000):\n"
            "    if pid != os.getpid():\n"
            "        try:\n            os.kill(pid, signal.SIGKILL)\n"
            "        except OSError:\n            pass\n"
            "worked = False"
        ),
        # network: a server on the grader's loopback
        "network": f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)\nworked = True",
        # H3/H6: processes that outlive the submission (new session, then exec sleep)
        "sleepers": (
            "import os\n"
            "for _ in range(3):\n"
            "    if os.fork() == 0:\n"
            "        os.setsid()\n"
            f"        os.execv('/usr/bin/sleep', ['sleep', '{SLEEP_MARK}'])\n"
            "worked = False"
        ),
        # fork bomb: more processes than the pids limit
        "fork_bomb": (
            "import os, time\nn = 0\n"
            "for _ in range(400):\n"
            "    try:\n        pid = os.fork()\n"
            "    except OSError:\n        break\n"
            "    if pid == 0:\n        time.sleep(20)\n        os._exit(0)\n"
            "    n += 1\n"
            "worked = n >= 400"
        ),
        # H11: fill the disk
        "disk": (
            "import os\nos.makedirs('/tmp/x', exist_ok=True)\n"
            "with open('/tmp/x/big', 'wb') as fh:\n"
            "    for _ in range(300):\n        fh.write(b'0' * 2**20)\n"
            "worked = True"
        ),
        # H14: sabotage other work directories (there are none to see)
        "sabotage": (
            "import os, glob\nhits = [p for p in glob.glob('/tmp/*') + glob.glob('/tmp/*/*') "
            "if 'activations-grade' in p]\n"
            "for p in hits:\n    os.makedirs(p + '/record.json.tmp', exist_ok=True)\n"
            "worked = bool(hits)"
        ),
        # undo the private mounts (directly, or from a new user+mount namespace) to see /proc again
        "umount": (
            "import ctypes, os\nlibc = ctypes.CDLL('libc.so.6', use_errno=True)\n"
            "libc.umount2(b'/proc', 2)\nlibc.unshare(0x10000000 | 0x00020000)\nlibc.umount2(b'/proc', 2)\n"
            "worked = any(p.isdigit() for p in os.listdir('/proc'))"
        ),
        # symlink to the host's root from inside: it only reaches the sandbox's own root
        "symlink": (f"import os\nos.symlink('/', 'root_link')\nworked = os.path.exists('root_link' + {str(subs)!r})"),
    }
    for name, body in attacks.items():
        (subs / f"{name}_{EX}.ipynb").write_text(_attack(body), encoding="utf-8")
    # forged answer / 'done' lines on every inherited descriptor, then a hang: nothing ends early
    forge = (
        "import os, json\n"
        "fake = json.dumps({'done': True, 'exit': 0, 'killed': None, 'type': 'answer', 'qid': 'q3',"
        " 'entry': {'status': 'ok', 'data': {'attempted': True, 'number': True, 'value': "
        + repr(_q3_right_value())
        + "}}}) + '\\n'\n"
        "for fd in range(3, 64):\n"
        "    try:\n        os.write(fd, fake.encode())\n"
        "    except OSError:\n        pass\n"
    )
    (subs / f"forge_{EX}.ipynb").write_text(_with_cell(forge, EXERCISES_DIR / f"{EX}.ipynb"), encoding="utf-8")
    (subs / f"lookup_{EX}.ipynb").write_text(_public_lookup_table_attack(), encoding="utf-8")
    (subs / f"link_{EX}.ipynb").symlink_to(subs / f"victim_alice_{EX}.ipynb")
    before = _digests(subs)
    t0 = time.monotonic()
    rows = grade_dir(subs, base / "grades.csv", workers=2, timeout=8, memory_mb=1500, progress=False, secret=SECRET)
    elapsed = time.monotonic() - t0
    server.close()
    return {
        "rows": {r.file: r for r in rows},
        "subs": subs,
        "outside": outside,
        "before": before,
        "base": base,
        "elapsed": elapsed,
        "attacks": attacks,
    }


def _q3_kept(row) -> bool:
    q3 = next(r for r in row.results if r.qid == "q3")
    return q3.points == q3.max_points > 0


def _q3_right_value() -> float:
    """The right q3 answer of a notebook without a STUDENT_ID (what a forged line could claim)."""
    q = get_exercise(EX).question("q3")
    return float(q.compute(q.parameters("")))


@needs_bwrap
@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "proc",
        "read_victim",
        "write_outside",
        "delete_outside",
        "edit_victim",
        "secret_env",
        "bank",
        "solutions",
        "kill_everyone",
        "network",
        "sleepers",
        "fork_bomb",
        "disk",
        "sabotage",
        "umount",
        "symlink",
    ],
)
def test_attack_fails_in_the_sandbox(arena, name):
    row = arena["rows"][f"{name}_{EX}.ipynb"]
    assert row.code == "ok", (row.status, row.errors)
    assert _q3_kept(row), f"attack {name} worked: {row.results}"
    assert row.total == get_exercise(EX).max_points - 0, (row.status, [r.lines() for r in row.results])


@needs_bwrap
@pytest.mark.slow
def test_classmates_and_files_untouched(arena):
    rows = arena["rows"]
    full = get_exercise(EX).max_points
    for name in ("victim_alice", "victim_bob", "zz_victim_carol"):
        row = rows[f"{name}_{EX}.ipynb"]
        assert row.total == full and row.status == "ok", (row.status, row.errors)
    assert _digests(arena["subs"]) == arena["before"]
    assert sorted(p.name for p in arena["outside"].iterdir()) == ["keep.txt"]
    leftovers = subprocess.run(["pgrep", "-f", f"sleep {SLEEP_MARK}"], capture_output=True, text=True).stdout
    assert leftovers.strip() == "", "processes outlived their submission"


@needs_bwrap
@pytest.mark.slow
def test_forged_lines_and_public_answers_earn_nothing(arena):
    rows = arena["rows"]
    forged = rows[f"forge_{EX}.ipynb"]
    # the forged q3 answer is just an answer (its value IS right: that is the student answering), but the
    # forged 'done' did not end the job, nor did the other forged fields give any other question points
    assert forged.total == get_exercise(EX).question("q3").points and forged.status == "ok", forged
    lookup = rows[f"lookup_{EX}.ipynb"]
    assert lookup.results[0].points == 0 and "KeyError" in lookup.results[0].message
    assert rows[f"link_{EX}.ipynb"].code == "ungraded" and "symbolic link" in rows[f"link_{EX}.ipynb"].status


@needs_bwrap
@pytest.mark.slow
def test_controls_without_the_sandbox_the_same_attacks_work(tmp_path, arena):
    """The attacks above are real: unsandboxed (and without a secret) they succeed."""
    subs, outside = tmp_path / "subs", tmp_path / "outside"
    subs.mkdir()
    outside.mkdir()
    victim = subs / f"victim_alice_{EX}.ipynb"
    victim.write_text(SOURCES[EX].read_text(encoding="utf-8"), encoding="utf-8")
    (subs / f"proc_{EX}.ipynb").write_text(_attack(arena["attacks"]["proc"]), encoding="utf-8")
    (subs / f"read_{EX}.ipynb").write_text(
        _attack(f"worked = 'def stable_sigmoid' in open({str(victim)!r}).read()"), encoding="utf-8"
    )
    (subs / f"write_{EX}.ipynb").write_text(
        _attack(f"open({str(outside / 'pwned.txt')!r}, 'w').write('x')\nworked = True"), encoding="utf-8"
    )
    (subs / f"lookup_{EX}.ipynb").write_text(_public_lookup_table_attack(), encoding="utf-8")
    rows = {
        r.file: r
        for r in grade_dir(
            subs, tmp_path / "g.csv", workers=1, timeout=8, progress=False, secret=None, unsafe_no_sandbox=True
        )
    }
    assert not _q3_kept(rows[f"proc_{EX}.ipynb"])
    assert not _q3_kept(rows[f"read_{EX}.ipynb"])
    assert not _q3_kept(rows[f"write_{EX}.ipynb"]) and (outside / "pwned.txt").exists()
    assert rows[f"lookup_{EX}.ipynb"].results[0].points == 2  # precomputed answers pass without a secret
    assert all("UNSAFE" in r.status for r in rows.values())
    with open(tmp_path / "g.csv", encoding="utf-8") as fh:
        assert all("UNSAFE" in row["status"] for row in csv.DictReader(fh))


@needs_bwrap
@pytest.mark.slow
def test_a_sandbox_failure_is_retried_once_in_a_fresh_sandbox(tmp_path, monkeypatch):
    """A row left ungraded by the sandbox (not by the file) is graded again in a new worker; a second
    failure stays ungraded, so a submission that always breaks the sandbox costs one retry only."""
    from activations.grading import sandbox

    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / f"ann_{EX}.ipynb").write_bytes(SOURCES[EX].read_bytes())
    real_run, calls = sandbox.Worker.run, []

    def flaky_run(self, job, request, limits):
        calls.append(self)
        if len(calls) == 1:  # the first sandbox dies before the cells ran
            return [{"job": job, "type": "fatal", "error": "sandbox setup: injected"}], {"exit": 71, "killed": None}
        return real_run(self, job, request, limits)

    monkeypatch.setattr(sandbox.Worker, "run", flaky_run)
    [row] = grade_dir(subs, tmp_path / "g.csv", workers=1, timeout=20, progress=False, secret=SECRET)
    assert len(calls) == 2 and calls[0] is not calls[1], "the retry runs in a fresh worker"
    assert calls[0].proc.poll() is not None, "the failed worker was stopped"
    assert row.code == "ok" and row.total == get_exercise(EX).max_points, row.status
    assert row.status.startswith("ok (graded on a second try") and "injected" in row.status

    def broken_run(self, job, request, limits):
        calls.append(self)
        return [{"job": job, "type": "fatal", "error": "sandbox setup: always"}], {"exit": 71, "killed": None}

    calls.clear()
    monkeypatch.setattr(sandbox.Worker, "run", broken_run)
    [row] = grade_dir(subs, tmp_path / "h.csv", workers=1, timeout=20, progress=False, secret=SECRET)
    assert len(calls) == 2 and row.code == "ungraded" and "sandbox error" in row.status

    # the fresh worker cannot start: the first row is kept, with the reason; the batch goes on
    real_start, starts = sandbox.Worker._start, []

    def start_once(self):
        starts.append(self)
        if len(starts) > 1:
            raise sandbox.SandboxError("injected: no second sandbox")
        real_start(self)

    calls.clear()
    monkeypatch.setattr(sandbox.Worker, "_start", start_once)
    [row] = grade_dir(subs, tmp_path / "k.csv", workers=1, timeout=20, progress=False, secret=SECRET)
    assert len(calls) == 1 and row.code == "ungraded", row.status
    assert "sandbox error" in row.status and "no second try: injected" in row.status


# --- reading submissions, the gradebook ------------------------------------------------------


def test_read_cells_reports_zips_binaries_and_strips_outputs(tmp_path):
    z = tmp_path / "a.zip"
    z.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(NotANotebook, match="zip archive: unpack it"):
        read_cells(z)
    b = tmp_path / "b.ipynb"
    b.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(NotANotebook, match="not UTF-8"):
        read_cells(b)
    nb = _nb()
    big = {"output_type": "display_data", "metadata": {}, "data": {"image/png": "A" * (55 * 2**20)}}
    next(c for c in nb.cells if c.cell_type == "code").outputs = [nbformat.from_dict(big)]
    p = tmp_path / "big.ipynb"
    p.write_text(nbformat.writes(nb, version=4), encoding="utf-8")
    assert p.stat().st_size > 50 * 2**20
    sources, meta = read_cells(p)
    assert meta["activations"]["exercise"] == EX and all("AAAA" not in s for s in sources)


def test_safe_cells_and_feedback_names():
    assert safe_cell('=HYPERLINK("http://x","click")_05.ipynb').startswith("'=")
    for lead in "=+-@":
        assert safe_cell(lead + "1").startswith("'")
    assert safe_cell("alice") == "alice"
    assert feedback_name("a/b.ipynb") != feedback_name("a__b.ipynb")
    assert csv_header()[:3] == ["student", "file", "exercise"] and "q1_max" in csv_header()


def test_secret_changes_the_graders_inputs_but_not_the_public_ones():
    q = get_exercise(EX).question("q1")
    try:
        Q.use_secret(None)
        public, default_full = q.cases(False), q.cases(True)
        Q.use_secret("one")
        one, public_again = q.cases(True), q.cases(False)
        Q.use_secret("two")
        two = q.cases(True)
        Q.use_secret("one")
        one_again = q.cases(True)
    finally:
        Q.use_secret(None)
    rnd = lambda cs: cs[-2].args[0]
    assert np.array_equal(rnd(public), rnd(public_again))
    assert not np.array_equal(rnd(one), rnd(default_full)) and not np.array_equal(rnd(one), rnd(two))
    assert np.array_equal(rnd(one), rnd(one_again))


def test_infinite_expected_values_need_infinity():
    """D1: where the answer is ±inf, a finite value must fail (quick check and grader alike)."""

    def finite_at_inf(x, beta=1.0):
        x = np.asarray(x)
        e = np.exp(-np.abs(beta * x))
        out = x * np.where(beta * x >= 0, 1 / (1 + e), e / (1 + e))
        out = np.where(np.isneginf(x), 0.0, out).astype(out.dtype)
        return np.where(np.isposinf(x), 12345.0, out).astype(out.dtype)

    q = get_exercise("05_gelu_selu_swish").question("q4")
    for full in (False, True):
        res = q.check(finite_at_inf, full=full)
        assert res.status == "fail" and "expected inf, got 12345.0" in res.message


def test_silenced_overflow_fails_on_values():
    """D2: the naive sigmoid with its overflow warning silenced must fail (quick check and grader)."""

    def naive(x):
        with np.errstate(over="ignore"):
            return 1 / (1 + np.exp(-x))

    def stable(x):
        x = np.asarray(x)
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))

    q = get_exercise(EX).question("q1")
    for full in (False, True):
        res = q.check(naive, full=full)
        assert res.status == "fail" and "float32" in res.message and "got 0.0" in res.message
        assert q.check(stable, full=full).status == "pass"


# --- engines, magics, mismatches, resume, exit code -------------------------------------------


@needs_bwrap
@pytest.mark.slow
def test_magics_outputs_mismatch_resume_and_exit_code(tmp_path):
    subs = tmp_path / "subs"
    (subs / "heidi").mkdir(parents=True)
    nb = _nb()
    first = next(c for c in nb.cells if c.cell_type == "code")
    first.source = (
        "%matplotlib inline\n%config InlineBackend.figure_format = 'svg'\n%load_ext autoreload\n"
        "%autoreload 2\n!echo hello\nfrom IPython.display import display\ndisplay('x')\n"
        "import matplotlib.pyplot as plt\nplt.plot([1, 2]); plt.show()\n" + first.source
    )
    timed = nbformat.v4.new_code_cell("%%time\nsum(range(10))")
    timed.id = "timed"
    nb.cells.insert(3, timed)
    (subs / f"m1_{EX}.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")
    nb = _nb()
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs = [
                nbformat.from_dict(
                    {"output_type": "display_data", "metadata": {}, "data": {"image/png": "B" * (5 * 2**20)}}
                )
            ]
    (subs / f"nora_{EX}.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")
    (subs / "judy_02_sigmoid_tanh.ipynb").write_bytes(SOURCES["05_gelu_selu_swish"].read_bytes())
    nb = _nb(SOURCES["06_choosing"])
    nb.metadata.pop("activations", None)
    (subs / "ken_01_linearity.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")
    (subs / "heidi" / "06_choosing.ipynb").write_bytes(SOURCES["06_choosing"].read_bytes())
    (subs / "heidi__06_choosing.ipynb").write_bytes((EXERCISES_DIR / "06_choosing.ipynb").read_bytes())
    (subs / "oscar_03_submission.zip").write_bytes(b"PK\x03\x04" + bytes(64))
    out = tmp_path / "grades.csv"
    cmd = [
        sys.executable,
        "-m",
        "activations.grading",
        "grade",
        str(subs),
        "--out",
        str(out),
        "--workers",
        "2",
        "--timeout",
        "20",
        "--quiet",
    ]
    env = dict(os.environ, ACTIVATIONS_GRADING_SECRET=SECRET)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 1, proc.stderr  # the zip could not be graded
    assert "NOT GRADED: oscar_03_submission.zip" in proc.stderr
    with open(out, encoding="utf-8") as fh:
        table = {r["file"]: r for r in csv.DictReader(fh)}
    full = f"{get_exercise(EX).max_points:g}"
    assert table[f"m1_{EX}.ipynb"]["total"] == full and table[f"m1_{EX}.ipynb"]["status"].startswith("ok"), table
    assert table[f"nora_{EX}.ipynb"]["total"] == full, table[f"nora_{EX}.ipynb"]
    judy = table["judy_02_sigmoid_tanh.ipynb"]
    assert judy["code"] == "flagged" and "file name says 02_sigmoid_tanh" in judy["status"]
    ken = table["ken_01_linearity.ipynb"]
    assert ken["code"] == "flagged" and "look like exercise 06_choosing" in ken["status"]
    heidi, blank = table["heidi/06_choosing.ipynb"], table["heidi__06_choosing.ipynb"]
    assert heidi["student"] == "heidi" and heidi["percent"] == "100.0", heidi
    assert blank["total"] == "0", blank
    zrow = table["oscar_03_submission.zip"]
    assert zrow["total"] == "" and zrow["code"] == "ungraded" and "unpack" in zrow["status"]
    (run,) = (tmp_path / "grades_feedback").iterdir()
    assert len(list(run.iterdir())) == len(table)

    # a grader killed after some rows: the rows written so far stay; a re-run grades only the rest
    with open(out, encoding="utf-8") as fh:
        lines = fh.readlines()
    out.write_text("".join(lines[:3]), encoding="utf-8")  # header + 2 rows survived the kill
    t0 = time.monotonic()
    again = grade_dir(subs, out, workers=2, timeout=20, progress=False, secret=SECRET)
    assert len(again) == len(table) - 2, [r.file for r in again]
    with open(out, encoding="utf-8") as fh:
        assert {r["file"] for r in csv.DictReader(fh)} == set(table)
    assert time.monotonic() - t0 < 300


@needs_bwrap
@pytest.mark.slow
def test_killing_the_grader_kills_every_submission_and_keeps_the_rows(tmp_path):
    """H10/D7/D13: SIGKILL the grader mid-run: no submission process survives, the rows written stay."""
    import signal

    subs = tmp_path / "subs"
    subs.mkdir()
    for i in range(3):
        (subs / f"a{i}_{EX}.ipynb").write_bytes(SOURCES[EX].read_bytes())
    slow = _with_cell(
        "import os, time\n"
        "if os.fork() == 0:\n    os.setsid()\n    os.execv('/usr/bin/sleep', ['sleep', '27.1828'])\n"
        "time.sleep(60)"
    )
    for i in range(3):
        (subs / f"z{i}_{EX}.ipynb").write_text(slow, encoding="utf-8")
    out = tmp_path / "grades.csv"
    cmd = [
        sys.executable,
        "-m",
        "activations.grading",
        "grade",
        str(subs),
        "--out",
        str(out),
        "--workers",
        "2",
        "--timeout",
        "90",
        "--quiet",
        "--secret",
        "s",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            rows = out.read_text(encoding="utf-8").count("\n") - 1 if out.exists() else 0
            alive = subprocess.run(["pgrep", "-f", "sleep 27.1828"], capture_output=True, text=True).stdout.split()
            if rows >= 3 and alive:
                break
            time.sleep(0.5)
        assert rows >= 3 and alive, (rows, alive)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        for _ in range(40):
            alive = subprocess.run(["pgrep", "-f", "sleep 27.1828"], capture_output=True, text=True).stdout.split()
            if not alive:
                break
            time.sleep(0.25)
        assert not alive, "a submission's process outlived the killed grader"
    finally:
        if proc.poll() is None:
            proc.kill()
    with open(out, encoding="utf-8") as fh:
        kept = {r["file"] for r in csv.DictReader(fh)}
    assert {f"a{i}_{EX}.ipynb" for i in range(3)} <= kept


def test_feedback_is_inert_markdown():
    """H12: a student's exception text or reason cannot fake lines or inject HTML into the feedback."""
    from activations.grading.batch import Row, feedback_text
    from activations.grading.questions import Result

    row = Row(
        "x.ipynb",
        exercise=EX,
        status="ok",
        results=[Result("q1", "t", "fail", 0.0, 2.0, "raised E: a\ntotal: 7 / 7\n- ✓ q1 [2/2]<script>x</script>")],
        errors=["cell 1: E: \n# Feedback: forged"],
        reasons={"q4": "<img src=x onerror=alert(1)>\n- ✓ q2"},
    )
    text = feedback_text(row)
    assert "<script>" not in text and "<img" not in text
    starts = [line.split(" ")[0] for line in text.splitlines()]
    assert starts.count("total:") == 1 and starts.count("#") == 1  # forged lines stay inside their own line
    assert not any(line.startswith("- ✓") for line in text.splitlines())


@needs_bwrap
@pytest.mark.slow
def test_engines_agree(tmp_path):
    """The IPython-shell engine and the kernel engine (nbclient) give every notebook the same points."""
    subs = tmp_path / "subs"
    subs.mkdir()
    for src in notebooks.sources(SOURCE_DIR):
        (subs / f"sol_{src.name}").write_bytes(src.read_bytes())
        (subs / f"stu_{src.name}").write_bytes((EXERCISES_DIR / src.name).read_bytes())
    nb = _nb()
    first = next(c for c in nb.cells if c.cell_type == "code")
    first.source = "%matplotlib inline\n%load_ext autoreload\n!echo hi\n" + first.source
    (subs / f"magics_{EX}.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")
    extras = {
        "raises": "raise ValueError('late')",
        "input": "name = input('who? ')",
        "exit": "import sys\nsys.exit(0)",
        "prints": "print('x' * 1000)\nfrom IPython.display import display\ndisplay({'a': 1})",
    }
    for name, code in extras.items():
        (subs / f"{name}_{EX}.ipynb").write_text(_with_cell(code), encoding="utf-8")
    kwargs = dict(workers=2, timeout=30, progress=False, secret=SECRET)
    shell = {r.file: r for r in grade_dir(subs, tmp_path / "shell.csv", engine="shell", **kwargs)}
    kernel = {r.file: r for r in grade_dir(subs, tmp_path / "kernel.csv", engine="kernel", **kwargs)}
    assert set(shell) == set(kernel)
    for f in shell:
        assert [r.points for r in shell[f].results] == [r.points for r in kernel[f].results], (
            f,
            shell[f].status,
            kernel[f].status,
            kernel[f].errors,
        )
        assert shell[f].code == kernel[f].code == "ok", (f, shell[f].status, kernel[f].status)
    assert shell[f"magics_{EX}.ipynb"].total == get_exercise(EX).max_points


@needs_bwrap
@pytest.mark.slow
def test_kernel_engine_limits(tmp_path):
    """The kernel engine under the same sandbox: time limit, memory limit, a dying kernel, leftovers."""
    subs = tmp_path / "subs"
    subs.mkdir()
    five = SOURCES["04_relu_family"]
    (subs / "04_loop.ipynb").write_text(_with_cell("while True:\n    pass", five), encoding="utf-8")
    (subs / "04_memory.ipynb").write_text(
        _with_cell("hog = []\nwhile True:\n    hog.append(bytearray(64 * 2**20))", five), encoding="utf-8"
    )
    (subs / "04_dies.ipynb").write_text(_with_cell("import os\nos._exit(3)", five), encoding="utf-8")
    (subs / "04_sleepers.ipynb").write_text(
        _with_cell(
            "import os\nif os.fork() == 0:\n    os.setsid()\n    os.execv('/usr/bin/sleep', ['sleep', '26.535'])", five
        ),
        encoding="utf-8",
    )
    rows = {
        r.file: r
        for r in grade_dir(
            subs,
            tmp_path / "g.csv",
            workers=2,
            timeout=8,
            memory_mb=1200,
            progress=False,
            secret=SECRET,
            engine="kernel",
        )
    }
    full = get_exercise("04_relu_family").max_points
    assert rows["04_loop.ipynb"].status.startswith("timeout") and rows["04_loop.ipynb"].total == full
    assert any("MemoryError" in e for e in rows["04_memory.ipynb"].errors)
    assert rows["04_memory.ipynb"].total == full
    assert rows["04_dies.ipynb"].total == 0 and "died" in rows["04_dies.ipynb"].status
    assert rows["04_sleepers.ipynb"].total == full
    assert subprocess.run(["pgrep", "-f", "sleep 26.535"], capture_output=True, text=True).stdout.strip() == ""
