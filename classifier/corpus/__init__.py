"""Labelled corpora: loading, cleanup, duplicate groups, splits and public downloads."""
