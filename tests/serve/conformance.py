#!/usr/bin/python3
"""conformance.py - frost serve through real HTTP on 127.0.0.1 (a free port), the way clients call
it: both APIs (Open Inference Protocol v2 with JSON and binary tensors, TF Serving REST with rows
and columns), errors, metrics, keep-alive, concurrency, a new version swapped in under load, a
broken version, a model appearing, and SIGTERM draining in-flight requests.

Outputs are checked against the runtime that made each model, never against frost: PyTorch's
softmax for the Fashion-MNIST test images (models/fashion/*_expected100.npy), onnxruntime for
tests/data/onnx/mlp_dynamic_*, TensorFlow.js for tests/data/keras/tfjs/functional_merge/ref.
The images come from Debian's dataset-fashion-mnist (the expert/beginner checks skip without it).
Every server started here is stopped here."""

import argparse
import gzip
import json
import os
import re
import shutil
import signal
import socket
import struct
import sys
import threading
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_harness import Checks, Server, link_model  # noqa: E402

FASHION = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
C = Checks()


def load_images(n):
    if not os.path.exists(FASHION):
        return None
    with gzip.open(FASHION) as f:
        data = f.read()
    magic, count, rows, cols = struct.unpack(">IIII", data[:16])
    assert magic == 2051 and rows == 28 and cols == 28
    px = np.frombuffer(data[16:16 + n * 784], dtype=np.uint8).reshape(n, 784)
    return (px.astype(np.float32) / 255.0)


def close(got, want, tol):
    got = np.asarray(got, dtype=np.float32)
    return got.shape == want.shape and float(np.max(np.abs(got - want))) <= tol


def oip_input(name, arr, dtype="FP32", nested=False):
    data = arr.tolist() if nested else arr.reshape(-1).tolist()
    return {"name": name, "shape": list(arr.shape), "datatype": dtype, "data": data}


def error_of(status, body, want_status, needle, what):
    ok = status == want_status
    msg = ""
    try:
        msg = json.loads(body)["error"] if isinstance(body, (bytes, str)) else body["error"]
    except Exception:
        ok = False
    C.check(ok and needle in msg, "%s: want %d with '%s', got %d %r" % (what, want_status, needle, status, body))


def test_health_and_metadata(s):
    st, body = s.json("GET", "/v2/health/live")
    C.check(st == 200 and body == {"live": True}, "live: %d %r" % (st, body))
    st, body = s.json("GET", "/v2/health/ready")
    C.check(st == 200 and body == {"ready": True}, "ready: %d %r" % (st, body))
    st, body = s.json("GET", "/v2")
    C.check(st == 200 and body["name"] == "frost" and "binary_tensor_data" in body["extensions"]
            and isinstance(body["version"], str), "server metadata %r" % body)
    st, body = s.json("GET", "/v2/models/expert")
    C.check(st == 200 and body == {"name": "expert", "versions": ["1"], "platform": "onnx_onnxv1",
                                   "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 1, 28, 28]}],
                                   "outputs": [{"name": "softmax", "datatype": "FP32", "shape": [-1, 10]}]},
            "expert metadata %r" % body)
    st, body = s.json("GET", "/v2/models/merge/versions/1")
    C.check(st == 200 and body["platform"] == "tensorflowjs_layers"
            and [t["name"] for t in body["inputs"]] == ["a", "b"]
            and [t["shape"] for t in body["outputs"]] == [[-1, 3], [-1, 6]], "merge metadata %r" % body)
    st, body = s.json("GET", "/v2/models/expert/ready")
    C.check(st == 200 and body == {"name": "expert", "ready": True}, "model ready %r" % body)
    st, body = s.json("GET", "/v2/models/expert/versions/1/ready")
    C.check(st == 200, "versioned ready")
    st, _, body = s.request("GET", "/v2/models/nosuch/ready")
    error_of(st, body, 404, "model 'nosuch' not found", "unknown model ready")
    # TF Serving status and metadata
    st, body = s.json("GET", "/v1/models/expert")
    C.check(st == 200 and body == {"model_version_status": [{"version": "1", "state": "AVAILABLE",
                                                             "status": {"error_code": "OK", "error_message": ""}}]},
            "v1 status %r" % body)
    st, body = s.json("GET", "/v1/models/expert/versions/1/metadata")
    sig = body["metadata"]["signature_def"]["signature_def"]["serving_default"] if st == 200 else {}
    C.check(st == 200 and body["model_spec"] == {"name": "expert", "signature_name": "", "version": "1"}
            and sig["inputs"]["input"]["dtype"] == "DT_FLOAT"
            and [d["size"] for d in sig["inputs"]["input"]["tensor_shape"]["dim"]] == ["-1", "1", "28", "28"]
            and sig["method_name"] == "tensorflow/serving/predict", "v1 metadata %r" % body)


