"""Research tools: batch runner, executors (local, Dask), outputs, sensitivity, EMA and RL adapters."""
