"""Differential test across backends: random models of the package, rebuilt from seeds."""