def test_fashion(s, images, expected_expert, expected_beginner):
    n = 8
    x = images[:n]
    # OIP JSON, a batch of 8, flat data, outputs named, id echoed
    req = {"id": "batch-8", "inputs": [oip_input("input", x.reshape(n, 1, 28, 28))],
           "outputs": [{"name": "softmax"}]}
    st, body = s.json("POST", "/v2/models/expert/infer", req)
    ok = st == 200 and body["id"] == "batch-8" and body["model_name"] == "expert" and body["model_version"] == "1"
    out = body["outputs"][0] if ok else {}
    C.check(ok and out["name"] == "softmax" and out["datatype"] == "FP32" and out["shape"] == [n, 10]
            and close(np.array(out["data"]).reshape(n, 10), expected_expert[:n], 1e-4),
            "expert v2 batch vs PyTorch: %d %s" % (st, str(body)[:300]))
    # nested data, one image, versioned path
    req = {"inputs": [oip_input("input", x[:1].reshape(1, 1, 28, 28), nested=True)]}
    st, body = s.json("POST", "/v2/models/expert/versions/1/infer", req)
    C.check(st == 200 and "id" not in body and close(np.array(body["outputs"][0]["data"]).reshape(1, 10),
                                                   expected_expert[:1], 1e-4), "expert nested %d %s" % (st, str(body)[:200]))
    # binary tensor data both ways
    header = json.dumps({"inputs": [{"name": "input", "shape": [n, 1, 28, 28], "datatype": "FP32",
                                     "parameters": {"binary_data_size": n * 784 * 4}}],
                         "outputs": [{"name": "softmax", "parameters": {"binary_data": True}}]}).encode()
    body = header + x.astype("<f4").tobytes()
    st, hdrs, data = s.request("POST", "/v2/models/expert/infer", body,
                               {"Inference-Header-Content-Length": str(len(header)),
                                "Content-Type": "application/octet-stream"})
    ok = st == 200 and "inference-header-content-length" in hdrs
    if ok:
        hl = int(hdrs["inference-header-content-length"])
        meta = json.loads(data[:hl])
        o = meta["outputs"][0]
        got = np.frombuffer(data[hl:], dtype="<f4").reshape(n, 10)
        ok = (o["parameters"]["binary_data_size"] == n * 40 and "data" not in o and len(data) == hl + n * 40
              and close(got, expected_expert[:n], 1e-4))
    C.check(ok, "expert binary in and out: %d %r" % (st, data[:200]))
    # JSON in, binary out for every output (request-level binary_data_output)
    req = {"parameters": {"binary_data_output": True}, "inputs": [oip_input("input", x[:2].reshape(2, 1, 28, 28))]}
    st, hdrs, data = s.request("POST", "/v2/models/expert/infer", req)
    hl = int(hdrs.get("inference-header-content-length", -1))
    C.check(st == 200 and hl > 0 and close(np.frombuffer(data[hl:], dtype="<f4").reshape(2, 10), expected_expert[:2], 1e-4),
            "binary_data_output %d" % st)
    # TF Serving rows: one instance per image (nested [1][28][28])
    inst = x[:4].reshape(4, 1, 28, 28).tolist()
    st, body = s.json("POST", "/v1/models/expert:predict", {"instances": inst})
    C.check(st == 200 and close(np.array(body["predictions"]), expected_expert[:4], 1e-4),
            "expert v1 instances %d %s" % (st, str(body)[:200]))
    # columnar, versioned, named
    st, body = s.json("POST", "/v1/models/expert/versions/1:predict",
                      {"signature_name": "serving_default", "inputs": {"input": inst}})
    C.check(st == 200 and close(np.array(body["outputs"]), expected_expert[:4], 1e-4), "expert v1 columnar %d" % st)
    # the Keras (TF.js layers) beginner, rows of 784
    st, body = s.json("POST", "/v1/models/beginner_keras:predict", {"instances": x[:5].tolist()})
    C.check(st == 200 and close(np.array(body["predictions"]), expected_beginner[:5], 1e-4),
            "beginner (TF.js layers) v1 %d %s" % (st, str(body)[:200]))
    # whole 100 through v2 one at a time on one keep-alive connection
    conn = s.connection()
    s.request("GET", "/v2/health/live", conn=conn)
    sock = conn.sock
    worst = 0.0
    for i in range(100):
        st, body = s.json("POST", "/v2/models/expert/infer",
                          {"inputs": [oip_input("input", images[i].reshape(1, 1, 28, 28))]}, conn=conn)
        if st != 200:
            worst = float("inf")
            break
        worst = max(worst, float(np.max(np.abs(np.array(body["outputs"][0]["data"]) - expected_expert[i]))))
    C.check(worst <= 1e-4, "100 images one by one: max abs diff %g" % worst)
    C.check(conn.sock is sock, "keep-alive: one connection for 101 requests")
    conn.close()


