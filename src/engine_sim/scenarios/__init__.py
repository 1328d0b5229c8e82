"""Scenario documents and their replay."""
