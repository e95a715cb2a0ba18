//! A small HTTP/1.1 file server for the remote-input tests, on 127.0.0.1 with a free port:
//! GET and HEAD with single `Range: bytes=a-b` requests (206 with Content-Range), keep-alive,
//! and counters of requests and body bytes served. Modes inject what real servers do: no Range
//! support (200 with the whole file), 503 answers, added latency, and responses cut short.
//! Every connection has its own thread and each request reads only its range from the file, so
//! concurrent range requests (climidx keeps 8 in flight, curl opens several connections) are
//! served in parallel, latency included, as a real server would serve them.

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Default)]
pub struct Mode {
    /// Ignore Range headers and answer 200 with the whole file.
    pub no_ranges: bool,
    /// Answer 503 to every `n`th GET (counting from the first).
    pub fail_every: Option<u64>,
    /// Sleep this long before each answer.
    pub latency: Duration,
    /// Send only half of every GET body (Content-Length stays the full length), then close.
    pub truncate: bool,
}

#[derive(Default)]
pub struct Counters {
    pub requests: AtomicU64,
    pub gets: AtomicU64,
    pub failed: AtomicU64,
    pub body_bytes: AtomicU64,
    /// TCP connections accepted.
    pub connections: AtomicU64,
    /// Requests being answered now, and the most at once since the last reset.
    pub in_flight: AtomicU64,
    pub max_in_flight: AtomicU64,
}

pub struct Server {
    pub port: u16,
    pub counters: Arc<Counters>,
    stop: Arc<AtomicBool>,
}

impl Server {
    /// Serve the files below `root`.
    pub fn start(root: impl Into<PathBuf>, mode: Mode) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        let counters = Arc::new(Counters::default());
        let stop = Arc::new(AtomicBool::new(false));
        let root: PathBuf = root.into();
        let (c, s) = (counters.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                c.connections.fetch_add(1, Ordering::SeqCst);
                let (root, mode, c) = (root.clone(), mode.clone(), c.clone());
                std::thread::spawn(move || {
                    let _ = serve(conn, &root, &mode, &c);
                });
            }
        });
        Server {
            port,
            counters,
            stop,
        }
    }

    pub fn url(&self, rel: &str) -> String {
        format!("http://127.0.0.1:{}/{rel}", self.port)
    }

    pub fn body_bytes(&self) -> u64 {
        self.counters.body_bytes.load(Ordering::SeqCst)
    }

    pub fn reset(&self) {
        self.counters.body_bytes.store(0, Ordering::SeqCst);
        self.counters.requests.store(0, Ordering::SeqCst);
        self.counters.gets.store(0, Ordering::SeqCst);
        self.counters.connections.store(0, Ordering::SeqCst);
        self.counters.max_in_flight.store(0, Ordering::SeqCst);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(
    conn: TcpStream,
    root: &std::path::Path,
    mode: &Mode,
    c: &Counters,
) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(30)))?;
    // Headers and body go out as separate writes: without this, Nagle's algorithm and the
    // client's delayed ACK could add tens of milliseconds to each response.
    conn.set_nodelay(true)?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut out = conn;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let (method, target) = (
            parts.next().unwrap_or("").to_string(),
            parts.next().unwrap_or("/").to_string(),
        );
        let mut range = None;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h)? == 0 {
                return Ok(());
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("range") {
                    range = v.trim().strip_prefix("bytes=").map(str::to_string);
                }
            }
        }
        c.requests.fetch_add(1, Ordering::SeqCst);
        let now = c.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        c.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let answered = answer(&mut out, &method, &target, range, root, mode, c);
        c.in_flight.fetch_sub(1, Ordering::SeqCst);
        if !answered? {
            return Ok(());
        }
    }
}

/// Answer one request; `Ok(false)` when the connection is to be closed.
fn answer(
    out: &mut TcpStream,
    method: &str,
    target: &str,
    range: Option<String>,
    root: &std::path::Path,
    mode: &Mode,
    c: &Counters,
) -> std::io::Result<bool> {
    std::thread::sleep(mode.latency);
    let rel = target
        .split('?')
        .next()
        .unwrap_or("")
        .trim_start_matches('/');
    let file = if rel.split('/').any(|p| p == "..") {
        None
    } else {
        std::fs::File::open(root.join(rel))
            .ok()
            .filter(|f| f.metadata().is_ok_and(|m| m.is_file()))
    };
    let Some(mut file) = file else {
        write!(out, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")?;
        return Ok(true);
    };
    let len = file.metadata()?.len();
    let accept = if mode.no_ranges {
        ""
    } else {
        "Accept-Ranges: bytes\r\n"
    };
    if method == "HEAD" {
        write!(
            out,
            "HTTP/1.1 200 OK\r\nContent-Length: {len}\r\n{accept}\r\n"
        )?;
        return Ok(true);
    }
    let n = c.gets.fetch_add(1, Ordering::SeqCst) + 1;
    if mode.fail_every.is_some_and(|k| k == 1 || n % k == 1) {
        c.failed.fetch_add(1, Ordering::SeqCst);
        write!(
            out,
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
        )?;
        return Ok(true);
    }
    // One range `a-b` or `a-`; anything else (several ranges) is answered with the whole file.
    let want = range.filter(|_| !mode.no_ranges).and_then(|r| {
        let (a, b) = r.split_once('-')?;
        let a: u64 = a.parse().ok()?;
        let b: u64 = if b.is_empty() {
            len.saturating_sub(1)
        } else {
            b.parse().ok()?
        };
        Some((a, b.min(len.saturating_sub(1))))
    });
    let (status, start, body_len, extra) = match want {
        Some((a, _)) if a >= len => {
            write!(out, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{len}\r\nContent-Length: 0\r\n\r\n")?;
            return Ok(true);
        }
        Some((a, b)) => (
            "206 Partial Content",
            a,
            b + 1 - a,
            format!("Content-Range: bytes {a}-{b}/{len}\r\n"),
        ),
        None => ("200 OK", 0, len, String::new()),
    };
    write!(
        out,
        "HTTP/1.1 {status}\r\nContent-Length: {body_len}\r\n{accept}{extra}\r\n"
    )?;
    let send = if mode.truncate {
        body_len / 2
    } else {
        body_len
    };
    file.seek(SeekFrom::Start(start))?;
    let sent = std::io::copy(&mut file.take(send), out)?;
    c.body_bytes.fetch_add(sent, Ordering::SeqCst);
    Ok(!mode.truncate)
}
