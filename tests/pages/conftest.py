"""Fixtures the page tests share."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


@pytest.fixture
def app(clean_env, upstream):
    """The app on the sandbox route against the fake upstream, in English."""
    clean_env.setenv("COZE_WORKLOAD_IDENTITY_API_KEY", "wi-sandbox-token-0123456789abcdefghij")
    clean_env.setenv("COZE_INTEGRATION_MODEL_BASE_URL", upstream.base_url)
    at = AppTest.from_file(APP, default_timeout=30)
    at.context = {"locale": "en-US"}
    return at.run()
