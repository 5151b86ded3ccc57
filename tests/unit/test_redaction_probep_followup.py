"""Probe P leftovers: a password element that ends a logged line with its value on the next
line (GMS XML body at DEBUG), and the value of a webhook setting (the URL is the credential)."""

from __future__ import annotations

import pytest

from tests.redacting import assert_redacted, rule_sets  # noqa: F401 - fixture


@pytest.mark.parametrize("fast", [True, False])
def test_logged_xml_password_on_the_next_line_is_masked_and_the_next_record_stays(rule_sets, fast) -> None:  # noqa: F811
    text = ("2025-11-20 10:00:09.004 DEBUG xml body <login><user>agent01</user><password>\n"
            "    ZQC13xmlMulti\n"
            "</password></login>\n"
            "2025-11-20 10:00:09.005 DEBUG [pool-3] next record for agent01\n"
            "10:00:00.000 Trc 04541 <password>\n"
            "10:00:00.001 Trc 04542 a record right after an empty element stays\n")
    assert_redacted(rule_sets, text, gone=["ZQC13xmlMulti"],
                    kept=["<password>\n    REDACTED\n</password></login>\n",
                          "2025-11-20 10:00:09.005 DEBUG [pool-3] next record for agent01\n",
                          "10:00:00.001 Trc 04542 a record right after an empty element stays\n"], fast=fast)


@pytest.mark.parametrize("kind", ["config", "log"])
def test_a_webhook_setting_value_is_masked_but_its_switches_stay(rule_sets, kind) -> None:  # noqa: F811
    text = ("webhook-url = ZQK36webhoo\n"
            '      "webhook-url": "ZQK37webhoo",\n'
            "app.alertWebhookUri=https://alerts.example.net/hook/7f3a/PostSecret2\n"
            "webhook-enabled = true\n"
            "webhook-timeout: 30s\n"
            '{"webhook": "https://hooks.slack.com/services/T0000/B0000/SlackSecret_15"}\n')
    assert_redacted(rule_sets, text, gone=["ZQK36webhoo", "ZQK37webhoo", "PostSecret2", "SlackSecret_15"],
                    kept=["webhook-enabled = true", "webhook-timeout: 30s",
                          "https://hooks.slack.com/services/T0000/B0000/REDACTED"],
                    kind=kind, path="opt/genesys/gax/conf/custom.properties")


@pytest.mark.parametrize("kind", ["config", "log"])
def test_a_value_ending_in_equals_is_no_key_with_its_value_on_the_next_line(rule_sets, kind) -> None:  # noqa: F811
    """A base64 value ends in '=' (SharedAccessKey=...=): read as 'key=' with the value on the
    next line, its tail became a block marker, which the line rules leave alone, and the
    Service Bus key shipped."""
    text = ("servicebus = Endpoint=sb://gen.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
            "SharedAccessKey=ZQSBsharedaccesskey=\n"
            "next line stays\n"
            "password =\n"
            "NextLinePw_1\n")
    assert_redacted(rule_sets, text, gone=["ZQSBsharedaccesskey", "NextLinePw_1"],
                    kept=["SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=REDACTED\n",
                          "next line stays\n", "password =\n"], kind=kind, path="opt/genesys/OCS/OCS.cfg")
