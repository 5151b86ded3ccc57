from pathlib import Path

from collector.logfilters import log_filters
from collector.model import Installation


def test_log_filter_sections_are_reported_per_installation(tmp_path: Path):
    app = tmp_path / "opt/genesys/URS_P"
    app.mkdir(parents=True)
    (app / "urs.cfg").write_text("[log]\nall = URS_P\n[log-filter]\ndefault-filter-type = copy\n"
                                 "[log-filter-data]\nCardNumber = hide\nAccountNumber = hide-first,4\n")
    (app / "other.ini").write_text("[settings]\nx = 1\n")
    inst = Installation(product="urs", name="URS_P", app_dir="opt/genesys/URS_P")
    found = log_filters(tmp_path, [inst, Installation(product="lca", name="LCA", app_dir=None)])
    assert found == {"urs:URS_P": {"opt/genesys/URS_P/urs.cfg": {
        "log-filter": {"default-filter-type": "copy"},
        "log-filter-data": {"cardnumber": "hide", "accountnumber": "hide-first,4"}}}}
