"""Fast as tar? gcollect against tar | zstd, tar | gzip and sos clean, on one generated Genesys tree.

    .venv/bin/python bench/run.py --size 1G [--rounds 3] [--out bench/results/NAME.json]
                                  [--skip-sos] [--keep-tree DIR] [--profile]

1. Generates a Genesys host tree of about --size bytes with ``collector.testhost.generate_host``
   (the demo product mix by default; ``--products sip-heavy`` for SIP Server + URS + Config Server).
2. Reads every file once (warm page cache), and runs gcollect once on a small tree of the same
   mix to get what a host keeps after its first run: the check records (``profiles-checked.json``,
   ``rule-sets-checked.json``) and the compiled patterns (``patterns/``, and ``hyperscan/`` if
   made); every gcollect round starts from a fresh state folder holding a copy of those (a new
   token map each round). ``--first-run`` leaves them out: every round is then a host's first
   run, which also checks every profile and rule set and compiles every pattern.
3. Runs, alternating round by round (A B C D, A B C D, ...):
     A gcollect collect --all-logs --priority normal          (default format, tar.gz)
     B the same with --format tar.zst
     C tar -cf - -C TREE . | zstd -3 -T0
     D tar -cf - -C TREE . | gzip -1
   each under /usr/bin/time -v (CPU user+sys of the whole process tree, max RSS of the biggest
   process) with psutil sampling the RSS sum of the process tree every 50 ms.
4. sos clean (Debian's sosreport) once, on a smaller tree from the same generator (--sos-size,
   default 64M: it runs at about 1 MB/s), on a copy: it rewrites its input.
5. Leak and keep checks of the last gcollect bundles and of sos clean's output against the
   generator's ledger: distinct planted secrets (6+ characters) found, per category; share of
   correlation values (connid, calluuid, ...) kept.
6. Prints a table of medians, ratios to tar | zstd -3 -T0 of the same round, the issue's goals as
   PASS/FAIL lines, and writes every raw number as JSON (--out).

Sizes are decimal: 1G = 10^9 bytes, MB/s = 10^6 bytes per second of wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

PRODUCT_SETS = {
    "demo": None,   # collector.testhost.DEMO_PRODUCTS
    "sip-heavy": ("sip-server", "urs", "config-server"),
}
MIN_SEARCHABLE = 6          # shorter planted values (4-digit PINs) occur by chance in ports and counters
GOAL_ZST_VS_ZSTD = 0.5
GOAL_GZ_VS_GZIP = 1.0
GOAL_VS_SOS = 100.0
GOAL_RSS_MB = 150.0
TOOLS = ("gcollect-tar.gz", "gcollect-tar.zst", "tar|zstd-3-T0", "tar|gzip-1")
REFERENCE = "tar|zstd-3-T0"


# ----------------------------------------------------------------------------------- helpers
def parse_size(text: str) -> int:
    text = text.strip().upper().rstrip("B")
    factor = {"K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}.get(text[-1:], 1)
    return int(float(text[:-1] if factor != 1 else text) * factor)


def tree_stats(root: Path) -> tuple[int, int]:
    total = files = 0
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            if os.path.isfile(path) and not os.path.islink(path):
                total += os.path.getsize(path)
                files += 1
    return total, files


def warm(root: Path) -> float:
    started = time.monotonic()
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as handle:
                    while handle.read(1 << 20):
                        pass
    return time.monotonic() - started


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def tool_version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unavailable"


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def generate(dest: Path, size: int, products: str, seed: int):
    from collector.testhost import generate_host
    from collector.testhost.ledger import HostLedger

    ledger_path = dest.parent / (dest.name + ".ledger.json")      # never inside the tree
    meta_path = dest.parent / (dest.name + ".bench.json")
    wanted = {"size": size, "products": products, "seed": seed}
    if dest.is_dir() and ledger_path.is_file() and meta_path.is_file():
        if json.loads(meta_path.read_text()) == wanted:
            return HostLedger.from_json(ledger_path.read_text()), 0.0, True
    if dest.exists():
        shutil.rmtree(dest)
    started = time.monotonic()
    ledger = generate_host(dest, products=PRODUCT_SETS[products], target_bytes=size, seed=seed,
                           host_name="bench-gen01")
    seconds = time.monotonic() - started
    ledger.write(ledger_path)
    meta_path.write_text(json.dumps(wanted))
    return ledger, seconds, False


# ------------------------------------------------------------------------------- measuring
class TreeSampler(threading.Thread):
    """Samples the RSS of every descendant of ``pid`` every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_sum = 0
        self.peak_single = 0
        self.peak_procs = 0
        self.peak_pss_sum = 0          # proportional set size: pages shared by forked workers split
        self.samples = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop_event.is_set():
            try:
                procs = root.children(recursive=True)      # not /usr/bin/time itself
            except psutil.Error:
                break
            total = single = 0
            for proc in procs:
                try:
                    rss = proc.memory_info().rss
                except psutil.Error:
                    continue
                total += rss
                single = max(single, rss)
            self.peak_sum = max(self.peak_sum, total)
            self.peak_single = max(self.peak_single, single)
            if self.samples % 2 == 0:                      # smaps is slower to read: every 2nd sample
                # (every 10th, 0.5 s, missed the peak: 148.9 MiB at 4 GB where 0.1 s finds ~153)
                pss = 0
                for proc in procs:
                    try:
                        pss += proc.memory_full_info().pss
                    except (psutil.Error, AttributeError):
                        continue
                self.peak_pss_sum = max(self.peak_pss_sum, pss)
            self.peak_procs = max(self.peak_procs, len(procs))
            self.samples += 1
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)