def test_fixtures(s, source):
    onnx = os.path.join(source, "tests/data/onnx")
    x = np.load(os.path.join(onnx, "mlp_dynamic_input.npy"))
    want = np.load(os.path.join(onnx, "mlp_dynamic_output.npy"))
    st, body = s.json("POST", "/v2/models/mlp/infer", {"inputs": [oip_input("input", x)]})
    C.check(st == 200 and close(np.array(body["outputs"][0]["data"]).reshape(want.shape), want, 1e-5),
            "mlp vs onnxruntime %d %s" % (st, str(body)[:200]))
    # TF.js functional model with two inputs and two outputs
    ref_dir = os.path.join(source, "tests/data/keras/tfjs/functional_merge/ref")
    ref = json.load(open(os.path.join(ref_dir, "ref.json")))
    ins = {t["name"]: np.fromfile(os.path.join(ref_dir, t["file"]), dtype="<f4").reshape(t["shape"]) for t in ref["inputs"]}
    outs = {t["name"]: np.fromfile(os.path.join(ref_dir, t["file"]), dtype="<f4").reshape(t["shape"]) for t in ref["outputs"]}
    req = {"inputs": [oip_input("b", ins["b"]), oip_input("a", ins["a"], nested=True)],
           "outputs": [{"name": "head_softplus"}, {"name": "head_sigmoid"}]}
    st, body = s.json("POST", "/v2/models/merge/infer", req)
    ok = st == 200 and [o["name"] for o in body["outputs"]] == ["head_softplus", "head_sigmoid"]
    C.check(ok and all(close(np.array(o["data"]).reshape(o["shape"]), outs[o["name"]], 1e-5) for o in body["outputs"]),
            "merge v2 vs TF.js %d %s" % (st, str(body)[:300]))
    # only one of the outputs
    st, body = s.json("POST", "/v2/models/merge/infer", {"inputs": req["inputs"], "outputs": [{"name": "head_sigmoid"}]})
    C.check(st == 200 and len(body["outputs"]) == 1 and body["outputs"][0]["name"] == "head_sigmoid", "one output")
    # TF Serving rows with named inputs -> a list of objects
    rows = [{"a": ins["a"][i].tolist(), "b": ins["b"][i].tolist()} for i in range(2)]
    st, body = s.json("POST", "/v1/models/merge:predict", {"instances": rows})
    ok = st == 200 and len(body["predictions"]) == 2
    C.check(ok and all(close(np.array([p[k] for p in body["predictions"]]), outs[k], 1e-5) for k in outs),
            "merge v1 rows %d %s" % (st, str(body)[:300]))
    st, body = s.json("POST", "/v1/models/merge:predict", {"inputs": {"a": ins["a"].tolist(), "b": ins["b"].tolist()}})
    C.check(st == 200 and all(close(np.array(body["outputs"][k]), outs[k], 1e-5) for k in outs), "merge v1 columns %d" % st)


