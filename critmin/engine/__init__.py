"""The world model: vocabulary, state, the turn, market clearing, policies, deals, records."""

from critmin.engine.small_pages import use_small_pages

use_small_pages()
