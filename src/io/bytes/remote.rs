//! A remote object read by byte ranges through `object_store` (its HTTP and S3 clients).
//!
//! - **Requests**: a 64 KiB header prefetch at open ([`HEADER_PREFETCH`]); any read outside what
//!   is cached fetches at least [`READ_AHEAD`] bytes from there; [`RemoteObject::prefetch`]
//!   merges the ranges a window needs (gaps under [`MERGE_GAP`] are read through), splits them
//!   into parts of at most [`PART`] bytes and fetches up to [`CONCURRENCY`] parts at once, so
//!   that latency does not serialise.
//! - **Memory**: the blocks of the last prefetch (the compressed bytes of one window's block
//!   rows) plus at most [`MISC_SEGMENTS`] read-ahead segments (about 1 MiB of headers).
//! - **Retries**: `object_store` retries 5xx answers, timeouts and dropped connections with
//!   exponential back-off (100 ms doubling to 5 s, at most 5 retries within 60 s).
//! - **Refused, with the URL in the message**: 404, 403/401 (with the credential variables to
//!   set), a response shorter than the range asked for (truncated), and a server that ignores
//!   Range requests when the object exceeds [`FULL_DOWNLOAD_LIMIT`] (smaller objects are then
//!   downloaded whole, once, and read from memory).
//! - **Credentials** (`s3://`): the AWS_* variables (`AWS_ACCESS_KEY_ID`,
//!   `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`, `AWS_ENDPOINT_URL`, …),
//!   `AWS_NO_SIGN_REQUEST=YES` for public buckets, else the `AWS_PROFILE` (or `default`)
//!   section of `~/.aws/credentials` (or `AWS_SHARED_CREDENTIALS_FILE`), as GDAL's `/vsis3/`.

use std::collections::VecDeque;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::http::HttpBuilder;
use object_store::path::Path as ObjPath;
use object_store::{BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt, RetryConfig};

use super::credentials;

/// Bytes fetched at open: the TIFF header and, for a COG, every IFD.
pub const HEADER_PREFETCH: u64 = 64 << 10;
/// Least bytes fetched on a read that misses the cache.
pub const READ_AHEAD: u64 = 64 << 10;
/// Gaps between wanted ranges up to this size are read through rather than split.
pub const MERGE_GAP: u64 = 64 << 10;
/// Largest single range request of a prefetch.
pub const PART: u64 = 4 << 20;
/// Range requests in flight at once.
pub const CONCURRENCY: usize = 8;
/// Read-ahead segments kept (headers, tag arrays).
pub const MISC_SEGMENTS: usize = 16;
/// Largest object downloaded whole from a server that ignores Range requests.
pub const FULL_DOWNLOAD_LIMIT: u64 = 64 << 20;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("climidx-http")
            .enable_all()
            .build()
            .expect("cannot start the I/O runtime")
    })
}

/// One remote object, read with `Read + Seek` from cached segments.
pub struct RemoteObject {
    url: String,
    store: Arc<dyn ObjectStore>,
    location: ObjPath,
    size: u64,
    pos: u64,
    /// The whole object, when the server ignores Range requests.
    whole: Option<Bytes>,
    /// Segments of the last prefetch, sorted by start, not overlapping.
    blocks: Vec<(u64, Bytes)>,
    /// Read-ahead segments, oldest first.
    misc: VecDeque<(u64, Bytes)>,
    /// Bytes received so far.
    fetched: u64,
}

fn env_yes(name: &str) -> bool {
    std::env::var(name)
        .is_ok_and(|v| matches!(v.to_ascii_uppercase().as_str(), "YES" | "TRUE" | "1" | "ON"))
}

fn options(allow_http: bool) -> ClientOptions {
    ClientOptions::new()
        .with_allow_http(allow_http)
        .with_connect_timeout(Duration::from_secs(10))
        .with_timeout(Duration::from_secs(60))
}

fn retry() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            base: 2.0,
        },
        max_retries: 5,
        retry_timeout: Duration::from_secs(60),
    }
}

