# fakewatch: the daemon, its workers and the command line, on Python 3.11 (CPU only).
# docker-compose.yml builds it once as fakewatch:latest for every fakewatch service.
# Slim by default: LightGBM, the default model, and no neural stack. FAKEWATCH_EXTRAS adds the
# pyproject extras: `lstm` (TensorFlow), `transformer` (torch, MiniLM, claim matching by
# meaning) or `all`, the full image:
#   docker build -t fakewatch:latest .                                   # slim
#   docker build --build-arg FAKEWATCH_EXTRAS=all -t fakewatch:full .    # full
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 NLTK_DATA=/usr/share/nltk_data

# LightGBM's wheel needs the system's OpenMP runtime, which the slim image lacks.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ARG FAKEWATCH_EXTRAS=
# PyPI's torch wheel for Linux carries CUDA (several GB); the CPU wheel index keeps the image
# small. Build with --build-arg TORCH_INDEX_URL=https://pypi.org/simple for the CUDA build.
# Used only when the extras include torch.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
COPY pyproject.toml constraints.txt ./
COPY deploy/requirements.py ./deploy/
# Older bundled pips fail to resolve lxml[html-clean]: upgrade first. Dependencies go in their
# own layer (read from pyproject.toml with the extras), so that a code change does not
# reinstall them.
RUN python -m pip install -U pip \
    && python deploy/requirements.py "$FAKEWATCH_EXTRAS" > /tmp/requirements.txt \
    && if grep -q '^torch' /tmp/requirements.txt; then \
         pip install -c constraints.txt --index-url "$TORCH_INDEX_URL" torch; \
       fi \
    && pip install -c constraints.txt -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt \
    && python -m nltk.downloader -d "$NLTK_DATA" stopwords punkt_tab

COPY README.md ./
COPY fakewatch ./fakewatch
COPY common ./common
COPY articles ./articles
COPY factchecks ./factchecks
COPY crawler ./crawler
COPY classifier ./classifier
COPY scheduler ./scheduler
COPY db ./db
COPY migrations ./migrations
RUN pip install --no-deps . && rm -rf build *.egg-info

# /models and /data become named volumes in docker-compose.yml; a new volume takes its owner
# from the image, so the unprivileged user can write models and corpora there.
RUN useradd --uid 10001 --create-home fakewatch \
    && mkdir -p /models /data \
    && chown fakewatch:fakewatch /models /data
USER fakewatch
WORKDIR /data

# /metrics and /healthz, on [daemon] metrics_port (deploy/fakewatch.toml). Healthy means the
# database answers and a model is loaded; the JSON answer (in `docker inspect`) says what is
# missing. `fakewatch worker --metrics-port 9465` serves the same two endpoints on its own
# port; docker-compose.yml points the worker's health check there.
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import http.client as h, sys; c = h.HTTPConnection('127.0.0.1', 9464, timeout=8); c.request('GET', '/healthz'); r = c.getresponse(); print(r.read().decode()); sys.exit(r.status != 200)"]

ENTRYPOINT ["fakewatch"]
CMD ["run"]
