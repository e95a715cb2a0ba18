//! Rasters in and out: the format-neutral model ([`raster`], [`geo`]), the source and sink
//! traits with [`open`] choosing the format ([`source`], [`sink`]), safe output files
//! ([`files`]), GeoTIFF as one
//! implementation ([`geotiff`]), climate stacks from NetCDF and Zarr ([`cf`]), distributed products
//! ([`products`]), time stacks ([`stack`]) and PNG quicklooks ([`quicklook`]).

pub mod cf;
pub mod files;
pub mod geo;
pub mod geotiff;
pub mod products;
pub mod quicklook;
pub mod raster;
pub mod sink;
pub mod source;
pub mod stack;

pub use sink::{create, RasterSink, SinkOptions};
pub use source::{open, BandSource, RasterSource};
