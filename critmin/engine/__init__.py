"""The world model: vocabulary, state, the turn, market clearing, policies, deals, records."""
