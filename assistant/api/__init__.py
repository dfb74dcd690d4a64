"""HTTP API (issue 14): OpenAI-compatible chat and REST routes over the library, one package per
feature (router + service), served with the web app by one process."""
from assistant.api.app import create_api

__all__ = ["create_api"]
