"""API keys and TLS on a real server: UNAUTHENTICATED without a good key, keys rotated by editing
the keys file without a restart, health open to all; TLS and mutual TLS with throw-away certificates."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import wave

import grpc
import numpy as np
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from runtime.atomic_file import write_atomically
from runtime.errors import InvalidConfigError
from service.api import face_animation_pb2
from service.process import facecast_command
from tests.certificates import make_certificates
from tests.server_harness import config, end, run_session, start_server, stub_for, wait_until

FIRST_KEY, SECOND_KEY, ENV_KEY = "first-key-0123456789abcdef", "second-key-0123456789", "env-key-0123456789abcdef"


def _capabilities(channel, key: str | None = None, header: str | None = None):
    metadata = [("authorization", header or f"Bearer {key}")] if key or header else None
    return stub_for(channel).GetCapabilities(face_animation_pb2.GetCapabilitiesRequest(), metadata=metadata,
                                             timeout=10)


def _code(call) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as failure:
        call()
    return failure.value.code()


@pytest.fixture(scope="module")
def keyed(tmp_path_factory):
    keys_file = tmp_path_factory.mktemp("keys") / "api-keys"
    keys_file.write_text(f"# studio keys\n{FIRST_KEY}\n\n")
    server = start_server(api_keys_file=str(keys_file), api_keys=ENV_KEY)
    yield server, keys_file
    server.stop()


@pytest.fixture()
def channel(keyed):
    with grpc.insecure_channel(keyed[0].address) as channel:
        yield channel


def test_calls_without_a_good_key_are_unauthenticated(channel):
    assert _code(lambda: _capabilities(channel)) == grpc.StatusCode.UNAUTHENTICATED
    assert _code(lambda: _capabilities(channel, "wrong-key-0123456789abcdef")) == grpc.StatusCode.UNAUTHENTICATED
    assert _code(lambda: _capabilities(channel, header=FIRST_KEY)) == grpc.StatusCode.UNAUTHENTICATED  # no Bearer
    stream = stub_for(channel).Animate(iter([config(16000), end()]))
    assert _code(lambda: list(stream)) == grpc.StatusCode.UNAUTHENTICATED


def test_keys_from_the_file_and_the_environment_are_accepted(channel):
    assert _capabilities(channel, FIRST_KEY).max_fps == 60
    assert _capabilities(channel, ENV_KEY).max_fps == 60
    assert _capabilities(channel, header=f"bearer {FIRST_KEY}").max_fps == 60
    responses = list(stub_for(channel).Animate(iter([config(16000, idle_s=0.4), end()]),
                                               metadata=[("authorization", f"Bearer {FIRST_KEY}")], timeout=30))
    assert responses[-1].status.frames == 10


def test_session_logs_name_the_key_by_fingerprint_never_the_key(keyed, channel, capsys):
    list(stub_for(channel).Animate(iter([config(16000, idle_s=0.2), end()]),
                                   metadata=[("authorization", f"Bearer {ENV_KEY}")], timeout=30))
    log = []  # the session_end line is written as the call ends, on the server's thread

    def logged_session_end() -> bool:
        captured = capsys.readouterr()
        log.extend((captured.out + captured.err).splitlines())
        return any("session_end" in line for line in log)

    wait_until(logged_session_end, what="a session_end log line")
    session_end = next(line for line in log if "session_end" in line)
    assert hashlib.sha256(ENV_KEY.encode()).hexdigest()[:12] in session_end
    assert not any(ENV_KEY in line for line in log)


def test_health_stays_open_without_a_key(channel):
    response = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""))
    assert response.status == health_pb2.HealthCheckResponse.SERVING


def test_keys_rotate_without_a_restart(keyed, channel):
    _, keys_file = keyed
    try:
        write_atomically(keys_file, f"{SECOND_KEY}\n".encode())
        assert _capabilities(channel, SECOND_KEY).max_fps == 60
        assert _code(lambda: _capabilities(channel, FIRST_KEY)) == grpc.StatusCode.UNAUTHENTICATED
        os.remove(keys_file)  # a vanished file accepts nobody from it (fail closed)...
        assert _code(lambda: _capabilities(channel, SECOND_KEY)) == grpc.StatusCode.UNAUTHENTICATED
        assert _capabilities(channel, ENV_KEY).max_fps == 60  # ...the environment's keys still hold
    finally:
        write_atomically(keys_file, f"{FIRST_KEY}\n".encode())
    assert _capabilities(channel, FIRST_KEY).max_fps == 60


def test_unauthenticated_calls_are_counted(keyed, channel):
    server, _ = keyed
    before = _sample(server, "UNAUTHENTICATED")
    _code(lambda: _capabilities(channel, "nope-nope-nope-nope-nope"))
    assert _sample(server, "UNAUTHENTICATED") == before + 1


def _sample(server, code: str) -> float:
    value = server.running.metrics.registry.get_sample_value(
        "facecast_errors_total", {"method": "GetCapabilities", "code": code})
    return value or 0.0


@pytest.mark.parametrize("keys", ["short", "has a space in it 0123456789"])
def test_weak_or_malformed_keys_refuse_to_start(tmp_path, keys):
    keys_file = tmp_path / "keys"
    keys_file.write_text(keys)
    with pytest.raises(InvalidConfigError, match="API keys"):
        start_server(api_keys_file=str(keys_file))


def test_a_missing_keys_file_refuses_to_start(tmp_path):
    with pytest.raises(InvalidConfigError, match="cannot read"):
        start_server(api_keys_file=str(tmp_path / "absent"))


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("tls"))


def _secure_channel(address: str, certificates, client_cert: bool = False) -> grpc.Channel:
    credentials = grpc.ssl_channel_credentials(
        root_certificates=certificates.ca_cert.read_bytes(),
        private_key=certificates.client_key.read_bytes() if client_cert else None,
        certificate_chain=certificates.client_cert.read_bytes() if client_cert else None)
    return grpc.secure_channel(address, credentials)


def test_tls_serves_trusting_clients_and_refuses_plaintext(certificates):
    server = start_server(tls_cert_file=str(certificates.server_cert), tls_key_file=str(certificates.server_key))
    try:
        with _secure_channel(server.address, certificates) as channel:
            assert run_session(stub_for(channel), [config(16000, idle_s=0.2), end()])[-1].status.frames == 5
        with grpc.insecure_channel(server.address) as channel:
            assert _code(lambda: _capabilities(channel)) == grpc.StatusCode.UNAVAILABLE
    finally:
        server.stop()


def test_mutual_tls_needs_a_client_certificate(certificates):
    server = start_server(tls_cert_file=str(certificates.server_cert), tls_key_file=str(certificates.server_key),
                          tls_client_ca_file=str(certificates.ca_cert))
    try:
        with _secure_channel(server.address, certificates, client_cert=True) as channel:
            assert _capabilities(channel).max_fps == 60
        with _secure_channel(server.address, certificates) as channel:
            assert _code(lambda: _capabilities(channel)) == grpc.StatusCode.UNAVAILABLE
    finally:
        server.stop()


def test_tls_settings_need_both_files():
    with pytest.raises(InvalidConfigError, match="both"):
        start_server(tls_cert_file="server.pem")


def test_the_reference_client_streams_to_a_server_with_tls_and_keys(certificates, tmp_path):
    wav = tmp_path / "tone.wav"
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(16000)
        out.writeframes((np.sin(np.arange(16000) * 0.05) * 8000).astype("<i2").tobytes())
    server = start_server(tls_cert_file=str(certificates.server_cert), tls_key_file=str(certificates.server_key),
                          api_keys=ENV_KEY)
    try:
        command = facecast_command("stream", str(wav), "--server", server.address, "--json", "--timeout-s", "60",
                                   "--tls-ca-file", str(certificates.ca_cert))
        keyless = {key: value for key, value in os.environ.items() if key != "FACECAST_API_KEY"}
        accepted = subprocess.run(command, env={**keyless, "FACECAST_API_KEY": ENV_KEY}, capture_output=True,
                                  text=True, timeout=120)
        assert accepted.returncode == 0, accepted.stderr
        assert json.loads(accepted.stdout)["frames"] == 25
        refused = subprocess.run(command, env=keyless, capture_output=True, text=True, timeout=120)
        assert refused.returncode == 1 and "UNAUTHENTICATED" in refused.stderr
    finally:
        server.stop()


def test_certificates_rotate_without_a_restart(tmp_path):
    old, new = make_certificates(_directory(tmp_path / "old")), make_certificates(_directory(tmp_path / "new"))
    served = make_certificates(_directory(tmp_path / "served"))
    for source, target in ((old.server_cert, served.server_cert), (old.server_key, served.server_key)):
        write_atomically(target, source.read_bytes())
    server = start_server(tls_cert_file=str(served.server_cert), tls_key_file=str(served.server_key))
    try:
        assert _fresh_capabilities(server.address, old) == grpc.StatusCode.OK
        write_atomically(served.server_key, new.server_key.read_bytes())  # the new pair, key first
        write_atomically(served.server_cert, new.server_cert.read_bytes())
        assert _fresh_capabilities(server.address, new) == grpc.StatusCode.OK
        assert _fresh_capabilities(server.address, old) == grpc.StatusCode.UNAVAILABLE  # old CA: untrusted now
    finally:
        server.stop()


def _directory(path):
    path.mkdir()
    return path


def _fresh_capabilities(address: str, trusted) -> grpc.StatusCode:
    """GetCapabilities over a new connection that trusts `trusted`'s CA."""
    credentials = grpc.ssl_channel_credentials(root_certificates=trusted.ca_cert.read_bytes())
    with grpc.secure_channel(address, credentials, options=[("grpc.use_local_subchannel_pool", 1)]) as channel:
        try:
            _capabilities(channel)
        except grpc.RpcError as error:
            return error.code()
    return grpc.StatusCode.OK
