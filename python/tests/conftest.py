"""Shared helpers: the shipped assets, the CLI binary, and GeoTIFF reading through GDAL's own
command-line tools (gdalinfo -json, gdal_translate to raw ENVI), which CI installs."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import climidx

REPO = Path(__file__).resolve().parents[2]
ASSETS = REPO / "assets"
SAMPLE = ASSETS / "sample"
GDAL_TYPES = {"Byte": "u1", "Int8": "i1", "UInt16": "u2", "Int16": "i2", "UInt32": "u4",
              "Int32": "i4", "Float32": "f4", "Float64": "f8"}


def cli() -> Path:
    p = Path(os.environ.get("CLIMIDX_BIN", REPO / "target" / "release" / "climidx"))
    if not p.exists():
        pytest.fail(f"the climidx binary is not at {p}: build it (cargo build --release) or set CLIMIDX_BIN")
    return p


def run_cli(*args: str) -> None:
    r = subprocess.run([str(cli()), *map(str, args)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def gdal_info(path: Path) -> dict:
    if shutil.which("gdalinfo") is None:
        pytest.fail("gdalinfo not found: apt-get install gdal-bin")
    return json.loads(subprocess.run(["gdalinfo", "-json", str(path)], capture_output=True,
                                     text=True, check=True).stdout)


def read_tif(path: Path, tmp: Path) -> np.ndarray:
    """All bands of a GeoTIFF as (bands, H, W) through gdal_translate (GDAL decodes it)."""
    info = gdal_info(path)
    w, h = info["size"]
    dt = GDAL_TYPES[info["bands"][0]["type"]]
    raw = tmp / (path.stem + f"-{os.getpid()}-{len(list(tmp.iterdir()))}.bin")
    subprocess.run(["gdal_translate", "-q", "-of", "ENVI", "-co", "INTERLEAVE=BSQ", str(path), str(raw)],
                   check=True)
    a = np.fromfile(raw, dtype=np.dtype(dt).newbyteorder("<"))
    return a.reshape(len(info["bands"]), h, w)


def devices():
    """cpu always; the software adapter (lavapipe) when one is there, or required by CI."""
    out = ["cpu"]
    have = any(a["software"] for a in climidx.adapters())
    if have or os.environ.get("CLIMIDX_REQUIRE_GPU") == "1":
        out.append("software")
    return out


@pytest.fixture(scope="session")
def sample_bands(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bands")
    roles = {"blue": "B02", "green": "B03", "red": "B04", "nir": "B08", "swir1": "B11", "swir2": "B12"}
    return {r: read_tif(SAMPLE / f"{f}.tif", tmp)[0] for r, f in roles.items()}


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    a = np.ascontiguousarray(a, dtype=np.float32)
    b = np.ascontiguousarray(b, dtype=np.float32)
    return a.shape == b.shape and np.array_equal(a.view(np.uint32), b.view(np.uint32))
