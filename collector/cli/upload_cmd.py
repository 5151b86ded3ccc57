"""``gcollect upload``: thin click wrapper over ``collector.upload.upload``.

Raises ``collector.errors`` classes; the CLI group turns them into one line and the exit code.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from collector.errors import BadInput, Interrupted, UploadSettingError, upload_interrupted
from collector.upload import UploadOptions, abort_uploads, check_setup, redact_url, reporter_for_terminal, upload
from collector.upload.base import MiB
from collector.upload.ratelimit import parse_rate
from collector.upload.urls import parse_target

EPILOG = """\b
Examples:
  gcollect upload site-20240305.tar.zst --to s3://acme-cases/CS-12345/ --region eu-west-1
  gcollect upload site.tar.zst --to sftp://drop@files.example.com/incoming/ --limit-rate 5M
  GCOLLECT_UPLOAD_URL="$(cat signed-url.txt)" gcollect upload site.tar.zst
  gcollect upload site.tar.zst --to s3://acme-cases/CS-12345/ --abort

\b
The bundle is verified first, as `gcollect verify` does (NAME.sha256, manifest.json, SHA256SUMS,
every member's SHA-256); one that does not verify, or has no NAME.sha256, is refused with exit
code 41 before anything is sent.
An interrupted upload resumes when the same command runs again (S3: the parts already sent are
kept, recorded in NAME.upload.json; SFTP: NAME.part is continued from its size). A pre-signed URL
is a secret: pass it in GCOLLECT_UPLOAD_URL or on stdin (--to -), not on the command line, where
other users can read it in the process list. The SFTP password comes from GCOLLECT_SFTP_PASSWORD
or --ask-password, never from the command line.
"""


def _rate(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        return parse_rate(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


def options_from_params(params: dict) -> UploadOptions:
    """UploadOptions from this command's parsed parameters (flags, GCOLLECT_* variables, defaults)."""
    password = os.environ.get("GCOLLECT_SFTP_PASSWORD")
    if params.get("ask_password"):
        password = click.prompt("SFTP password", hide_input=True, err=True)
    part_size = params["part_size"] * MiB
    return UploadOptions(
        endpoint_url=params["endpoint_url"], region=params["region"], profile=params["aws_profile"],
        path_style=params["path_style"], sse=params["sse"], sse_kms_key_id=params["sse_kms_key_id"],
        known_hosts=params["known_hosts"], accept_new_host_key=params["accept_new_host_key"],
        identity=params["identity"], password=password, limit_rate=params["limit_rate"],
        part_size=part_size, multipart_threshold=part_size, concurrency=params["concurrency"],
        retries=params["retries"], timeout=params["timeout"])


def check_url(url: str, param_hint: str, bundle_name: str = "gcollect-check.tar.gz") -> None:
    """A malformed URL (a bad scheme or bucket name, one holding a password) is a usage error, exit 2,
    with the same words for `upload --to` and `collect --upload`."""
    try:
        parse_target(url, bundle_name)
    except BadInput as e:
        raise click.BadParameter(str(e.fields.get("problem", e.message)), param_hint=param_hint) from None


def settings_from_environment(url: str) -> UploadOptions:
    """The settings `gcollect upload` takes from GCOLLECT_* variables, before there is a bundle:
    a bad one is one line naming the variable (UploadSettingError, exit 2)."""
    settings_only = click.Command("upload", params=[p for p in upload_command.params    # no BUNDLE yet
                                                    if isinstance(p, click.Option)])
    try:
        ctx = settings_only.make_context("upload", ["--to", url])
    except click.BadParameter as exc:
        param = exc.param
        envvar = getattr(param, "envvar", None)
        setting = envvar if isinstance(envvar, str) else (param.name if param is not None else "upload setting")
        raise UploadSettingError(setting=str(setting), problem=exc.message) from None
    except click.UsageError as exc:
        raise UploadSettingError(setting="upload setting", problem=exc.message) from None
    return options_from_params(ctx.params)


def check_before_collect(url: str, param_hint: str) -> None:
    """`collect --upload URL`: the URL and the upload settings (GCOLLECT_* variables, the AWS
    configuration files) are checked before anything is collected, as `gcollect upload` checks
    them; nothing is sent to the target (see check_setup for what making an S3 client asks)."""
    check_url(url, param_hint)
    check_setup(url, settings_from_environment(url))


def options_from_environment(bundle: Path, url: str) -> UploadOptions:
    """The same settings `gcollect upload` would use, taken from GCOLLECT_* variables only
    (for `collect --upload` and `snapshot --upload`)."""
    ctx = upload_command.make_context("upload", [str(bundle), "--to", url])
    return options_from_params(ctx.params)


@click.command("upload", epilog=EPILOG, help="Upload BUNDLE (and its .sha256) to S3, SFTP or a pre-signed URL.")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--to", "url", envvar="GCOLLECT_UPLOAD_URL", metavar="URL", show_envvar=True,
              help="s3://BUCKET/PREFIX/, sftp://USER@HOST[:PORT]/DIR/, a pre-signed https:// URL, or - (read from stdin).")
