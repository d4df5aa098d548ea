"""Scoring a model: metrics, reports, cross-validation and learning curves."""
