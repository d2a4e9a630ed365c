"""A PEP 517 build backend in the standard library only, for this one package.

Why not setuptools: pip builds in an isolated environment and would download it, so `pip install
./python` would need a package index. This backend writes the wheel (pure Python, src layout,
the pytest11 entry point) and the sdist from pyproject.toml's [project] table itself.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import time
import zipfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
SDIST_FILES = ("pyproject.toml", "README.md", "_build/backend.py")
SDIST_TREES = ("src", "tests", "examples")


def _project() -> Dict[str, Any]:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    try:
        import tomllib
    except ImportError:  # Python < 3.11: a small reader for the few keys used here
        return _read_toml_subset(text)
    return tomllib.loads(text)


def _read_toml_subset(text: str) -> Dict[str, Any]:
    import ast

    data: Dict[str, Any] = {}
    table: Dict[str, Any] = data
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            table = data
            for part in line.strip("[]").split("."):
                table = table.setdefault(part, {})
            continue
        key, _, value = line.partition("=")
        table[key.strip()] = ast.literal_eval(value.strip())
    return data


def _meta() -> Tuple[str, str, str]:
    project = _project()["project"]
    name = project["name"]
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {name}",
        f"Version: {project['version']}",
        f"Summary: {project['description']}",
        f"License: {project['license']}",
        f"Requires-Python: {project['requires-python']}",
        *(f"Requires-Dist: {d}" for d in project.get("dependencies", [])),
        *(f"Classifier: {c}" for c in project.get("classifiers", [])),
        "Description-Content-Type: text/markdown",
        "",
        (ROOT / project["readme"]).read_text(encoding="utf-8"),
    ]
    return name, project["version"], "\n".join(lines)


def _dist_name(name: str) -> str:
    return name.replace("-", "_")


def _entry_points() -> str:
    groups = _project()["project"].get("entry-points", {})
    out = []
    for group, entries in groups.items():
        out.append(f"[{group}]")
        out.extend(f"{key} = {value}" for key, value in entries.items())
        out.append("")
    return "\n".join(out)


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def _write_wheel(directory: str, files: List[Tuple[str, bytes]]) -> str:
    name, version, metadata = _meta()
    dist = f"{_dist_name(name)}-{version}"
    info = f"{dist}.dist-info"
    files = files + [
        (f"{info}/METADATA", metadata.encode("utf-8")),
        (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: pytest-nso-mock _build/backend.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        (f"{info}/entry_points.txt", _entry_points().encode("utf-8")),
    ]
    record = [_record_line(path, data) for path, data in files] + [f"{info}/RECORD,,"]
    files.append((f"{info}/RECORD", ("\n".join(record) + "\n").encode("utf-8")))
    wheel = f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(Path(directory) / wheel, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in files:
            archive.writestr(zipfile.ZipInfo(path, date_time=(2024, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)
    return wheel


def _package_files() -> List[Tuple[str, bytes]]:
    src = ROOT / "src"
    return [
        (path.relative_to(src).as_posix(), path.read_bytes())
        for path in sorted(src.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".typed")
    ]


# -- PEP 517 -----------------------------------------------------------------------------------


def get_requires_for_build_wheel(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return []


def get_requires_for_build_editable(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return []


def build_wheel(wheel_directory: str, config_settings: Optional[Dict[str, Any]] = None, metadata_directory: Optional[str] = None) -> str:
    return _write_wheel(wheel_directory, _package_files())


def build_editable(wheel_directory: str, config_settings: Optional[Dict[str, Any]] = None, metadata_directory: Optional[str] = None) -> str:
    # PEP 660: a .pth file that puts src/ on sys.path.
    name = _dist_name(_meta()[0])
    return _write_wheel(wheel_directory, [(f"__editable__.{name}.pth", (str(ROOT / "src") + "\n").encode("utf-8"))])


def build_sdist(sdist_directory: str, config_settings: Optional[Dict[str, Any]] = None) -> str:
    name, version, metadata = _meta()
    base = f"{_dist_name(name)}-{version}"
    paths = [ROOT / f for f in SDIST_FILES]
    for tree in SDIST_TREES:
        paths += [p for p in sorted((ROOT / tree).rglob("*")) if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith(".pyc")]
    target = f"{base}.tar.gz"
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", time.time()))
    with tarfile.open(Path(sdist_directory) / target, "w:gz", format=tarfile.PAX_FORMAT) as archive:
        def add(arcname: str, data: bytes) -> None:
            info = tarfile.TarInfo(f"{base}/{arcname}")
            info.size = len(data)
            info.mtime = mtime
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))

        for path in paths:
            add(path.relative_to(ROOT).as_posix(), path.read_bytes())
        add("PKG-INFO", metadata.encode("utf-8"))
    return target
