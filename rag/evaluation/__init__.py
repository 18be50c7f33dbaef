"""Evaluation against the hand-built question set in ``eval/``."""