@click.option("--endpoint-url", envvar="GCOLLECT_ENDPOINT_URL", show_envvar=True, help="S3-compatible endpoint.")
@click.option("--region", envvar="GCOLLECT_REGION", show_envvar=True, help="AWS region.")
@click.option("--aws-profile", envvar="GCOLLECT_AWS_PROFILE", show_envvar=True, help="AWS profile name.")
@click.option("--path-style/--no-path-style", envvar="GCOLLECT_PATH_STYLE", show_envvar=True, default=False,
              help="Path-style S3 addressing (most S3-compatible servers).")
@click.option("--sse", envvar="GCOLLECT_SSE", show_envvar=True, type=click.Choice(["AES256", "aws:kms"]),
              help="Server-side encryption.")
@click.option("--sse-kms-key-id", envvar="GCOLLECT_SSE_KMS_KEY_ID", show_envvar=True, help="KMS key for --sse aws:kms.")
@click.option("--known-hosts", envvar="GCOLLECT_KNOWN_HOSTS", show_envvar=True,
              type=click.Path(dir_okay=False, path_type=Path), help="known_hosts file [~/.ssh/known_hosts].")
@click.option("--accept-new-host-key", envvar="GCOLLECT_ACCEPT_NEW_HOST_KEY", show_envvar=True, is_flag=True,
              help="Record an unknown SSH host key (a changed key is always refused).")
@click.option("--identity", envvar="GCOLLECT_IDENTITY", show_envvar=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path), help="SSH private key file.")
@click.option("--ask-password", is_flag=True, help="Prompt for the SFTP password.")
@click.option("--limit-rate", envvar="GCOLLECT_LIMIT_RATE", show_envvar=True, callback=_rate, metavar="RATE",
              help="Bandwidth cap for the whole upload, e.g. 800K, 5M (1024-based bytes per second).")
@click.option("--part-size", envvar="GCOLLECT_PART_SIZE", show_envvar=True, type=click.IntRange(5, 5120),
              default=16, show_default=True, help="S3 part size in MiB.")
@click.option("--concurrency", envvar="GCOLLECT_CONCURRENCY", show_envvar=True, type=click.IntRange(1, 32),
              default=4, show_default=True, help="S3 parts in flight.")
@click.option("--retries", envvar="GCOLLECT_RETRIES", show_envvar=True, type=click.IntRange(0, 100), default=5,
              show_default=True, help="Retries after a transient error (backoff with jitter).")
@click.option("--timeout", envvar="GCOLLECT_TIMEOUT", show_envvar=True, type=click.FloatRange(1), default=60.0,
              show_default=True, help="Connect/read timeout in seconds.")
@click.option("--json", "as_json", is_flag=True, help="Print the receipt as JSON.")
@click.option("--abort", is_flag=True, help="Give up unfinished uploads at the URL (S3: all under the prefix).")
def upload_command(bundle: Path, url: str | None, endpoint_url: str | None, region: str | None,
                   aws_profile: str | None, path_style: bool, sse: str | None, sse_kms_key_id: str | None,
                   known_hosts: Path | None, accept_new_host_key: bool, identity: Path | None, ask_password: bool,
                   limit_rate: int | None, part_size: int, concurrency: int, retries: int, timeout: float,
                   as_json: bool, abort: bool) -> None:
    if url == "-":
        url = sys.stdin.readline().strip()
    if not url:
        raise click.UsageError("no upload target: give --to URL (or --to - to read it from stdin), "
                               "or set GCOLLECT_UPLOAD_URL")
    check_url(url, "--to", bundle.name)   # a malformed URL (or one holding a password) is a usage error: exit 2
    from_command_line = click.get_current_context().get_parameter_source("url") == ParameterSource.COMMANDLINE
    if from_command_line and ("Signature=" in url or "X-Amz-Signature" in url):
        click.echo("warning: the signed URL is visible in the process list; prefer GCOLLECT_UPLOAD_URL or --to -",
                   err=True)
    options = options_from_params(click.get_current_context().params)
    if abort:
        removed = abort_uploads(url, options, bundle)
        if as_json:
            click.echo(json.dumps({"url": redact_url(url), "aborted": removed}))
        else:
            click.echo(f"aborted {removed} unfinished upload(s) at {redact_url(url)}")
        return
    if sys.stderr.isatty():       # a large bundle takes seconds to verify: say why nothing moves yet
        click.echo(f"verifying {bundle.name} before sending it ...", err=True)
    try:
        receipt = upload(bundle, url, options, reporter_for_terminal(bundle.name))
    except (KeyboardInterrupt, Interrupted) as e:
        raise upload_interrupted(e, "the bundle is intact; run the same command again to resume") from None
    if as_json:
        click.echo(json.dumps(receipt.to_json(), indent=1))
    else:
        resumed = f", resumed after {receipt.resumed_bytes} bytes" if receipt.resumed_bytes else ""
        rate = receipt.size / MiB / receipt.seconds if receipt.seconds > 0 else 0.0
        click.echo(f"uploaded {bundle.name} to {receipt.url}: {receipt.size} bytes in {receipt.seconds:.1f}s "
                   f"({rate:.1f} MiB/s{resumed}), sha256 {receipt.sha256} {receipt.verified_text()}")
