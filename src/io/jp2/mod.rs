//! JPEG 2000 (JP2) input, as Sentinel-2 products ship their bands: the box and codestream
//! headers ([`boxes`]), georeferencing from the GeoJP2 and GMLJP2 boxes and nodata from the
//! PAM sidecar ([`georef`]), and tile-by-tile decoding with OpenJPEG ([`reader`]).

pub mod boxes;
pub mod georef;
pub mod reader;

pub use reader::Jp2Reader;
