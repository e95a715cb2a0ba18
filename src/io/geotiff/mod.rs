//! GeoTIFF: block-cached windowed reading ([`reader`], with the header checks in `header`, what
//! is read or refused in `format`, block decoding in `block` and the sample copying in
//! `samples`) and streaming tiled/compressed writing ([`writer`], with
//! the directory in `ifd` and the block encoding in [`encode`]).

pub mod autolevel;
mod block;
pub mod encode;
mod format;
mod header;
mod ifd;
mod layout;
mod overviews;
pub mod planes;
pub mod pyramid;
pub mod quantize;
pub mod reader;
mod samples;
pub mod writer;

pub use pyramid::{Pyramid, PyramidKind, Resampling};
pub use reader::GeoTiffReader;
pub use writer::GeoTiffWriter;
