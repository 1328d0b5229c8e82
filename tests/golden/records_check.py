"""Proves a refactor or speed change kept every scenario's `--records` output byte-identical.

`records.sha256` holds, per scenario file under `scenarios/`, the SHA-256 and the line count
of what `engine-sim replay FILE --records OUT` writes, each line taken without its scenario
marker (the leading `"scenario"` field, `engine_sim.cli.replay.strip_marker`): the digests
prove the engine's records unchanged, whatever marks them. The test in this folder compares; when
a change alters records on purpose (a parity fix), regenerate and say why in the commit:

    .venv/bin/python tests/golden/records_check.py --update
    .venv/bin/python tests/golden/records_check.py          # compare, list what differs
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = Path(__file__).with_name("records.sha256")
NEWLINE = b"\n"


def scenario_files() -> list[Path]:
    return sorted(p for p in (ROOT / "scenarios").rglob("*.yaml") if p.is_file())


def current() -> dict[str, str]:
    """Replays each scenario file alone (its records file must not depend on the others)."""
    digests: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as folder:
        for path in scenario_files():
            out = Path(folder) / "records.jsonl"
            subprocess.run(
                [sys.executable, "-m", "engine_sim.cli.main", "replay", str(path),
                 "--records", str(out)],
                capture_output=True, check=False, timeout=300,
            )
            data = unmarked(out.read_bytes()) if out.exists() else b""
            name = path.relative_to(ROOT).as_posix()
            digests[name] = f"{hashlib.sha256(data).hexdigest()} {data.count(NEWLINE)}"
    return digests


def unmarked(data: bytes) -> bytes:
    """The records as the engine wrote them: every line's scenario marker removed (a line
    without one is an error, so an unmarked output cannot pass unnoticed)."""
    from engine_sim.cli.replay import strip_marker

    return b"".join(strip_marker(line) + NEWLINE for line in data.splitlines())


def recorded() -> dict[str, str]:
    """Lines of `SHA256 LINES NAME`."""
    lines = MANIFEST.read_text().splitlines() if MANIFEST.exists() else []
    return {name: f"{digest} {count}" for digest, count, name in (line.split(" ", 2) for line in lines)}


def differences(expected: dict[str, str], found: dict[str, str]) -> list[str]:
    return [f"{name}: expected {expected.get(name, 'nothing')}, found {found.get(name, 'nothing')}"
            for name in sorted(expected.keys() | found.keys())
            if expected.get(name) != found.get(name)]


def main() -> int:
    found = current()
    if "--update" in sys.argv[1:]:
        MANIFEST.write_text("".join(f"{digest} {name}\n" for name, digest in sorted(found.items())))
        print(f"wrote {len(found)} digests to {MANIFEST}")
        return 0
    diff = differences(recorded(), found)
    print("\n".join(diff) or f"{len(found)} scenarios: records unchanged")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
