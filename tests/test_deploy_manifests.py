"""deploy/: the Kubernetes manifests (base and the GPU overlay), the in-cluster balancer's nginx
config and the Dockerfile, checked with the tools the field uses, offline:

- kubernetes-validate --strict against Kubernetes' own schemas (unknown fields are errors);
- checkov's policies, with every skip carried as an annotation whose reason is also a comment;
- hadolint and checkov on the Dockerfile (no Docker engine here: it is linted, not built);
- nginx -t (Debian's 1.22) on the in-cluster balancer's config, and its proxying equal to deploy/nginx;
- the promises the files make to each other: the drain fits the termination grace, the autoscaler
  reads a metric the server exports, the overlays patch what exists.

The linters live in .venv-deploy (deploy/lint-requirements.txt; README, Test): these tests fail,
not skip, without them. No kustomize binary can be had here: the GPU overlay's RFC 6902 patches are
applied with jsonpatch, as kustomize applies them.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import jsonpatch
import pytest
import yaml

from service.metrics import Metrics
from tests.certificates import make_certificates
from tests.nginx_balancer import nginx_binary

ROOT = Path(__file__).resolve().parent.parent
KUBERNETES = ROOT / "deploy" / "kubernetes"
LINTERS = ROOT / ".venv-deploy" / "bin"
INSTALL = "python3 -m venv .venv-deploy && .venv-deploy/bin/pip install -r deploy/lint-requirements.txt"
# The oldest Kubernetes we support (the preStop sleep action is on by default from 1.30) and the newest
# kubernetes-validate knows.
KUBERNETES_VERSIONS = ("1.31.0", "1.37.0")
SKIP_ANNOTATION = re.compile(r"^checkov\.io/skip\d+$")


def _linter(name: str) -> str:
    path = LINTERS / name
    assert path.exists(), f"{path} not found: the deploy linters live in their own environment ({INSTALL})"
    return str(path)


def _run(*command: str, cwd: Path = ROOT, timeout_s: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout_s)


def _documents(path: Path) -> list[dict]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


def _kustomization(folder: Path) -> dict:
    return yaml.safe_load((folder / "kustomization.yaml").read_text())


def _build(folder: Path) -> list[dict]:
    """What `kustomize build` makes of a folder whose kustomization lists resources and RFC 6902
    patches (all ours use), without the image rewrite."""
    kustomization = _kustomization(folder)
    documents = []
    for resource in kustomization.get("resources", []):
        path = folder / resource
        documents += _build(path) if path.is_dir() else _documents(path)
    for patch in kustomization.get("patches", []):
        target = patch["target"]
        operations = yaml.safe_load((folder / patch["path"]).read_text())
        matches = [i for i, d in enumerate(documents) if d["kind"] == target["kind"]
                   and d["metadata"]["name"] == target["name"]]
        assert len(matches) == 1, f"{folder.name}: patch target {target} matches {len(matches)} resources"
        documents[matches[0]] = jsonpatch.apply_patch(documents[matches[0]], operations)
    return documents


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    """Each variant (base, gpu) built and written as one manifest file."""
    folder = tmp_path_factory.mktemp("manifests")
    variants = {}
    for variant in ("base", "gpu"):
        path = folder / variant / "manifests.yaml"
        path.parent.mkdir()
        path.write_text(yaml.safe_dump_all(_build(KUBERNETES / variant), sort_keys=False))
        variants[variant] = path
    return variants


def _find(documents: list[dict], kind: str, name: str) -> dict:
    return next(d for d in documents if d["kind"] == kind and d["metadata"]["name"] == name)


def _server(variant_path: Path) -> dict:
    return _find(_documents(variant_path), "Deployment", "facecast")


def _env(container: dict) -> dict[str, str]:
    return {variable["name"]: variable["value"] for variable in container["env"]}


def test_kustomizations_list_every_manifest_of_their_folder():
    listed = set(_kustomization(KUBERNETES / "base")["resources"])
    present = {path.name for path in (KUBERNETES / "base").glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present
    gpu = _kustomization(KUBERNETES / "gpu")
    assert gpu["resources"] == ["../base"] and all((KUBERNETES / "gpu" / p["path"]).exists() for p in gpu["patches"])


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_is_valid_kubernetes_strictly(rendered, version):
    result = _run(_linter("kubernetes-validate"), "--strict", "-k", version, *map(str, rendered.values()))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(" passed for resource ") == sum(len(_documents(p)) for p in rendered.values())


def test_strict_validation_refuses_an_unknown_field(tmp_path):
    """The check above can fail: a misspelt field is an error, not ignored."""
    deployment = _documents(KUBERNETES / "base" / "deployment.yaml")[0]
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbes"] = {"grpc": {"port": 50051}}
    typo = tmp_path / "typo.yaml"
    typo.write_text(yaml.safe_dump(deployment))
    result = _run(_linter("kubernetes-validate"), "--strict", "-k", KUBERNETES_VERSIONS[0], str(typo))
    assert result.returncode != 0 and "readinessProbes" in result.stdout + result.stderr


def test_checkov_passes_every_manifest_and_each_skip_is_justified(rendered):
    result = _run(_linter("checkov"), "--quiet", "--compact", "--output", "json", "--framework", "kubernetes",
                  "--directory", str(next(iter(rendered.values())).parent.parent))
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    summary = [report["summary"] for report in reports]
    assert all(part["failed"] == 0 for part in summary), [r["results"]["failed_checks"] for r in reports]
    assert sum(part["passed"] for part in summary) > 300  # both variants, every resource was checked
    sources = "\n".join(path.read_text() for path in KUBERNETES.rglob("*.yaml"))
    skips = [value for variant in rendered.values() for document in _documents(variant)
             for key, value in document["metadata"].get("annotations", {}).items() if SKIP_ANNOTATION.match(key)]
    assert sum(part["skipped"] for part in summary) == len(skips)  # no skip without its annotation
    for skip in skips:
        check, _, reason = skip.partition("=")
        assert reason.strip() and re.search(rf"#.*{check}", sources), f"{check}: give the reason in a comment"


def test_the_gpu_overlay_puts_each_server_on_a_gpu_and_changes_nothing_else(rendered):
    base, gpu = _server(rendered["base"]), _server(rendered["gpu"])
    pod = gpu["spec"]["template"]["spec"]
    resources = pod["containers"][0]["resources"]
    assert resources["limits"]["nvidia.com/gpu"] == resources["requests"]["nvidia.com/gpu"] == "1"
    assert pod["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in pod["tolerations"]
    for changed in ("nodeSelector", "tolerations"):
        del pod[changed]
    del pod["containers"][0]["resources"], base["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert gpu == base


def test_the_drain_fits_in_the_termination_grace(rendered):
    pod = _server(rendered["base"])["spec"]["template"]["spec"]
    container = pod["containers"][0]
    drain_s = container["lifecycle"]["preStop"]["sleep"]["seconds"] + float(_env(container)["FACECAST_GRACE_S"])
    assert pod["terminationGracePeriodSeconds"] >= drain_s + 5  # time to exit after the drain
    assert container["readinessProbe"]["grpc"]["port"] == int(_env(container)["FACECAST_PORT"])
    assert "grpc" not in container["livenessProbe"]  # health is NOT_SERVING during the drain
    assert _find(_documents(rendered["base"]), "Deployment", "facecast")["spec"]["strategy"]["rollingUpdate"][
        "maxUnavailable"] == 0


def test_the_autoscaler_reads_a_metric_the_servers_export_below_their_limit(rendered):
    documents = _documents(rendered["base"])
    hpa = _find(documents, "HorizontalPodAutoscaler", "facecast")
    sessions = next(metric["pods"] for metric in hpa["spec"]["metrics"] if metric["type"] == "Pods")
    exported = {family.name for family in Metrics().registry.collect()}
    assert sessions["metric"]["name"] in exported
    server = _find(documents, "Deployment", "facecast")["spec"]["template"]["spec"]["containers"][0]
    assert 0 < int(sessions["target"]["averageValue"]) < int(_env(server)["FACECAST_MAX_SESSIONS"])
    adapter = yaml.safe_load(_find(documents, "ConfigMap", "facecast-prometheus-adapter-rules")["data"]["config.yaml"])
    assert [rule["name"]["as"] for rule in adapter["rules"]] == [sessions["metric"]["name"]]


def _directives(config: str) -> list[str]:
    """nginx directives, one per line, without comments or indentation."""
    lines = (line.split("#", 1)[0].strip() for line in config.splitlines())
    return [line for line in lines if line]


def test_the_cluster_balancer_proxies_like_deploy_nginx_and_passes_nginx_t(tmp_path):
    config = _find(_documents(KUBERNETES / "base" / "balancer.yaml"), "ConfigMap", "facecast-balancer")
    cluster = config["data"]["nginx.conf"]
    snippet = _directives((ROOT / "deploy" / "nginx" / "snippets" / "facecast-grpc.conf").read_text())
    in_cluster = _directives(cluster)
    start = in_cluster.index(snippet[0])
    assert in_cluster[start:start + len(snippet)] == snippet  # the same proxying, word for word
    # What only a cluster has: its DNS, the headless Service's name, TLS from a Secret. And the
    # upstream `resolve` parameter needs nginx 1.27.3; Debian's 1.22 checks everything else.
    certificates = make_certificates(tmp_path)
    local = (cluster.replace("/tmp/", f"{tmp_path}/")
             .replace("kube-dns.kube-system.svc.cluster.local", "127.0.0.1")
             .replace("facecast-servers.facecast.svc.cluster.local:50051 resolve", "127.0.0.1:50051")
             .replace("/etc/nginx/tls/tls.crt", str(certificates.server_cert))
             .replace("/etc/nginx/tls/tls.key", str(certificates.server_key)))
    assert "cluster.local" not in local and "/etc/nginx" not in local
    (tmp_path / "nginx.conf").write_text(local)
    result = _run(nginx_binary(), "-t", "-p", f"{tmp_path}/", "-e", f"{tmp_path}/error.log",
                  "-c", str(tmp_path / "nginx.conf"))
    assert result.returncode == 0, result.stderr


def test_hadolint_and_checkov_pass_the_dockerfile():
    hadolint = _run(_linter("hadolint"), "deploy/Dockerfile")
    assert hadolint.returncode == 0, hadolint.stdout + hadolint.stderr
    checkov = _run(_linter("checkov"), "--quiet", "--compact", "--output", "json", "--framework", "dockerfile",
                   "--file", "deploy/Dockerfile")
    summary = json.loads(checkov.stdout)["summary"]
    assert summary["failed"] == 0 and summary["skipped"] == 0 and summary["passed"] > 50, summary


def test_the_build_context_holds_what_the_dockerfile_copies():
    ignored = (ROOT / "deploy" / "Dockerfile.dockerignore").read_text().splitlines()
    kept = {line[1:].rstrip("/") for line in ignored if line.startswith("!")}
    copied = re.findall(r"^COPY (?!--from)(.+) \S+$", (ROOT / "deploy" / "Dockerfile").read_text(), re.MULTILINE)
    sources = {source for line in copied for source in line.split()}
    assert sources <= kept and all((ROOT / source).exists() for source in sources)
