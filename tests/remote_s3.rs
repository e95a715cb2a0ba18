//! `s3://` inputs against a local S3-compatible server (moto in server mode): the endpoint in
//! `CLIMIDX_S3_ENDPOINT` (`.ci/run` starts one), else a `moto_server` found on PATH or in
//! `.venv/bin` started here; a loud skip without one, a failure when CLIMIDX_REQUIRE_S3=1.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use crate::common::{asset, read_f32, repo, tempdir};

struct Moto {
    endpoint: String,
    child: Option<Child>,
}

impl Drop for Moto {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn hostport(endpoint: &str) -> String {
    endpoint
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string()
}

fn moto_or_skip(test: &str) -> Option<Moto> {
    if let Ok(ep) = std::env::var("CLIMIDX_S3_ENDPOINT") {
        return Some(Moto {
            endpoint: ep,
            child: None,
        });
    }
    let bin = std::env::var_os("PATH")
        .and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("moto_server"))
                .find(|p| p.is_file())
        })
        .or_else(|| Some(repo().join(".venv/bin/moto_server")).filter(|p| p.is_file()));
    let Some(bin) = bin else {
        if std::env::var("CLIMIDX_REQUIRE_S3").as_deref() == Ok("1") {
            panic!("CLIMIDX_REQUIRE_S3=1 but no S3 server: set CLIMIDX_S3_ENDPOINT or install moto[server]");
        }
        eprintln!("SKIPPED (no S3 server; pip install \"moto[server]\"): {test}");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start moto_server");
    let endpoint = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(Moto {
                endpoint,
                child: Some(child),
            });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("moto_server did not start on {endpoint}");
}

/// One unsigned request to the S3 server (moto accepts them), public-read (so that unsigned
/// reads are allowed, as on a public bucket); the status code.
fn put(endpoint: &str, path: &str, body: &[u8]) -> u16 {
    let hp = hostport(endpoint);
    let mut c = TcpStream::connect(&hp).unwrap();
    write!(c, "PUT {path} HTTP/1.1\r\nHost: {hp}\r\nx-amz-acl: public-read\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).unwrap();
    c.write_all(body).unwrap();
    let mut resp = String::new();
    let _ = c.read_to_string(&mut resp);
    resp.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn climidx_s3(env: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_climidx"));
    c.current_dir(repo()).args(args);
    for k in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_NO_SIGN_REQUEST",
    ] {
        c.env_remove(k);
    }
    c.env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn an_index_over_s3_equals_the_local_run() {
    let Some(moto) = moto_or_skip("an_index_over_s3_equals_the_local_run") else {
        return;
    };
    let ep = moto.endpoint.as_str();
    let bucket = format!("climidx-{}", std::process::id());
    let st = put(ep, &format!("/{bucket}"), b"");
    assert!(st == 200, "create bucket: HTTP {st}");
    for b in ["B04.tif", "B08.tif"] {
        let st = put(
            ep,
            &format!("/{bucket}/sample/{b}"),
            &std::fs::read(asset(&format!("sample/{b}"))).unwrap(),
        );
        assert_eq!(st, 200, "put {b}");
    }
    let dir = tempdir("remote-s3");
    let local = dir.join("local.tif");
    let o = climidx_s3(
        &[],
        &[
            "index",
            "ndvi",
            "--band",
            "red=assets/sample/B04.tif",
            "--band",
            "nir=assets/sample/B08.tif",
            "-o",
            s(&local),
            "--device",
            "cpu",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let url = |b: &str| format!("s3://{bucket}/sample/{b}");
    let signed = [
        ("AWS_ENDPOINT_URL", ep),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
    ];
    let unsigned = [("AWS_ENDPOINT_URL", ep), ("AWS_NO_SIGN_REQUEST", "YES")];
    for (what, env) in [("signed", &signed[..]), ("unsigned", &unsigned[..])] {
        let out: PathBuf = dir.join(format!("{what}.tif"));
        let o = climidx_s3(
            env,
            &[
                "index",
                "ndvi",
                "--band",
                &format!("red={}", url("B04.tif")),
                "--band",
                &format!("nir={}", url("B08.tif")),
                "-o",
                s(&out),
                "--device",
                "cpu",
            ],
        );
        assert!(
            o.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let (a, b) = (read_f32(&local), read_f32(&out));
        assert!(
            a[0].iter()
                .zip(&b[0])
                .all(|(x, y)| x.to_bits() == y.to_bits()),
            "{what}: values differ"
        );
    }
    let missing = url("nope.tif");
    let o = climidx_s3(
        &signed,
        &[
            "index",
            "ndvi",
            "--band",
            &format!("red={missing}"),
            "--band",
            "nir=assets/sample/B08.tif",
            "-o",
            s(&dir.join("x.tif")),
            "--device",
            "cpu",
        ],
    );
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{e}");
    assert!(
        e.contains(&missing) && e.contains("not found (HTTP 404)"),
        "{e}"
    );
}
