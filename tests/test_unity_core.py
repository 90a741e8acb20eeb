"""The Unity package (clients/unity) checked outside Unity.

Its engine-free Core is compiled with Mono's mcs (C# 7.2, what Debian has) and its NUnit tests run
with nunit-console 2.6, against the contract vectors in tests/contract/. The Transport, Unity and
Vrm layers need Unity, Google.Protobuf, Grpc.Net.Client and UniVRM, none of which exist here: they are
parsed, and type-checked against stand-ins of those APIs (clients/unity/Tests/Stubs~). The generated protobuf
classes must match what protoc makes of the current .proto files, and every asset needs its .meta.

Needs Mono, NUnit and protoc: these tests fail, not skip, without them, and say what to install.
"""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.conftest import SUMMARY_LINES

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "clients" / "unity"
CORE = PACKAGE / "Runtime" / "Core"
TRANSPORT = PACKAGE / "Runtime" / "Transport"
UNITY = PACKAGE / "Runtime" / "Unity"
VRM = PACKAGE / "Runtime" / "Vrm"  # FacecastVrmDriver: only with UniVRM's VRM-1.0 package (FACECAST_UNIVRM10)
STUBS = PACKAGE / "Tests" / "Stubs~"
CONTRACT = REPO / "tests" / "contract"
APT = "apt-get install -y --no-install-recommends mono-mcs nunit-console libnunit-cil-dev protobuf-compiler"
NUNIT_FRAMEWORK_GLOBS = ("/usr/lib/cli/nunit.framework-2.6*/nunit.framework.dll",
                         "/usr/lib/mono/gac/nunit.framework/2.6*/nunit.framework.dll")
SUMMARY = re.compile(r"^Tests run: \d+.*$", re.MULTILINE)


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"`{name}` not found: the Unity package's tests need Mono, NUnit 2.6 and protoc ({APT})"
    return found


def _nunit_framework() -> Path:
    for pattern in NUNIT_FRAMEWORK_GLOBS:
        found = sorted(Path("/").glob(pattern.lstrip("/")))
        if found:
            return found[-1]
    raise AssertionError(f"nunit.framework.dll (NUnit 2.6) not found: install it with `{APT}`")


def _run(command: list[str], cwd: Path = REPO, env: dict | None = None, timeout_s: float = 180):
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout_s)


def _mcs(*args: str) -> None:
    result = _run([_tool("mcs"), "-langversion:7.2", "-nologo", *args])
    assert result.returncode == 0, result.stdout + result.stderr


def _sources(folder: Path) -> list[str]:
    return [str(path) for path in sorted(folder.rglob("*.cs"))]


def test_mono_nunit_and_protoc_are_installed():
    for tool in ("mcs", "nunit-console", "protoc"):
        _tool(tool)
    _nunit_framework()


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    """A folder holding Facecast.Core.dll, compiled with every warning an error."""
    folder = tmp_path_factory.mktemp("unity-build")
    _mcs("-target:library", "-warn:4", "-warnaserror", f"-out:{folder / 'Facecast.Core.dll'}", *_sources(CORE))
    return folder


def test_core_compiles_without_the_engine_and_its_nunit_tests_pass(build):
    framework = _nunit_framework()
    tests = build / "Facecast.Core.Tests.dll"
    _mcs("-target:library", f"-out:{tests}", f"-r:{build / 'Facecast.Core.dll'}", f"-r:{framework}",
         *_sources(PACKAGE / "Tests" / "Core"))
    shutil.copy(framework, build)   # beside the tests, where nunit-console's loader looks
    env = {**os.environ, "FACECAST_CONTRACT_DIR": str(CONTRACT)}
    result = _run([_tool("nunit-console"), "-nologo", "-noshadow", f"-xml={build / 'result.xml'}", str(tests)],
                  cwd=build, env=env)
    summary = SUMMARY.search(result.stdout)
    assert summary, result.stdout + result.stderr
    SUMMARY_LINES.append(f"NUnit (clients/unity/Tests/Core): {summary.group(0)}")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr
    totals = ElementTree.parse(build / "result.xml").getroot().attrib
    assert int(totals["failures"]) == 0 and int(totals["errors"]) == 0, totals
    assert int(totals["not-run"]) == 0 and int(totals["ignored"]) == 0, f"tests did not run: {totals}"
    assert int(totals["total"]) > 20, totals
    contract_cases = [case for case in ElementTree.parse(build / "result.xml").iter("test-case")
                      if ".ContractVectorTests." in case.get("name", "")]
    assert len(contract_cases) >= 5 and all(case.get("success") == "True" for case in contract_cases)