/// The store and object path for `url`.
fn store_for(url: &str) -> Result<(Arc<dyn ObjectStore>, ObjPath), String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let parsed = url::Url::parse(url).map_err(|e| format!("not a valid URL: {e}"))?;
    let host = parsed.host_str().ok_or("URL has no host")?;
    let location = ObjPath::from_url_path(parsed.path().trim_start_matches('/'))
        .map_err(|e| format!("not a valid object path: {e}"))?;
    if location.as_ref().is_empty() {
        return Err("URL names no object (empty path)".into());
    }
    let store: Arc<dyn ObjectStore> = match parsed.scheme() {
        "s3" => {
            let mut b = AmazonS3Builder::from_env()
                .with_bucket_name(host)
                .with_retry(retry());
            let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
            b = b.with_client_options(options(endpoint.starts_with("http://")));
            if env_yes("AWS_NO_SIGN_REQUEST") {
                b = b.with_skip_signature(true);
            } else if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
                if let Some(c) = credentials::from_profile()? {
                    b = b
                        .with_access_key_id(c.key_id)
                        .with_secret_access_key(c.secret);
                    if let Some(t) = c.token {
                        b = b.with_token(t);
                    }
                }
            }
            if std::env::var_os("AWS_REGION").is_none()
                && std::env::var_os("AWS_DEFAULT_REGION").is_none()
            {
                b = b.with_region("us-east-1");
            }
            Arc::new(
                b.build()
                    .map_err(|e| format!("cannot set up S3 access: {e}"))?,
            )
        }
        _ => {
            let base = parsed.origin().ascii_serialization();
            if parsed.query().is_some() {
                return Err(
                    "URLs with a query string (signed URLs) are not supported yet; \
                            download the file and pass its local path"
                        .into(),
                );
            }
            Arc::new(
                HttpBuilder::new()
                    .with_url(base)
                    .with_retry(retry())
                    .with_client_options(options(true))
                    .build()
                    .map_err(|e| format!("cannot set up HTTP access: {e}"))?,
            )
        }
    };
    Ok((store, location))
}

/// A one-line message for a failed request.
fn describe(e: object_store::Error) -> String {
    match e {
        object_store::Error::NotFound { .. } => "not found (HTTP 404); check the URL".into(),
        object_store::Error::PermissionDenied { .. }
        | object_store::Error::Unauthenticated { .. } => {
            "access denied (HTTP 403/401); for s3:// set AWS_ACCESS_KEY_ID and \
             AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), or AWS_NO_SIGN_REQUEST=YES for a public bucket"
                .into()
        }
        other => {
            let msg = other.to_string().replace('\n', " ");
            format!("cannot read: {msg}")
        }
    }
}

/// The server answered a range request with the whole object, or said it does not do ranges
/// (no `Accept-Ranges: bytes`).
fn ignores_range(e: &object_store::Error) -> bool {
    let m = e.to_string();
    m.contains("non-partial response") || m.contains("Range request not supported")
}

impl RemoteObject {
    /// Open `url` (`http://`, `https://` or `s3://`): its size and the header prefetch.
    pub fn open(url: &str) -> Result<Self, String> {
        let (store, location) = store_for(url)?;
        let rt = runtime();
        let meta = rt.block_on(store.head(&location)).map_err(describe)?;
        let size = meta.size;
        let mut obj = RemoteObject {
            url: url.to_string(),
            store,
            location,
            size,
            pos: 0,
            whole: None,
            blocks: Vec::new(),
            misc: VecDeque::new(),
            fetched: 0,
        };
        if size == 0 {
            return Err("the object is empty (0 bytes)".into());
        }
        let head = 0..HEADER_PREFETCH.min(size);
        match rt.block_on(obj.store.get_range(&obj.location, head.clone())) {
            Ok(b) => {
                obj.check_len(&head, &b)?;
                obj.fetched += b.len() as u64;
                obj.misc.push_back((0, b));
            }
            Err(e) if ignores_range(&e) => {
                if size > FULL_DOWNLOAD_LIMIT {
                    return Err(format!(
                        "the server ignores HTTP Range requests and the file is {} MiB (over the \
                         {} MiB limit for a full download); download it and pass its local path",
                        size >> 20,
                        FULL_DOWNLOAD_LIMIT >> 20
                    ));
                }
                log::warn!(
                    "{url}: the server ignores HTTP Range requests; downloading the whole file"
                );
                let b = rt
                    .block_on(async { obj.store.get(&obj.location).await?.bytes().await })
                    .map_err(describe)?;
                obj.check_len(&(0..size), &b)?;
                obj.fetched += b.len() as u64;
                obj.whole = Some(b);
            }
            Err(e) => return Err(describe(e)),
        }
        Ok(obj)
    }

