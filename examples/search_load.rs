//! HTTP load on `GET /api/v1/search` of a running server: N keep-alive connections send the
//! relevance queries round-robin for a while, then requests/s and latency percentiles print.
//!
//! ```text
//! selfserve serve --content CORPUS_ROOT --addr 127.0.0.1:8099 &
//! cargo run --release --example search_load -- 127.0.0.1:8099 32 10
//! ```
//!
//! Arguments: address (default 127.0.0.1:8080), connections (32), seconds (10). Plain
//! HTTP/1.1 over std sockets, so the client costs little next to the server it measures.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const QUERIES: &str = include_str!("../tests/relevance/queries.tsv");

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr = args
        .first()
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let connections: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(32);
    let seconds: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10);
    let paths: Vec<String> = QUERIES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('\t').nth(1))
        .map(|q| format!("/api/v1/search?q={}", encode(q)))
        .collect();
    if paths.is_empty() {
        eprintln!("search_load: no queries");
        return;
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..connections)
        .map(|n| {
            let addr = addr.clone();
            let paths = paths.clone();
            std::thread::spawn(move || run(&addr, &paths, n, deadline))
        })
        .collect();
    let mut latencies: Vec<Duration> = Vec::new();
    let mut errors = 0usize;
    for worker in workers {
        match worker.join() {
            Ok((l, e)) => {
                latencies.extend(l);
                errors += e;
            }
            Err(_) => errors += 1,
        }
    }
    if latencies.is_empty() {
        eprintln!("search_load: no request succeeded ({errors} errors); is the server at {addr}?");
        return;
    }
    latencies.sort_unstable();
    let at = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    println!(
        "{} requests over {connections} connections in {seconds} s: {:.0} req/s, p50 {:.2?}, p99 {:.2?}, max {:.2?}, {errors} errors",
        latencies.len(),
        latencies.len() as f64 / seconds as f64,
        at(0.50),
        at(0.99),
        at(1.0),
    );
}

/// One connection's loop: requests until the deadline, reconnecting after an error.
fn run(addr: &str, paths: &[String], start: usize, deadline: Instant) -> (Vec<Duration>, usize) {
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut i = start;
    'connect: while Instant::now() < deadline {
        let Ok(stream) = TcpStream::connect(addr) else {
            errors += 1;
            std::thread::sleep(Duration::from_millis(50));
            continue;
        };
        let _ = stream.set_nodelay(true);
        let Ok(read_half) = stream.try_clone() else {
            errors += 1;
            continue;
        };
        let mut writer = stream;
        let mut reader = BufReader::new(read_half);
        while Instant::now() < deadline {
            let path = &paths[i % paths.len()];
            i += 1;
            let started = Instant::now();
            let request =
                format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\n\r\n");
            if writer.write_all(request.as_bytes()).is_err() || !read_response(&mut reader) {
                errors += 1;
                continue 'connect;
            }
            latencies.push(started.elapsed());
        }
    }
    (latencies, errors)
}

/// Reads one response with a Content-Length body; false on any error or non-200 status.
fn read_response(reader: &mut BufReader<TcpStream>) -> bool {
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() || !line.starts_with("HTTP/1.1 200") {
        return false;
    }
    let mut length = 0usize;
    loop {
        line.clear();
        if reader.read_line(&mut line).is_err() || line.is_empty() {
            return false;
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).is_ok()
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}
