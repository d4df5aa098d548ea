"""Helpers every layer may import: they import nothing of fakewatch's own."""