def parse_time_v(text: str) -> dict:
    fields = {}
    for line in text.splitlines():
        key, _, value = line.strip().rpartition(": ")
        fields[key] = value
    def num(key):
        try:
            return float(fields[key])
        except (KeyError, ValueError):
            return None
    return {
        "user_s": num("User time (seconds)"),
        "sys_s": num("System time (seconds)"),
        "max_rss_single_kb": num("Maximum resident set size (kbytes)"),
        "exit_status": num("Exit status"),
    }


def installed_env(work: Path) -> dict[str, str]:
    """The environment gcollect runs in: Python's bytecode cached (under WORK/pycache), as in an
    installed copy (pip writes the .pyc files at install). A shell that sets
    PYTHONDONTWRITEBYTECODE (this project's sandboxes do) would otherwise make every measured
    run compile gcollect's modules from source: about 0.4 s a run, in the workers too."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    return env


def measure(argv: list[str], *, stdout_path: Path | None = None, cwd: Path | None = None,
            env: dict[str, str] | None = None) -> dict:
    """Run ``argv`` under /usr/bin/time -v with an RSS sampler; return the numbers."""
    os.sync()                                     # earlier runs' dirty pages do not land on this one
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as tf:
        time_file = tf.name
    stdout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    load_before = loadavg()
    try:
        started = time.monotonic()
        proc = subprocess.Popen(["/usr/bin/time", "-v", "-o", time_file, *argv], stdout=stdout,
                                stderr=subprocess.PIPE, cwd=cwd, env=env)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, err = proc.communicate()
        wall = time.monotonic() - started
        sampler.stop()
    finally:
        if stdout_path:
            stdout.close()
    timing = parse_time_v(Path(time_file).read_text(errors="replace"))
    os.unlink(time_file)
    cpu = (timing["user_s"] or 0) + (timing["sys_s"] or 0)
    return {
        "argv": argv,
        "returncode": proc.returncode,
        "stderr_tail": err.decode(errors="replace")[-600:] if proc.returncode not in (0, 1) else "",
        "wall_s": round(wall, 3),
        "user_s": timing["user_s"],
        "sys_s": timing["sys_s"],
        "cpu_s": round(cpu, 2),
        "cpu_per_wall": round(cpu / wall, 2) if wall else None,
        "peak_rss_single_mb": round((timing["max_rss_single_kb"] or 0) / 1024, 1),   # /usr/bin/time -v
        "peak_rss_tree_sum_mb": round(sampler.peak_sum / 2**20, 1),                    # psutil, 50 ms
        "peak_pss_tree_sum_mb": round(sampler.peak_pss_sum / 2**20, 1),                # psutil, 0.1 s
        "peak_rss_single_sampled_mb": round(sampler.peak_single / 2**20, 1),
        "peak_processes": sampler.peak_procs,
        "rss_samples": sampler.samples,
        "loadavg_before": load_before,
    }


# ------------------------------------------------------------------------------- the tools
CHECK_RECORDS = ("profiles-checked.json", "rule-sets-checked.json")
STATE_CACHES = ("patterns", "hyperscan")       # folders of compiled patterns a first run leaves


def first_run_state(work: Path, products: str, seed: int, gcollect: list[str]) -> Path:
    """A state folder as a host keeps it after gcollect's first run there: its check records and
    compiled patterns. Made by that first run, on a small tree of the same product mix (so the
    same rule sets)."""
    small = work / "first-run-tree"
    generate(small, 2_000_000, products, seed)
    state = work / "first-run-state"
    state.mkdir(mode=0o700)             # as the installers leave it (/var/lib/gcollect)
    out = work / "first-run-out"
    out.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([*gcollect, "collect", "--root", str(small), "--output", str(out), "--state-dir",
                           str(state), "--all-logs", "--quiet", "--priority", "normal", "--host-name", "bench"],
                          capture_output=True, text=True, env=installed_env(work))
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(small, ignore_errors=True)
    missing = [name for name in CHECK_RECORDS if not (state / name).is_file()]
    if done.returncode != 0 or missing:
        raise SystemExit(f"the first run gave no check records {missing}: {done.stderr.strip()[-400:]}")
    return state


def run_gcollect(fmt: str, tree: Path, work: Path, tag: str, gcollect: list[str],
                 checks: Path | None = None) -> tuple[dict, Path | None]:
    out = work / f"out-{tag}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    if checks is not None:
        (out / "state").mkdir(mode=0o700)
        for name in CHECK_RECORDS:
            shutil.copy2(checks / name, out / "state" / name)
        for name in STATE_CACHES:
            if (checks / name).is_dir():
                shutil.copytree(checks / name, out / "state" / name)
    report_path = work / f"report-{tag}.json"
    argv = [*gcollect, "collect", "--root", str(tree), "--output", str(out), "--state-dir", str(out / "state"),
            "--all-logs", "--quiet", "--json", "--priority", "normal", "--format", fmt, "--host-name", "bench"]
    result = measure(argv, stdout_path=report_path, env=installed_env(work))
    bundle = None
    try:
        report = json.loads(report_path.read_text())
        bundle = Path(report["bundle"])
        result["gcollect"] = {k: report.get(k) for k in ("bytes_in", "bytes_out", "files", "seconds", "scan_findings")}
        result["gcollect"]["excluded"] = len(report.get("excluded") or [])
        result["gcollect"]["redactions_total"] = sum((report.get("redactions") or {}).values())
        result["output_bytes"] = bundle.stat().st_size
    except (OSError, ValueError, KeyError, TypeError) as exc:
        result["error"] = f"no report/bundle: {exc}"
    return result, bundle


def run_pipeline(compressor: str, tree: Path, work: Path, tag: str) -> dict:
    out = work / f"pipe-{tag}.out"
    command = f"tar -cf - -C {shlex_quote(str(tree))} . | {compressor} > {shlex_quote(str(out))}"
    result = measure(["bash", "-o", "pipefail", "-c", command])
    result["output_bytes"] = out.stat().st_size if out.exists() else None
    out.unlink(missing_ok=True)
    return result


def shlex_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def run_sos(sos_tree: Path, work: Path) -> tuple[dict, Path | None]:
    """sos clean on a copy of ``sos_tree`` (it moves and rewrites its input)."""
    base = work / "sos"
    shutil.rmtree(base, ignore_errors=True)
    target = base / "gcbench-sostree-genesys"      # a distinctive name, or sos silently skips it
    tmp_dir = base / "sostmp"
    shutil.copytree(sos_tree, target, symlinks=True)
    (target / "sos_logs").mkdir(exist_ok=True)     # an empty sos_logs/ makes it an "sos directory"
    tmp_dir.mkdir(parents=True)
    warm(target)
    result = measure(["sos", "clean", str(target), "--batch", "--tmp-dir", str(tmp_dir), "-j", "2"])
    cleaned = tmp_dir / target.name
    if not cleaned.is_dir():
        cleaned = target if target.is_dir() else None
    result["output_bytes"] = tree_stats(cleaned)[0] if cleaned else None
    return result, cleaned


# ---------------------------------------------------------------------------- leak / keep
def _grep(source_cmd: str, patterns: list[str], only_matching: bool) -> bytes:
    if not patterns:
        return b""
    with tempfile.NamedTemporaryFile("wb", suffix=".pat", delete=False) as handle:
        handle.write(b"\n".join(p.encode() for p in patterns) + b"\n")
        pat = handle.name
    flags = "-aoF" if only_matching else "-aF"
    sort = " | LC_ALL=C sort -u" if only_matching else ""
    command = f"{source_cmd} | LC_ALL=C grep {flags} -f {pat}{sort}"
    try:
        proc = subprocess.run(["bash", "-c", command], capture_output=True)
    finally:
        os.unlink(pat)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"leak check failed: {command}: {proc.stderr.decode(errors='replace')[-300:]}")
    return proc.stdout


def bundle_text_command(bundle: Path, work: Path) -> str:
    """A shell command printing what a bundle carries from the host: every member, except that
    manifest.json contributes its strings only and SHA256SUMS nothing. Numbers and SHA-256 values
    are gcollect's own: a planted 6-digit value that equals a file's size, or that stands inside
    one of ~4,000 64-hex-digit hashes (about 0.7 chance hits per 1 GB bundle for 100 such
    values), is no leak. The paths SHA256SUMS lists are in the manifest's strings."""
    strings: list[str] = []

    def walk(value) -> None:  # type: ignore[no-untyped-def]
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                strings.append(str(key))
                if key != "sha256":
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    # GNU tar reads every format gcollect writes (gzip, zstd) the same way
    proc = subprocess.run(["tar", "-xOf", str(bundle), "--wildcards", "*/manifest.json"], capture_output=True)
    if proc.returncode != 0:
        raise RuntimeError(f"cannot read manifest.json of {bundle}: {proc.stderr.decode(errors='replace')[-300:]}")
    walk(json.loads(proc.stdout))
    manifest_strings = work / "manifest-strings.txt"
    manifest_strings.write_text("\n".join(strings) + "\n", encoding="utf-8")
    quoted = shlex_quote(str(bundle))
    return (f"{{ tar -xOf {quoted} --exclude='*/manifest.json' --exclude='*/SHA256SUMS'; "
            f"cat {shlex_quote(str(manifest_strings))}; }}")


