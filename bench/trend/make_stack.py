# Writes ndvi.nc (NetCDF-4, float32, one chunk per month): a 240-month N×N NDVI-like stack with a
# per-pixel linear trend, seasonality, noise and ~5 % missing values, generated month by month
# (so that N = 2000 needs no more than a few fields in memory); and ndvi.npy (same values, NaN
# missing) of the first ROWS rows (default: all) for pymannkendall.
#   python make_stack.py N [ROWS]
import datetime
import sys

import netCDF4
import numpy as np

W = H = int(sys.argv[1])
ROWS = min(int(sys.argv[2]) if len(sys.argv) > 2 else H, H)
T = 240
rng = np.random.default_rng(3)
slope = rng.normal(0, 0.002, (H, W))
sub = np.empty((T, ROWS, W), np.float32)
with netCDF4.Dataset("ndvi.nc", "w") as nc:
    nc.createDimension("time", None)
    nc.createDimension("lat", H)
    nc.createDimension("lon", W)
    t = nc.createVariable("time", "f8", ("time",))
    t.units = "days since 2001-01-01"
    t.calendar = "standard"
    t.axis = "T"
    t[:] = [netCDF4.date2num(datetime.datetime(2001 + j // 12, j % 12 + 1, 15), t.units, "standard")
            for j in range(T)]
    la = nc.createVariable("lat", "f8", ("lat",))
    la.units = "degrees_north"
    la[:] = 50 - 0.01 * np.arange(H)
    lo = nc.createVariable("lon", "f8", ("lon",))
    lo.units = "degrees_east"
    lo[:] = 0.01 * np.arange(W)
    p = nc.createVariable("ndvi", "f4", ("time", "lat", "lon"), fill_value=np.float32(-9999), chunksizes=(1, H, W))
    for k in range(T):
        v = (0.4 + slope * k + 0.15 * np.sin(2 * np.pi * k / 12) + rng.normal(0, 0.05, (H, W))).astype(np.float32)
        v[rng.random((H, W)) < 0.05] = np.nan
        p[k] = np.where(np.isnan(v), np.float32(-9999), v)
        sub[k] = v[:ROWS]
np.save("ndvi.npy", sub)
