"""Serve the fixture news site until interrupted: `python -m tests.newssite --articles 2000`."""

from __future__ import annotations

import argparse
import threading

from tests.newssite.server import serve_news_site


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, serve, print the entry points, and wait for Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m tests.newssite", description=__doc__)
    parser.add_argument("--articles", type=int, default=2000, help="articles to publish")
    parser.add_argument("--seed", type=int, default=1, help="content seed")
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any)")
    parser.add_argument("--slow-seconds", type=float, default=5.0, help="delay of /slow/")
    parser.add_argument("--huge-bytes", type=int, default=3_000_000, help="size of /huge/")
    args = parser.parse_args(argv)
    with serve_news_site(
        args.articles,
        args.seed,
        slow_seconds=args.slow_seconds,
        huge_bytes=args.huge_bytes,
        port=args.port,
    ) as site:
        print(f"fixture news site with {len(site.articles)} articles at {site.url}/", flush=True)
        for path in ("/feeds/rss.xml", "/feeds/atom.xml", "/sitemap_index.xml", "/robots.txt"):
            print(f"  {site.url}{path}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
