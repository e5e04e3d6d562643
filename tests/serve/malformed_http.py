#!/usr/bin/python3
"""malformed_http.py - what a broken or hostile client sends, on raw sockets to frost serve on
127.0.0.1: garbage and mutated requests (a fixed seed, a bounded count and time), lying or
non-numeric Content-Length, truncated bodies, oversized headers, pipelining, slow clients,
idle connections, deep JSON nesting. After each case the server must still answer a health check
at once; a complete request must get an HTTP answer or a close within 5 s (never a hang); frost's
own errors must be JSON naming the problem; and at the end SIGTERM must stop it cleanly (exit 0,
no sanitizer report in its log: the ASan build runs this too)."""

import argparse
import os
import random
import shutil
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_harness import Checks, Server, link_model  # noqa: E402

C = Checks()
TIME_BUDGET = 25.0


def exchange(port, data, timeout=8.0, close_after_send=False, pause=None):
    """Sends data; returns the bytes received until the server closes or `timeout` passes with
    nothing more, and whether it went quiet without closing. The default timeout is longer than the
    server's --idle-timeout (5 s), which closes a connection left with a half request: a wait of
    the same length raced it (seen under ASan on a loaded machine)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        if pause:
            half = len(data) // 2
            s.sendall(data[:half])
            time.sleep(pause)
            s.sendall(data[half:])
        else:
            s.sendall(data)
        if close_after_send:
            return b"", False
        got = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return got, True
            except ConnectionResetError:
                return got, False
            if not chunk:
                return got, False
            got += chunk
            if got.startswith(b"HTTP/1.") and complete(got):
                return got, False
    except (BrokenPipeError, ConnectionResetError):
        return b"", False
    finally:
        s.close()


def complete(reply):
    head, sep, body = reply.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            try:
                return len(body) >= int(v.strip())
            except ValueError:
                return True
    return True


def status_of(reply):
    try:
        return int(reply.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def alive(port):
    try:
        reply, _ = exchange(port, b"GET /v2/health/live HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", timeout=5)
        return status_of(reply) == 200
    except OSError:
        return False


def request(path, body, extra=b"", method=b"POST"):
    return (method + b" " + path + b" HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n" + extra +
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


def check_reply(name, reply, quiet_open, want=None):
    st = status_of(reply)
    ok = not quiet_open and (reply == b"" or (st is not None and 200 <= st < 500))
    if ok and st is not None and st >= 400 and b"application/json" in reply.split(b"\r\n\r\n")[0]:
        ok = b'"error":' in reply
    if want is not None:
        ok = ok and st in want
    C.check(ok, "%s: %s%r" % (name, "no answer and no close; " if quiet_open else "", reply[:200]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frost", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--cases", type=int, default=300)
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    repo = os.path.join(a.work, "repo")
    link_model(os.path.join(a.source, "tests/data/onnx/mlp_dynamic_op13.onnx"), os.path.join(repo, "mlp", "1"), "model.onnx")
    log = os.path.join(a.work, "server.log")
    s = Server(a.frost, ["--model-repository", repo, "--threads", "2", "--max-body-bytes", "1000000",
                         "--idle-timeout", "5", "--poll-seconds", "0"], log)
    port = s.port
    good_body = b'{"inputs":[{"name":"input","shape":[1,16],"datatype":"FP32","data":[' + b",".join([b"0.5"] * 16) + b"]}]}"
    good = request(b"/v2/models/mlp/infer", good_body)
    started = time.time()
    try:
        reply, quiet = exchange(port, good)
        check_reply("a good request", reply, quiet, want={200})

        fixed = [
            ("garbage", b"\x00\xff\x13garbage\r\n\r\n", None),
            ("no version", b"GET /v2\r\n\r\n", None),
            ("bad method", request(b"/v2/models/mlp/infer", good_body, method=b"BREW"), None),
            ("PUT", request(b"/v2/models/mlp/infer", good_body, method=b"PUT"), {405}),
            ("DELETE", request(b"/v2/models/mlp", b"", method=b"DELETE"), {405}),
            ("content-length not a number", b"POST /v2/models/mlp/infer HTTP/1.1\r\nHost: t\r\nContent-Length: ten\r\n\r\n", None),
            ("negative content-length", b"POST /v2/models/mlp/infer HTTP/1.1\r\nHost: t\r\nContent-Length: -5\r\n\r\n", None),
            ("content-length shorter than the body",
             good.replace(b"Content-Length: %d" % len(good_body), b"Content-Length: %d" % (len(good_body) - 10)), {400}),
            ("two requests pipelined", good + good, {200}),
            ("huge header", b"GET /v2 HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 100000 + b"\r\n\r\n", None),
            ("many headers", b"GET /v2 HTTP/1.1\r\nHost: t\r\n" + b"X-A: b\r\n" * 3000 + b"\r\n", None),
            ("deep JSON", request(b"/v2/models/mlp/infer", b"[" * 200000 + b"]" * 200000), {400}),
            ("deep JSON in TF Serving", request(b"/v1/models/mlp:predict", b'{"instances":' + b"[" * 5000 + b"]" * 5000 + b"}"), {400}),
            ("many values", request(b"/v2/models/mlp/infer", b"[" + b"0," * 400000 + b"0]"), {400}),
            ("bad UTF-8 name", request(b"/v2/models/mlp/infer", good_body.replace(b'"input"', b'"\xff\xfe"')), {400}),
            ("escaped name", request(b"/v2/models/mlp/infer", good_body.replace(b'"input"', b'"\\u0069nput"')), {200}),
            ("NUL in body", request(b"/v2/models/mlp/infer", good_body[:20] + b"\0" + good_body[21:]), {400}),
            ("binary header larger than the body", request(b"/v2/models/mlp/infer", good_body,
                                                           b"Inference-Header-Content-Length: 99999999999999999999\r\n"), {400}),
            ("chunked garbage", b"POST /v2/models/mlp/infer HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n0\r\n\r\n", None),
            ("percent-encoded path", request(b"/v2/models/%6dlp/infer", good_body), {200}),
            ("bad percent-encoding", request(b"/v2/models/%zz/infer", good_body), {400, 404}),
            ("path with NUL escape", request(b"/v2/models/mlp%00x/infer", good_body), {400, 404}),
            ("very long path", request(b"/v2/models/" + b"m" * 20000 + b"/infer", good_body), None),
        ]
        for name, data, want in fixed:
            reply, quiet = exchange(port, data)
            check_reply(name, reply, quiet, want)
            C.check(alive(port), "alive after: " + name)

        # truncated bodies and headers, then the client goes away
        for cut in (10, len(good) // 2, len(good) - 1):
            exchange(port, good[:cut], close_after_send=True)
        C.check(alive(port), "alive after truncated requests")
        # a slow client still gets its answer
        reply, quiet = exchange(port, good, pause=0.3)
        check_reply("slow client", reply, quiet, want={200})
        # idle connections do not block others
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
        reply, quiet = exchange(port, good)
        check_reply("with 20 idle connections open", reply, quiet, want={200})
        for sk in idle:
            sk.close()

        # random mutations of valid requests, bounded in count and time
        rng = random.Random(20151109)
        bodies = [(b"/v2/models/mlp/infer", good_body),
                  (b"/v1/models/mlp:predict", b'{"instances":[[' + b",".join([b"1"] * 16) + b"]]}"),
                  (b"/v1/models/mlp/versions/1:predict", b'{"inputs":{"input":[[' + b",".join([b"2.5"] * 16) + b"]]}}")]
        seeds = [request(p, b) for p, b in bodies] + [request(b"/v2/models/mlp", b"", method=b"GET")]
        done = 0
        for i in range(a.cases):
            if time.time() - started > TIME_BUDGET:
                break
            # two thirds: the body mutated and framed right (exercises the JSON and tensor readers);
            # one third: the raw bytes of the whole request mutated (the HTTP parser)
            framed = i % 3 != 0
            if framed:
                path, body = rng.choice(bodies)
                data = bytearray(body)
            else:
                data = bytearray(rng.choice(seeds))
            for _ in range(rng.randint(1, 6)):
                if not data:
                    break
                at = rng.randrange(len(data))
                op = rng.randrange(5)
                if op == 0:
                    data[at] = rng.randrange(256)
                elif op == 1:
                    del data[at:at + rng.randint(1, 8)]
                elif op == 2:
                    data[at:at] = rng.choice([b"\r\n", b":", b" ", b"{", b"]", b"\x00", b"9" * 12, b"%"])
                elif op == 3:
                    data[at:at] = data[at:at + rng.randint(1, 64)]
                else:
                    data = data[:at]
            if framed:
                data = request(path, bytes(data))
            reply, quiet = exchange(port, bytes(data), timeout=0.5 if not framed else 5.0)
            # a cut request may legitimately wait for the rest: that is the client's problem, but
            # the server must still serve everyone else
            if quiet and not framed:
                C.check(alive(port), "alive while mutated request %d waits for its rest" % i)
            else:
                check_reply("mutated request %d" % i, reply, quiet)
            done += 1
            if i % 50 == 0:
                C.check(alive(port), "alive after mutated request %d" % i)
        print("%d mutated requests in %.1f s" % (done, time.time() - started))
        C.check(done >= 50, "at least 50 mutated requests ran")
        reply, quiet = exchange(port, good)
        check_reply("a good request at the end", reply, quiet, want={200})
    finally:
        code = s.stop()
    text = open(log, errors="replace").read()
    C.check(code == 0, "exit code %r after SIGTERM" % code)
    C.check("AddressSanitizer" not in text and "runtime error" not in text and "LeakSanitizer" not in text,
            "no sanitizer report in the server log")
    return C.finish()


if __name__ == "__main__":
    sys.exit(main())
