//! Where a reader's bytes come from: a local file or a remote object (`http://`, `https://`,
//! `s3://`), behind one [`ByteSource`] that the TIFF decoder reads with `Read + Seek`.
//!
//! A remote object is read by HTTP range requests: a 64 KiB header prefetch at open, read-ahead
//! of at least 64 KiB on any other miss (IFDs and tag arrays that lie further), and
//! [`ByteSource::prefetch`], which the GeoTIFF reader calls with the byte ranges of every block a
//! window needs, so that they are fetched together (merged, concurrently) before decoding. See
//! [`remote`] for the memory bound, retries and what is refused.

mod credentials;
pub mod remote;

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

pub use remote::RemoteObject;

use crate::error::{Error, Result};

/// The URL scheme of `path` when it names a remote object this build can read
/// (`http`, `https`, `s3`), `Err` for another `scheme://`, `None` for a local path.
pub fn remote_scheme(path: &Path) -> Option<std::result::Result<&str, String>> {
    let s = path.to_str()?;
    let (scheme, _) = s.split_once("://")?;
    Some(match scheme {
        "http" | "https" | "s3" => Ok(scheme),
        other => Err(format!(
            "{other}:// inputs are not supported (http://, https:// and s3:// are); \
             download the file and pass its local path"
        )),
    })
}

/// The bytes of one input, local or remote.
pub enum ByteSource {
    Local { file: BufReader<File>, len: u64 },
    Remote(Box<RemoteObject>),
}

impl ByteSource {
    /// Open `path`: a URL (see [`remote_scheme`]) or a local file.
    pub fn open(path: &Path) -> Result<Self> {
        match remote_scheme(path) {
            Some(Ok(_)) => {
                let url = path.to_str().expect("remote_scheme checked UTF-8");
                Ok(ByteSource::Remote(Box::new(
                    RemoteObject::open(url).map_err(|m| Error::input(path, m))?,
                )))
            }
            Some(Err(m)) => Err(Error::input(path, m)),
            None => {
                let file = File::open(path)
                    .map_err(|e| Error::input(path, format!("cannot open: {e}")))?;
                let len = file.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
                Ok(ByteSource::Local {
                    file: BufReader::with_capacity(1 << 20, file),
                    len,
                })
            }
        }
    }

    /// The size in bytes (`u64::MAX` when a local file's size cannot be read).
    pub fn len(&self) -> u64 {
        match self {
            ByteSource::Local { len, .. } => *len,
            ByteSource::Remote(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_remote(&self) -> bool {
        matches!(self, ByteSource::Remote(_))
    }

    /// Fetch `ranges` (byte ranges about to be read) ahead of the reads, replacing what the
    /// previous prefetch held. A no-op for local files, which the OS caches.
    pub fn prefetch(&mut self, ranges: Vec<Range<u64>>) -> std::result::Result<(), String> {
        match self {
            ByteSource::Local { .. } => Ok(()),
            ByteSource::Remote(r) => r.prefetch(ranges),
        }
    }
}

impl Read for ByteSource {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            ByteSource::Local { file, .. } => file.read(buf),
            ByteSource::Remote(r) => r.read(buf),
        }
    }
}

impl Seek for ByteSource {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        match self {
            ByteSource::Local { file, .. } => file.seek(pos),
            ByteSource::Remote(r) => r.seek(pos),
        }
    }
}
