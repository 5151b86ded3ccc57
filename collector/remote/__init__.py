"""Collection on many hosts over SSH (``gcollect collect --hosts``) and site-key sharing.

``hosts`` parses the host list, ``session`` is one SSH connection (strict host keys, as the SFTP
upload), ``run`` is one host's run, ``case`` writes the case bundle and its index, ``fleet`` runs
them all in parallel, ``zipapp`` finds the single-file gcollect for hosts without one, ``keys``
exports and imports the site key.
"""

from collector.remote.fleet import AllHostsFailed, CaseResult, CaseSettings, collect_hosts
from collector.remote.hosts import HostSpec, parse_hosts
from collector.remote.run import HostResult, RemoteJob
from collector.remote.session import SshSettings

__all__ = ["AllHostsFailed", "CaseResult", "CaseSettings", "HostResult", "HostSpec", "RemoteJob", "SshSettings",
           "collect_hosts", "parse_hosts"]
