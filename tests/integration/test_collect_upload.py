"""`gcollect collect --upload` end to end against the real S3 server (SeaweedFS on loopback)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from collector.errors import ExitCode
from tests.cli.conftest import run_gcollect

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def small_host(tmp_path_factory):
    from collector.testhost import generate_host

    root = tmp_path_factory.mktemp("uphost") / "host"
    root.mkdir()
    generate_host(root, products=("config-server", "sip-server"), days=0.5, seed=3)
    return root


def test_collect_then_upload_to_s3(s3_server, small_host, tmp_path):
    bucket = s3_server.create_bucket("cases-collect")
    env = {**s3_server.env(), "GCOLLECT_ENDPOINT_URL": s3_server.endpoint_url, "GCOLLECT_PATH_STYLE": "1"}
    proc = run_gcollect("collect", "--root", str(small_host), "--output", str(tmp_path),
                        "--state-dir", str(tmp_path / "state"), "--case", "777", "--json",
                        "--upload", f"s3://{bucket}/cases/777/", env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    report = json.loads(proc.stdout)
    bundle = Path(report["bundle"])
    receipt = report["upload"]
    assert receipt["sha256"] == hashlib.sha256(bundle.read_bytes()).hexdigest()
    keys = {o["Key"] for o in s3_server.client().list_objects_v2(Bucket=bucket)["Contents"]}
    assert f"cases/777/{bundle.name}" in keys
    assert any(k.endswith(".sha256") for k in keys)
    body = s3_server.client().get_object(Bucket=bucket, Key=f"cases/777/{bundle.name}")["Body"].read()
    assert hashlib.sha256(body).hexdigest() == receipt["sha256"]


def test_wrong_credentials_keep_the_bundle_and_say_so(s3_server, small_host, tmp_path):
    bucket = s3_server.create_bucket("cases-badcreds")
    env = {**s3_server.env(), "AWS_SECRET_ACCESS_KEY": "wrong-secret",
           "GCOLLECT_ENDPOINT_URL": s3_server.endpoint_url, "GCOLLECT_PATH_STYLE": "1", "GCOLLECT_RETRIES": "0"}
    proc = run_gcollect("collect", "--root", str(small_host), "--output", str(tmp_path),
                        "--state-dir", str(tmp_path / "state"), "--upload", f"s3://{bucket}/x/", env=env)
    assert proc.returncode == ExitCode.UPLOAD_AUTH
    err = proc.stderr.decode()
    assert "Traceback" not in err and "wrong-secret" not in err and "kept at" in err
    assert list(tmp_path.glob("gcollect-*.tar.gz")), "the verified bundle stays for a later `gcollect upload`"


def test_collect_upload_says_where_it_went_and_that_it_was_verified(s3_server, small_host, tmp_path):
    bucket = s3_server.create_bucket("cases-line")
    env = {**s3_server.env(), "GCOLLECT_ENDPOINT_URL": s3_server.endpoint_url, "GCOLLECT_PATH_STYLE": "1"}
    proc = run_gcollect("collect", "--root", str(small_host), "--output", str(tmp_path), "-q",
                        "--state-dir", str(tmp_path / "state"), "--upload", f"s3://{bucket}/c/", env=env)
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    bundle = next(tmp_path.glob("gcollect-*.tar.gz"))
    sha = hashlib.sha256(bundle.read_bytes()).hexdigest()
    assert err.splitlines() == [f"gcollect: uploaded {bundle.name} to s3://{bucket}/c/{bundle.name}, "
                                f"sha256 {sha} verified"], err


def test_collect_upload_interrupted_keeps_the_bundle_and_says_how_to_resume(monkeypatch, tmp_path):
    import collector.cli.upload_cmd  # noqa: F401 - imported before `upload` is replaced: it keeps the real one
    import collector.upload
    from collector.cli.options import upload_after_collect
    from collector.errors import Interrupted, UploadInterrupted

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(collector.upload, "upload", interrupted)
    bundle = tmp_path / "gcollect-x.tar.gz"
    bundle.write_bytes(b"x")
    with pytest.raises(UploadInterrupted) as err:
        upload_after_collect(bundle, "s3://b/p/", {})
    assert isinstance(err.value, Interrupted) and err.value.exit_code == ExitCode.SIGINT
    assert err.value.message == (f"upload interrupted by SIGINT; the bundle is kept at {bundle}; "
                                 f"run `gcollect upload {bundle} --to URL` to resume")


@pytest.mark.parametrize("url,env,code,words", [
    ("ftp://x/", {}, ExitCode.USAGE, "Invalid value for --upload: ftp://x/: use s3://, sftp:// or a pre-signed"),
    ("s3://Bad_Bucket!/p/", {}, ExitCode.USAGE, "invalid bucket name 'Bad_Bucket!'"),
    ("s3://cases/x/", {"GCOLLECT_ENDPOINT_URL": "notaurl"}, ExitCode.USAGE, "--endpoint-url (GCOLLECT_ENDPOINT_URL)"),
    ("s3://cases/x/", {"GCOLLECT_REGION": "bad region!"}, ExitCode.USAGE, "--region (GCOLLECT_REGION)"),
    ("s3://cases/x/", {"GCOLLECT_AWS_PROFILE": "nosuchprofile"}, ExitCode.UPLOAD_AUTH, "no such AWS profile"),
])
def test_collect_checks_the_upload_before_collecting(small_host, tmp_path, url, env, code, words):
    """The same refusal as `gcollect upload` gives, at once: nothing collected, no bundle written."""
    out = tmp_path / "out"
    env = {"AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), **env}
    proc = run_gcollect("collect", "--root", str(small_host), "--output", str(out),
                        "--state-dir", str(tmp_path / "state"), "--upload", url, env=env, timeout=60)
    err = proc.stderr.decode()
    assert proc.returncode == code, err
    assert words in err and "internal error" not in err and "Traceback" not in err, err
    assert not out.exists() or not list(out.iterdir()), "refused before collecting"


def test_any_upload_failure_after_the_bundle_says_where_it_is_kept(monkeypatch, tmp_path, capsys):
    import collector.cli.upload_cmd  # noqa: F401 - imported before `upload` is replaced: it keeps the real one
    import collector.upload
    from collector.cli.options import upload_after_collect
    from collector.errors import VerifyFailed

    bundle = tmp_path / "gcollect-x.tar.gz"
    bundle.write_bytes(b"x")
    for error in (VerifyFailed(path=str(bundle), problem="does not verify"), RuntimeError("a bug")):
        def failing(*args, error=error, **kwargs):
            raise error

        monkeypatch.setattr(collector.upload, "upload", failing)
        with pytest.raises(type(error)):
            upload_after_collect(bundle, "s3://b/p/", {"quiet": True})
        assert f"the bundle is kept at {bundle}" in capsys.readouterr().err