def test_errors(s):
    good = {"inputs": [{"name": "input", "shape": [1, 16], "datatype": "FP32", "data": [0.5] * 16}]}

    def post(path, body, headers=None):
        return s.request("POST", path, body, headers)

    def bad(mutation, status, needle, path="/v2/models/mlp/infer"):
        req = json.loads(json.dumps(good))
        mutation(req)
        st, _, body = post(path, req)
        error_of(st, body, status, needle, needle)

    st, _, body = post("/v2/models/mlp/infer", b'{"inputs": [1,}')
    error_of(st, body, 400, "malformed JSON at byte 14", "malformed JSON")
    st, _, body = post("/v2/models/mlp/infer", b'[]')
    error_of(st, body, 400, "must be a JSON object", "array body")
    bad(lambda r: r["inputs"][0].update(name="inptu"), 400, "no input named 'inptu'; its inputs are 'input'")
    bad(lambda r: r["inputs"][0].update(datatype="INT32"), 400, "datatype INT32, but the model takes FP32")
    bad(lambda r: r["inputs"][0].update(datatype="FP33"), 400, "unknown datatype 'FP33'")
    bad(lambda r: r["inputs"][0].update(shape=[1, 15]), 400, "the model takes FP32 [-1, 16]")
    bad(lambda r: r["inputs"][0].update(shape=[1, 16, 1]), 400, "has shape [1, 16, 1]")
    bad(lambda r: r["inputs"][0].update(data=[0.5] * 15), 400, "15 elements given, shape [1, 16] holds 16")
    bad(lambda r: r["inputs"][0]["data"].__setitem__(3, "x"), 400, "element 3 is a string")
    bad(lambda r: r["inputs"][0]["data"].__setitem__(2, 1e39), 400, "element 2 (1e+39) is out of range for FP32")
    bad(lambda r: r["inputs"][0].pop("data"), 400, "has no 'data'")
    bad(lambda r: r["inputs"][0].pop("shape"), 400, "'shape' is missing")
    bad(lambda r: r.pop("inputs"), 400, "no 'inputs'")
    bad(lambda r: r.update(inputs=[]), 400, "input 'input' (FP32 [-1, 16]) is missing")
    bad(lambda r: r["inputs"].append(r["inputs"][0]), 400, "given twice")
    bad(lambda r: r.update(id=5), 400, "'id' must be a string")
    bad(lambda r: r.update(outputs=[{"name": "nope"}]), 400, "no output named 'nope'; its outputs are 'output'")
    bad(lambda r: r.update(outputs=[{"name": "output"}, {"name": "output"}]), 400, "asks for 2 outputs; the model has 1")
    bad(lambda r: r["inputs"][0].update(shape=[-1, 16]), 400, "'shape' dimension 0 must be a non-negative integer")
    bad(lambda r: None, 404, "model 'nosuch' not found", "/v2/models/nosuch/infer")
    bad(lambda r: None, 404, "has no version 7 loaded", "/v2/models/mlp/versions/7/infer")
    bad(lambda r: None, 400, "model version 'one' is not a number", "/v2/models/mlp/versions/one/infer")
    # binary extension framing
    header = json.dumps({"inputs": [{"name": "input", "shape": [1, 16], "datatype": "FP32",
                                     "parameters": {"binary_data_size": 64}}]}).encode()
    for extra, hl, needle in ((b"\0" * 64, len(header) + 500, "but the body has"),
                              (b"\0" * 68, len(header), "4 bytes of binary data after the JSON header belong to no input"),
                              (b"\0" * 60, len(header), "only 60 bytes of binary data are left"),
                              (b"\0" * 64, "x", "Inference-Header-Content-Length is not a non-negative integer")):
        st, _, body = post("/v2/models/mlp/infer", header + extra, {"Inference-Header-Content-Length": str(hl)})
        error_of(st, body, 400, needle, "binary: " + needle)
    st, _, body = post("/v2/models/mlp/infer", header + b"\0" * 64)
    error_of(st, body, 400, "needs the Inference-Header-Content-Length header", "binary data without the header")
    # HTTP level
    st, hdrs, body = s.request("GET", "/v2/models/mlp/infer")
    error_of(st, body, 405, "takes POST, not GET", "GET on infer")
    C.check(hdrs.get("allow") == "POST", "405 names the method: %r" % hdrs)
    st, _, body = s.request("GET", "/v3/nothing")
    error_of(st, body, 404, "no such endpoint", "unknown path")
    # a declared length over the limit is refused before the body is sent
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=30)
    sock.sendall(b"POST /v2/models/mlp/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 3000000\r\n\r\n")
    reply = b""
    while b"}" not in reply:
        chunk = sock.recv(4096)
        if not chunk:
            break
        reply += chunk
    sock.close()
    head, _, body = reply.partition(b"\r\n\r\n")
    error_of(int(head.split()[1]) if head else 0, body, 413, "the body is 3000000 bytes; this server takes at most 2000000",
             "declared body over --max-body-bytes")
    # a chunked body that grows past it is read, discarded and refused
    def chunks():
        for _ in range(30):
            yield b" " * 100_000
    c = s.connection()
    c.request("POST", "/v2/models/mlp/infer", body=chunks(), headers={"Transfer-Encoding": "chunked"}, encode_chunked=True)
    r = c.getresponse()
    error_of(r.status, r.read(), 413, "over 2000000 bytes", "chunked body over --max-body-bytes")
    c.close()
    # TF Serving errors
    st, _, body = post("/v1/models/mlp:predict", {"instances": [[0] * 16], "inputs": [[0] * 16]})
    error_of(st, body, 400, "not both", "v1 both formats")
    st, _, body = post("/v1/models/mlp:predict", {"instances": [[0] * 16, [0] * 15]})
    error_of(st, body, 400, "ragged", "v1 ragged rows")
    st, _, body = post("/v1/models/mlp:predict", {"instances": [[0] * 15]})
    error_of(st, body, 400, "the model takes FP32 [-1, 16]", "v1 wrong row size")
    st, _, body = post("/v1/models/mlp:predict", {"signature_name": "other", "instances": [[0] * 16]})
    error_of(st, body, 400, "serving_default", "v1 signature")
    st, _, body = post("/v1/models/mlp:classify", {"examples": []})
    error_of(st, body, 400, "':classify' is not supported", "v1 classify")
    st, _, body = post("/v1/models/merge:predict", {"instances": [{"a": [0] * 8}]})
    error_of(st, body, 400, "has 1 members; the model's inputs are 'a', 'b'", "v1 row missing an input")
    st, _, body = s.request("GET", "/v1/models/nosuch")
    error_of(st, body, 404, "not found", "v1 unknown model")
    st, _, body = s.request("GET", "/v1/models/mlp/versions/9")
    error_of(st, body, 404, "no version 9", "v1 unknown version")
    # the server is still fine
    st, _, _ = post("/v2/models/mlp/infer", good)
    C.check(st == 200, "still serving after the errors")


