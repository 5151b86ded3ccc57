"""Workers forked before discovery (pipeline.start_workers): they never hold the plan, the run
takes them and sends its config with every file, and a rule set they load themselves must be
the one the run recorded."""

from __future__ import annotations

import gc
import json
import os
import time
from dataclasses import replace
from pathlib import Path

import pytest

from collector import api, forked, member, pipeline
from collector.bundlereader import iter_members
from collector.model import Candidate, Window
from collector.settings import RunSettings

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked only where fork exists")]


def _live_candidates() -> int:
    gc.collect()
    return sum(isinstance(o, Candidate) for o in gc.get_objects())


def _all_gone(pids: list[int], timeout: float = 30.0) -> bool:
    def gone(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    deadline = time.monotonic() + timeout
    while not all(map(gone, pids)):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture
def host(tmp_path: Path) -> Path:
    from collector.testhost import generate_host

    root = tmp_path / "host"
    root.mkdir()
    generate_host(root, products=["sip-server", "config-server"], days=0.3, seed=6, segment_kb=16)
    return root


@pytest.fixture(autouse=True)
def no_pool_left():
    yield
    pipeline.stop_workers()


def _hashes(bundle: Path) -> dict[str, str]:
    members = dict(iter_members(bundle))
    files = json.loads(members["manifest.json"])["files"]
    return {f["path"]: f["sha256"] for f in files if f.get("kind") not in ("facts", "report")}


def test_workers_started_before_planning_do_not_hold_the_plan_and_give_the_same_bundle(host, tmp_path) -> None:
    settings = RunSettings(output_dir=tmp_path / "early", state_dir=tmp_path / "state", host_name="h1",
                           workers=2, low_priority=False)
    request = api.CollectRequest(root=host, settings=settings, facts=False)
    api.start_workers(settings)
    pool = pipeline._STARTED[0]
    pids = sorted(pool._processes)
    assert len(pids) == 2                                   # forked now, before any discovery
    discovery = api.discover_and_plan(request)
    assert len(discovery.plan.members) > 20 and _live_candidates() >= len(discovery.plan.members)
    assert pool.submit(_live_candidates).result(timeout=60) == 0      # the workers never saw the plan
    _, early = api.collect(request, discovery=discovery)
    assert pipeline._STARTED is None                        # the run took the pool ...
    assert _all_gone(pids)                                  # ... and closed it
    assert not early.excluded

    late_settings = replace(settings, output_dir=tmp_path / "late")
    _, late = api.collect(replace(request, settings=late_settings))       # forked at the run, as before
    assert _hashes(early.bundle.path) == _hashes(late.bundle.path)        # same site key, same tokens


def test_a_pool_no_run_takes_is_closed(tmp_path) -> None:
    settings = RunSettings(output_dir=tmp_path, state_dir=tmp_path, host_name="h1", workers=2, low_priority=False)
    api.start_workers(settings)
    pids = sorted(pipeline._STARTED[0]._processes)
    api.stop_workers()
    assert pipeline._STARTED is None and gc.get_freeze_count() == 0
    assert _all_gone(pids)


def test_one_worker_or_a_dry_run_forks_nothing(host, tmp_path, monkeypatch) -> None:
    api.start_workers(RunSettings(output_dir=tmp_path, state_dir=tmp_path, host_name="h1", workers=1))
    assert pipeline._STARTED is None
    from collector.cli import main

    calls: list[int] = []
    monkeypatch.setattr(pipeline, "start_workers", lambda settings: calls.append(settings.workers))
    argv = ["collect", "--root", str(host), "--output", str(tmp_path / "out"), "--state-dir", str(tmp_path / "state"),
            "--quiet", "--workers", "2"]
    with pytest.raises(SystemExit) as dry:
        main([*argv, "--dry-run"])
    assert dry.value.code == 0 and calls == []
    with pytest.raises(SystemExit) as real:
        main(argv)
    assert real.value.code == 0 and calls == [2]          # the CLI starts them before discovery


def test_a_rule_set_that_is_not_the_runs_leaves_the_file_out(host, tmp_path) -> None:
    """A worker that loads the rule sets itself checks them against the digests the run recorded
    (an edited file mid-run): the member is excluded, never redacted with other rules."""
    segment = max((p for p in host.rglob("*.log") if p.is_file()), key=lambda p: p.stat().st_size)
    info = segment.stat()
    candidate = Candidate(source=segment, host_path=str(segment.relative_to(host)), product="sip-server",
                          installation="SIPS_P", spec_id="segments", kind="log", size=info.st_size,
                          mtime=0.0, rule_sets=("common-secrets", "pii"), device=info.st_dev, inode=info.st_ino)
    pieces = tmp_path / "pieces"
    pieces.mkdir()
    from collector.redaction.rules import load_rule_sets

    recorded = tuple((r.name, r.sha256) for r in load_rule_sets(("common-secrets", "pii")))
    config = member.WorkerConfig(pieces, "tar.gz", None, b"k" * 32, tmp_path / "t.db", (), Window(), 65536,
                                 rule_digests=recorded, checks_dir=tmp_path)
    try:
        good = member.process_members_with(config, (candidate,))[0]
        assert good.excluded is None and good.result is not None
        edited = replace(config, rule_digests=(recorded[0], ("pii", "0" * 64)))
        bad = member.process_members_with(edited, (candidate,))[0]
        assert bad.result is None and bad.piece is None
        assert "rule set pii changed during the run" in bad.excluded.reason
    finally:
        member.close_worker()


def _rules_compiled_while_loading(names: tuple[str, ...], state_dir: Path) -> int:
    from collector.redaction.compiled import compile_rule
    from collector.redaction.rules import load_rule_sets

    before = compile_rule.cache_info().misses
    load_rule_sets(names, (), checked_in=state_dir)
    return compile_rule.cache_info().misses - before


def test_workers_start_with_the_rules_compiled_by_the_main_process(tmp_path, monkeypatch) -> None:
    from collector.redaction import rules
    from collector.redaction.compiled import compile_rule
    from collector.redaction.rules import available_rule_sets

    monkeypatch.setattr(rules, "_LOADED", {})   # as in a fresh gcollect process: nothing loaded,
    compile_rule.cache_clear()                  # nothing compiled
    settings = RunSettings(output_dir=tmp_path / "out", state_dir=tmp_path / "state", host_name="h1",
                           workers=2, low_priority=False)
    api.start_workers(settings)
    pool = pipeline._STARTED[0]
    names = tuple(sorted(available_rule_sets()))
    assert compile_rule.cache_info().currsize > 100              # compiled here, before the fork
    # a worker's own load of the run's rule sets (its first file) compiles nothing more
    assert pool.submit(_rules_compiled_while_loading, names, settings.state_dir).result(timeout=120) == 0


def test_a_later_start_makes_the_rules_patterns_from_the_kept_code(tmp_path, monkeypatch) -> None:
    """The first start keeps the rules' compiled patterns in the state folder; a later process
    compiles none of them again (0.33 s of every run's start) and gets the same patterns."""
    from collector.redaction import compiled, patterncache, rules
    from collector.redaction.compiled import compile_rule

    settings = RunSettings(output_dir=tmp_path / "out", state_dir=tmp_path / "state", host_name="h1",
                           workers=2, low_priority=False)
    monkeypatch.setattr(rules, "_LOADED", {})
    compile_rule.cache_clear()
    try:
        api.start_workers(settings)
        api.stop_workers()
        [kept] = (settings.state_dir / "patterns").glob("*.sre")
        first = {rule: compile_rule(rule) for rule in _packaged_rules()}

        monkeypatch.setattr(rules, "_LOADED", {})              # a later process
        compile_rule.cache_clear()
        afresh: list[bytes] = []
        real = patterncache._compile_afresh
        monkeypatch.setattr(patterncache, "_compile_afresh", lambda text, guard: afresh.append(text) or real(text, guard))
        api.start_workers(settings)
        assert afresh == []
        assert compile_rule.cache_info().currsize > 100
        again = {rule: compile_rule(rule) for rule in first}
        assert all(again[rule] == first[rule] for rule in first)     # the patterns, inner, unless... compare equal
        assert [p.name for p in (settings.state_dir / "patterns").glob("*.sre")] == [kept.name]
    finally:
        api.stop_workers()
        patterncache.use(None)
        compiled.compile_rule.cache_clear()


def _packaged_rules():
    from collector.redaction.rules import available_rule_sets, load_rule_sets

    return [rule for rule_set in load_rule_sets(sorted(available_rule_sets())) for rule in rule_set.rules]


def test_the_first_runs_rule_set_checks_happen_in_a_child(tmp_path, monkeypatch) -> None:
    """On a host's first run every rule set's examples go through the engine before the workers
    are forked. Done in the main process, the freed heap stayed in its RSS and in every worker
    (main 89 MB, workers 105-110 MB, against 50 and 70-75 on a later run). A child does them
    now: none runs here, the record of the checks is written, and a second start forks none."""
    from collector.redaction import rules

    calls: list[str] = []
    real = rules.example_problem
    monkeypatch.setattr(rules, "example_problem", lambda *a, **k: calls.append("x") or real(*a, **k))
    forks: list[int] = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    rules._LOADED.clear()                              # as in a new process
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    settings = RunSettings(output_dir=tmp_path / "out", state_dir=state, host_name="h", workers=2)
    pipeline._compile_rule_sets(settings)
    assert calls == [] and forks == [1]
    assert (state / rules.CHECKED_FILE).is_file()
    names = sorted(rules.available_rule_sets())
    assert rules.all_checked(names, (), state)
    pipeline._compile_rule_sets(settings)              # checked now: no child
    assert forks == [1]


def test_the_first_runs_checks_and_this_process_compile_at_the_same_time(tmp_path, monkeypatch) -> None:
    """The child checks while this process compiles (the other core): the child is started
    before the first rule is compiled here, and waited for only after the last one."""
    from collector.redaction import compiled, rules

    events: list[str] = []
    real_start, real_wait = forked.start, forked.wait
    monkeypatch.setattr(forked, "start", lambda work: events.append("child started") or real_start(work))
    monkeypatch.setattr(forked, "wait", lambda pid: events.append("child waited for") or real_wait(pid))
    real_compile = compiled.compile_rule
    monkeypatch.setattr(rules, "compile_rule", lambda rule: events.append("compiled") or real_compile(rule))
    rules._LOADED.clear()
    compiled.compile_rule.cache_clear()
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    pipeline._compile_rule_sets(RunSettings(output_dir=tmp_path / "out", state_dir=state, host_name="h", workers=2))
    assert events[0] == "child started"
    waited = events.index("child waited for")
    assert events[1:waited].count("compiled") > 100          # compiled here before waiting
    assert rules.all_checked(sorted(rules.available_rule_sets()), (), state)


def test_an_interrupted_wait_for_a_child_ends_the_child(monkeypatch) -> None:
    """Ctrl-C or SIGTERM while the first run's checks run: the child does not run on alone."""
    pid = forked.start(lambda: time.sleep(60))
    real_waitpid = os.waitpid
    calls: list[int] = []

    def interrupted_once(child: int, options: int):
        calls.append(child)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return real_waitpid(child, options)

    monkeypatch.setattr(os, "waitpid", interrupted_once)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        forked.wait(pid)
    assert time.monotonic() - started < 30            # ended, not waited out
    with pytest.raises(ChildProcessError):             # and reaped: no zombie left
        real_waitpid(pid, os.WNOHANG)


def test_a_sigterm_while_this_process_compiles_ends_the_run_and_the_checks(tmp_path, monkeypatch) -> None:
    """SIGTERM (``Interrupted``) during the first run's compile is not taken for a broken rule
    set: it goes up at once, and the child running the checks is ended and reaped."""
    from collector.errors import Interrupted
    from collector.redaction import compiled, rules

    children: list[int] = []
    real_start = forked.start
    monkeypatch.setattr(forked, "start", lambda work: children.append(real_start(work)) or children[-1])

    parent, real_compile = os.getpid(), compiled.compile_rule

    def interrupted(rule):                          # here; the child checks as usual (2-4 s)
        if os.getpid() == parent:
            raise Interrupted(signal="SIGTERM")
        return real_compile(rule)

    monkeypatch.setattr(rules, "compile_rule", interrupted)
    rules._LOADED.clear()
    compiled.compile_rule.cache_clear()
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    started = time.monotonic()
    with pytest.raises(Interrupted):
        pipeline._compile_rule_sets(RunSettings(output_dir=tmp_path / "out", state_dir=state, host_name="h", workers=2))
    assert time.monotonic() - started < 1.5           # the checks alone take 2-4 s: not waited for
    assert len(children) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(children[0], os.WNOHANG)
