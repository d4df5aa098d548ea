"""Building blocks of article extraction: decoding, metadata, and the library back ends."""
