"""climidx: climate and spectral indices on numpy arrays, xarray and Dask.

Arrays in, arrays out: :func:`index` computes built-in kernels, catalogue entries and formulas
in one fused pass on the native CPU path or a GPU (wgpu), with the same results as the
``climidx`` command line (bit for bit on the CPU path). Every call releases the GIL while it
computes, so threads (and Dask's threaded scheduler) run calls in parallel. The device is opened
once per process, lazily, and shared by all threads.

Importing :mod:`climidx.xarray` (done here when xarray is installed) registers the
``.climidx`` accessor on Datasets and DataArrays.
"""

from __future__ import annotations

import math
import os
from typing import Any, Dict, Mapping, Optional, Sequence, Union

import numpy as np

# As the CLI does: Mesa's implicit device-select Vulkan layer prints "XDG_RUNTIME_DIR is
# invalid" on headless machines, and wgpu enumerates every adapter itself. Set before the
# extension opens a Vulkan instance (lazily, on the first GPU or `auto` call).
os.environ.setdefault("NODEVICE_SELECT", "1")

from . import _climidx  # noqa: E402
from ._climidx import adapters, cpu_simd, cpu_threads, list_indices, show  # noqa: E402

__version__ = _climidx.__version__

__all__ = [
    "index", "expr", "lst", "climatology", "anomaly", "vhi", "run_index",
    "list_indices", "show", "adapters", "cpu_threads", "cpu_simd",
    "SAMPLE_TYPES",
]

