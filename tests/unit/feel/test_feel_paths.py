"""Paths into contexts, 1-based indexing, and filters."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest

from engine_sim.feel import compile_expression

ORDER = {"customer": {"name": "Ada", "tags": ["vip", "new"]}, "total": 120}
ORDERS = [{"id": 1, "amount": 5}, {"id": 2, "amount": 20}, {"id": 3, "amount": 50}]


def ev(text: str, **variables: Any) -> Any:
    return compile_expression(text).evaluate(variables)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=order.total", 120),
        ("=order.customer.name", "Ada"),
        ("=order.customer.tags", ["vip", "new"]),
        ("=order.missing", None),
        ("=order.missing.deeper", None),
        ("=order.total.value", None),
        ("=order.customer.name.first", None),
        ("=nothing.at.all", None),
        ("={a: {b: 1}}.a.b", 1),
        ("=(order).total", 120),
        ("=order . customer . name", "Ada"),
        ("={if: 1}.if", 1),
    ],
)
def test_paths(text: str, expected: Any) -> None:
    assert ev(text, order=ORDER) == expected


def test_path_on_a_non_dict_mapping() -> None:
    assert ev("=m.a.b", m=MappingProxyType({"a": MappingProxyType({"b": 2})})) == 2
    assert ev("=m.z", m=MappingProxyType({})) is None


def test_path_on_a_list_maps_over_its_items_as_in_feel() -> None:
    assert ev("=orders.amount", orders=ORDERS) == [5, 20, 50]
    assert ev("=orders.missing", orders=ORDERS) == [None, None, None]
    assert ev("=xs.a", xs=[{"a": 1}, 2, None]) == [1, None, None]
    assert ev("=sum(orders.amount)", orders=ORDERS) == 75


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=xs[1]", "a"),
        ("=xs[3]", "c"),
        ("=xs[4]", None),
        ("=xs[0]", None),
        ("=xs[-1]", "c"),
        ("=xs[-3]", "a"),
        ("=xs[-4]", None),
        ("=xs[i]", "b"),
        ("=xs[i + 1]", "c"),
        ("=xs[2.0]", "b"),
        ("=xs[1.5]", None),
        ("=[[1, 2], [3]][1][2]", 2),
        ("=nested[1].k[2]", 20),
        ("=missing[1]", None),
        ('="abc"[1]', None),
        ("={a: 1}[1]", None),
        ("=[][1]", None),
    ],
)
def test_indexing(text: str, expected: Any) -> None:
    variables = {"xs": ["a", "b", "c"], "i": 2, "nested": [{"k": [10, 20]}]}
    assert ev(text, **variables) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=[1, 2, 3, 4][item > 2]", [3, 4]),
        ("=[1, 2, 3, 4][item > 9]", []),
        ("=[1, 2, 3, 4][item >= 2 and item <= 3]", [2, 3]),
        ("=[1, 2, 3, 4][item = 2 or item = 4]", [2, 4]),
        ("=[1, null, 3][item > 1]", [3]),
        ('=["a", 1, "b"][item > "a"]', ["b"]),
        ("=[1, 2, 3][true]", [1, 2, 3]),
        ("=[1, 2, 3][false]", []),
        ("=[1, 2, 3][null]", []),
        ('=[1, 2, 3]["x"]', []),
        ("=[1, 2, 3][item > limit]", [3]),
        ("=[1, 2, 3][item in [1, 3]]", [1, 3]),
        ("=[1, 2, 3][item between 2 and 3]", [2, 3]),
        ('=["ab", "cd", "ax"][starts with(item, "a")]', ["ab", "ax"]),
        ("=[[1], [1, 2]][count(item) = 2]", [[1, 2]]),
        ("=[1, 2, 3][item > 1][1]", 2),
        ("=[1, 2, 3][item > 1][item < 3]", [2]),
        ("=missing[item > 1]", None),
        ("=5[item > 1]", None),
    ],
)
def test_filters(text: str, expected: Any) -> None:
    assert ev(text, limit=2) == expected


def test_filter_on_contexts_exposes_entries_as_names() -> None:
    assert ev("=orders[amount > 10]", orders=ORDERS) == ORDERS[1:]
    assert ev("=orders[item.amount > 10].id", orders=ORDERS) == [2, 3]
    assert ev("=orders[amount > min].id", orders=ORDERS, min=30) == [3]
    assert ev("=orders[id = 2][1].amount", orders=ORDERS) == 20


def test_item_shadows_a_variable_named_item_inside_filters_only() -> None:
    assert ev("=[1, 2, 3][item > 1]", item=100) == [2, 3]
    assert ev("=item", item=100) == 100


def test_nested_filters_have_their_own_item() -> None:
    assert ev("=[[1, 5], [7]][count(item[item > 4]) = 1]") == [[1, 5], [7]]
    assert ev("=[[1, 5], [7, 8]][count(item[item > 4]) = 2]") == [[7, 8]]


def test_filter_returns_a_fresh_list() -> None:
    xs = [1, 2, 3]
    result = ev("=xs[item > 0]", xs=xs)
    assert result == xs
    assert result is not xs
