#!/usr/bin/python3
"""check_manifests.py - checks deploy/ without a cluster or a Docker engine (ctest: deploy_manifests).

1. Schema: every YAML document (Debian's python3-yaml) is checked against the fields its kind
   requires (Deployment, Service, HorizontalPodAutoscaler, ServingRuntime, InferenceService), and
   the documents against each other: selectors match pod labels, named ports resolve, probes hit
   the Open Inference Protocol health paths on a declared port, the HPA targets the Deployment
   and has CPU requests to work from, the InferenceService names the runtime and one of its model
   formats and protocols, containers run as non-root.
2. Dockerfile: Debian 12 base in every stage, multi-stage with COPY --from the build stage, a
   non-root USER, ENTRYPOINT runs `frost serve --host 0.0.0.0`, EXPOSE matches the Deployment, and
   the runtime stage installs the Debian package of every shared library the built frost needs.
3. Dry run: the container's command line (ENTRYPOINT + the Deployment's args, and the
   ServingRuntime's command + args) runs against the real binary, with the repository path and
   port mapped to a local temporary repository on 127.0.0.1 and a free port, and the probe paths
   of the manifests must answer 200. Each server is stopped.
Prints 'N passed, M failed'; exit 1 on any failure."""

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "serve"))
from serve_harness import Checks, Server, link_model  # noqa: E402

C = Checks()


def get(doc, path, default=None):
    cur = doc
    for k in path.split("."):
        if isinstance(cur, list):
            try:
                cur = cur[int(k)]
            except (ValueError, IndexError):
                return default
        elif isinstance(cur, dict) and k in cur:
            cur = cur[k]
        else:
            return default
    return cur


def require(doc, where, *paths):
    for p in paths:
        C.check(get(doc, p) is not None, "%s: '%s' is required" % (where, p))


def check_container(c, where, want_port=None):
    require(c, where, "name", "image", "ports", "readinessProbe", "livenessProbe", "resources.requests.cpu")
    ports = {p.get("name"): p.get("containerPort") for p in c.get("ports", [])}
    numbers = set(ports.values())
    for probe, path in (("readinessProbe", "/v2/health/ready"), ("livenessProbe", "/v2/health/live")):
        hp = get(c, probe + ".httpGet", {})
        C.check(hp.get("path") == path, "%s: %s path %r, want %s" % (where, probe, hp.get("path"), path))
        port = hp.get("port")
        C.check(port in numbers or port in ports, "%s: %s port %r is not a container port" % (where, probe, port))
    sc = c.get("securityContext", {})
    C.check(sc.get("allowPrivilegeEscalation") is False, "%s: allowPrivilegeEscalation must be false" % where)
    if want_port is not None:
        C.check(want_port in numbers, "%s: container ports %r lack %d" % (where, numbers, want_port))
    return ports


def check_kubernetes(docs, dockerfile_port):
    by_kind = {}
    for d in docs:
        C.check(isinstance(d, dict) and d.get("apiVersion") and d.get("kind") and get(d, "metadata.name"),
                "every document has apiVersion, kind and metadata.name: %r" % (str(d)[:80],))
        by_kind.setdefault(d.get("kind"), []).append(d)
    for kind in ("Deployment", "Service", "HorizontalPodAutoscaler"):
        C.check(len(by_kind.get(kind, [])) == 1, "one %s in deploy/kubernetes" % kind)
    dep = by_kind["Deployment"][0]
    svc = by_kind["Service"][0]
    hpa = by_kind["HorizontalPodAutoscaler"][0]
    C.check(dep["apiVersion"] == "apps/v1", "Deployment apiVersion apps/v1")
    require(dep, "Deployment", "spec.selector.matchLabels", "spec.template.metadata.labels", "spec.template.spec.containers")
    sel = get(dep, "spec.selector.matchLabels", {})
    labels = get(dep, "spec.template.metadata.labels", {})
    C.check(sel and all(labels.get(k) == v for k, v in sel.items()), "Deployment selector matches its pod labels")
    pod_sc = get(dep, "spec.template.spec.securityContext", {})
    C.check(pod_sc.get("runAsNonRoot") is True and pod_sc.get("runAsUser", 0) != 0, "pods run as non-root")
    container = get(dep, "spec.template.spec.containers.0", {})
    ports = check_container(container, "Deployment container", dockerfile_port)
    mounts = {m["name"]: m for m in container.get("volumeMounts", [])}
    vols = {v["name"] for v in get(dep, "spec.template.spec.volumes", [])}
    C.check(all(n in vols for n in mounts), "every volumeMount has a volume")
    grace = get(dep, "spec.template.spec.terminationGracePeriodSeconds", 30)
    args = container.get("args", [])
    drain = float(args[args.index("--drain-seconds") + 1]) if "--drain-seconds" in args else 30.0
    C.check(grace > drain, "terminationGracePeriodSeconds %s leaves time for --drain-seconds %s" % (grace, drain))
    # Service
    C.check(svc["apiVersion"] == "v1", "Service apiVersion v1")
    ssel = get(svc, "spec.selector", {})
    C.check(ssel and all(labels.get(k) == v for k, v in ssel.items()), "Service selector matches the pods")
    for p in get(svc, "spec.ports", []):
        tp = p.get("targetPort", p.get("port"))
        C.check(tp in ports or tp in ports.values(), "Service targetPort %r is a container port" % tp)
    # HPA
    C.check(hpa["apiVersion"] == "autoscaling/v2", "HPA apiVersion autoscaling/v2")
    ref = get(hpa, "spec.scaleTargetRef", {})
    C.check(ref.get("kind") == "Deployment" and ref.get("name") == dep["metadata"]["name"]
            and ref.get("apiVersion") == "apps/v1", "HPA targets the Deployment")
    lo, hi = get(hpa, "spec.minReplicas", 1), get(hpa, "spec.maxReplicas")
    C.check(isinstance(hi, int) and 1 <= lo <= hi, "HPA 1 <= minReplicas <= maxReplicas")
    metrics = get(hpa, "spec.metrics", [])
    C.check(bool(metrics), "HPA has metrics")
    for m in metrics:
        if get(m, "resource.name") == "cpu":
            C.check(get(container, "resources.requests.cpu") is not None, "CPU utilization needs CPU requests")
    return dep


