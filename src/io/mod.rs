//! Rasters in and out: the format-neutral model ([`raster`], [`geo`]), the source and sink
//! traits with [`open`] choosing the format ([`source`], [`sink`]), where bytes come from (local
//! files or remote objects, [`bytes`]), safe output files ([`files`]), GeoTIFF and JPEG 2000 as
//! implementations ([`geotiff`], [`jp2`]), climate stacks from NetCDF and Zarr ([`cf`]),
//! distributed products ([`products`]), time stacks ([`stack`]) and PNG quicklooks ([`quicklook`]).

pub mod bytes;
pub mod cf;
pub mod files;
pub mod geo;
pub mod geotiff;
pub mod jp2;
pub mod products;
pub mod quicklook;
pub mod raster;
pub mod sink;
pub mod source;
pub mod stack;

pub use geotiff::{Pyramid, PyramidKind, Resampling};
pub use sink::{create, RasterSink, SinkOptions};
pub use source::{open, BandSource, RasterSource};
