"""The vocabulary every layer shares: ids, minerals, stages, units, actions, events, observations.

`core` imports nothing else of critmin; every other package may import it.
"""
