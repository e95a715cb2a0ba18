"""climidx.lst on arrays equals `climidx lst` on the shipped Landsat scenes bit for bit on the CPU
path (every method, output and emissivity model; the MTL as a path or as a dict of its keys),
agrees within the kernels' tolerance on the software adapter, and refuses what the CLI refuses."""

import numpy as np
import pytest

import climidx
from conftest import ASSETS, devices, read_tif, run_cli, same_bits

L8 = ASSETS / "landsat" / "LC08_L1TP_190028_20230715_20230725_02_T1"
L8_L2 = ASSETS / "landsat" / "LC08_L2SP_190028_20230715_20230725_02_T1"
L7 = ASSETS / "landsat" / "LE07_L1TP_190028_20020710_20200916_02_T1"
L5 = ASSETS / "landsat" / "LT05_L1TP_190028_20090801_20161022_01_T1"


def mtl_of(scene):
    return next(scene.glob("*_MTL.txt"))


def mtl_keys(path):
    """The MTL's KEY = VALUE lines as a dict, the way a user holding the metadata would pass it
    (the first value of a key wins, as in the MTL's Level-1 groups)."""
    keys = {}
    for line in path.read_text().splitlines():
        k, sep, v = line.partition("=")
        k = k.strip()
        if sep and k not in ("GROUP", "END_GROUP") and k not in keys:
            keys[k] = v.strip().strip('"')
    return keys


def band(scene, suffix, tmp):
    return read_tif(next(scene.glob(f"*_{suffix}.TIF")), tmp)[0]


CASES = [
    # (scene, CLI flags, lst() keywords, bands by role → file suffix)
    (L8, [], {}, {"thermal": "B10", "red": "B4", "nir": "B5"}),
    (L8, ["--output-kind", "bt", "--unit", "celsius"], {"output": "bt", "unit": "celsius"},
     {"thermal": "B10"}),
    (L8, ["--emissivity", "avdan", "--with-emissivity", "--ndvi-soil", "0.15"],
     {"emissivity": "avdan", "with_emissivity": True, "ndvi_soil": 0.15},
     {"thermal": "B10", "red": "B4", "nir": "B5"}),
    (L8, ["--emissivity", "constant", "0.97", "--cavity", "0"], {"emissivity": 0.97, "cavity": 0.0},
     {"thermal": "B10", "red": "B4", "nir": "B5"}),
    (L8, ["--method", "split-window", "--water-vapour", "1.8"],
     {"method": "split-window", "water_vapour": 1.8},
     {"thermal": "B10", "thermal2": "B11", "red": "B4", "nir": "B5"}),
    (L7, ["--high-gain", "--emissivity-soil", "0.95"], {"high_gain": True, "emissivity_soil": 0.95},
     {"thermal": "B6_VCID_2", "red": "B3", "nir": "B4"}),
    (L5, ["--wavelength", "11.4"], {"wavelength": 11.4}, {"thermal": "B6", "red": "B3", "nir": "B4"}),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_lst_equals_cli(case, tmp_path):
    scene, flags, kw, files = CASES[case]
    out = tmp_path / "cli.tif"
    run_cli("lst", "--scene", scene, *flags, "--device", "cpu", "-o", out)
    want = read_tif(out, tmp_path)
    bands = {r: band(scene, s, tmp_path) for r, s in files.items()}
    shape = (2,) + bands["thermal"].shape if kw.get("with_emissivity") else bands["thermal"].shape
    valid = 0
    for mtl in (mtl_of(scene), mtl_keys(mtl_of(scene))):
        got = climidx.lst(bands, mtl=mtl, device="cpu", **kw)
        assert got.dtype == np.float32 and got.shape == shape
        got = got.reshape(want.shape)
        for j in range(want.shape[0]):
            assert same_bits(got[j], want[j]), (case, j, type(mtl))
        valid = int(np.isfinite(want).sum())
    # not a test of nodata alone: most pixels are values, some are the fill
    assert 0 < valid < want.size, valid
    if "software" in devices():
        gpu = climidx.lst(bands, mtl=mtl_of(scene), device="software", **kw).reshape(want.shape)
        assert np.array_equal(np.isnan(gpu), np.isnan(want))
        ok = np.isfinite(want)
        np.testing.assert_allclose(gpu[ok], want[ok], rtol=2e-5, atol=2e-4)


def test_level2_surface_temperature_needs_no_mtl(tmp_path):
    out = tmp_path / "st.tif"
    run_cli("lst", "--scene", L8_L2, "--method", "c2l2-st", "--unit", "celsius", "--device", "cpu", "-o", out)
    want = read_tif(out, tmp_path)[0]
    st = band(L8_L2, "ST_B10", tmp_path)
    got = climidx.lst({"thermal": st}, method="c2l2-st", unit="celsius", device="cpu")
    assert same_bits(got, want)
    # the published rescaling, by hand (float32 as the kernel)
    dn = st.astype(np.float32)
    hand = dn * np.float32(0.00341802) + np.float32(149.0) - np.float32(273.15)
    ok = st != 0
    np.testing.assert_allclose(got[ok], hand[ok], atol=1e-3)
    assert np.isnan(got[~ok]).all()


def test_lst_refuses_what_the_cli_refuses(tmp_path):
    t = band(L8, "B10", tmp_path)
    mtl = mtl_of(L8)
    with pytest.raises(ValueError, match="needs the 'red' band"):
        climidx.lst({"thermal": t}, mtl=mtl, device="cpu")
    with pytest.raises(ValueError, match="does not use the 'red' band"):
        climidx.lst({"thermal": t, "red": t}, mtl=mtl, output="bt", device="cpu")
    with pytest.raises(ValueError, match="pass mtl=PATH"):
        climidx.lst({"thermal": t}, output="bt", device="cpu")
    with pytest.raises(ValueError, match="Level-2 product"):
        climidx.lst({"thermal": t}, mtl=mtl_of(L8_L2), output="bt", device="cpu")
    with pytest.raises(ValueError, match="water-vapour"):
        climidx.lst({"thermal": t, "thermal2": t, "red": t, "nir": t}, mtl=mtl, method="split-window",
                    device="cpu")
    with pytest.raises(ValueError, match=r"must be in \(0, 1\]"):
        climidx.lst({"thermal": t, "red": t, "nir": t}, mtl=mtl, emissivity=1.5, device="cpu")
    keys = mtl_keys(mtl)
    del keys["RADIANCE_ADD_BAND_10"]
    with pytest.raises(OSError, match="RADIANCE_ADD_BAND_10 is missing"):
        climidx.lst({"thermal": t}, mtl=keys, output="bt", device="cpu")
    with pytest.raises(ValueError, match="method"):
        climidx.lst({"thermal": t}, mtl=mtl, method="mono-window", device="cpu")
