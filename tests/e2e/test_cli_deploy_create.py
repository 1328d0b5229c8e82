"""`engine-sim deploy`, `create` and `instances` on the default SQLite store."""

from __future__ import annotations

from cli_support import Cli, keys_in


def test_deploy_gives_versions_and_leaves_identical_xml_alone(cli: Cli) -> None:
    result = cli("deploy", "order-v1.bpmn", "order-v2.bpmn")
    assert result.code == 0, result.err
    assert "│ orderProcess │ 1       │" in result.out and "│ orderProcess │ 2       │" in result.out
    again = cli("deploy", "order-v2.bpmn")
    assert again.code == 0
    assert "│ orderProcess │ 2       │" in again.out and "unchanged" in again.out


def test_create_parses_variables_and_instances_filters_the_list(cli: Cli) -> None:
    cli("deploy", "order-v1.bpmn", "order-v2.bpmn")
    created = cli("create", "orderProcess", "--version", "1", "--count", "3",
                  "--var", "orderId=o-1", "--var", "paid=true", "--var", "items=[1, 2]")
    assert created.code == 0, created.err
    assert "Created 3 instances of orderProcess version 1" in created.out
    v1 = keys_in(created.out)
    latest = cli("create", "orderProcess")
    assert "orderProcess version 2" in latest.out
    [v2] = keys_in(latest.out)

    listed = cli("instances")
    assert listed.code == 0
    assert keys_in(listed.out) == [*v1, v2]
    assert listed.out.rstrip().endswith("4 instances")
    assert keys_in(cli("instances", "--process", "orderProcess", "--version", "1").out) == v1
    assert keys_in(cli("instances", "--version", "2").out) == [v2]
    assert keys_in(cli("instances", "--element", "checkPayment", "--state", "active").out) == [*v1, v2]
    assert keys_in(cli("instances", "--state", "COMPLETED").out) == []
    assert "showing 2" in cli("instances", "--limit", "2").out

    history = cli("history", str(v1[0]))
    assert '"paid":true' in history.out.replace(" ", "") and '[1,2]' in history.out
    assert "No migrations." in history.out
