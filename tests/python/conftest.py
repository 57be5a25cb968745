"""Puts the source-tree package on sys.path and tells tests where the CMake build lives."""
import os
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD_DIR = pathlib.Path(os.environ.get("RANDOM_EMBEDDINGS_BUILD_DIR", ROOT / "build"))
sys.path.insert(0, str(ROOT / "python"))


@pytest.fixture(scope="session")
def build_dir():
    return BUILD_DIR


@pytest.fixture(scope="session")
def root_dir():
    return ROOT
