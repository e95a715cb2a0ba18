from os import PathLike
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union, overload

import numpy as np
import numpy.typing as npt

__version__: str
SAMPLE_TYPES: Tuple[str, ...]

PerBand = Union[None, float, Mapping[str, Optional[float]]]
BandFile = Union[str, PathLike, Tuple[Union[str, PathLike], int]]

@overload
def index(names: str, bands: Mapping[str, npt.ArrayLike], *, scale: PerBand = ..., offset: PerBand = ...,
          nodata: PerBand = ..., consts: Optional[Mapping[str, float]] = ..., catalog: Optional[str] = ...,
          device: str = ..., adapter: Optional[str] = ..., out_nodata: float = ...,
          out: Optional[npt.NDArray[np.float32]] = ...) -> npt.NDArray[np.float32]: ...
@overload
def index(names: Sequence[str], bands: Mapping[str, npt.ArrayLike], *, scale: PerBand = ..., offset: PerBand = ...,
          nodata: PerBand = ..., consts: Optional[Mapping[str, float]] = ..., catalog: Optional[str] = ...,
          device: str = ..., adapter: Optional[str] = ..., out_nodata: float = ...,
          out: Optional[npt.NDArray[np.float32]] = ...) -> npt.NDArray[np.float32]: ...
def expr(formula: str, *, scale: PerBand = ..., offset: PerBand = ..., nodata: PerBand = ...,
         consts: Optional[Mapping[str, float]] = ..., device: str = ..., adapter: Optional[str] = ...,
         out_nodata: float = ..., **bands: npt.ArrayLike) -> npt.NDArray[np.float32]: ...
def lst(bands: Mapping[str, npt.ArrayLike], *, mtl: Union[None, str, PathLike, Mapping[str, Any]] = ...,
        method: str = ..., output: str = ..., emissivity: Union[str, float] = ..., ndvi_soil: float = ...,
        ndvi_veg: float = ..., emissivity_soil: Optional[float] = ..., emissivity_veg: Optional[float] = ...,
        cavity: float = ..., wavelength: Optional[float] = ..., water_vapour: Optional[float] = ...,
        unit: str = ..., with_emissivity: bool = ..., high_gain: bool = ..., nodata: Optional[float] = ...,
        device: str = ..., adapter: Optional[str] = ..., out_nodata: float = ...) -> npt.NDArray[np.float32]: ...
def climatology(stack: npt.ArrayLike, *, scale: Optional[float] = ..., offset: Optional[float] = ...,
                nodata: Optional[float] = ..., min_count: int = ..., ddof: int = ..., device: str = ...,
                adapter: Optional[str] = ..., out_nodata: float = ...) -> Dict[str, np.ndarray]: ...
def anomaly(x: npt.ArrayLike, clim: Mapping[str, npt.ArrayLike], *, kind: str = ..., scale: Optional[float] = ...,
            offset: Optional[float] = ..., nodata: Optional[float] = ..., device: str = ...,
            adapter: Optional[str] = ..., out_nodata: float = ...) -> npt.NDArray[np.float32]: ...
def vhi(ndvi: npt.ArrayLike, bt: npt.ArrayLike, ndvi_clim: Mapping[str, npt.ArrayLike],
        bt_clim: Mapping[str, npt.ArrayLike], *, a: Optional[float] = ..., device: str = ...,
        adapter: Optional[str] = ..., out_nodata: float = ...) -> Dict[str, npt.NDArray[np.float32]]: ...
def run_index(names: Union[str, Sequence[str]], bands: Mapping[str, BandFile], output: Union[str, PathLike], *,
              scale: PerBand = ..., offset: PerBand = ..., nodata: PerBand = ...,
              consts: Optional[Mapping[str, float]] = ..., catalog: Optional[str] = ..., device: str = ...,
              adapter: Optional[str] = ..., out_nodata: float = ..., overwrite: bool = ...,
              formula: bool = ...) -> Dict[str, Any]: ...
def list_indices(catalog: Optional[str] = ...) -> List[Dict[str, Any]]: ...
def show(name: str, catalog: Optional[str] = ...) -> Dict[str, Any]: ...
def adapters(device: str = ..., adapter: Optional[str] = ...) -> List[Dict[str, Any]]: ...
def cpu_threads() -> int: ...
def cpu_simd() -> str: ...