def test_metrics(s, have_images):
    st, hdrs, body = s.request("GET", "/metrics")
    text = body.decode()
    C.check(st == 200 and hdrs.get("content-type", "").startswith("text/plain; version=0.0.4"), "metrics type %r" % hdrs)
    line_re = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*",?)*\})? [0-9.eE+-]+$')
    bad = [l for l in text.splitlines() if l and not l.startswith("#") and not line_re.match(l)]
    C.check(not bad, "metrics lines in the exposition format: %r" % bad[:3])
    vals = {}
    for l in text.splitlines():
        if l and not l.startswith("#"):
            k, v = l.rsplit(" ", 1)
            vals[k] = float(v)
    if have_images:
        C.check(vals.get('frost_serve_requests_total{model="expert",api="v2"}', 0) >= 100, "expert v2 requests counted")
        C.check(vals.get('frost_serve_requests_total{model="expert",api="v1"}', 0) >= 2, "expert v1 requests counted")
    C.check(vals.get('frost_serve_request_errors_total{model="mlp",api="v2"}', 0) >= 20, "mlp errors counted")
    C.check(vals.get('frost_serve_http_responses_total{code="413"}', 0) >= 1, "413 counted")
    cnt = vals.get('frost_serve_request_duration_seconds_count{model="mlp"}', 0)
    inf = vals.get('frost_serve_request_duration_seconds_bucket{model="mlp",le="+Inf"}', -1)
    C.check(cnt > 0 and cnt == inf, "histogram count %g == +Inf bucket %g" % (cnt, inf))
    C.check(vals.get('frost_serve_model_version{model="mlp"}') == 1, "version gauge")


