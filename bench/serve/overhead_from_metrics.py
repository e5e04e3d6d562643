#!/usr/bin/python3
"""overhead_from_metrics.py BEFORE AFTER [MODEL] - the server's own time per inference request
between two /metrics snapshots: frost_serve_server_overhead_seconds (whole request minus the
model run, per request) as count, mean and p50/p90/p99, each percentile given as the bucket it
falls in and a linear interpolation inside it; and the model run (frost_serve_inference) mean."""
import re
import sys


def series(path, name, model):
    out = {}
    pat = re.compile(r'^%s\{model="%s"(?:,le="([^"]+)")?\} (\S+)$' % (re.escape(name), re.escape(model)))
    for line in open(path):
        m = pat.match(line.strip())
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


def main():
    before, after = sys.argv[1], sys.argv[2]
    model = sys.argv[3] if len(sys.argv) > 3 else "expert"
    b0 = series(before, "frost_serve_server_overhead_seconds_bucket", model)
    b1 = series(after, "frost_serve_server_overhead_seconds_bucket", model)
    def total(name):
        return series(after, name, model).get(None, 0) - series(before, name, model).get(None, 0)
    n = total("frost_serve_server_overhead_seconds_count")
    if n <= 0:
        print("no requests between the snapshots")
        return
    bounds = sorted((float(k) if k != "+Inf" else float("inf"), b1[k] - b0.get(k, 0)) for k in b1)
    line = "server's own time per request (%d requests): mean %.1f us" % (n, total("frost_serve_server_overhead_seconds_sum") / n * 1e6)
    for q in (0.5, 0.9, 0.99):
        want, lo, prev = q * n, 0.0, 0.0
        for hi, cum in bounds:
            if cum >= want:
                frac = (want - prev) / (cum - prev) if cum > prev and hi != float("inf") else 1.0
                est = lo + (hi - lo) * frac if hi != float("inf") else lo
                line += ", p%d %.1f us (in %.0f-%s us)" % (q * 100, est * 1e6, lo * 1e6,
                                                          "inf" if hi == float("inf") else "%.0f" % (hi * 1e6))
                break
            lo, prev = hi, cum
    runs = total("frost_serve_inference_duration_seconds_count")
    if runs > 0:
        line += "; model run mean %.1f us" % (total("frost_serve_inference_duration_seconds_sum") / runs * 1e6)
    print(line)


if __name__ == "__main__":
    main()