    pub fn len(&self) -> u64 {
        self.size
    }

    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Bytes received from the server so far.
    pub fn fetched(&self) -> u64 {
        self.fetched
    }

    fn check_len(&self, r: &Range<u64>, b: &Bytes) -> Result<(), String> {
        if b.len() as u64 != r.end - r.start {
            return Err(format!(
                "truncated response: asked for bytes {}..{}, received {} bytes; retry, or \
                 download the file and pass its local path",
                r.start,
                r.end,
                b.len()
            ));
        }
        Ok(())
    }

    /// Fetch `ranges` (merged, split into parts, concurrently), replacing the previous
    /// prefetch. Ranges already held by a read-ahead segment are skipped.
    pub fn prefetch(&mut self, mut ranges: Vec<Range<u64>>) -> Result<(), String> {
        self.blocks.clear();
        if self.whole.is_some() {
            return Ok(());
        }
        ranges.retain(|r| r.start < r.end && !self.in_misc(r));
        ranges.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<u64>> = Vec::new();
        for r in ranges {
            let r = r.start..r.end.min(self.size);
            match merged.last_mut() {
                Some(m) if r.start <= m.end + MERGE_GAP => m.end = m.end.max(r.end),
                _ => merged.push(r),
            }
        }
        let mut parts = Vec::new();
        for m in merged {
            let mut s = m.start;
            while s < m.end {
                let e = (s + PART).min(m.end);
                parts.push(s..e);
                s = e;
            }
        }
        if parts.is_empty() {
            return Ok(());
        }
        let (store, loc) = (&self.store, &self.location);
        let got: Vec<Bytes> = runtime()
            .block_on(
                futures_util::stream::iter(parts.iter().cloned())
                    .map(|r| store.get_range(loc, r))
                    .buffered(CONCURRENCY)
                    .try_collect(),
            )
            .map_err(describe)?;
        for (r, b) in parts.iter().zip(got) {
            self.check_len(r, &b)?;
            self.fetched += b.len() as u64;
            self.blocks.push((r.start, b));
        }
        Ok(())
    }

    fn in_misc(&self, r: &Range<u64>) -> bool {
        self.misc
            .iter()
            .any(|(s, b)| *s <= r.start && r.end <= s + b.len() as u64)
    }

    /// The cached bytes from `pos` on, if any segment holds `pos`.
    fn cached(&self, pos: u64) -> Option<&[u8]> {
        fn within(pos: u64, s: u64, b: &Bytes) -> Option<&[u8]> {
            (pos >= s && pos < s + b.len() as u64).then(|| &b[(pos - s) as usize..])
        }
        if let Some(w) = &self.whole {
            return within(pos, 0, w);
        }
        let i = self.blocks.partition_point(|(s, _)| *s <= pos);
        if i > 0 {
            let (s, b) = &self.blocks[i - 1];
            if let Some(x) = within(pos, *s, b) {
                return Some(x);
            }
        }
        self.misc.iter().rev().find_map(|(s, b)| within(pos, *s, b))
    }

    fn read_ahead(&mut self, want: usize) -> std::io::Result<()> {
        let r = self.pos..(self.pos + READ_AHEAD.max(want as u64)).min(self.size);
        let b = runtime()
            .block_on(self.store.get_range(&self.location, r.clone()))
            .map_err(|e| std::io::Error::other(describe(e)))?;
        self.check_len(&r, &b).map_err(std::io::Error::other)?;
        self.fetched += b.len() as u64;
        if self.misc.len() >= MISC_SEGMENTS {
            self.misc.pop_front();
        }
        self.misc.push_back((r.start, b));
        Ok(())
    }
}

impl Read for RemoteObject {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos >= self.size || buf.is_empty() {
            return Ok(0);
        }
        if self.cached(self.pos).is_none() {
            self.read_ahead(buf.len())?;
        }
        let src = self
            .cached(self.pos)
            .ok_or_else(|| std::io::Error::other("read-ahead missed"))?;
        let n = src.len().min(buf.len());
        buf[..n].copy_from_slice(&src[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for RemoteObject {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        let p = match pos {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.size.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = p.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before start")
        })?;
        Ok(self.pos)
    }
}
