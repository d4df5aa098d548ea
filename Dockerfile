# fakewatch: the daemon, its workers and the command line, on Python 3.11 (CPU only).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
WORKDIR /app
# Point TORCH_INDEX_URL at a CPU wheel index to keep the image small; PyPI's default torch
# wheel for Linux carries CUDA (several GB).
ARG TORCH_INDEX_URL=""
RUN pip install ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"} torch==2.13.0
COPY pyproject.toml constraints.txt README.md ./
COPY fakewatch ./fakewatch
COPY crawler ./crawler
COPY classifier ./classifier
COPY scheduler ./scheduler
COPY db ./db
COPY migrations ./migrations
RUN pip install -c constraints.txt . && python -m nltk.downloader -d /usr/share/nltk_data stopwords punkt_tab
RUN useradd --create-home fakewatch && mkdir -p /data /models && chown fakewatch /data /models
USER fakewatch
WORKDIR /data
EXPOSE 9464
ENTRYPOINT ["fakewatch"]
CMD ["run"]
