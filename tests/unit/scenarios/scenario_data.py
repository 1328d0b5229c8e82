"""Where the scenario-document tests' files live (imported by tests and conftest alike: a
test importing `conftest` would pick up whichever conftest module Python loaded first)."""

from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data" / "scenarios"