def leak_check(source_cmd: str, ledger) -> dict:
    """Planted secrets (6+ chars) found in the bytes ``source_cmd`` prints; keep ratios.

    grep -F (Aho-Corasick-like, ~1 GB/s) selects the lines holding any planted value, then each
    value is looked up in those lines only. Values with a line break cannot match a line and are
    counted apart.
    """
    by_category: dict[str, set[str]] = {}
    for secret in ledger.secrets:
        if len(secret.value) >= MIN_SEARCHABLE:
            by_category.setdefault(secret.category, set()).add(secret.value)
    values = sorted({v for vs in by_category.values() for v in vs if "\n" not in v})
    multiline = sorted({v for vs in by_category.values() for v in vs if "\n" in v})
    hit_lines = _grep(source_cmd, values, only_matching=False)
    found = {v for v in values if v.encode() in hit_lines}
    secrets = {}
    for category, vals in sorted(by_category.items()):
        leaked = sorted(v for v in vals if v in found)
        secrets[category] = {"planted": len(vals), "found": len(leaked),
                             "examples": [v[:40] for v in leaked[:3]]}
    keep_values = sorted({str(v) for vs in ledger.keep.values() for v in vs if str(v)})
    matches = set(_grep(source_cmd, keep_values, only_matching=True).decode(errors="replace").splitlines())
    keep = {}
    for category, vals in sorted(ledger.keep.items()):
        vals = {str(v) for v in vals if str(v)}
        kept = sum(1 for v in vals if v in matches or any(v in m for m in matches if len(m) > len(v)))
        keep[category] = {"values": len(vals), "kept": kept,
                          "ratio": round(kept / len(vals), 4) if vals else None}
    return {
        "distinct_secrets_planted": len(values) + len(multiline),
        "distinct_secrets_found": len(found),
        "multiline_values_not_checked": len(multiline),
        "secrets": secrets,
        "keep": keep,
    }


