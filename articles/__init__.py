"""What an article's text is: decoding, extraction, cleaning, language, fingerprint, skip rules.

Used alike by the crawler and by corpus cleanup at training time, so that a model is trained
on text judged by the same rules as the text it scores.
"""
