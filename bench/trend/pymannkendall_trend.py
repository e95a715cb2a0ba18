# pymannkendall's original_test (Sen slope, MK S/var/z/p/tau) per pixel, the way users run it:
# a Python loop over pixels, NaN dropped per pixel. Times the first PIXELS pixels of ndvi.npy
# and prints seconds per pixel, the extrapolation to the whole raster, and the peak RSS.
import resource
import sys
import time

import numpy as np
import pymannkendall as mk

v = np.load("ndvi.npy")
T, H, W = v.shape
if len(sys.argv) > 2:  # the whole raster is N×N (ndvi.npy may hold its first rows only)
    H = W = int(sys.argv[2])
n = min(int(sys.argv[1]) if len(sys.argv) > 1 else 2000, v.shape[1] * v.shape[2])
flat = v.reshape(T, -1)
t0 = time.perf_counter()
for p in range(n):
    x = flat[:, p]
    mk.original_test(x[np.isfinite(x)])
dt = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"pymannkendall {mk.__version__ if hasattr(mk, '__version__') else ''}: {n} pixels in {dt:.2f} s = "
      f"{1e3 * dt / n:.2f} ms/pixel -> {dt / n * H * W:.0f} s for {H}x{W} (extrapolated), peak RSS {rss} KB")
