"""serve_harness.py - starts and stops `frost serve` for the tests and benchmarks, and talks HTTP to
it. A server listens on 127.0.0.1 with --port 0 (the kernel picks a free port, which frost serve
prints on stdout), and is always stopped: SIGTERM, then SIGKILL if it has not exited in time.
Standard library only (Debian's /usr/bin/python3)."""

import http.client
import json
import os
import signal
import subprocess
import threading
import time


class Server:
    def __init__(self, frost, args, log_path=None, ready_timeout=120.0, env=None):
        self.log_path = log_path
        self.log = open(log_path, "w") if log_path else subprocess.DEVNULL
        cmd = [frost, "serve", "--host", "127.0.0.1", "--port", "0"] + list(args)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log, text=True, env=env)
        self.port = None
        self.exit_code = None
        # the first stdout line names the port
        reader = threading.Thread(target=self._read_port, daemon=True)
        reader.start()
        reader.join(timeout=30)
        if self.port is None:
            self.stop()
            raise RuntimeError("frost serve did not print its port (see %s)" % log_path)
        self.wait_ready(ready_timeout)

    def _read_port(self):
        line = self.proc.stdout.readline()
        marker = "listening on http://"
        if marker in line:
            self.port = int(line.strip().rsplit(":", 1)[1])

    def wait_ready(self, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("frost serve exited with %d while starting (see %s)"
                                   % (self.proc.returncode, self.log_path))
            try:
                status, _, _ = self.request("GET", "/v2/health/ready")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("frost serve was not ready within %.0f s" % timeout)

    def connection(self, timeout=60):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, conn=None):
        """One request; returns (status, headers dict with lower-case names, body bytes)."""
        own = conn is None
        c = conn or self.connection()
        try:
            h = {"Content-Type": "application/json"}
            h.update(headers or {})
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode()
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            if own:
                c.close()

    def json(self, method, path, body=None, conn=None):
        status, headers, data = self.request(method, path, body, conn=conn)
        return status, json.loads(data) if data else None

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=60):
        """SIGTERM and wait; SIGKILL after `timeout`. Returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.exit_code = self.proc.returncode
        if self.proc.stdout:
            self.proc.stdout.close()
        if self.log is not subprocess.DEVNULL:
            self.log.close()
        return self.exit_code

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def link_model(src, dst_dir, name):
    """Puts `src` (and, for model.json, its weight files) into dst_dir as `name`, by symlink."""
    os.makedirs(dst_dir, exist_ok=True)
    os.symlink(os.path.abspath(src), os.path.join(dst_dir, name))
    if name == "model.json":
        folder = os.path.dirname(os.path.abspath(src))
        for f in os.listdir(folder):
            if f.endswith(".bin"):
                os.symlink(os.path.join(folder, f), os.path.join(dst_dir, f))


class Checks:
    """Counts checks; prints failures; ends with ctest's 'N passed, M failed' line."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL:", what, flush=True)
        return cond

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed else 0
