"""gcollect: collect, redact, bundle and upload Genesys logs for Customer Care."""

__version__ = "0.1.0"
