"""Profile loader: every malformed profile gives one line naming FILE:LINE, the KEY PATH and the problem."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from collector import profile as profile_mod
from collector.errors import BadProfile, ExitCode
from collector.profile import check_profile_file, load_profile_file, load_profiles, profile_dirs

# Line numbers of BASE (1-based) are used by the cases below.
BASE_LINES = [
    "schema: gcollect/profile/v1",                          # 1
    "product: demo-app",                                    # 2
    "title: Demo application",                              # 3
    "detect:",                                              # 4
    "  processes: [demo_server]",                           # 5
    "  app_types: [DemoServer]",                            # 6
    'roots: ["opt/genesys/*", "*/Program Files/GCTI/*"]',   # 7
    "collect:",                                             # 8
    "  - id: snapshot",                                     # 9
    "    kind: log",                                        # 10
    '    globs: ["{log_base}.[0-9]*.snapshot.log"]',        # 11
    "    always_in_window: true",                           # 12
    "  - id: segments",                                     # 13
    "    kind: log",                                        # 14
    '    globs: ["{log_base}.[0-9]*.log"]',                 # 15
    "    cap_mb: 100",                                      # 16
    "  - id: startup",                                      # 17
    "    kind: config",                                     # 18
    '    globs: ["{app_dir}/*.cfg"]',                       # 19
    'forbid: ["**/*.key"]',                                 # 20
    "redaction: [common-secrets, pii]",                     # 21
]


def variant(**edits: str | None) -> str:
    """BASE with line N replaced (``l7="..."``; ``None`` deletes it; ``\\n`` adds lines)."""
    lines = list(BASE_LINES)
    for key, text in edits.items():
        lines[int(key[1:]) - 1] = text  # type: ignore[call-overload]
    return "\n".join(line for line in lines if line is not None) + "\n"


# (case id, text, line, key path, words the problem must contain)
CASES = [
    ("yaml-syntax-flow", variant(l5="  processes: [demo_server"), 6, "",
     ["YAML syntax error", "line 6", "column", "opened at line 5, column 14"]),
    ("yaml-syntax-indent", variant(l3="title: Demo\n  bad: indent"), 4, "", ["YAML syntax error", "line 4, column 6"]),
    ("yaml-tab", variant(l14="\tkind: log"), 14, "", ["YAML syntax error", "line 14"]),
    ("not-a-mapping", "- just\n- a list\n", 1, "", ["expected a mapping", "got a list"]),
    ("empty-file", "", 1, "", ["expected a mapping", "nothing"]),
    ("wrong-type-globs", variant(l15='    globs: "{log_base}.*.log"'), 15, "collect[1].globs",
     ["expected a list of strings", "got a string"]),
    ("wrong-type-item", variant(l19='    globs: ["{app_dir}/*.cfg", 42]'), 19, "collect[2].globs[1]",
     ["expected a string", "got a number"]),
    ("wrong-type-detect", variant(l4="detect: sip_server", l5=None, l6=None), 4, "detect",
     ["expected a mapping", "got a string"]),
    ("wrong-type-bool", variant(l12="    always_in_window: maybe"), 12, "collect[0].always_in_window",
     ["expected true or false"]),
    ("cap-not-positive", variant(l16="    cap_mb: -5"), 16, "collect[1].cap_mb", ["greater than 0"]),
    ("unknown-key-top", variant(l21="redaction: [pii]\nredactions: [sip]"), 22, "redactions",
     ["unknown key", "did you mean 'redaction'"]),
    ("unknown-key-detect", variant(l6="  app_type: [DemoServer]"), 6, "detect.app_type",
     ["unknown key", "did you mean 'app_types'"]),
    ("unknown-key-spec", variant(l16="    cap: 100"), 16, "collect[1].cap", ["unknown key"]),
    ("missing-product", variant(l2=None), 1, "product", ["missing (required)"]),
    ("missing-kind", variant(l14=None), 13, "collect[1].kind", ["missing (required)"]),
    ("empty-collect", variant(l8="collect: []", **{f"l{n}": None for n in range(9, 20)}), 8, "collect",
     ["must not be empty"]),
    ("bad-schema-id", variant(l1="schema: gcollect/profile/v2"), 1, "schema", ["gcollect/profile/v1"]),
    ("bad-product-id", variant(l2="product: SIP_Server"), 2, "product", ["lower-case"]),
    ("bad-kind", variant(l14="    kind: logs"), 14, "collect[1].kind", ["'logs' is not one of", "binary-log"]),
    ("bad-window", variant(l18="    kind: config\n    window: always"), 19, "collect[2].window",
     ["is not one of", "ignore"]),
    ("bad-consent", variant(l14="    kind: log\n    consent: yes-please"), 15, "collect[1].consent",
     ["unredacted-binary"]),
    ("unknown-placeholder", variant(l15='    globs: ["{log_base}.*.log", "{logdir}/x.log"]'), 15,
     "collect[1].globs[1]", ["unknown placeholder {logdir}", "{log_dir}"]),
    ("placeholder-not-leading", variant(l19='    globs: ["opt/{app_dir}/*.cfg"]'), 19, "collect[2].globs[0]",
     ["{app_dir}", "must start the glob"]),
    ("brace-alternatives", variant(l19='    globs: ["{app_dir}/*.{cfg,conf}"]'), 19, "collect[2].globs[0]",
     ["brace alternatives"]),
    ("unbalanced-brace", variant(l19='    globs: ["{app_dir/*.cfg"]'), 19, "collect[2].globs[0]", ["unbalanced"]),
    ("placeholder-in-forbid", variant(l20='forbid: ["{app_dir}/*.key"]'), 20, "forbid[0]",
     ["placeholders are not allowed"]),
    ("duplicate-spec-id", variant(l17="  - id: segments"), 17, "collect[2].id",
     ["duplicate spec id 'segments'", "collect[1]"]),
    ("duplicate-yaml-key", variant(l16="    cap_mb: 100\n    kind: text"), 17, "collect[1].kind", ["duplicate key"]),
    ("absolute-root", variant(l7='roots: ["/opt/genesys/*"]'), 7, "roots[0]", ["leading '/'"]),
    ("windows-path", variant(l7='roots: ["C:\\\\Program Files\\\\GCTI\\\\*"]'), 7, "roots[0]", ["'C/'"]),
    ("dotdot", variant(l19='    globs: ["{app_dir}/../*.cfg"]'), 19, "collect[2].globs[0]", ["'..'"]),
    ("double-star-inside", variant(l19='    globs: ["{app_dir}/a**/*.cfg"]'), 19, "collect[2].globs[0]",
     ["whole path segment"]),
    ("process-path", variant(l5="  processes: [/opt/genesys/demo_server]"), 5, "detect.processes[0]",
     ["base name"]),
    ("no-signal", variant(l4="detect: {}", l5=None, l6=None), 4, "detect", ["at least one signal"]),
    ("binary-without-consent", variant(l14="    kind: binary-log"), 14, "collect[1].kind",
     ["consent: unredacted-binary"]),
    ("always-with-ignore", variant(l12="    always_in_window: true\n    window: ignore"), 12,
     "collect[0].always_in_window", ["no effect"]),
    ("rule-set-name", variant(l21="redaction: [common-secrets, Tlib_Data]"), 21, "redaction[1]", ["rule-set name"]),
    ("rule-set-duplicate", variant(l21="redaction: [pii, pii]"), 21, "redaction", ["duplicate"]),
]


@pytest.fixture()
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_base_profile_is_valid(in_tmp: Path) -> None:
    path = write(in_tmp, "demo.yaml", variant())
    assert check_profile_file(path) == []
    prof = load_profile_file(path)
    assert prof.product == "demo-app" and prof.title == "Demo application"
    assert prof.source == str(path) and len(prof.sha256) == 64
    assert prof.detect.processes == ("demo_server",) and prof.detect.app_types == ("DemoServer",)
    assert prof.detect.banners == () and prof.detect.paths == ()
    assert prof.roots == ("opt/genesys/*", "*/Program Files/GCTI/*")
    assert [s.id for s in prof.collect] == ["snapshot", "segments", "startup"]
    snapshot, segments, startup = prof.collect
    assert snapshot.always_in_window and snapshot.window == "segment" and snapshot.cap_mb is None
    assert segments.cap_mb == 100.0 and isinstance(segments.cap_mb, float)
    assert startup.kind == "config" and startup.window == "ignore"   # config defaults to window: ignore
    assert prof.forbid == ("**/*.key",) and prof.redaction == ("common-secrets", "pii")


@pytest.mark.parametrize(("text", "line", "key", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_profile_names_file_key_and_line(in_tmp: Path, text: str, line: int, key: str,
                                                   words: list[str]) -> None:
    path = write(in_tmp, "bad.yaml", text)
    with pytest.raises(BadProfile) as caught:
        load_profile_file(path)
    message = caught.value.message
    prefix = f"bad.yaml:{line}: " + (f"{key}: " if key else "")
    assert message.startswith(prefix), message
    for word in words:
        assert word in message, message
    assert caught.value.exit_code == ExitCode.BAD_PROFILE
    problems = check_profile_file(path)
    assert problems and problems[0] == message.split(" (and ")[0]


def test_check_lists_every_problem_in_line_order(in_tmp: Path) -> None:
    path = write(in_tmp, "bad.yaml", variant(l2="product: Bad Id", l14="    kind: logs",
                                             l19='    globs: ["{nope}/*.cfg"]'))
    problems = check_profile_file(path)
    assert [p.split(":")[1] for p in problems] == ["2", "14", "19"]
    with pytest.raises(BadProfile, match=r"^bad.yaml:2: product: .*\(and 2 more; run: gcollect profiles check"):
        load_profile_file(path)


@pytest.mark.parametrize("data", [b"\xff\xfe\x00garbage", b"\x00\x01\x02", b"key: [\n" * 50, b"!!python/object:os.system x\n",
                                  b"a: *undefined\n", b"--- a\n--- b\n", b"? [a, b]\n: c\n", b"[" * 5000])
def test_garbage_never_tracebacks(in_tmp: Path, data: bytes) -> None:
    path = write(in_tmp, "junk.yaml", data)
    problems = check_profile_file(path)
    assert problems and all(p.startswith("junk.yaml") for p in problems)
    with pytest.raises(BadProfile):
        load_profile_file(path)


def test_missing_file_is_a_problem_not_a_traceback(in_tmp: Path) -> None:
    assert check_profile_file(in_tmp / "nope.yaml") == ["nope.yaml: cannot read: No such file or directory"]


def test_absolute_path_outside_cwd_is_shown_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    path = write(tmp_path, "bad.yaml", variant(l14="    kind: logs"))
    assert check_profile_file(path)[0].startswith(f"{path}:14: collect[1].kind: ")


# ---------------------------------------------------------------- folders and overrides
@pytest.fixture()
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Built-in folder, site folder and no $GCOLLECT_PROFILE_DIR, all under tmp_path."""
    builtin = tmp_path / "pkg" / "profiles"
    site = tmp_path / "etc" / "profiles.d"
    builtin.mkdir(parents=True)
    site.mkdir(parents=True)
    monkeypatch.setattr(profile_mod, "builtin_dir", lambda: builtin)
    monkeypatch.setattr(profile_mod, "SITE_DIR", site)
    monkeypatch.delenv(profile_mod.ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    write(builtin, "demo-app.yaml", variant())
    write(builtin, "other.yaml", variant(l2="product: other-app", l3="title: Other"))
    return {"builtin": builtin, "site": site, "tmp": tmp_path}


def test_site_folder_overrides_builtin_by_product(isolated: dict[str, Path]) -> None:
    write(isolated["site"], "my-demo.yaml", variant(l3="title: Site demo", l16="    cap_mb: 7"))
    write(isolated["site"], "extra.yml", variant(l2="product: site-only", l3="title: Site only"))
    write(isolated["site"], "README.txt", "not a profile")
    profiles = load_profiles()
    assert sorted(profiles) == ["demo-app", "other-app", "site-only"]
    assert profiles["demo-app"].title == "Site demo"
    assert profiles["demo-app"].source == str(isolated["site"] / "my-demo.yaml")
    assert profiles["demo-app"].collect[1].cap_mb == 7.0
    assert profiles["other-app"].title == "Other"


def test_order_env_then_extra_dirs_win(isolated: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    env1, env2, extra = (isolated["tmp"] / n for n in ("env1", "env2", "extra"))
    for folder, title in ((env1, "Env one"), (env2, "Env two"), (extra, "Extra")):
        folder.mkdir()
        write(folder, "demo.yaml", variant(l3=f"title: {title}"))
    monkeypatch.setenv(profile_mod.ENV_VAR, f"{env1}{os.pathsep}{os.pathsep}{env2}")
    assert profile_dirs([extra]) == [isolated["builtin"], isolated["site"], env1, env2, extra]
    assert load_profiles([extra])["demo-app"].title == "Extra"
    assert load_profiles()["demo-app"].title == "Env two"


def test_site_folder_missing_is_skipped(isolated: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(profile_mod, "SITE_DIR", isolated["tmp"] / "no-such-dir")
    assert profile_dirs() == [isolated["builtin"]]
    assert sorted(load_profiles()) == ["demo-app", "other-app"]


def test_missing_extra_dir_is_an_error(isolated: dict[str, Path]) -> None:
    with pytest.raises(BadProfile, match="does not exist"):
        load_profiles([isolated["tmp"] / "typo"])


def test_two_files_same_product_in_one_folder(isolated: dict[str, Path]) -> None:
    write(isolated["site"], "a.yaml", variant())
    write(isolated["site"], "b.yaml", variant(l3="title: Again"))
    with pytest.raises(BadProfile, match=r"b.yaml: product: 'demo-app' is also defined by .*a.yaml"):
        load_profiles()


def test_bad_site_profile_stops_loading(isolated: dict[str, Path]) -> None:
    write(isolated["site"], "broken.yaml", variant(l15='    globs: "{log_base}.*.log"'))
    with pytest.raises(BadProfile, match=r"broken.yaml:15: collect\[1\].globs: expected a list of strings"):
        load_profiles()


def test_wheel_data_folder_is_preferred(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    packaged = tmp_path / "collector" / "_data" / "profiles"
    packaged.mkdir(parents=True)
    monkeypatch.setattr(profile_mod, "_PACKAGE_DIR", tmp_path / "collector")
    assert profile_mod.builtin_dir() == packaged
    monkeypatch.setattr(profile_mod, "_PACKAGE_DIR", tmp_path / "src" / "collector")
    assert profile_mod.builtin_dir() == tmp_path / "src" / "profiles"


# ---------------------------------------------------------------- remembered checks
def test_checked_profiles_are_remembered_and_give_the_same_profiles(isolated: dict[str, Path],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    state = isolated["tmp"] / "state"
    state.mkdir()
    first = load_profiles(checked_in=state)
    assert (state / profile_mod.CHECKED_FILE).exists()
    assert oct((state / profile_mod.CHECKED_FILE).stat().st_mode & 0o777) == "0o600"
    checks: list[str] = []
    real = profile_mod._schema_problems
    monkeypatch.setattr(profile_mod, "_schema_problems", lambda data, lines: checks.append("x") or real(data, lines))
    assert load_profiles(checked_in=state) == first == load_profiles()
    assert len(checks) == 2                  # only the run without the state folder checked


def test_an_edited_profile_is_checked_again(isolated: dict[str, Path]) -> None:
    state = isolated["tmp"] / "state"
    state.mkdir()
    load_profiles(checked_in=state)
    write(isolated["builtin"], "demo-app.yaml", variant(l15='    globs: "{log_base}.*.log"'))
    with pytest.raises(BadProfile, match=r"demo-app.yaml:15: collect\[1\].globs: expected a list of strings"):
        load_profiles(checked_in=state)
    with pytest.raises(BadProfile, match="expected a list of strings"):
        load_profiles(checked_in=state)      # a failed file is never remembered


@pytest.mark.parametrize("content", [b"", b"not json", b'{"key": "other", "clean": []}', b"[1, 2]"])
def test_a_damaged_or_foreign_record_is_ignored(isolated: dict[str, Path], content: bytes) -> None:
    state = isolated["tmp"] / "state"
    state.mkdir()
    write(isolated["builtin"], "broken.yaml", variant(l2="product: broken-app", l15='    globs: "x"'))
    digest = __import__("hashlib").sha256((isolated["builtin"] / "broken.yaml").read_bytes()).hexdigest()
    (state / profile_mod.CHECKED_FILE).write_bytes(content.replace(b"[]", f'["{digest}"]'.encode()))
    with pytest.raises(BadProfile, match="expected a list of strings"):
        load_profiles(checked_in=state)
