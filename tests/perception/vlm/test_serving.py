"""The project's own model server on loopback: a tiny random-weight click model, real HTTP."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import numpy as np
import pytest

from contracts.errors import GroundingError, SetupError
from perception.vlm.http_backend import HTTPGrounder
from perception.vlm.serving import ModelServer
from perception.vlm.transformers_backend import TransformersGrounder
from tests.vlm_checkpoints import checkpoint


@pytest.fixture(scope="module")
def click_model(tmp_path_factory):
    return str(checkpoint(tmp_path_factory, "click"))


@pytest.fixture(scope="module")
def server(click_model):
    with ModelServer(model=click_model, port=0, max_batch=8, batch_wait_ms=300, device="cpu") as s:
        yield s


def _frame() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 255, (210, 160, 3), dtype=np.uint8)


def test_concurrent_requests_share_one_batched_generate_and_match_the_local_model(
    server, click_model
):
    before = sum(n * c for n, c in server.stats()["batch_sizes"].items())
    grounder = HTTPGrounder(base_url=server.url, model=click_model, family="qwen2_5_vl")
    results: list = [None] * 4

    def one(i: int) -> None:
        results[i] = grounder.ground(_frame(), f"click button {i}")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sizes = server.stats()["batch_sizes"]
    assert sum(n * c for n, c in sizes.items()) - before == 4
    assert max(sizes) >= 2  # gathered within the 300 ms window, not one by one
    with TransformersGrounder(model=click_model, device="cpu") as local:
        expected = local.ground(_frame(), "click button 0")
    assert {(r.points[0].x, r.points[0].y) for r in results} == {
        (expected.points[0].x, expected.points[0].y)
    }


def test_the_server_listens_on_loopback_only_and_lists_its_model(server, click_model):
    assert server.httpd.server_address[0] == "127.0.0.1"
    with urllib.request.urlopen(server.url + "/models", timeout=5) as resp:
        assert json.load(resp)["data"][0]["id"] == click_model


def test_bad_requests_are_answered_with_their_reason(server, click_model):
    request = urllib.request.Request(server.url + "/chat/completions", data=b"{not json")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=5)
    assert err.value.code == 400
    wrong = HTTPGrounder(base_url=server.url, model="other-model", family="qwen2_5_vl")
    with pytest.raises(SetupError, match="HTTP 404.*other-model"):
        wrong.ground(_frame(), "x")


def test_a_full_queue_answers_429_that_the_client_retries_then_reports(click_model, server):
    with ModelServer(model=click_model, port=0, max_queue=0, loaded=server.loaded) as full:
        grounder = HTTPGrounder(
            base_url=full.url, model=click_model, retries=1, backoff_s=0.01, timeout_s=5
        )
        with pytest.raises(GroundingError, match="after 2 tries.*HTTP 429"):
            grounder.ground(_frame(), "x")


def test_a_request_that_breaks_generation_fails_alone_not_its_batch(server, click_model):
    from perception.vlm.http_backend import encode_image

    bad_url, _ = encode_image(np.zeros((1, 400, 3), np.uint8), 1280)  # aspect ratio 400: refused
    body = {
        "model": click_model,
        "messages": [
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": bad_url}}]}
        ],
    }
    statuses: list[int] = []

    def bad() -> None:
        request = urllib.request.Request(
            server.url + "/chat/completions", data=json.dumps(body).encode()
        )
        try:
            urllib.request.urlopen(request, timeout=60)
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)

    grounder = HTTPGrounder(base_url=server.url, model=click_model, family="qwen2_5_vl")
    pairs = server.stats()["batch_sizes"].get(2, 0)
    thread = threading.Thread(target=bad)
    thread.start()
    good = grounder.ground(_frame(), "x")  # joins the bad one's 300 ms batch window
    thread.join()
    assert statuses == [500] and good.raw_text == "click(84, 63)"
    assert server.stats()["batch_sizes"].get(2, 0) == pairs + 1  # they were one batch
