"""Shared paths and loaders for the test suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SEEDS = TESTS / "fixtures" / "seeds"
DEV = TESTS / "data" / "cleanup-dev"


def seed_names() -> list[str]:
    return sorted(p.stem for p in SEEDS.glob("*.txt"))


def seed_text(name: str) -> str:
    return (SEEDS / f"{name}.txt").read_text(encoding="utf-8")


def seed_expected(name: str) -> dict:
    return json.loads((SEEDS / f"{name}.expected.json").read_text(encoding="utf-8"))


def dev_ids() -> list[str]:
    return sorted(p.name[: -len(".noisy.txt")] for p in DEV.glob("*.noisy.txt"))


@pytest.fixture(scope="session")
def dev_texts() -> dict[str, str]:
    return {i: (DEV / f"{i}.noisy.txt").read_text(encoding="utf-8") for i in dev_ids()}
