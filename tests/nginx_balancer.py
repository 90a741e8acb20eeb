"""Debian's nginx as a child process, configured with the repository's own deploy/nginx files, in front
of Facecast servers on loopback: for tests/test_scale_out.py and benchmarks/scale_out.py.

The deploy files are used as shipped; only what is specific to a host is rewritten: the upstream's
server addresses (between its `servers:begin` and `servers:end` markers, keeping the shipped
parameters), the listen ports and the log folder."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
from pathlib import Path

from tests.certificates import Certificates
from tests.server_harness import free_port, free_ports, wait_until

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy" / "nginx"
INSTALL = "apt-get install -y --no-install-recommends nginx"
SHIPPED_PLAIN_PORT, SHIPPED_TLS_PORT = 50051, 50443
SHIPPED_LOG_FOLDER = "/var/log/nginx/"
SERVERS_BLOCK = re.compile(r"(# servers:begin[^\n]*\n)(.*?)(\n\s*# servers:end)", re.DOTALL)
SERVER_LINE = re.compile(r"^(\s*)server \S+ (.*);$", re.MULTILINE)

# What the test wraps around the shipped files: Debian's nginx.conf does the same (conf.d/*.conf, then
# sites-enabled/*, in http {}), with system paths instead of the test's folder.
MAIN_CONFIG = """daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/logs/error.log info;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {folder}/temp/body;
    proxy_temp_path {folder}/temp/proxy;
    fastcgi_temp_path {folder}/temp/fastcgi;
    uwsgi_temp_path {folder}/temp/uwsgi;
    scgi_temp_path {folder}/temp/scgi;
    include conf.d/*.conf;
    include sites-enabled/*;
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    assert found, f"nginx not found: the scale-out tests run Debian's nginx in front of the servers ({INSTALL})"
    return found


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"expected {old!r} once in the shipped nginx config"
    return text.replace(old, new)


def _with_servers(text: str, addresses: list[str]) -> str:
    block = SERVERS_BLOCK.search(text)
    assert block, "the shipped upstream lost its servers:begin/servers:end markers"
    indent, parameters = SERVER_LINE.search(block.group(2)).groups()  # the shipped health parameters
    lines = "\n".join(f"{indent}server {address} {parameters};" for address in addresses)
    return text[:block.start(2)] + lines + text[block.end(2):]


class NginxBalancer:
    """nginx listening on loopback (cleartext, and TLS if given certificates) in front of `servers`."""

    def __init__(self, folder: Path, servers: list[str], certificates: Certificates | None = None) -> None:
        self.folder = folder
        self.port, self.tls_port = free_ports(2) if certificates else (free_port(), None)
        self._write_config(servers, certificates)
        command = [nginx_binary(), "-p", f"{folder}/", "-e", f"{folder}/logs/error.log", "-c", f"{folder}/nginx.conf"]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, checked.stderr
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        wait_until(lambda: self._listening() or self.process.poll() is not None, 30, "nginx listening")
        assert self.process.poll() is None, self.error_log()
        self.address = f"127.0.0.1:{self.port}"

    def _write_config(self, servers: list[str], certificates: Certificates | None) -> None:
        for name in ("conf.d", "sites-enabled", "snippets", "logs", "temp", "tls"):
            (self.folder / name).mkdir(parents=True, exist_ok=True)
        logs = f"{self.folder}/logs/"
        plain = _with_servers((DEPLOY / "facecast.conf").read_text(), servers)
        plain = _replace_once(plain, f"listen {SHIPPED_PLAIN_PORT} ", f"listen 127.0.0.1:{self.port} ")
        (self.folder / "conf.d" / "facecast.conf").write_text(_replace_once(plain, SHIPPED_LOG_FOLDER, logs))
        shutil.copy(DEPLOY / "snippets" / "facecast-grpc.conf", self.folder / "snippets")
        if certificates is not None:
            tls = (DEPLOY / "facecast-tls.conf").read_text()
            tls = _replace_once(tls, f"listen {SHIPPED_TLS_PORT} ", f"listen 127.0.0.1:{self.tls_port} ")
            tls = _replace_once(tls, SHIPPED_LOG_FOLDER, logs)
            (self.folder / "sites-enabled" / "facecast-tls.conf").write_text(tls)
            shutil.copy(certificates.server_cert, self.folder / "tls" / "facecast.pem")
            shutil.copy(certificates.server_key, self.folder / "tls" / "facecast.key")
        (self.folder / "nginx.conf").write_text(MAIN_CONFIG.format(folder=self.folder))

    def _listening(self) -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def error_log(self) -> str:
        path = self.folder / "logs" / "error.log"
        return path.read_text()[-3000:] if path.exists() else ""

    def access_log(self) -> list[str]:
        path = self.folder / "logs" / "facecast.log"
        return path.read_text().splitlines() if path.exists() else []

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # nginx's fast shutdown
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
