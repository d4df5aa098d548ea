"""What a fact-check page declares: its ClaimReview markup and the verdicts, on one scale.

Below the crawler, which reads fact-checkers' pages, and beside `articles`: it knows pages,
not databases or models.
"""
