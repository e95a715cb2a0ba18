"""In-memory index throughput: climidx (Python binding) against numpy, numexpr, spyndex and
xarray-spatial, on SIZE² uint16 bands (default 10980², a Sentinel-2 10 m tile), alternated
round by round (A B C A B C ...) on one machine; medians in seconds and the speed-up of climidx.
Tools that are not installed are skipped and say so. `--rust` then gives the binding's overhead:
climidx from Python alternated round by round with the Rust in-memory path (`climidx bench
--no-file --cpu-only`, same indices and size), new arrays against new buffers and `out=` against
reused ones.

    python python/bench/bench_indices.py --size 10980 --rounds 5 [--rust target/release/climidx]
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time

import numpy as np

import climidx

CATALOGUE = ["MSAVI", "OSAVI", "GEMI", "NDYI", "NIRv", "ARVI", "VARI", "MNDWI", "AWEInsh", "NMDI"]


def numpy_ndvi(b):
    n, r = b["N"] * np.float32(1e-4), b["R"] * np.float32(1e-4)
    return (n - r) / (n + r)


def numpy_evi(b):
    n, r, bl = (b[k] * np.float32(1e-4) for k in ("N", "R", "B"))
    return 2.5 * (n - r) / (n + 6.0 * r - 7.5 * bl + 1.0)


def tools(b, device):
    out = {}
    scale = 1e-4
    out["climidx ndvi"] = lambda: climidx.index("ndvi", {"R": b["R"], "N": b["N"]}, scale=scale, device=device)
    out["climidx evi"] = lambda: climidx.index("evi", {"R": b["R"], "N": b["N"], "B": b["B"]}, scale=scale, device=device)
    out["climidx 10 catalogue"] = lambda: climidx.index(CATALOGUE, b, scale=scale, device=device)
    # The same into one reused buffer (`out=`): no allocation and no first-touch page faults.
    buf = np.empty(b["R"].shape, np.float32)
    out["climidx ndvi (out=)"] = lambda: climidx.index("ndvi", {"R": b["R"], "N": b["N"]}, scale=scale,
                                                       device=device, out=buf)
    out["climidx evi (out=)"] = lambda: climidx.index("evi", {"R": b["R"], "N": b["N"], "B": b["B"]},
                                                      scale=scale, device=device, out=buf)
    out["numpy ndvi"] = lambda: numpy_ndvi(b)
    out["numpy evi"] = lambda: numpy_evi(b)
    try:
        import numexpr as ne
        n, r, bl = b["N"], b["R"], b["B"]
        env = {"n": n, "r": r, "bl": bl}
        out["numexpr ndvi"] = lambda: ne.evaluate("(n*1e-4 - r*1e-4) / (n*1e-4 + r*1e-4)", local_dict=env)
        out["numexpr evi"] = lambda: ne.evaluate(
            "2.5*(n*1e-4 - r*1e-4) / (n*1e-4 + 6*r*1e-4 - 7.5*bl*1e-4 + 1)", local_dict=env)
        # numexpr into a reused buffer too, as climidx's `out=` rows.
        nbuf = np.empty(b["R"].shape, np.float64)
        out["numexpr ndvi (out=)"] = lambda: ne.evaluate(
            "(n*1e-4 - r*1e-4) / (n*1e-4 + r*1e-4)", local_dict=env, out=nbuf)
    except ImportError:
        print("numexpr: not installed, skipped")
    try:
        import spyndex
        # Scaling DN to reflectance is part of the work (climidx does it in the kernel).
        sc = lambda ks: {k: b[k] * np.float32(1e-4) for k in ks}  # noqa: E731
        out["spyndex ndvi"] = lambda: spyndex.computeIndex("NDVI", sc(("N", "R")))
        out["spyndex 10 catalogue"] = lambda: spyndex.computeIndex(CATALOGUE, {**sc(b), "gamma": 1.0})
    except ImportError:
        print("spyndex: not installed, skipped")
    try:
        import xarray as xr
        from xrspatial import multispectral as ms
        xa = {k: xr.DataArray(b[k]) for k in b}
        out["xarray-spatial ndvi"] = lambda: ms.ndvi(xa["N"], xa["R"]).values
        out["xarray-spatial evi"] = lambda: ms.evi(xa["N"], xa["R"], xa["B"]).values
    except ImportError:
        print("xarray-spatial: not installed, skipped")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=10980)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--rust", help="climidx binary: also time the Rust in-memory path")
    ap.add_argument("--only", default="", help="comma-separated tool-name substrings")
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    b = {k: rng.integers(1, 10000, (a.size, a.size), dtype=np.uint16) for k in ("B", "G", "R", "N", "S1", "S2")}
    ts = tools(b, a.device)
    if a.only:
        keep = a.only.split(",")
        ts = {k: v for k, v in ts.items() if any(s in k for s in keep)}
    import warnings
    warnings.simplefilter("ignore")  # numpy's divide-by-zero on random data
    for f in ts.values():  # warm-up (device, thread pools, JIT)
        f()
    times = {k: [] for k in ts}
    engine = {k: [] for k in ts if k.startswith("climidx")}
    for _ in range(a.rounds):
        for k, f in ts.items():
            t = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t)
            if k in engine:  # what the same call spent in the Rust engine (compute_views)
                engine[k].append(climidx._climidx._last_engine_seconds())
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"# {a.size}x{a.size} uint16, {a.rounds} alternated rounds, device={a.device}, "
          f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), climidx threads "
          f"{climidx.cpu_threads()}, CPU kernels {climidx.cpu_simd()}")
    print("| tool | median s | [min..max] |")
    print("|---|---|---|")
    for k, v in times.items():
        print(f"| {k} | {med[k]:.3f} | {min(v):.3f}..{max(v):.3f} |")
    for what in ("ndvi", "evi", "10 catalogue"):
        mine = med.get(f"climidx {what}")
        for k, m in med.items():
            if mine and k.endswith(what) and not k.startswith("climidx"):
                print(f"climidx {what} is {m / mine:.1f}x faster than {k.split(' ')[0]}")
    # The binding's share of each call: wall time over the engine's own time in that call.
    for k, e in engine.items():
        share = statistics.median(w / x - 1 for w, x in zip(times[k], e))
        print(f"binding overhead {k}: {100 * share:+.1f} % over the engine's time in the same call "
              f"(median {statistics.median(e):.3f} s)")
    if a.rust:
        overhead(a, b)


def overhead(a, b):
    """The binding against the Rust in-memory path (`climidx bench --no-file --cpu-only`),
    alternated round by round with nothing else running: a new array against the Rust path's
    new buffers, `out=` against its reused buffers."""
    print(f"# binding overhead: {a.rounds} rounds, python and rust alternated")
    for idx, roles in (("ndvi", ("R", "N")), ("evi", ("R", "N", "B"))):
        bands = {k: b[k] for k in roles}
        buf = np.empty(b["R"].shape, np.float32)
        py = {
            "new array": lambda: climidx.index(idx, bands, scale=1e-4, device="cpu"),
            "out=": lambda: climidx.index(idx, bands, scale=1e-4, device="cpu", out=buf),
        }
        rust_mode = {"new array": "new buffer", "out=": "memory"}
        for f in py.values():
            f()
        t_py = {k: [] for k in py}
        t_rust = {k: [] for k in py}
        with tempfile.TemporaryDirectory() as d:
            j = os.path.join(d, "rust.json")
            for _ in range(a.rounds):
                for k, f in py.items():
                    t = time.perf_counter()
                    f()
                    t_py[k].append(time.perf_counter() - t)
                subprocess.run([a.rust, "bench", "--size", str(a.size), "--rounds", "1", "--index", idx,
                                "--no-file", "--cpu-only", "--json", j], check=True, capture_output=True)
                rep = json.load(open(j))
                rows = rep["results"]
                for k, mode in rust_mode.items():
                    t_rust[k].append([r for r in rows if r["mode"] == mode and r["path"].startswith("cpu (")
                                      and "1 thread" not in r["path"]][0]["median_s"])
        print(f"rust bench machine: {rep['machine']}")
        for k in py:
            p, r = statistics.median(t_py[k]), statistics.median(t_rust[k])
            print(f"binding overhead {idx} {k}: python {p:.3f} s vs rust {rust_mode[k]} {r:.3f} s "
                  f"({100 * (p / r - 1):+.1f} %)")

if __name__ == "__main__":
    main()
