"""Synthetic Genesys hosts for the demo, the tests and the benchmark.

``generate_host(dest, ...)`` writes a folder that looks like the root of a Genesys host (so
``gcollect collect --root DIR`` runs on it) and returns a ``HostLedger`` of everything it
planted: installations, files, every secret value with the file it is in, values that must
survive redaction, and the first/last record time of every log file.
"""

from .host import ALL_PRODUCTS, DEMO_PRODUCTS, generate_host
from .ledger import HostLedger, PlantedInstallation, PlantedSecret

__all__ = ["ALL_PRODUCTS", "DEMO_PRODUCTS", "HostLedger", "PlantedInstallation", "PlantedSecret", "generate_host"]
