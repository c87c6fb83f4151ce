# The app in a container, set up and started by the same commands as on a laptop: scripts/venv.sh
# makes .venv from requirements.txt, ./scripts/run starts `streamlit run streamlit_app.py`.
#
#   docker build -t r1-chat .
#   docker run -p 8501:8501 -e OPENAI_API_KEY=… -e OPENAI_BASE_URL=… r1-chat
#
# For a team (several replicas, PostgreSQL, a sticky proxy) see compose.yaml and the README's
# "Running for a team".
FROM python:3.11-slim

WORKDIR /app
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# Dependencies first, so a change to the code alone reuses this layer. ensure_venv stamps the
# hash of requirements*.txt, so ./scripts/run finds .venv up to date and installs nothing at start.
COPY requirements*.txt ./
COPY scripts/ scripts/
RUN bash -c 'source scripts/venv.sh && ensure_venv requirements.txt'

COPY . .

# Not root: the app writes only its logs and, without R1_DATABASE_URL, its SQLite data folder.
RUN useradd --system --uid 10001 --home-dir /app r1 \
    && mkdir -p data logs && chown r1:r1 data logs
USER r1

EXPOSE 8501
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=2)"

# ./scripts/run binds 127.0.0.1 unless asked: in a container the port must be reachable from outside it.
CMD ["./scripts/run", "--server.address", "0.0.0.0", "--server.port", "8501", "--server.headless", "true"]
