//! Raster I/O: the pixel vocabulary ([`raster`]), georeferencing ([`geo`]), GeoTIFF reading
//! ([`reader`]) and streaming GeoTIFF writing ([`writer`]).

pub mod encode;
pub mod geo;
pub mod mtl;
pub mod raster;
pub mod reader;
pub mod writer;
