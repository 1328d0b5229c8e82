"""`?partitions=N` on a store URL: only PostgreSQL has partitions; keys name their partition."""

from __future__ import annotations

import pytest

from engine_sim.engine.keys import PARTITION_ONE, first_key, partition_of
from engine_sim.persistence import StoreURLError, parse_store_url

pytest.importorskip("psycopg", reason="the postgres extra is not installed")


def test_the_url_asks_for_a_partition_count() -> None:
    store = parse_store_url("postgresql://u@h:5432/db?partitions=4")

    assert (store.partitions, store.partition, store.env["POSTGRES_DBNAME"]) == (4, 1, "db")
    assert store.of_partition(3).partition == 3
    assert parse_store_url("postgresql://u@h:5432/db").partitions is None


@pytest.mark.parametrize(("url", "says"), [
    ("postgresql://u@h/db?partitions=0", "partitions must be a whole number from 1 to 64, not '0'"),
    ("postgresql://u@h/db?partitions=x", "not 'x'"),
    ("postgresql://u@h/db?partitions=65", "not '65'"),
    ("postgresql://u@h/db?shards=2", "unknown option 'shards'"),
    ("sqlite:///x.db?partitions=2", "only a PostgreSQL store has partitions"),
])
def test_a_bad_partition_option_is_refused(url: str, says: str) -> None:
    with pytest.raises(StoreURLError, match=says.replace("(", r"\(").replace(")", r"\)")):
        parse_store_url(url)


def test_a_key_names_its_partition() -> None:
    assert first_key(1) == PARTITION_ONE + 1 == 2251799813685249
    assert [partition_of(first_key(n) + 1000) for n in (1, 2, 4)] == [1, 2, 4]
