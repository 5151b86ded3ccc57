"""gcollect command line: click only. Each command parses options, calls one library
function, and the group turns a GcollectError into one line on stderr and its exit code."""

from __future__ import annotations

import importlib
import logging
import os
import signal
import sys
from typing import NoReturn

import click

from collector import __version__
from collector.errors import ExitCode, GcollectError, Interrupted, full_disk_of
from collector.printable import escape_terminal_output

EPILOG = """\b
Examples:
  gcollect demo                                   # try it on a generated demo host
  gcollect collect --since 2h --case 01234567     # this host, last two hours
  gcollect collect --root /mnt/host1 --profile sip-server --json
  gcollect verify gcollect-host1-01234567-20251119T140500Z.tar.gz
  gcollect upload BUNDLE --to s3://bucket/cases/01234567/

Exit codes are listed in the README (0 ok, 1 done with files left out, 2 usage, ...).
"""


# Each command's module is imported when that command runs (or help lists it): a cron-started
# `gcollect snapshot` does not pay for importing the case, upload and report code.
_COMMANDS = {
    "collect": ("collector.cli.collect_cmd", "collect_command"),
    "demo": ("collector.cli.demo_cmd", "demo_command"),
    "profiles": ("collector.cli.profiles_cmd", "profiles_group"),
    "verify": ("collector.cli.tools_cmd", "verify_command"),
    "unmask": ("collector.cli.tools_cmd", "unmask_command"),
    "inspect": ("collector.cli.inspect_cmd", "inspect_command"),
    "notice": ("collector.cli.notice_cmd", "notice_command"),
    "case": ("collector.cli.case_cmd", "case_group"),
    "key": ("collector.cli.key_cmd", "key_group"),
    "upload": ("collector.cli.upload_cmd", "upload_command"),
    "snapshot": ("collector.cli.snapshot_cmd", "snapshot_command"),
}
_OPTIONAL = {"upload", "snapshot"}     # need the upload libraries; left out when those are missing


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in _COMMANDS if self.get_command(ctx, name) is not None)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        spec = _COMMANDS.get(cmd_name)
        if spec is None:
            return None
        try:
            module = importlib.import_module(spec[0])
        except ImportError:
            if cmd_name in _OPTIONAL:
                return None
            raise
        command = getattr(module, spec[1])
        self.commands[cmd_name] = command
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             epilog=EPILOG)
@click.version_option(__version__, prog_name="gcollect")
@click.option("--debug", is_flag=True, envvar="GCOLLECT_DEBUG", help="Show a traceback for unexpected errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Collect Genesys logs and configuration for Customer Care: find the installations,
    take the time window that matters, redact, compress, checksum, and upload."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def _on_sigterm(signum, frame):  # pragma: no cover - exercised by subprocess tests
    raise Interrupted(signal="SIGTERM")


def _internal_error(exc: Exception, debug: bool) -> NoReturn:
    if debug:
        import traceback

        traceback.print_exc()
    click.echo(f"gcollect: internal error: {type(exc).__name__}: {exc} "
               "(please report it; --debug shows details)", err=True)
    sys.exit(int(ExitCode.INTERNAL))


_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())   # click 8.2+


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and map every outcome to one line and an exit code."""
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _on_sigterm)
    escape_terminal_output()
    debug = bool(os.environ.get("GCOLLECT_DEBUG")) or "--debug" in (argv or sys.argv[1:])
    if debug:      # libraries' own logs too (paramiko's handshake failures, retries)
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(levelname)s: %(message)s")
    try:
        code = cli.main(args=argv, prog_name="gcollect", standalone_mode=False)
    except Interrupted as exc:
        click.echo(f"gcollect: {exc.message}", err=True)
        code = ExitCode.SIGTERM if exc.fields.get("signal") == "SIGTERM" else ExitCode.SIGINT
        sys.exit(int(code))
    except GcollectError as exc:
        click.echo(f"gcollect: error: {exc.message}", err=True)
        sys.exit(int(exc.exit_code))
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("gcollect: interrupted; temporary files removed, no bundle written", err=True)
        sys.exit(int(ExitCode.SIGINT))
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.UsageError as exc:      # a bad option or argument: one line, and where help is
        if isinstance(exc, _NO_ARGS_IS_HELP):          # `gcollect` alone: the help, as click shows it
            exc.show()
            sys.exit(exc.exit_code)
        where = exc.ctx.command_path if exc.ctx is not None else "gcollect"
        click.echo(f"gcollect: error: {exc.format_message()} (see: {where} --help)", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except OSError as exc:
        full = full_disk_of(exc)         # a state file written on a full disk (the lock, snapshot state)
        if full is None:
            _internal_error(exc, debug)
        click.echo(f"gcollect: error: {full.message}", err=True)
        sys.exit(int(full.exit_code))
    except Exception as exc:  # noqa: BLE001 - last line of defence: one line, exit 3
        _internal_error(exc, debug)
    sys.exit(code if isinstance(code, int) else 0)