def check_kserve(docs):
    rts = [d for d in docs if d.get("kind") == "ServingRuntime"]
    isvcs = [d for d in docs if d.get("kind") == "InferenceService"]
    C.check(len(rts) == 1 and len(isvcs) == 1, "one ServingRuntime and one InferenceService")
    rt, isvc = rts[0], isvcs[0]
    C.check(rt["apiVersion"] == "serving.kserve.io/v1alpha1", "ServingRuntime apiVersion")
    C.check(isvc["apiVersion"] == "serving.kserve.io/v1beta1", "InferenceService apiVersion")
    require(rt, "ServingRuntime", "spec.supportedModelFormats", "spec.containers", "spec.protocolVersions")
    formats = {f["name"] for f in get(rt, "spec.supportedModelFormats", [])}
    protocols = set(get(rt, "spec.protocolVersions", []))
    C.check(protocols <= {"v1", "v2", "grpc-v1", "grpc-v2"} and "v2" in protocols, "runtime protocols %r" % protocols)
    c = get(rt, "spec.containers.0", {})
    C.check(c.get("name") == "kserve-container", "the runtime's container is named kserve-container")
    check_container(c, "ServingRuntime container", 8080)
    C.check("/mnt/models" in c.get("args", []), "the runtime serves KServe's /mnt/models")
    model = get(isvc, "spec.predictor.model", {})
    C.check(model.get("runtime") == rt["metadata"]["name"], "InferenceService uses the frost runtime")
    C.check(get(model, "modelFormat.name") in formats, "InferenceService's model format is one the runtime supports")
    C.check(model.get("protocolVersion", "v1") in protocols, "InferenceService's protocol is one the runtime speaks")
    C.check(bool(model.get("storageUri")), "InferenceService has a storageUri")
    return rt


def parse_dockerfile(path):
    """Instructions with continuation lines joined: [(INSTRUCTION, args)]."""
    out, cur = [], ""
    for line in open(path):
        s = line.rstrip("\n")
        if not cur and (not s.strip() or s.lstrip().startswith("#")):
            continue
        if s.endswith("\\"):
            cur += s[:-1] + " "
            continue
        cur += s
        word, _, rest = cur.strip().partition(" ")
        out.append((word.upper(), rest.strip()))
        cur = ""
    return out


