"""Which checked claims an article repeats: sentence vectors, a nearest-neighbour index, a rule."""

# A match's score (0..1) must reach this to be stored. Chosen so that 95% of the matches are
# right both on the CheckThat! queries (0.55 would do there) and on real news articles, which
# mostly repeat no checked claim and share names with many (BENCHMARKS.md, "Claim matching").
# Here, light to import, for the settings.
THRESHOLD = 0.725
