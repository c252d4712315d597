"""The engine asks numpy for small pages unless NUMPY_MADVISE_HUGEPAGE says otherwise."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.engine.small_pages import use_small_pages

setter = np._core.multiarray._set_madvise_hugepage


def test_numpy_advises_no_huge_pages_once_the_engine_is_imported(monkeypatch):
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    before = setter(True)
    try:
        assert use_small_pages() and setter(True) is False
    finally:
        setter(before)


@pytest.mark.parametrize("value", ["0", "1"])
def test_an_explicit_numpy_setting_is_left_as_it_is(monkeypatch, value):
    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", value)
    before = setter(True)
    try:
        assert not use_small_pages() and setter(True) is True
    finally:
        setter(before)
