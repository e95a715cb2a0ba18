"""The xarray accessor: band names, coordinates/CRS/attributes carried over, laziness on Dask,
and a dask.distributed LocalCluster of two worker processes matching numpy."""

import numpy as np
import pytest

import climidx

xr = pytest.importorskip("xarray")
da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

rng = np.random.default_rng(11)
H, W = 203, 151
BANDS = {k: rng.integers(1, 10000, (H, W)).astype(np.uint16) for k in ("blue", "red", "nir")}


def dataset(names=("blue", "red", "nir"), chunks=None):
    coords = {"y": np.arange(H) * -10.0 + 5e6, "x": np.arange(W) * 10.0 + 4e5}
    ds = xr.Dataset({n: (("y", "x"), BANDS[k]) for n, k in zip(names, ("blue", "red", "nir"))}, coords=coords,
                    attrs={"mission": "test"})
    ds = ds.assign_coords(spatial_ref=xr.DataArray(0, attrs={"crs_wkt": "EPSG:32633", "spatial_ref": "EPSG:32633"}))
    for v in ds.data_vars:
        ds[v].attrs["grid_mapping"] = "spatial_ref"
    return ds.chunk(chunks) if chunks else ds


def want(names):
    return climidx.index(names, BANDS, scale=1e-4, device="cpu")


@pytest.mark.parametrize("names", [("blue", "red", "nir"), ("B02", "B04", "B08"), ("SR_B2", "SR_B4", "SR_B5")])
def test_dataset_accessor_names_coords_crs(names):
    ds = dataset(names)
    out = ds.climidx.index(["ndvi", "evi"], scale=1e-4, device="cpu")
    assert out.dims == ("index", "y", "x") and list(out["index"].values) == ["ndvi", "evi"]
    np.testing.assert_array_equal(out["x"], ds["x"])
    np.testing.assert_array_equal(out["y"], ds["y"])
    assert out["spatial_ref"].attrs["crs_wkt"] == "EPSG:32633"
    assert out.attrs["grid_mapping"] == "spatial_ref"
    assert np.array_equal(out.values.view(np.uint32), want(["ndvi", "evi"]).view(np.uint32))
    one = ds.climidx.index("ndvi", scale=1e-4, device="cpu")
    assert one.dims == ("y", "x")


def test_mapping_and_dataarray_band_dim():
    ds = dataset(("b", "r", "n")).rename({"b": "my_blue"})
    out = ds.climidx.index("ndvi", mapping={"r": "red", "n": "nir"}, scale=1e-4, device="cpu")
    assert np.array_equal(out.values, want("ndvi"))
    arr = xr.concat([ds["my_blue"], ds["r"], ds["n"]], dim="band").assign_coords(band=["blue", "red", "nir"])
    out = arr.climidx.index(["ndvi", "evi"], scale=1e-4, device="cpu")
    assert out.dims == ("index", "y", "x") and "spatial_ref" in out.coords
    assert np.array_equal(out.values, want(["ndvi", "evi"]))
    with pytest.raises(ValueError, match="no band variables"):
        xr.Dataset({"foo": (("y", "x"), BANDS["red"])}).climidx.index("ndvi")


class NoCompute:
    """A Dask scheduler that fails the test if anything is computed."""

    def __call__(self, dsk, keys, **kw):
        raise AssertionError("computed before .compute()")


def test_dask_stays_lazy_until_compute():
    ds = dataset(chunks={"y": 64, "x": 80})
    with dask.config.set(scheduler=NoCompute()):
        out = ds.climidx.index(["ndvi", "evi"], scale=1e-4, device="cpu")
        assert out.chunks is not None
        stack = xr.concat([ds["red"]] * 5, dim="time").chunk({"time": 2})
        clim = stack.climidx.climatology(scale=1e-4, device="cpu")
        assert clim["mean"].chunks is not None
    got = out.compute(scheduler="threads")
    assert np.array_equal(got.values, want(["ndvi", "evi"]))
    c = clim.compute(scheduler="threads")
    ref = climidx.climatology(np.stack([BANDS["red"]] * 5), scale=1e-4, device="cpu")
    assert_chunked_climatology(c, ref)
    whole = stack.climidx.climatology(scale=1e-4, device="cpu", split_time=False).compute()
    for k in ("count", "mean", "std", "min", "max"):
        assert np.array_equal(whole[k].values, ref[k], equal_nan=True), k


def assert_chunked_climatology(got, ref):
    """A climatology reduced time chunk by time chunk: count, min, max exact, mean and std
    within float32 rounding of the single pass."""
    for k in ("count", "min", "max"):
        assert got[k].dtype == ref[k].dtype, k
        assert np.array_equal(got[k].values, ref[k], equal_nan=True), k
    for k in ("mean", "std"):
        g, r = got[k].values, ref[k]
        assert np.array_equal(np.isnan(g), np.isnan(r)), k
        assert np.allclose(g, r, rtol=1e-5, atol=1e-7, equal_nan=True), (k, np.nanmax(np.abs(g - r)))
    assert np.isfinite(ref["mean"]).sum() > ref["mean"].size // 2


def test_chunked_climatology_with_nodata_gaps_and_min_count():
    rng = np.random.default_rng(7)
    stack = rng.integers(0, 3000, (23, 37, 29)).astype(np.int16)
    stack[rng.random(stack.shape) < 0.3] = -9999
    stack[:, :3, :3] = -9999  # never valid
    stack[:20, 5, 5] = -9999  # valid only in the last chunk
    t = xr.DataArray(stack, dims=("time", "y", "x")).chunk({"time": 4, "y": 16, "x": 16})
    for ddof, min_count in ((0, 1), (1, 2), (0, 5)):
        kw = dict(scale=1e-4, nodata=-9999, ddof=ddof, min_count=min_count, device="cpu")
        with dask.config.set(scheduler=NoCompute()):
            lazy = t.climidx.climatology(**kw)
        got = lazy.compute(scheduler="threads")
        ref = climidx.climatology(stack, **kw)
        assert_chunked_climatology(got, ref)


def test_local_cluster_of_two_processes_matches_numpy():
    distributed = pytest.importorskip("dask.distributed")
    stack = np.stack([BANDS["red"], BANDS["nir"], BANDS["blue"], BANDS["red"] // 2])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        ds = dataset(chunks={"y": 50, "x": 75})
        out = ds.climidx.index(["ndvi", "evi"], scale=1e-4, device="cpu").compute()
        assert np.array_equal(out.values, want(["ndvi", "evi"]))
        t = xr.DataArray(stack, dims=("time", "y", "x")).chunk({"time": 1, "y": 64, "x": 64})
        clim = t.climidx.climatology(scale=1e-4, device="cpu").compute()
        ref = climidx.climatology(stack, scale=1e-4, device="cpu")
        assert_chunked_climatology(clim, ref)
        # Both worker processes took part.
        assert len(client.scheduler_info()["workers"]) == 2