#: The numpy sample types climidx reads (those of the GeoTIFFs the CLI reads).
SAMPLE_TYPES = ("uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "float64")

PerBand = Union[None, float, Mapping[str, Optional[float]]]


def _native(a: Any) -> np.ndarray:
    """``a`` as a C-contiguous, aligned, native-endian ndarray; copied only when it is not one
    already (arrays unpickled from a Dask worker's buffers can be unaligned)."""
    arr = np.asarray(a)
    if arr.dtype.kind in "uif" and not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    if not (arr.flags.c_contiguous and arr.flags.aligned):
        arr = np.array(arr, order="C", copy=True)
    return arr


def _per_band(value: PerBand, key: str, what: str) -> Optional[float]:
    if isinstance(value, Mapping):
        v = value.get(key)
    else:
        v = value
    if v is None:
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        raise TypeError(f"{what}: expected a number or a dict of numbers by band, got {v!r}") from None


def _check_keys(value: PerBand, bands: Mapping[str, Any], what: str) -> None:
    if isinstance(value, Mapping):
        extra = [k for k in value if k not in bands]
        if extra:
            raise ValueError(f"{what}: no band named {extra[0]!r} (bands given: {', '.join(bands)})")


def _consts(consts: Optional[Mapping[str, float]]) -> list:
    return [(str(k), float(v)) for k, v in (consts or {}).items()]


def _band_args(bands: Mapping[str, Any], scale: PerBand, offset: PerBand, nodata: PerBand) -> list:
    if not isinstance(bands, Mapping) or not bands:
        raise TypeError("bands: expected a dict mapping roles or band symbols ('red', 'N', ...) to arrays")
    for what, v in (("scale", scale), ("offset", offset), ("nodata", nodata)):
        _check_keys(v, bands, what)
    return [
        (
            str(k),
            _native(a),
            _per_band(scale, k, "scale"),
            _per_band(offset, k, "offset"),
            _per_band(nodata, k, "nodata"),
        )
        for k, a in bands.items()
    ]


def index(
    names: Union[str, Sequence[str]],
    bands: Mapping[str, Any],
    *,
    scale: PerBand = None,
    offset: PerBand = None,
    nodata: PerBand = None,
    consts: Optional[Mapping[str, float]] = None,
    catalog: Optional[str] = None,
    device: str = "auto",
    adapter: Optional[str] = None,
    out_nodata: float = math.nan,
    out: Optional[np.ndarray] = None,
) -> np.ndarray:
    """Compute one or more indices over in-memory bands, in one fused pass.

    ``names``: built-in kernels (``"ndvi"``), catalogue entries (``"NDWI"``, or entries of
    ``catalog``, a catalogue JSON file) or formulas (``"(N - R) / (N + R)"``), exactly as on the
    CLI. ``bands`` maps roles or Awesome Spectral Indices symbols (``"red"``/``"R"``,
    ``"nir"``/``"N"``, ...) to arrays of one shape, of any type in :data:`SAMPLE_TYPES`
    (non-contiguous and big-endian arrays are copied once). ``scale``/``offset`` (``value =
    DN*scale + offset``) and ``nodata`` (a raw value that marks missing samples; NaN is always
    missing) are numbers for every band or dicts by band key. ``consts`` overrides constants
    (``{"L": 0.5}``). ``device``: ``"auto"`` (a hardware GPU, else the native CPU path), ``"gpu"``,
    ``"software"`` or ``"cpu"``; ``adapter`` filters adapters by name (else ``WGPU_ADAPTER_NAME``).

    Returns float32 of shape ``(len(names), *shape)``, or ``shape`` for a single name given as a
    string; invalid pixels are ``out_nodata`` (NaN). ``out``: a C-contiguous, writeable float32
    array of that shape to write into (returned), so that repeated calls reuse one buffer.
    Raises ValueError/TypeError with the CLI's messages for unknown names, missing bands, wrong
    shapes and unsupported types.
    """
    single = isinstance(names, str)
    name_list = [names] if single else [str(n) for n in names]
    target = None
    if out is not None:
        if not isinstance(out, np.ndarray) or out.dtype != np.dtype(np.float32):
            raise TypeError("out: must be a native float32 numpy array (np.empty(shape, np.float32))")
        if not (out.flags.c_contiguous and out.flags.writeable):
            raise ValueError("out: must be C-contiguous and writeable (np.empty(shape, np.float32))")
        target = out[np.newaxis] if single else out
    res = _climidx._index(
        name_list, _band_args(bands, scale, offset, nodata), _consts(consts),
        catalog, device, adapter, float(out_nodata), False, target,
    )
    if out is not None:
        return out
    return res[0] if single else res


def expr(
    formula: str,
    *,
    scale: PerBand = None,
    offset: PerBand = None,
    nodata: PerBand = None,
    consts: Optional[Mapping[str, float]] = None,
    device: str = "auto",
    adapter: Optional[str] = None,
    out_nodata: float = math.nan,
    **bands: Any,
) -> np.ndarray:
    """Compile ``formula`` (the ``climidx expr`` language: band symbols, ``+ - * / ^``, ``sqrt``,
    comparisons, ``where`` ...) and evaluate it over the keyword bands: ``expr("(N-R)/(N+R)",
    N=nir, R=red)``. Constants take their Awesome Spectral Indices defaults unless ``consts``
    overrides them. Returns a float32 array of the bands' shape."""
    out = _climidx._index(
        [formula], _band_args(bands, scale, offset, nodata), _consts(consts),
        None, device, adapter, float(out_nodata), True,
    )
    return out[0]


def lst(
    bands: Mapping[str, Any],
    *,
    mtl: Union[None, str, "os.PathLike[str]", Mapping[str, Any]] = None,
    method: str = "single-channel",
    output: str = "lst",
    emissivity: Union[str, float] = "ndvi-threshold",
    ndvi_soil: float = 0.2,
    ndvi_veg: float = 0.5,
    emissivity_soil: Optional[float] = None,
    emissivity_veg: Optional[float] = None,
    cavity: float = 0.55,
    wavelength: Optional[float] = None,
    water_vapour: Optional[float] = None,
    unit: str = "kelvin",
    with_emissivity: bool = False,
    high_gain: bool = False,
    nodata: Optional[float] = 0.0,
    device: str = "auto",
    adapter: Optional[str] = None,
    out_nodata: float = math.nan,
) -> np.ndarray:
    """Land-surface (or brightness) temperature of a Landsat scene's bands, as ``climidx lst``
    computes it from the scene's files.

    ``bands`` maps roles to arrays of the bands' digital numbers: ``"thermal"`` (B10, or B6 on
    TM/ETM+), ``"red"`` and ``"nir"`` (for the emissivity's NDVI), ``"thermal2"`` (B11, split
    window). ``mtl`` is the scene's ``*_MTL.txt`` path, or its keys as a dict
    (``{"SPACECRAFT_ID": "LANDSAT_8", "RADIANCE_MULT_BAND_10": 3.342e-4, ...}``): K1/K2 and the
    radiance and reflectance rescaling come from it; ``method="c2l2-st"`` (a Collection 2
    Level-2 ST band) needs none. ``method``, ``output`` (``"lst"`` or ``"bt"``), ``emissivity``
    (``"ndvi-threshold"``, ``"avdan"`` or a constant value), the NDVI thresholds, end-member
    emissivities, ``cavity``, ``wavelength`` (µm), ``water_vapour`` (g/cm², split window),
    ``unit`` (``"kelvin"`` or ``"celsius"``) and ``high_gain`` (Landsat 7) are the CLI's flags.
    ``nodata`` is the raw value of missing samples (Landsat's fill, 0; None: none).

    Returns float32 of the bands' shape, or ``(2, *shape)`` (temperature, emissivity) with
    ``with_emissivity``; invalid pixels are ``out_nodata`` (NaN)."""
    if not isinstance(bands, Mapping) or not bands:
        raise TypeError("bands: expected a dict mapping roles ('thermal', 'red', 'nir', 'thermal2') to arrays")
    if isinstance(emissivity, str):
        emis = [emissivity]
    elif isinstance(emissivity, (int, float)) and not isinstance(emissivity, bool):
        emis = ["constant", repr(float(emissivity))]
    else:
        raise TypeError(f"emissivity: expected 'ndvi-threshold', 'avdan' or a number, got {emissivity!r}")
    if unit not in ("kelvin", "celsius"):
        raise ValueError(f"unit {unit!r}: expected 'kelvin' or 'celsius'")
    mtl_path, mtl_keys = None, None
    if isinstance(mtl, Mapping):
        mtl_keys = [(str(k), str(v)) for k, v in mtl.items()]
    elif mtl is not None:
        mtl_path = os.fspath(mtl)

    def opt(v: Optional[float]) -> Optional[float]:
        return None if v is None else float(v)

    res = _climidx._lst(
        [(str(k), _native(a)) for k, a in bands.items()], mtl_path, mtl_keys, str(method),
        str(output), emis, float(ndvi_soil), float(ndvi_veg), opt(emissivity_soil),
        opt(emissivity_veg), float(cavity), opt(wavelength), opt(water_vapour),
        unit == "celsius", bool(with_emissivity), bool(high_gain), opt(nodata), device, adapter,
        float(out_nodata),
    )
    return res if with_emissivity else res[0]


def climatology(
    stack: Any,
    *,
    scale: Optional[float] = None,
    offset: Optional[float] = None,
    nodata: Optional[float] = None,
    min_count: int = 2,
    ddof: int = 0,
    device: str = "auto",
    adapter: Optional[str] = None,
    out_nodata: float = math.nan,
) -> Dict[str, np.ndarray]:
    """Per-pixel statistics over the first axis of a ``(T, H, W)`` array, as ``climidx
    climatology`` computes them (Welford in float32, every sample read once): a dict with
    ``count`` (uint32) and float32 ``mean``, ``std`` (``sqrt(M2 / (n - ddof))``), ``min`` and
    ``max``. Pixels with fewer than ``min_count`` valid samples are ``out_nodata``."""
    if int(min_count) < 1:
        raise ValueError("min_count must be at least 1")
    return _climidx._climatology(
        _native(stack), None if scale is None else float(scale),
        None if offset is None else float(offset), None if nodata is None else float(nodata),
        int(min_count), int(ddof), device, adapter, float(out_nodata),
    )


_ANOMALY_KINDS = {"diff": ("mean",), "zscore": ("mean", "std"), "percent": ("mean",)}


def anomaly(
    x: Any,
    clim: Mapping[str, Any],
    *,
    kind: str = "zscore",
    scale: Optional[float] = None,
    offset: Optional[float] = None,
    nodata: Optional[float] = None,
    device: str = "auto",
    adapter: Optional[str] = None,
    out_nodata: float = math.nan,
) -> np.ndarray:
    """An observation against its climatology (a dict from :func:`climatology`): ``kind`` is
    ``"diff"`` (x - mean), ``"zscore"`` ((x - mean) / std) or ``"percent"`` (100 x / mean), the
    built-in kernels of ``climidx anomaly``. ``scale``/``offset``/``nodata`` calibrate ``x``
    (the climatology's arrays are already calibrated float32)."""
    if kind not in _ANOMALY_KINDS:
        raise ValueError(f"kind={kind!r}: expected one of {', '.join(_ANOMALY_KINDS)}")
    bands = {"value": x}
    for k in _ANOMALY_KINDS[kind]:
        if k not in clim:
            raise ValueError(f"anomaly kind {kind!r} needs the climatology's {k!r}")
        bands[k] = clim[k]
    return index(
        kind, bands, scale={"value": scale}, offset={"value": offset},
        nodata={"value": nodata}, device=device, adapter=adapter, out_nodata=out_nodata,
    )


def vhi(
    ndvi: Any,
    bt: Any,
    ndvi_clim: Mapping[str, Any],
    bt_clim: Mapping[str, Any],
    *,
    a: Optional[float] = None,
    device: str = "auto",
    adapter: Optional[str] = None,
    out_nodata: float = math.nan,
) -> Dict[str, np.ndarray]:
    """Kogan's Vegetation Health Index from an NDVI and a brightness-temperature observation and
    their climatologies' ``min``/``max`` (as ``climidx vhi``): returns ``vci``, ``tci`` and
    ``vhi`` (``a`` weights VCI; default 0.5)."""
    kw = dict(device=device, adapter=adapter, out_nodata=out_nodata)
    vci = index("vci", {"value": ndvi, "min": ndvi_clim["min"], "max": ndvi_clim["max"]}, **kw)
    tci = index("tci", {"value": bt, "min": bt_clim["min"], "max": bt_clim["max"]}, **kw)
    consts = None if a is None else {"a": a}
    h = index("vhi", {"vci": vci, "tci": tci}, consts=consts, **kw)
    return {"vci": vci, "tci": tci, "vhi": h}


BandFile = Union[str, "os.PathLike[str]", tuple]


def run_index(
    names: Union[str, Sequence[str]],
    bands: Mapping[str, BandFile],
    output: str,
    *,
    scale: PerBand = None,
    offset: PerBand = None,
    nodata: PerBand = None,
    consts: Optional[Mapping[str, float]] = None,
    catalog: Optional[str] = None,
    device: str = "auto",
    adapter: Optional[str] = None,
    out_nodata: float = math.nan,
    overwrite: bool = False,
    formula: bool = False,
) -> Dict[str, Any]:
    """``climidx index`` from Python: stream GeoTIFF bands window by window into one multi-band
    GeoTIFF ``output`` (memory bounded by the window, as on the CLI). ``bands`` maps roles to a
    path or ``(path, band_number)``. A number for ``scale``/``offset``/``nodata`` is the CLI's
    ``--scale``/``--offset``/``--nodata`` (the file's own calibration wins otherwise); a dict gives
    per-band values (``--band ROLE=FILE@SCALE,OFFSET``). Ctrl-C stops the job at the next window,
    removes the partial output and raises KeyboardInterrupt. Returns what the run did."""
    name_list = [names] if isinstance(names, str) else [str(n) for n in names]
    if formula and len(name_list) != 1:
        raise ValueError("formula=True takes exactly one formula")
    per_band = []
    for k, v in bands.items():
        path, band = (v if isinstance(v, tuple) else (v, 1))
        per_band.append((
            str(k), str(path), int(band),
            _per_band(scale, k, "scale") if isinstance(scale, Mapping) else None,
            _per_band(offset, k, "offset") if isinstance(offset, Mapping) else None,
            _per_band(nodata, k, "nodata") if isinstance(nodata, Mapping) else None,
        ))
    glob = lambda v: None if v is None or isinstance(v, Mapping) else float(v)  # noqa: E731
    return _climidx._run_index(
        name_list, per_band, str(output), glob(scale), glob(offset), glob(nodata),
        _consts(consts), catalog, device, adapter, float(out_nodata), bool(overwrite), bool(formula),
    )


try:  # the accessor, when xarray is there
    from . import xarray as _xarray  # noqa: F401
except ImportError:  # pragma: no cover - xarray is optional
    pass
