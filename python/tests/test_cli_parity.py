"""Every index the shipped sample bands can feed — the built-in kernels, the built-in
catalogue's entries and a formula — equals the CLI's output bit for bit on the CPU path, and
agrees within the kernels' tolerance on the software GPU adapter."""

import numpy as np
import pytest

import climidx
from conftest import SAMPLE, devices, read_tif, run_cli, same_bits

HAVE = {"blue", "green", "red", "nir", "swir1", "swir2", "B", "G", "R", "N", "S1", "S2"}
FILES = {"blue": "B02", "green": "B03", "red": "B04", "nir": "B08", "swir1": "B11", "swir2": "B12"}


def computable():
    names, seen = [], set()
    for e in climidx.list_indices():
        if e["name"].lower() in seen or e.get("unsupported") or e["domain"] == "thermal":
            continue
        if e["kind"] != "built-in kernel" and any(v is None for v in e["constants"].values()):
            continue
        if e["bands"] and set(e["bands"]) <= HAVE:
            names.append(e["name"])
            seen.add(e["name"].lower())
    return names + ["(N - S1) / (N + S1) + 0.5 * R"]


NAMES = computable()
GROUPS = [NAMES[i:i + 32] for i in range(0, len(NAMES), 32)]


def test_enough_indices_are_checked():
    assert sum(1 for n in NAMES if n.islower() and "(" not in n) >= 8  # built-in kernels
    assert len(NAMES) >= 40, NAMES


@pytest.mark.parametrize("group", range(len(GROUPS)))
def test_index_equals_cli(group, sample_bands, tmp_path):
    names = GROUPS[group]
    out = tmp_path / "cli.tif"
    band_args = [f"--band={r}={SAMPLE / (f + '.tif')}" for r, f in FILES.items()]
    run_cli("index", *names, *band_args, "--scale", "0.0001", "--device", "cpu", "-o", out)
    want = read_tif(out, tmp_path)
    # The files' nodata (0) is what the CLI uses; on arrays it is passed.
    got = climidx.index(names, sample_bands, scale=1e-4, nodata=0, device="cpu")
    assert got.shape == want.shape
    for j, n in enumerate(names):
        assert same_bits(got[j], want[j]), n
    if "software" in devices():
        gpu = climidx.index(names, sample_bands, scale=1e-4, nodata=0, device="software")
        assert np.array_equal(np.isnan(gpu), np.isnan(want))
        ok = np.isfinite(want)
        np.testing.assert_allclose(gpu[ok], want[ok], rtol=2e-5, atol=2e-5)


def test_run_index_equals_cli(tmp_path):
    bands = {r: str(SAMPLE / (f + ".tif")) for r, f in FILES.items() if r in ("blue", "red", "nir")}
    run_cli("index", "ndvi", "evi", "savi", *[f"--band={r}={p}" for r, p in bands.items()],
            "--scale", "0.0001", "--device", "cpu", "-o", tmp_path / "cli.tif")
    rep = climidx.run_index(["ndvi", "evi", "savi"], bands, tmp_path / "py.tif", scale=1e-4, device="cpu")
    assert rep["width"] == 96 and rep["height"] == 80
    assert same_bits(read_tif(tmp_path / "py.tif", tmp_path), read_tif(tmp_path / "cli.tif", tmp_path))
    # Per-band calibration (the CLI's --band ROLE=FILE@SCALE) and band numbers.
    scene = SAMPLE / "scene_u16_4band_96x80.tif"
    run_cli("index", "ndvi", f"--band=red={scene}:3@0.0001", f"--band=nir={scene}:4@0.0001",
            "--device", "cpu", "-o", tmp_path / "cli2.tif")
    climidx.run_index("ndvi", {"red": (scene, 3), "nir": (scene, 4)}, tmp_path / "py2.tif",
                      scale={"red": 1e-4, "nir": 1e-4}, device="cpu")
    assert same_bits(read_tif(tmp_path / "py2.tif", tmp_path), read_tif(tmp_path / "cli2.tif", tmp_path))
    with pytest.raises(OSError, match="already exists"):
        climidx.run_index("ndvi", {"red": (scene, 3), "nir": (scene, 4)}, tmp_path / "py2.tif")


def test_climatology_and_anomaly_equal_cli(tmp_path):
    from conftest import gdal_info
    stack_dir = SAMPLE.parent / "stack"
    files = sorted(stack_dir.glob("ndvi_200*.tif"))
    run_cli("climatology", *files, "--scale", "0.0001", "--device", "cpu", "-o", tmp_path / "clim")
    stack = np.stack([read_tif(f, tmp_path)[0] for f in files])
    nodata = gdal_info(files[0])["bands"][0].get("noDataValue")
    got = climidx.climatology(stack, scale=1e-4, nodata=nodata, device="cpu")
    for stat in ("mean", "std", "min", "max"):
        want = read_tif(tmp_path / "clim" / f"{stat}.tif", tmp_path)[0]
        assert same_bits(got[stat], want), stat
    cnt = read_tif(tmp_path / "clim" / "count.tif", tmp_path)[0]
    assert np.array_equal(got["count"], cnt.astype(np.uint32))
    assert (got["count"] > 0).any() and np.isfinite(got["std"]).any()
    obs = stack_dir / "ndvi_20240716.tif"
    x = read_tif(obs, tmp_path)[0]
    z = climidx.anomaly(x, got, kind="zscore", scale=1e-4, nodata=nodata, device="cpu")
    run_cli("anomaly", obs, "--climatology", tmp_path / "clim", "--kind", "zscore", "--device", "cpu",
            "-o", tmp_path / "z.tif")
    assert same_bits(z, read_tif(tmp_path / "z.tif", tmp_path)[0])
