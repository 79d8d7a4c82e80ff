"""Helpers for the book *LLM-based user interest exploration for recommender systems*.

Data flows one way: data -> text/lm -> interests -> recommend/explore -> metrics -> viz.
A lower module never imports a higher one. Import the modules you need, e.g.
``from recsys_helpers import data``.
"""

__version__ = "0.1.0"