def test_concurrency(s, images, expected):
    errors = []

    def client(k):
        conn = s.connection()
        for i in range(20):
            j = (k * 20 + i) % 100
            st, body = s.json("POST", "/v2/models/expert/infer",
                              {"inputs": [oip_input("input", images[j].reshape(1, 1, 28, 28))]}, conn=conn)
            if st != 200 or not close(np.array(body["outputs"][0]["data"]), expected[j], 1e-4):
                errors.append((k, i, st))
        conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    C.check(not errors, "16 clients x 20 requests, all right: %r" % errors[:5])


def hammer(s, stop, results, path, body):
    conn = s.connection()
    while not stop.is_set():
        try:
            st, b = s.json("POST", path, body, conn=conn)
            results.append((st, b.get("model_version") if st == 200 else b))
        except Exception as e:  # noqa: BLE001 - any failure is a failed request
            results.append((-1, repr(e)))
            conn.close()
            conn = s.connection()
    conn.close()


def wait_for(pred, timeout):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


def test_versions(s, repo, source):
    mlp = os.path.join(source, "tests/data/onnx/mlp_dynamic_op13.onnx")
    body = {"inputs": [{"name": "input", "shape": [1, 16], "datatype": "FP32", "data": [0.25] * 16}]}
    stop, results = threading.Event(), []
    threads = [threading.Thread(target=hammer, args=(s, stop, results, "/v2/models/mlp/infer", body)) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    # version 2 copied in slowly, in pieces, as a copy over a network would
    v2 = os.path.join(repo, "mlp", "2")
    os.makedirs(v2)
    data = open(mlp, "rb").read()
    with open(os.path.join(v2, "model.onnx"), "wb") as f:
        for i in range(0, len(data), 512):
            f.write(data[i:i + 512])
            f.flush()
            time.sleep(0.02)
    swapped = wait_for(lambda: s.json("GET", "/v2/models/mlp")[1].get("versions") == ["2"], 20)
    time.sleep(0.3)
    # a broken version 3: reported, not served, version 2 stays
    v3 = os.path.join(repo, "mlp", "3")
    os.makedirs(v3)
    with open(os.path.join(v3, "model.onnx"), "wb") as f:
        f.write(b"this is not an ONNX model")
    failed = wait_for(lambda: any(v["version"] == "3" and v["status"]["error_code"] != "OK"
                                  for v in s.json("GET", "/v1/models/mlp")[1]["model_version_status"]), 20)
    wait_for(lambda: len(results) > 60, 10)   # enough requests even on a slow (sanitizer) build
    stop.set()
    for t in threads:
        t.join()
    C.check(swapped, "version 2 swapped in")
    C.check(failed, "the broken version 3 is reported by GET /v1/models/mlp")
    bad = [r for r in results if r[0] != 200]
    versions = set(r[1] for r in results if r[0] == 200)
    C.check(not bad and len(results) > 50, "%d requests during the swaps, failures: %r" % (len(results), bad[:3]))
    C.check(versions == {"1", "2"}, "answers came from versions 1 and 2: %r" % versions)
    st, body = s.json("GET", "/v1/models/mlp")
    states = {v["version"]: v["state"] for v in body["model_version_status"]}
    C.check(states.get("2") == "AVAILABLE" and states.get("3") == "END", "v1 status after: %r" % body)
    st, _, msg = s.request("GET", "/v2/models/mlp/versions/3")
    error_of(st, msg, 404, "no version 3 loaded", "broken version not served")
    # removing versions 3 and 2 falls back to version 1
    shutil.rmtree(v3)
    shutil.rmtree(v2)
    C.check(wait_for(lambda: s.json("GET", "/v2/models/mlp")[1].get("versions") == ["1"], 20),
            "back to version 1 when 2 and 3 are removed")
    # a model appearing
    link_model(mlp, os.path.join(repo, "late", "4"), "model.onnx")
    C.check(wait_for(lambda: s.request("GET", "/v2/models/late/versions/4")[0] == 200, 20), "a new model is picked up")


def test_drain(frost, repo, work, images):
    """SIGTERM with requests in flight: every one is answered, readiness turns false, exit 0."""
    s = Server(frost, ["--model-repository", repo, "--threads", "2", "--poll-seconds", "0", "--drain-seconds", "300"],
               os.path.join(work, "drain.log"))
    # 12 requests of 96 images (binary): the drain lasts long enough for the readiness probe
    batch = images[:96].reshape(96, 1, 28, 28)
    header = json.dumps({"inputs": [{"name": "input", "shape": [96, 1, 28, 28], "datatype": "FP32",
                                     "parameters": {"binary_data_size": batch.nbytes}}]}).encode()
    req = header + batch.astype("<f4").tobytes()
    req_headers = {"Content-Type": "application/octet-stream", "Inference-Header-Content-Length": str(len(header))}
    conns = [s.connection() for _ in range(12)]
    probe = s.connection()
    for c in conns + [probe]:
        s.request("GET", "/v2/health/live", conn=c)   # connections accepted and warm
    for c in conns:
        c.request("POST", "/v2/models/expert/infer", body=req, headers=req_headers)
    time.sleep(0.05)
    s.signal(signal.SIGTERM)
    time.sleep(0.05)
    try:
        st, _, _ = s.request("GET", "/v2/health/ready", conn=probe)
    except Exception as e:  # noqa: BLE001
        st = repr(e)
    codes = []
    for c in conns:
        try:
            r = c.getresponse()
            r.read()
            codes.append(r.status)
        except Exception as e:  # noqa: BLE001
            codes.append(repr(e))
    code = s.stop(timeout=60)
    log = open(os.path.join(work, "drain.log")).read()
    C.check(codes == [200] * 12, "in-flight requests answered during the drain: %r" % codes)
    C.check(st == 400, "readiness false while draining: %r" % (st,))
    C.check(code == 0 and "SIGTERM received: draining" in log, "exit code %r after the drain" % code)


def timing_stamps(headers):
    """--timing-header's stamps as a dict of ints, or None when the header is absent or malformed."""
    m = re.fullmatch(r"received=(\d+),body=(\d+),run=(\d+),ran=(\d+),reply=(\d+)", headers.get("frost-timing", ""))
    return dict(zip(("received", "body", "run", "ran", "reply"), map(int, m.groups()))) if m else None


def test_timing_header(one):
    before = time.monotonic_ns()
    st, headers, _ = one.request("POST", "/v2/models/tiny/infer", {"inputs": [
        {"name": "input", "shape": [1, 16], "datatype": "FP32", "data": [1.0] * 16}]})
    after = time.monotonic_ns()
    t = timing_stamps(headers)
    C.check(st == 200 and t is not None, "Frost-Timing on an inference: %d %r" % (st, headers))
    if t:
        # the server's clock is this process's CLOCK_MONOTONIC: every stamp falls inside the request
        C.check(before <= t["received"] <= t["body"] <= t["run"] <= t["ran"] <= t["reply"] <= after,
                "Frost-Timing stamps in order within the request: %r (%d..%d)" % (t, before, after))
    st, headers, _ = one.request("GET", "/v2/health/live")
    t = timing_stamps(headers)
    C.check(st == 200 and t is not None and t["run"] == 0 and t["ran"] == 0 and t["received"] <= t["reply"],
            "Frost-Timing without a model run: run=ran=0: %r" % headers)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frost", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    repo = os.path.join(a.work, "repo")
    src = a.source
    link_model(os.path.join(src, "models/fashion/expert.onnx"), os.path.join(repo, "expert", "1"), "model.onnx")
    link_model(os.path.join(src, "models/fashion/tfjs/beginner/model.json"), os.path.join(repo, "beginner_keras", "1"), "model.json")
    link_model(os.path.join(src, "tests/data/onnx/mlp_dynamic_op13.onnx"), os.path.join(repo, "mlp", "1"), "model.onnx")
    link_model(os.path.join(src, "tests/data/keras/tfjs/functional_merge/model.json"), os.path.join(repo, "merge", "1"), "model.json")
    os.makedirs(os.path.join(repo, "empty"))   # a folder without versions is not a model to wait for

    images = load_images(100)
    expected_expert = np.load(os.path.join(src, "models/fashion/expert_expected100.npy"))
    expected_beginner = np.load(os.path.join(src, "models/fashion/beginner_expected100.npy"))
    s = Server(a.frost, ["--model-repository", repo, "--threads", "2", "--poll-seconds", "0.2",
                         "--max-body-bytes", "2000000"], os.path.join(a.work, "server.log"))
    try:
        test_health_and_metadata(s)
        st, headers, _ = s.request("GET", "/v2/health/live")
        C.check(st == 200 and "frost-timing" not in headers, "Frost-Timing only with --timing-header: %r" % headers)
        if images is None:
            print("skipping the Fashion-MNIST checks: %s is absent (Debian: dataset-fashion-mnist)" % FASHION)
        else:
            test_fashion(s, images, expected_expert, expected_beginner)
            test_concurrency(s, images, expected_expert)
        test_fixtures(s, src)
        test_errors(s)
        test_metrics(s, images is not None)
        test_versions(s, repo, src)
    finally:
        code = s.stop()
    C.check(code == 0, "server exit code %r" % code)
    if images is not None:
        test_drain(a.frost, repo, a.work, images)
    # one model from the command line, named by --name
    with Server(a.frost, [os.path.join(src, "tests/data/onnx/mlp_dynamic_op13.onnx"), "--name", "tiny",
                          "--threads", "1", "--timing-header"], os.path.join(a.work, "single.log")) as one:
        test_timing_header(one)
        st, body = one.json("GET", "/v2/models/tiny")
        C.check(st == 200 and body["versions"] == ["1"], "single-model mode: %d %r" % (st, body))
        st, body = one.json("POST", "/v1/models/tiny:predict", {"instances": [[1.0] * 16]})
        C.check(st == 200 and len(body["predictions"][0]) == 10, "single-model predict %d" % st)
    return C.finish()


if __name__ == "__main__":
    sys.exit(main())