def test_core_stays_free_of_the_engine():
    asmdef = json.loads((CORE / "Facecast.Core.asmdef").read_text())
    assert asmdef["noEngineReferences"] is True and asmdef["references"] == []
    using_engine = [path.name for path in CORE.rglob("*.cs")
                    if re.search(r"^using Unity", path.read_text(), re.MULTILINE)]
    assert not using_engine


def _csharp_enum(path: Path, name: str) -> dict[str, int]:
    body = re.search(rf"public enum {name}\s*\{{(.*?)\}}", path.read_text(), re.DOTALL).group(1)
    body = re.sub(r"\[pbr::OriginalName\([^)]*\)\]|///.*", "", body)
    return {key: int(value) for key, value in re.findall(r"(\w+) = (\d+)", body)}


@pytest.mark.parametrize(("core_enum", "generated_file", "contract_enum"), [
    ("FaceEmotion", "Controls.cs", "Emotion"),
    ("ImageEncoding", "Animate.cs", "ImageEncoding"),
])
def test_core_enums_keep_the_contracts_numbers(core_enum, generated_file, contract_enum):
    """MessageConverter casts between them by number."""
    core = _csharp_enum(CORE / f"{core_enum}.cs", core_enum)
    contract = _csharp_enum(TRANSPORT / "Generated" / generated_file, contract_enum)
    assert sorted(core.values()) == sorted(contract.values())
    renamed = {"Unchanged": "Unspecified"}      # Core names the "keep" meaning of 0 for what it does
    assert {renamed.get(key, key): value for key, value in core.items()} == contract


def test_transport_and_unity_layers_parse_and_type_check_against_api_stand_ins(build, tmp_path):
    """Not a Unity build: it catches our own mistakes and C# newer than 7.2, not wrong beliefs about
    the libraries (see clients/unity/Tests/Stubs~/README.md)."""
    engine_bound = [*_sources(TRANSPORT), *_sources(UNITY), *_sources(PACKAGE / "Samples~")]
    for source in engine_bound:
        _mcs("--parse", source)
    for source in _sources(VRM):
        _mcs("--parse", "-define:FACECAST_UNIVRM10", source)
    messages = tmp_path / "MessageStubs.cs"
    stubs = _run([sys.executable, str(STUBS / "message_stubs.py"), str(TRANSPORT / "Generated")])
    assert stubs.returncode == 0, stubs.stderr
    messages.write_text(stubs.stdout)
    core = f"-r:{build / 'Facecast.Core.dll'}"
    transport, engine = tmp_path / "Facecast.Transport.dll", tmp_path / "UnityEngine.dll"
    api_stubs = [str(STUBS / name) for name in ("ProtobufStubs.cs", "GrpcStubs.cs", "SystemNetHttpStubs.cs")]
    handwritten = [path for path in _sources(TRANSPORT) if "/Generated/" not in path]
    _mcs("-target:library", "-warn:4", f"-out:{transport}", core, *api_stubs, str(messages), *handwritten)
    _mcs("-target:library", f"-out:{engine}", str(STUBS / "UnityEngineStubs.cs"))
    for defines in (["-define:FACECAST_UGUI"], []):     # with and without the uGUI package
        layer = tmp_path / f"Facecast.Unity{len(defines)}.dll"
        _mcs("-target:library", "-warn:4", *defines, f"-out:{layer}", core, f"-r:{transport}", f"-r:{engine}",
             *_sources(UNITY))
    _mcs("-target:library", f"-out:{tmp_path / 'Sample.dll'}", core, f"-r:{layer}", f"-r:{engine}",
         *_sources(PACKAGE / "Samples~"))
    univrm = tmp_path / "VRM10.dll"
    _mcs("-target:library", f"-out:{univrm}", f"-r:{engine}", str(STUBS / "UniVrm10Stubs.cs"))
    _mcs("-target:library", "-warn:4", "-define:FACECAST_UNIVRM10", f"-out:{tmp_path / 'Facecast.Vrm.dll'}", core,
         f"-r:{transport}", f"-r:{layer}", f"-r:{engine}", f"-r:{univrm}", *_sources(VRM))