# ------------------------------------------------------------------------------- profile
PROFILE_SNIPPET = """
import cProfile, sys
from collector.cli import main
prof = sys.argv[1]
sys.argv = ["gcollect"] + sys.argv[2:]
profiler = cProfile.Profile()
profiler.enable()
try:
    main()
except SystemExit:
    pass
finally:
    profiler.disable()
    profiler.dump_stats(prof)
"""
PROFILE_BUCKETS = (
    ("rule-set loading (YAML parse, schema check)", ("yaml/", "collector/redaction/rules", "jsonschema",
                                                     "referencing/", "rpds")),
    ("regex compile (re)", ("re/_parser", "re/_compiler", "builtins.compile")),
    ("redaction engine (Python)", ("collector/redaction/engine", "collector/redaction/__init__")),
    ("tokens (HMAC, token store)", ("collector/redaction/tokens", "hmac", "sqlite", "_hashlib.hmac",
                                    "base64", "digest' of '_hashlib.HMAC")),
    ("RE2 prefilter", ("re2", "_re2")),
    ("Python re (exact rules)", ("'_sre", "re/__init__", "sre_", "_sre.")),
    ("scanner (collector/scanner.py)", ("collector/scanner",)),
    ("trimming (timewindow)", ("collector/timewindow",)),
    ("compression", ("zlib", "zstd", "zstandard", "gzip", "'compress'", "'flush'")),
    ("hashing (sha256)", ("sha256", "_hashlib.HASH")),
    ("bundle writing", ("collector/bundle",)),
    ("read / write syscalls", ("posix.read", "posix.pread", "'write' of '_io", "built-in method posix")),
    ("pool / multiprocessing", ("multiprocessing", "concurrent/futures", "pickle", "queue", "select")),
    ("discovery / selection / profiles", ("collector/discovery", "collector/selection", "collector/profile",
                                          "collector/appconfig", "yaml")),
)


# Cumulative time of the pipeline's stages (a function's cumtime includes what it calls).
PROFILE_STAGES = (
    ("whole run (pipeline.run)", "collector/pipeline.py", "run"),
    ("per-file set-up: load_rule_sets", "collector/redaction/rules.py", "load_rule_sets"),
    ("per-file set-up: Redactor() (compile)", "collector/redaction/engine.py", "__init__"),
    ("Redactor.feed", "collector/redaction/engine.py", "feed"),
    ("Redactor.finish", "collector/redaction/engine.py", "finish"),
    ("LeakScanner.feed (scanner)", "collector/scanner.py", "feed"),
    ("Trimmer.feed (trimming)", "collector/timewindow.py", "feed"),
    ("PieceWriter.write (compress + sha256)", "collector/bundle/pieces.py", "write"),
    ("PieceWriter.close", "collector/bundle/pieces.py", "close"),
    ("BundleWriter (main side)", "collector/bundle/writer.py", "add_piece"),
    ("discovery", "collector/discovery.py", "discover"),
    ("selection", "collector/selection.py", "select"),
)


def _bucket(key: tuple) -> str:
    filename, _line, name = key
    text = f"{filename}:{name}"
    for label, needles in PROFILE_BUCKETS:
        if any(n in text for n in needles):
            return label
    return "other"


