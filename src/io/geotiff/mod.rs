//! GeoTIFF: block-cached windowed reading ([`reader`]) and streaming tiled/compressed writing
//! ([`writer`], [`encode`]).

pub mod encode;
pub mod reader;
pub mod writer;

pub use reader::GeoTiffReader;
pub use writer::GeoTiffWriter;