def test_the_vrm_driver_compiles_only_where_univrm_is():
    """No UniVRM, no define: the assembly is constrained out and its source is empty, so the package
    still has no dependencies; with UniVRM's VRM-1.0 package its version define switches it on."""
    asmdef = json.loads((VRM / "Facecast.Vrm.asmdef").read_text())
    assert asmdef["defineConstraints"] == ["FACECAST_UNIVRM10"]
    assert asmdef["versionDefines"] == [{"name": "com.vrmc.vrm", "expression": "0.100.0",
                                         "define": "FACECAST_UNIVRM10"}]
    assert "VRM10" in asmdef["references"]
    for source in _sources(VRM):
        text = Path(source).read_text()
        assert text.startswith("#if FACECAST_UNIVRM10\n") and text.rstrip().endswith("#endif"), source


def test_generated_csharp_messages_are_fresh(tmp_path):
    _tool("protoc")
    result = _run(["bash", str(PACKAGE / "generate.sh"), str(tmp_path)])
    assert result.returncode == 0, result.stdout + result.stderr
    committed = TRANSPORT / "Generated"
    fresh = sorted(path.name for path in tmp_path.glob("*.cs"))
    assert fresh == sorted(path.name for path in committed.glob("*.cs")), "generated files differ in name"
    stale = [name for name in fresh if not filecmp.cmp(tmp_path / name, committed / name, shallow=False)]
    assert not stale, f"stale generated C# {stale}: run clients/unity/generate.sh (Debian protobuf-compiler's protoc)"


def _unity_assets() -> list[Path]:
    """What Unity imports from the package: everything but .meta files and names hidden by '~' or '.'."""
    return [path for path in sorted(PACKAGE.rglob("*"))
            if path.suffix != ".meta"
            and not any(part.endswith("~") or part.startswith(".") for part in path.relative_to(PACKAGE).parts)]


def test_every_package_asset_has_a_meta_file_with_its_own_guid():
    missing = [str(path.relative_to(PACKAGE)) for path in _unity_assets()
               if not path.with_name(path.name + ".meta").exists()]
    assert not missing, f"no .meta for {missing}: run python3 clients/unity/Tools~/write_meta.py"
    metas = [path for path in PACKAGE.rglob("*.meta") if "~" not in str(path.relative_to(PACKAGE))]
    orphans = [str(meta) for meta in metas if not meta.with_name(meta.name[:-len(".meta")]).exists()]
    assert not orphans
    guids = [re.search(r"^guid: ([0-9a-f]{32})$", meta.read_text(), re.MULTILINE).group(1) for meta in metas]
    assert len(set(guids)) == len(guids) == len(_unity_assets())


def test_package_manifest_is_a_upm_package_with_its_sample():
    manifest = json.loads((PACKAGE / "package.json").read_text())
    assert manifest["name"] == "com.facecast.client" and manifest["version"] == "0.1.0"
    assert manifest["unity"] == "2022.3" and manifest["dependencies"] == {}
    assert manifest["displayName"] and manifest["description"]
    assert [sample["path"] for sample in manifest["samples"]] == ["Samples~/NpcDialogue"]
    assert (PACKAGE / "Samples~" / "NpcDialogue" / "README.md").exists()
    assert (PACKAGE / "LICENSE").read_text() == (REPO / "LICENSE").read_text()
    for name in ("README.md", "CHANGELOG.md", "Documentation~/index.md"):
        assert (PACKAGE / name).stat().st_size > 0