def profile_gcollect(tree: Path, work: Path, fmt: str, top: int = 25) -> dict:
    """gcollect in one process (--workers 1: the worker code runs inline) under cProfile."""
    import pstats

    out = work / "out-profile"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    prof = work / "gcollect.prof"
    argv = [sys.executable, "-c", PROFILE_SNIPPET, str(prof), "collect", "--root", str(tree), "--output", str(out),
            "--state-dir", str(out / "state"), "--all-logs", "--quiet", "--json", "--priority", "normal",
            "--format", fmt, "--workers", "1", "--host-name", "bench"]
    started = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, cwd=REPO)
    wall = time.monotonic() - started
    shutil.rmtree(out, ignore_errors=True)
    if not prof.exists():
        return {"error": proc.stderr.decode(errors="replace")[-800:]}
    stats = pstats.Stats(str(prof))
    buckets: dict[str, float] = {}
    rows = []
    for key, (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():
        buckets[_bucket(key)] = buckets.get(_bucket(key), 0.0) + tottime
        rows.append((tottime, cumtime, ncalls, f"{key[0]}:{key[1]}({key[2]})"))
    total = sum(buckets.values()) or 1.0
    rows.sort(reverse=True)
    stages = {}
    for label, filename, function in PROFILE_STAGES:
        cum = sum(v[3] for k, v in stats.stats.items() if k[0].endswith(filename) and k[2] == function)
        stages[label] = {"cum_s": round(cum, 2), "share": round(cum / total, 3)}
    tree_bytes = tree_stats(tree)[0]
    return {
        "format": fmt,
        "wall_s": round(wall, 2),
        "mb_per_cpu_s_single_process": round(tree_bytes / 1e6 / total, 2),
        "profiled_cpu_s": round(total, 2),
        "buckets": {k: {"s": round(v, 2), "share": round(v / total, 3)}
                    for k, v in sorted(buckets.items(), key=lambda kv: -kv[1])},
        "stages_cumulative": stages,
        "top_tottime": [{"tottime": round(t, 2), "cumtime": round(c, 2), "calls": n,
                         "function": f.replace(str(REPO) + "/", "")} for t, c, n, f in rows[:top]],
        "prof_file": str(prof),
    }


# ------------------------------------------------------------------------------- reporting
def summarize(runs: list[dict], sos: dict | None, tree_bytes: int) -> dict:
    rounds = sorted({r["round"] for r in runs})
    summary: dict = {"tools": {}, "goals": []}
    for tool in TOOLS:
        mine = [r for r in runs if r["tool"] == tool]
        if not mine:
            continue
        ratios = []
        for rnd in rounds:
            me = next((r for r in mine if r["round"] == rnd), None)
            ref = next((r for r in runs if r["tool"] == REFERENCE and r["round"] == rnd), None)
            if me and ref and me["wall_s"]:
                ratios.append(ref["wall_s"] / me["wall_s"])
        summary["tools"][tool] = {
            "wall_s": median(r["wall_s"] for r in mine),
            "mb_per_s": median(r["mb_per_s"] for r in mine),
            "ratio_to_tar_zstd": round(median(ratios), 3) if ratios else None,
            "cpu_s": median(r["cpu_s"] for r in mine),
            "mb_per_cpu_s": median(r["mb_per_cpu_s"] for r in mine),
            "peak_rss_single_mb": max((r["peak_rss_single_mb"] for r in mine), default=None),
            "peak_rss_tree_sum_mb": max((r["peak_rss_tree_sum_mb"] for r in mine), default=None),
            "peak_pss_tree_sum_mb": max((r.get("peak_pss_tree_sum_mb") or 0 for r in mine), default=None),
            "output_mb": median((r.get("output_bytes") or 0) / 1e6 for r in mine),
            "rounds": len(mine),
            "failed_rounds": sum(1 for r in mine if r["returncode"] not in (0, 1)),
        }
    tools = summary["tools"]
    na = {"mb_per_s": None, "ratio_to_tar_zstd": None, "peak_rss_tree_sum_mb": None, "peak_rss_single_mb": None,
          "peak_pss_tree_sum_mb": None}
    for tool in TOOLS:
        tools.setdefault(tool, dict(na, rounds=0))
    if sos:
        ref = summary["tools"][REFERENCE]["mb_per_s"]
        summary["tools"]["sos clean (subset)"] = {
            "wall_s": sos["wall_s"], "mb_per_s": sos["mb_per_s"],
            "ratio_to_tar_zstd": round(sos["mb_per_s"] / ref, 4) if ref else None,
            "cpu_s": sos["cpu_s"], "mb_per_cpu_s": sos["mb_per_cpu_s"],
            "peak_rss_single_mb": sos["peak_rss_single_mb"], "peak_rss_tree_sum_mb": sos["peak_rss_tree_sum_mb"],
            "output_mb": (sos.get("output_bytes") or 0) / 1e6, "rounds": 1,
            "failed_rounds": int(sos["returncode"] != 0), "input_mb": sos["input_bytes"] / 1e6,
        }

    def goal(text, value, target, ok):
        summary["goals"].append({"goal": text, "value": value, "target": target,
                                 "pass": bool(ok) if value is not None else None})

    zst = tools["gcollect-tar.zst"]["ratio_to_tar_zstd"]
    goal("gcollect --format tar.zst >= 0.5x tar | zstd -3 -T0 (same round)", zst, GOAL_ZST_VS_ZSTD,
         zst is not None and zst >= GOAL_ZST_VS_ZSTD)
    gz_ratios = []
    for rnd in rounds:
        me = next((r for r in runs if r["tool"] == "gcollect-tar.gz" and r["round"] == rnd), None)
        ref = next((r for r in runs if r["tool"] == "tar|gzip-1" and r["round"] == rnd), None)
        if me and ref:
            gz_ratios.append(ref["wall_s"] / me["wall_s"])
    gz = round(median(gz_ratios), 3) if gz_ratios else None
    summary["gcollect_tar_gz_ratio_to_tar_gzip"] = gz
    goal("gcollect default (tar.gz) >= 1.0x tar | gzip -1 (same round)", gz, GOAL_GZ_VS_GZIP,
         gz is not None and gz >= GOAL_GZ_VS_GZIP)
    if sos and sos["mb_per_s"] and tools["gcollect-tar.gz"]["mb_per_s"]:
        vs = round(tools["gcollect-tar.gz"]["mb_per_s"] / sos["mb_per_s"], 1)
        summary["gcollect_tar_gz_speedup_vs_sos"] = vs
        if tools["gcollect-tar.zst"]["mb_per_s"]:
            summary["gcollect_tar_zst_speedup_vs_sos"] = round(tools["gcollect-tar.zst"]["mb_per_s"] / sos["mb_per_s"], 1)
        goal("gcollect default >= 100x sos clean (MB/s; sos on a subset tree)", vs, GOAL_VS_SOS, vs >= GOAL_VS_SOS)
    else:
        goal("gcollect default >= 100x sos clean", None, GOAL_VS_SOS, None)
    size_label = f"{tree_bytes / 1e9:.2f} GB"
    for tool in ("gcollect-tar.gz", "gcollect-tar.zst"):
        tree_sum = tools[tool]["peak_rss_tree_sum_mb"]
        single = tools[tool]["peak_rss_single_mb"]
        goal(f"{tool} peak RSS <= 150 MB at {size_label} (psutil sum over the process tree)", tree_sum,
             GOAL_RSS_MB, tree_sum is not None and tree_sum <= GOAL_RSS_MB)
        goal(f"{tool} peak RSS <= 150 MB at {size_label} (biggest single process, time -v)", single,
             GOAL_RSS_MB, single is not None and single <= GOAL_RSS_MB)
        pss = tools[tool].get("peak_pss_tree_sum_mb")
        goal(f"{tool} peak memory <= 150 MB at {size_label} (PSS sum over the process tree: shared pages "
             "counted once)", pss, GOAL_RSS_MB, pss is not None and pss <= GOAL_RSS_MB if pss else None)
    return summary


def fmt_num(value, digits=1):
    if value is None:
        return "-"
    return f"{value:.{digits}f}"


def print_report(result: dict) -> None:
    meta, summary = result["meta"], result["summary"]
    print()
    print(f"tree: {meta['tree_bytes'] / 1e6:.0f} MB, {meta['tree_files']} files, products {meta['products']}, "
          f"{meta['cores']} cores, load avg start {meta['loadavg_start']} end {meta.get('loadavg_end')}")
    print(f"rounds: {meta['rounds']} (alternating), medians; RSS: max over rounds")
    header = (f"{'tool':<22} {'wall s':>8} {'MB/s':>8} {'x zstd':>7} {'CPU s':>8} {'MB/CPU-s':>9} "
              f"{'RSS 1 proc':>10} {'RSS tree':>9} {'out MB':>8}")
    print(header)
    print("-" * len(header))
    for tool, row in summary["tools"].items():
        if not row.get("rounds"):
            continue
        print(f"{tool:<22} {fmt_num(row['wall_s'], 2):>8} {fmt_num(row['mb_per_s']):>8} "
              f"{fmt_num(row['ratio_to_tar_zstd'], 3):>7} {fmt_num(row['cpu_s']):>8} "
              f"{fmt_num(row['mb_per_cpu_s']):>9} {fmt_num(row['peak_rss_single_mb']):>10} "
              f"{fmt_num(row['peak_rss_tree_sum_mb']):>9} {fmt_num(row['output_mb']):>8}")
    if "sos clean (subset)" in summary["tools"]:
        row = summary["tools"]["sos clean (subset)"]
        print(f"  (sos clean ran once on a {row['input_mb']:.0f} MB tree from the same generator and mix; "
              f"its x zstd compares MB/s across the two trees)")
    print()
    for name, check in result.get("leaks", {}).items():
        if "error" in check:
            print(f"leak check {name}: {check['error']}")
            continue
        per_cat = ", ".join(f"{c} {v['found']}/{v['planted']}" for c, v in check["secrets"].items())
        keep = ", ".join(f"{c} {v['ratio']}" for c, v in check["keep"].items())
        print(f"leaks  {name}: {check['distinct_secrets_found']} of {check['distinct_secrets_planted']} "
              f"distinct planted secrets (6+ chars) found")
        print(f"       per category (found/planted): {per_cat}")
        print(f"       kept: {keep}")
    print()
    for goal in summary["goals"]:
        state = {True: "PASS", False: "FAIL", None: "n/a "}[goal["pass"]]
        print(f"{state}  {goal['goal']}: {goal['value']}")
    gc_leaks = [c["distinct_secrets_found"] for n, c in result.get("leaks", {}).items()
                if n.startswith("gcollect") and "error" not in c]
    if gc_leaks:
        state = "PASS" if all(x == 0 for x in gc_leaks) else "FAIL"
        print(f"{state}  gcollect bundles: 0 planted secrets found: {gc_leaks}")
    if result.get("profile") and "buckets" in result["profile"]:
        prof = result["profile"]
        print()
        print(f"profile: gcollect --workers 1 --format {prof['format']} (single process, cProfile), "
              f"{prof['profiled_cpu_s']} CPU s, {prof['mb_per_cpu_s_single_process']} MB per CPU s under cProfile")
        print("  own time by area:")
        for name, bucket in prof["buckets"].items():
            print(f"  {name:<44} {bucket['s']:>8.2f} s  {100 * bucket['share']:5.1f}%")
        print("  cumulative time of the pipeline's stages:")
        for name, stage in prof["stages_cumulative"].items():
            print(f"  {name:<40} {stage['cum_s']:>8.2f} s  {100 * stage['share']:5.1f}%")
        print("  top functions by own time:")
        for row in prof["top_tottime"][:12]:
            print(f"    {row['tottime']:>8.2f} s  {row['calls']:>9}  {row['function']}")


# ------------------------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--size", default="1G", help="tree size (decimal: 500M, 1G, 4G)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, help="JSON file for every raw number")
    parser.add_argument("--skip-sos", action="store_true", help="leave sos clean out")
    parser.add_argument("--sos-size", default="64M", help="tree size for sos clean (about 1 MB/s)")
    parser.add_argument("--keep-tree", type=Path, metavar="DIR",
                        help="generate the tree here and keep it (reused when size/products/seed match)")
    parser.add_argument("--products", choices=sorted(PRODUCT_SETS), default="demo")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None, help="scratch folder (default: a temp folder)")
    parser.add_argument("--only", default=",".join(TOOLS), help="comma-separated subset of: " + ", ".join(TOOLS))
    parser.add_argument("--profile", action="store_true",
                        help="also run gcollect once with --workers 1 under cProfile and say where time goes")
    parser.add_argument("--profile-size", default="64M", help="tree size for the profile run")
    parser.add_argument("--skip-leaks", action="store_true", help="skip the leak/keep checks")
    parser.add_argument("--first-run", action="store_true",
                        help="every gcollect round as a host's first run (no remembered profile and rule-set checks)")
    parser.add_argument("--gcollect", default=None, metavar="CMD",
                        help="command that runs gcollect (default: the gcollect beside this Python), e.g. "
                             "'python /path/to/other-checkout-wrapper.py' to compare a change")
    args = parser.parse_args(argv)

    size = parse_size(args.size)
    only = [t.strip() for t in args.only.split(",") if t.strip()]
    unknown = [t for t in only if t not in TOOLS]
    if unknown:
        parser.error(f"unknown tools: {unknown}")
    if args.gcollect:
        import shlex

        gcollect = shlex.split(args.gcollect)
    else:
        default = Path(sys.executable).parent / "gcollect"
        gcollect = [str(default) if default.exists() else (shutil.which("gcollect") or "gcollect")]
    if not args.skip_sos and not shutil.which("sos"):
        parser.error("sos not found: apt-get install -y sosreport, or --skip-sos")
    if not Path("/usr/bin/time").exists():
        parser.error("/usr/bin/time not found: apt-get install -y time")

    work = Path(tempfile.mkdtemp(prefix="gcbench-", dir=args.workdir))
    tree = args.keep_tree.resolve() if args.keep_tree else work / "tree"
    try:
        print(f"generating a {size / 1e6:.0f} MB Genesys tree ({args.products}) in {tree} ...", flush=True)
        ledger, gen_s, reused = generate(tree, size, args.products, args.seed)
        tree_bytes, tree_files = tree_stats(tree)
        print(f"  {tree_bytes / 1e6:.0f} MB, {tree_files} files, "
              f"{'reused' if reused else f'{gen_s:.0f} s ({tree_bytes / 1e6 / max(gen_s, 1e-9):.0f} MB/s)'}",
              flush=True)
        warm_s = warm(tree)
        print(f"  page cache warmed in {warm_s:.1f} s", flush=True)
        checks = None if args.first_run else first_run_state(work, args.products, args.seed, gcollect)
        meta = {
            "size_arg": args.size, "tree": str(tree), "tree_bytes": tree_bytes, "tree_files": tree_files,
            "products": args.products, "seed": args.seed, "generate_s": round(gen_s, 1), "reused_tree": reused,
            "warm_read_s": round(warm_s, 2), "rounds": args.rounds, "cores": os.cpu_count(),
            "loadavg_start": loadavg(), "python": platform.python_version(), "platform": platform.platform(),
            "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "gcollect_commit": tool_version(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]),
            "gcollect_dirty": bool(subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--",
                                                   "collector"], capture_output=True, text=True).stdout.strip()),
            "versions": {"tar": tool_version(["tar", "--version"]), "zstd": tool_version(["zstd", "--version"]),
                         "gzip": tool_version(["gzip", "--version"]),
                         "sos": "skipped" if args.skip_sos else tool_version(["dpkg-query", "-W", "sosreport"])},
            "gcollect_command": gcollect,
            "gcollect_state": ("first run: no remembered checks" if args.first_run else
                               "fresh state folder each round, with the check records and compiled patterns "
                               "of a first run"),
            "gcollect_python": "bytecode cached under the work folder, as in an installed copy (installed_env)",
            "rss_method": ("peak_rss_single_mb: max RSS of the biggest single process (/usr/bin/time -v); "
                           "peak_rss_tree_sum_mb: RSS summed over the process tree, psutil every 50 ms "
                           "(counts pages shared by forked workers more than once)"),
        }
        runs: list[dict] = []
        last_bundles: dict[str, Path] = {}
        for rnd in range(1, args.rounds + 1):
            for tool in only:
                tag = f"r{rnd}-{tool.replace('|', '_')}"
                if tool.startswith("gcollect"):
                    fmt = tool.split("-", 1)[1]
                    result, bundle = run_gcollect(fmt, tree, work, tag, gcollect, checks)
                    if bundle is not None and bundle.exists():
                        previous = last_bundles.get(tool)
                        if previous is not None:
                            shutil.rmtree(previous.parent, ignore_errors=True)
                        last_bundles[tool] = bundle
                    else:
                        shutil.rmtree(work / f"out-{tag}", ignore_errors=True)
                elif tool == "tar|zstd-3-T0":
                    result = run_pipeline("zstd -3 -T0 -q", tree, work, tag)
                else:
                    result = run_pipeline("gzip -1", tree, work, tag)
                result.update(tool=tool, round=rnd, input_bytes=tree_bytes)
                result["mb_per_s"] = round(tree_bytes / 1e6 / result["wall_s"], 1)
                result["mb_per_cpu_s"] = round(tree_bytes / 1e6 / result["cpu_s"], 1) if result["cpu_s"] else None
                runs.append(result)
                print(f"  round {rnd} {tool:<18} {result['wall_s']:8.2f} s {result['mb_per_s']:7.1f} MB/s "
                      f"CPU {result['cpu_s']:7.1f} s  RSS 1 proc {result['peak_rss_single_mb']:6.1f} MB, "
                      f"tree {result['peak_rss_tree_sum_mb']:6.1f} MB  rc {result['returncode']}  "
                      f"load {result['loadavg_before']}", flush=True)
                if result["returncode"] not in (0, 1):
                    print(f"    stderr: {result['stderr_tail']}", flush=True)
        sos = None
        leaks: dict[str, dict] = {}
        if not args.skip_sos:
            sos_size = parse_size(args.sos_size)
            sos_src = work / "sos-src" / "tree"
            print(f"sos clean: generating a {sos_size / 1e6:.0f} MB tree from the same generator and mix ...",
                  flush=True)
            sos_ledger, _, _ = generate(sos_src, sos_size, args.products, args.seed)
            sos_bytes = tree_stats(sos_src)[0]
            sos, cleaned = run_sos(sos_src, work)
            sos.update(tool="sos clean", round=1, input_bytes=sos_bytes)
            sos["mb_per_s"] = round(sos_bytes / 1e6 / sos["wall_s"], 2)
            sos["mb_per_cpu_s"] = round(sos_bytes / 1e6 / sos["cpu_s"], 2) if sos["cpu_s"] else None
            print(f"  sos clean {sos_bytes / 1e6:.0f} MB: {sos['wall_s']:.1f} s {sos['mb_per_s']:.2f} MB/s "
                  f"CPU {sos['cpu_s']:.1f} s rc {sos['returncode']}", flush=True)
            if not args.skip_leaks and cleaned is not None:
                leaks["sos clean (subset)"] = leak_check(
                    f"find {shlex_quote(str(cleaned))} -type f -not -path '*/sos_logs/*' -print0 | xargs -0 cat",
                    sos_ledger)
        if not args.skip_leaks:
            for tool, bundle in last_bundles.items():
                print(f"leak/keep check of {bundle.name} ...", flush=True)
                try:
                    leaks[tool] = leak_check(bundle_text_command(bundle, work), ledger)
                except RuntimeError as exc:
                    leaks[tool] = {"error": str(exc)}
        profile = None
        if args.profile:
            prof_size = parse_size(args.profile_size)
            prof_tree = work / "profile-src" / "tree"
            print(f"profile: gcollect --workers 1 under cProfile on a {prof_size / 1e6:.0f} MB tree ...", flush=True)
            generate(prof_tree, prof_size, args.products, args.seed)
            warm(prof_tree)
            profile = profile_gcollect(prof_tree, work, "tar.gz")
            if args.out and profile.get("prof_file"):
                kept = args.out.with_suffix(".prof")
                kept.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(profile["prof_file"], kept)
                profile["prof_file"] = str(kept)
        meta["loadavg_end"] = loadavg()
        result = {"meta": meta, "runs": runs, "sos": sos, "leaks": leaks, "profile": profile,
                  "summary": summarize(runs, sos, tree_bytes)}
        print_report(result)
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(result, indent=1, default=str))
            print(f"\nraw numbers: {args.out}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
