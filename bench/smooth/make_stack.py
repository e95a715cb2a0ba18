#!/usr/bin/env python3
"""A 120-month float32 GeoTIFF stack (N×N, default 600; 10 % nodata -9999, tiled deflate) and
its manifest stack.csv, for bench/smooth/run.sh. Needs numpy and python3-gdal (/usr/bin/python3)."""
import numpy as np
from osgeo import gdal
import sys
W = H = int(sys.argv[1]) if len(sys.argv) > 1 else 600
rng = np.random.default_rng(1)
base = rng.uniform(0.2, 0.7, (H, W)).astype(np.float32)
drv = gdal.GetDriverByName("GTiff")
with open("stack.csv", "w") as f:
    f.write("path,date\n")
    for k in range(120):
        y, m = 2001 + k // 12, k % 12 + 1
        x = base + 0.2 * np.sin(2 * np.pi * m / 12) + rng.normal(0, 0.03, (H, W)).astype(np.float32)
        x[rng.random((H, W)) < 0.1] = -9999
        p = f"ndvi_{y}{m:02d}15.tif"
        ds = drv.Create(p, W, H, 1, gdal.GDT_Float32, ["TILED=YES", "COMPRESS=DEFLATE"])
        ds.SetGeoTransform([0, 10, 0, 0, 0, -10])
        b = ds.GetRasterBand(1); b.SetNoDataValue(-9999); b.WriteArray(x); ds = None
        f.write(f"{p},{y}-{m:02d}-15\n")