def check_dockerfile(path, frost):
    ins = parse_dockerfile(path)
    stages = []
    for word, rest in ins:
        if word == "FROM":
            parts = rest.split()
            stages.append({"image": parts[0], "name": parts[2] if len(parts) > 2 and parts[1].upper() == "AS" else None,
                           "ins": []})
        elif stages:
            stages[-1]["ins"].append((word, rest))
    C.check(len(stages) >= 2, "multi-stage (%d stages)" % len(stages))
    for s in stages:
        C.check(s["image"].startswith("debian:12") or s["image"].startswith("debian:bookworm"),
                "stage base %s is Debian 12" % s["image"])
    final = stages[-1]
    names = {s["name"] for s in stages[:-1]}
    copies = [r for w, r in final["ins"] if w == "COPY" and "--from=" in r]
    C.check(any(r.split("--from=")[1].split()[0] in names for r in copies), "the runtime stage copies from a build stage")
    users = [r for w, r in final["ins"] if w == "USER"]
    C.check(bool(users) and users[-1].split(":")[0] not in ("0", "root"), "the runtime stage runs as non-root: %r" % users)
    entry = [r for w, r in final["ins"] if w == "ENTRYPOINT"]
    cmd = [r for w, r in final["ins"] if w == "CMD"]
    entry_argv = json.loads(entry[-1]) if entry else []
    cmd_argv = json.loads(cmd[-1]) if cmd else []
    C.check(entry_argv[1:3] == ["serve", "--host"] and "0.0.0.0" in entry_argv, "ENTRYPOINT runs frost serve on 0.0.0.0: %r" % entry_argv)
    expose = [int(r.split("/")[0]) for w, r in final["ins"] if w == "EXPOSE"]
    port = int(entry_argv[entry_argv.index("--port") + 1]) if "--port" in entry_argv else 8000
    C.check(port in expose, "EXPOSE %r includes the port %d frost listens on" % (expose, port))
    # the runtime stage's packages cover the shared libraries the binary needs
    installed = set()
    for w, r in final["ins"]:
        if w == "RUN" and "apt-get install" in r:
            for seg in r.split("&&"):
                if "apt-get install" in seg:
                    installed |= {t for t in shlex.split(seg) if not t.startswith("-") and t not in ("apt-get", "install")}
    needed = subprocess.run(["objdump", "-p", frost], capture_output=True, text=True).stdout
    sonames = [l.split()[1] for l in needed.splitlines() if l.strip().startswith("NEEDED")]
    C.check(bool(sonames), "objdump lists the binary's libraries")
    for so in sonames:
        if so.split(".so")[0] in ("libasan", "libubsan", "libtsan", "liblsan"):
            continue   # a sanitizer build of frost; the image builds Release
        owner = subprocess.run(["dpkg", "-S", "*/" + so], capture_output=True, text=True).stdout
        pkgs = {l.split(":")[0] for l in owner.splitlines() if ":" in l}
        if pkgs & {"libc6", "libc6-i386", "libc6-x32"}:
            continue   # in every Debian image
        C.check(bool(pkgs & installed), "the runtime stage installs the package of %s (%s), has %s"
                % (so, ", ".join(sorted(pkgs)), " ".join(sorted(installed))))
    return entry_argv, cmd_argv, port


def dry_run(frost, argv, repo, what, probes):
    """Runs argv (a container command line) locally: the binary path, the model repository and the
    host/port are mapped to this machine's; the probes must answer 200."""
    args = list(argv)
    try:
        args = args[args.index("serve") + 1:]
    except ValueError:
        C.check(False, "%s: no 'serve' in %r" % (what, argv))
        return
    mapped = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--host", "--port"):
            i += 2   # the harness listens on 127.0.0.1 and a free port
            continue
        if a == "--model-repository":
            mapped += [a, repo]
            i += 2
            continue
        mapped.append(a)
        i += 1
    try:
        with Server(frost, mapped, os.path.join(os.path.dirname(repo), what + ".log")) as s:
            for path in probes:
                st, _, _ = s.request("GET", path)
                C.check(st == 200, "%s: GET %s -> %d" % (what, path, st))
            st, body = s.json("GET", "/v2/models/fashion")
            C.check(st == 200 and body["platform"] == "onnx_onnxv1", "%s: the model is served" % what)
    except RuntimeError as e:
        C.check(False, "%s: %s" % (what, e))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frost", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    deploy = os.path.join(a.source, "deploy")
    kube = [d for f in sorted(os.listdir(os.path.join(deploy, "kubernetes"))) if f.endswith(".yaml")
            for d in yaml.safe_load_all(open(os.path.join(deploy, "kubernetes", f))) if d]
    kserve = [d for f in sorted(os.listdir(os.path.join(deploy, "kserve"))) if f.endswith(".yaml")
              for d in yaml.safe_load_all(open(os.path.join(deploy, "kserve", f))) if d]
    entry, cmd, port = check_dockerfile(os.path.join(deploy, "Dockerfile"), a.frost)
    dep = check_kubernetes(kube, port)
    rt = check_kserve(kserve)

    shutil.rmtree(a.work, ignore_errors=True)
    repo = os.path.join(a.work, "repository")
    link_model(os.path.join(a.source, "tests/data/onnx/mlp_dynamic_op13.onnx"), os.path.join(repo, "fashion", "1"), "model.onnx")
    container = get(dep, "spec.template.spec.containers.0")
    k8s_args = container.get("args", cmd)
    probes = [get(container, p + ".httpGet.path") for p in ("livenessProbe", "readinessProbe", "startupProbe")]
    dry_run(a.frost, entry + k8s_args, repo, "deployment", [p for p in probes if p])
    dry_run(a.frost, entry + cmd, repo, "docker-run", ["/v2/health/live", "/v2/health/ready"])
    rc = get(rt, "spec.containers.0")
    dry_run(a.frost, rc.get("command", entry) + rc.get("args", []), repo, "kserve-runtime",
            [get(rc, "readinessProbe.httpGet.path"), get(rc, "livenessProbe.httpGet.path")])
    return C.finish()


if __name__ == "__main__":
    sys.exit(main())
