//! A fault-injecting HTTP/1.1 reverse proxy for loopback.
//!
//! Every request is read whole (`Content-Length` or chunked), sent to the upstream over a new
//! connection (`Connection: close`), and the whole answer read back and passed on; the client side
//! keeps its connection alive (browsers reuse it). With several upstreams (server processes over
//! one database) the requests take them in turn, one request each, whatever connection they came
//! on; an upstream that refuses the connection (killed, restarting) is passed over for the next, as
//! a load balancer does: nothing was sent to it, so nothing can have been applied twice. Faults hit only the sync routes
//! ([`is_sync_path`]): while faults are on, each such request draws a fault with probability
//! `percent`, the seven [`Fault`] kinds sharing it equally. A request may also name its fault
//! itself in the `x-soak-fault` header (`none`, a fault name, or `delay=MS`), which takes
//! precedence over the switch and the draw; the native soak uses it so its runs stay
//! deterministic however they interleave. The header is never forwarded.
//!
//! Control endpoints (never forwarded): `POST /__faults/on`, `POST /__faults/off`,
//! `GET /__faults/stats`.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use crate::rng::Rng;

/// The header a client may name its own fault with.
pub const FAULT_HEADER: &str = "x-soak-fault";
/// Longest request or response head accepted.
const MAX_HEAD: usize = 64 * 1024;
/// Largest body accepted (the server's own limit is 8 MiB).
const MAX_BODY: usize = 64 * 1024 * 1024;
/// How long the upstream may take for one exchange.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward, wait for the answer, then close the client connection without answering.
    DropAfterApply,
    /// Answer 502 without forwarding.
    Status502,
    /// Answer 503 without forwarding.
    Status503,
    /// Wait (200-1500 ms unless the header names it), then forward normally.
    Delay(Option<u64>),
    /// Forward the same request twice, one after the other; answer with the second answer.
    DoubleDelivery,
    /// Forward with the body cut in half (`Content-Length` adjusted).
    TruncateRequest,
    /// Forward; answer the full headers but half the body, then close.
    TruncateResponse,
}

pub const FAULT_NAMES: [&str; 7] = [
    "drop_after_apply",
    "status_502",
    "status_503",
    "delay",
    "double_delivery",
    "truncate_request",
    "truncate_response",
];

impl Fault {
    pub const ALL: [Fault; 7] = [
        Fault::DropAfterApply,
        Fault::Status502,
        Fault::Status503,
        Fault::Delay(None),
        Fault::DoubleDelivery,
        Fault::TruncateRequest,
        Fault::TruncateResponse,
    ];

    pub fn index(self) -> usize {
        match self {
            Fault::DropAfterApply => 0,
            Fault::Status502 => 1,
            Fault::Status503 => 2,
            Fault::Delay(_) => 3,
            Fault::DoubleDelivery => 4,
            Fault::TruncateRequest => 5,
            Fault::TruncateResponse => 6,
        }
    }

    pub fn name(self) -> &'static str {
        FAULT_NAMES[self.index()]
    }

    /// The header's form: `delay=700` for a delay of a given length.
    pub fn header_value(self) -> String {
        match self {
            Fault::Delay(Some(ms)) => format!("delay={ms}"),
            other => other.name().to_owned(),
        }
    }

    /// `Ok(None)` for `none`.
    pub fn parse(value: &str) -> Result<Option<Fault>, String> {
        let value = value.trim();
        if value == "none" {
            return Ok(None);
        }
        if let Some(ms) = value.strip_prefix("delay=") {
            let ms = ms.parse().map_err(|_| format!("bad delay {value:?}"))?;
            return Ok(Some(Fault::Delay(Some(ms))));
        }
        Fault::ALL
            .into_iter()
            .find(|f| f.name() == value)
            .map(Some)
            .ok_or_else(|| format!("unknown fault {value:?}"))
    }
}

/// Whether faults may hit this request target: push and pull (the app's routes are
/// `/api/v1/push` and `/api/v1/pull`; `/api/v1/sync/…` is covered too).
pub fn is_sync_path(target: &str) -> bool {
    let path = target.split('?').next().unwrap_or("");
    ["/api/v1/push", "/api/v1/pull"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
        || path.starts_with("/api/v1/sync/")
}

/// The proxy's switch, dice and counters; shared by every connection.
#[derive(Debug)]
pub struct ProxyState {
    /// Taken in turn, one request each.
    upstreams: Vec<SocketAddr>,
    /// The next upstream's turn (modulo their number).
    turn: AtomicU64,
    /// Exchanges sent to each upstream (a double delivery counts twice).
    per_upstream: Vec<AtomicU64>,
    /// Connections an upstream refused, after which the next one was tried.
    failovers: AtomicU64,
    faults_on: AtomicBool,
    percent: u64,
    rng: Mutex<Rng>,
    requests: AtomicU64,
    sync_requests: AtomicU64,
    upstream_unavailable: AtomicU64,
    faults: [AtomicU64; 7],
}

/// A snapshot of the counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub requests: u64,
    pub sync_requests: u64,
    pub upstream_unavailable: u64,
    pub faults: [u64; 7],
    pub faults_on: bool,
    /// Exchanges sent to each upstream, in the order they were given.
    pub per_upstream: Vec<u64>,
    pub failovers: u64,
}

impl Stats {
    pub fn to_json(&self) -> Value {
        let faults: serde_json::Map<String, Value> = FAULT_NAMES
            .iter()
            .zip(self.faults)
            .map(|(name, n)| (name.to_string(), n.into()))
            .collect();
        json!({
            "requests": self.requests,
            "sync_requests": self.sync_requests,
            "upstream_unavailable": self.upstream_unavailable,
            "faults_on": self.faults_on,
            "faults": faults,
            "per_upstream": self.per_upstream,
            "failovers": self.failovers,
        })
    }
}

impl ProxyState {
    pub fn new(upstream: SocketAddr, seed: u64, percent: u64, faults_on: bool) -> Arc<ProxyState> {
        ProxyState::alternating(vec![upstream], seed, percent, faults_on)
    }

    /// A proxy in front of several upstreams, which the requests take in turn (at least one).
    pub fn alternating(
        upstreams: Vec<SocketAddr>,
        seed: u64,
        percent: u64,
        faults_on: bool,
    ) -> Arc<ProxyState> {
        assert!(!upstreams.is_empty(), "a proxy needs an upstream");
        Arc::new(ProxyState {
            per_upstream: upstreams.iter().map(|_| AtomicU64::new(0)).collect(),
            upstreams,
            turn: AtomicU64::new(0),
            failovers: AtomicU64::new(0),
            faults_on: AtomicBool::new(faults_on),
            percent: percent.min(100),
            rng: Mutex::new(Rng::new(seed)),
            requests: AtomicU64::new(0),
            sync_requests: AtomicU64::new(0),
            upstream_unavailable: AtomicU64::new(0),
            faults: Default::default(),
        })
    }

    pub fn set_faults(&self, on: bool) {
        self.faults_on.store(on, Ordering::SeqCst);
    }

    pub fn stats(&self) -> Stats {
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            sync_requests: self.sync_requests.load(Ordering::Relaxed),
            upstream_unavailable: self.upstream_unavailable.load(Ordering::Relaxed),
            faults: std::array::from_fn(|i| self.faults[i].load(Ordering::Relaxed)),
            faults_on: self.faults_on.load(Ordering::Relaxed),
            per_upstream: self
                .per_upstream
                .iter()
                .map(|n| n.load(Ordering::Relaxed))
                .collect(),
            failovers: self.failovers.load(Ordering::Relaxed),
        }
    }

    /// The upstreams in the order to try them for the next exchange: the one whose turn it is
    /// first, then the others.
    fn next_upstreams(&self) -> impl Iterator<Item = (usize, SocketAddr)> + '_ {
        let n = self.upstreams.len();
        let first = (self.turn.fetch_add(1, Ordering::Relaxed) % n as u64) as usize;
        (0..n).map(move |k| {
            let i = (first + k) % n;
            (i, self.upstreams[i])
        })
    }

    /// One exchange with the upstream whose turn it is; one that refuses the connection is
    /// passed over for the next (nothing reached it).
    async fn exchange(&self, request: &Request, body: &[u8]) -> io::Result<Response> {
        let mut last = None;
        for (i, upstream) in self.next_upstreams() {
            let stream = match TcpStream::connect(upstream).await {
                Ok(stream) => stream,
                Err(e) => {
                    if self.upstreams.len() > 1 {
                        self.failovers.fetch_add(1, Ordering::Relaxed);
                    }
                    last = Some(e);
                    continue;
                }
            };
            self.per_upstream[i].fetch_add(1, Ordering::Relaxed);
            return forward(stream, request, body).await;
        }
        Err(last.unwrap_or_else(|| io::Error::other("no upstream")))
    }

    fn roll(&self) -> Option<Fault> {
        if !self.faults_on.load(Ordering::SeqCst) {
            return None;
        }
        let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        if !rng.chance(self.percent) {
            return None;
        }
        Some(*rng.pick(&Fault::ALL))
    }

    fn delay_ms(&self) -> u64 {
        self.rng
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .range(200, 1500)
    }
}

/// Accepts connections until the listener fails.
pub async fn serve(listener: TcpListener, state: Arc<ProxyState>) -> io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let _ = connection(stream, state).await;
        });
    }
}

/// Runs the proxy on a thread of its own (its own runtime), for a process that has other work
/// on its main thread. Returns the bound address.
pub fn spawn_thread(listen: SocketAddr, state: Arc<ProxyState>) -> io::Result<SocketAddr> {
    let std_listener = std::net::TcpListener::bind(listen)?;
    std_listener.set_nonblocking(true)?;
    let addr = std_listener.local_addr()?;
    std::thread::Builder::new()
        .name("soak-proxy".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("proxy runtime");
            runtime.block_on(async move {
                let listener = TcpListener::from_std(std_listener).expect("proxy listener");
                let _ = serve(listener, state).await;
            });
        })?;
    Ok(addr)
}

#[derive(Debug, Clone)]
struct Request {
    method: String,
    target: String,
    keep_alive: bool,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

#[derive(Debug, Clone)]
struct Response {
    status: u16,
    reason: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn bad(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// One line without its CRLF; `None` at a clean end of stream.
async fn read_line<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    budget: &mut usize,
) -> io::Result<Option<String>> {
    let mut line = Vec::new();
    let n = reader
        .take(*budget as u64 + 1)
        .read_until(b'\n', &mut line)
        .await?;
    if n == 0 {
        return Ok(None);
    }
    if n > *budget {
        return Err(bad("head too long"));
    }
    *budget -= n;
    if line.last() != Some(&b'\n') {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "connection closed mid-line",
        ));
    }
    while matches!(line.last(), Some(b'\n' | b'\r')) {
        line.pop();
    }
    String::from_utf8(line)
        .map(Some)
        .map_err(|_| bad("head is not UTF-8"))
}

async fn read_headers<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    budget: &mut usize,
) -> io::Result<Vec<(String, String)>> {
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader, budget)
            .await?
            .ok_or_else(|| bad("connection closed in the headers"))?;
        if line.is_empty() {
            return Ok(headers);
        }
        let (name, value) = line.split_once(':').ok_or_else(|| bad("bad header line"))?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
}

async fn read_chunked<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut budget = MAX_HEAD;
        let line = read_line(reader, &mut budget)
            .await?
            .ok_or_else(|| bad("connection closed in a chunked body"))?;
        let size = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size, 16).map_err(|_| bad("bad chunk size"))?;
        if size == 0 {
            // Trailers, up to the empty line.
            read_headers(reader, &mut budget).await?;
            return Ok(body);
        }
        if body.len() + size > MAX_BODY {
            return Err(bad("body too large"));
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..]).await?;
        let mut crlf = [0u8; 2];
        reader.read_exact(&mut crlf).await?;
    }
}

async fn read_sized<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    headers: &[(String, String)],
) -> io::Result<Option<Vec<u8>>> {
    if header(headers, "transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        return read_chunked(reader).await.map(Some);
    }
    match header(headers, "content-length") {
        Some(len) => {
            let len: usize = len.parse().map_err(|_| bad("bad content-length"))?;
            if len > MAX_BODY {
                return Err(bad("body too large"));
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).await?;
            Ok(Some(body))
        }
        None => Ok(None),
    }
}

/// The next request on a client connection; `None` when the client closed it.
async fn read_request<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
) -> io::Result<Option<Request>> {
    let mut budget = MAX_HEAD;
    // Tolerate stray empty lines between requests (RFC 9112 §2.2).
    let line = loop {
        match read_line(reader, &mut budget).await? {
            None => return Ok(None),
            Some(line) if line.is_empty() => continue,
            Some(line) => break line,
        }
    };
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("bad request line"));
    };
    let headers = read_headers(reader, &mut budget).await?;
    let body = read_sized(reader, &headers).await?.unwrap_or_default();
    let connection = header(&headers, "connection")
        .unwrap_or("")
        .to_ascii_lowercase();
    let keep_alive = if version == "HTTP/1.0" {
        connection.contains("keep-alive")
    } else {
        !connection.contains("close")
    };
    Ok(Some(Request {
        method: method.to_owned(),
        target: target.to_owned(),
        keep_alive,
        headers,
        body,
    }))
}

const HOP_BY_HOP: [&str; 10] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
    "expect",
    FAULT_HEADER,
];

fn is_hop_by_hop(name: &str) -> bool {
    HOP_BY_HOP.iter().any(|h| name.eq_ignore_ascii_case(h))
}

/// One exchange with an upstream over a fresh connection.
async fn forward(stream: TcpStream, request: &Request, body: &[u8]) -> io::Result<Response> {
    tokio::time::timeout(UPSTREAM_TIMEOUT, forward_inner(stream, request, body))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "upstream timed out"))?
}

async fn forward_inner(
    mut stream: TcpStream,
    request: &Request,
    body: &[u8],
) -> io::Result<Response> {
    let _ = stream.set_nodelay(true);
    let mut head = format!("{} {} HTTP/1.1\r\n", request.method, request.target);
    for (name, value) in &request.headers {
        if !is_hop_by_hop(name) {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    let has_body = !body.is_empty()
        || request.header("content-length").is_some()
        || request.header("transfer-encoding").is_some();
    if has_body {
        head.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    head.push_str("connection: close\r\n\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    stream.write_all(&out).await?;
    stream.flush().await?;
    let mut reader = BufReader::new(stream);
    loop {
        let mut budget = MAX_HEAD;
        let line = read_line(&mut reader, &mut budget)
            .await?
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "upstream closed"))?;
        let mut parts = line.splitn(3, ' ');
        let _version = parts.next();
        let status: u16 = parts
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("bad status line"))?;
        let reason = parts.next().unwrap_or("").to_owned();
        let headers = read_headers(&mut reader, &mut budget).await?;
        if (100..200).contains(&status) {
            continue; // interim answer (100 Continue): the real one follows
        }
        let no_body = request.method.eq_ignore_ascii_case("HEAD") || status == 204 || status == 304;
        let body = if no_body {
            Vec::new()
        } else {
            match read_sized(&mut reader, &headers).await? {
                Some(body) => body,
                None => {
                    let mut body = Vec::new();
                    (&mut reader)
                        .take(MAX_BODY as u64)
                        .read_to_end(&mut body)
                        .await?;
                    body
                }
            }
        };
        return Ok(Response {
            status,
            reason,
            headers,
            body,
        });
    }
}

fn json_response(status: u16, reason: &str, body: Value) -> Response {
    Response {
        status,
        reason: reason.to_owned(),
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string().into_bytes(),
    }
}

fn unavailable(error: &io::Error) -> Response {
    json_response(
        502,
        "Bad Gateway",
        json!({"error": "upstream_unavailable", "message": format!("soak proxy: upstream: {error}")}),
    )
}

/// The answer's bytes: headers with the full `Content-Length`, and `body_len` bytes of the body.
fn encode(response: &Response, keep_alive: bool, body_len: usize) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", response.status, response.reason);
    for (name, value) in &response.headers {
        if !is_hop_by_hop(name) {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str(&format!("content-length: {}\r\n", response.body.len()));
    head.push_str(if keep_alive {
        "connection: keep-alive\r\n\r\n"
    } else {
        "connection: close\r\n\r\n"
    });
    let mut out = head.into_bytes();
    out.extend_from_slice(&response.body[..body_len.min(response.body.len())]);
    out
}

/// What to do after an answer.
enum Next {
    Answer(Response),
    /// Headers and this much of the body, then close.
    Truncated(Response, usize),
    /// Close without a word.
    Close,
}

async fn control(state: &ProxyState, request: &Request) -> Option<Response> {
    let path = request.target.split('?').next().unwrap_or("");
    let method = request.method.to_ascii_uppercase();
    let answer = match (method.as_str(), path) {
        ("POST", "/__faults/on") => {
            state.set_faults(true);
            json!({"faults": "on"})
        }
        ("POST", "/__faults/off") => {
            state.set_faults(false);
            json!({"faults": "off"})
        }
        ("GET", "/__faults/stats") => state.stats().to_json(),
        (_, p) if p.starts_with("/__faults/") => {
            return Some(json_response(
                404,
                "Not Found",
                json!({"error": "not_found", "message": "POST /__faults/on|off, GET /__faults/stats"}),
            ))
        }
        _ => return None,
    };
    Some(json_response(200, "OK", answer))
}

async fn handle(state: &ProxyState, mut request: Request) -> Next {
    if let Some(response) = control(state, &request).await {
        return Next::Answer(response);
    }
    state.requests.fetch_add(1, Ordering::Relaxed);
    let named = request.header(FAULT_HEADER).map(Fault::parse);
    request
        .headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case(FAULT_HEADER));
    let fault = if is_sync_path(&request.target) {
        state.sync_requests.fetch_add(1, Ordering::Relaxed);
        match named {
            Some(Ok(fault)) => fault,
            Some(Err(message)) => {
                return Next::Answer(json_response(
                    400,
                    "Bad Request",
                    json!({"error": "bad_fault", "message": message}),
                ))
            }
            None => state.roll(),
        }
    } else {
        None
    };
    if let Some(fault) = fault {
        state.faults[fault.index()].fetch_add(1, Ordering::Relaxed);
    }
    // Each delivery takes the next upstream: a double delivery reaches two server processes.
    let forwarded = |body: Vec<u8>| {
        let request = request.clone();
        async move {
            match state.exchange(&request, &body).await {
                Ok(response) => Ok(response),
                Err(e) => {
                    state.upstream_unavailable.fetch_add(1, Ordering::Relaxed);
                    Err(unavailable(&e))
                }
            }
        }
    };
    let body = request.body.clone();
    match fault {
        None => Next::Answer(forwarded(body).await.unwrap_or_else(|r| r)),
        Some(Fault::DropAfterApply) => {
            let _ = forwarded(body).await;
            Next::Close
        }
        Some(Fault::Status502) => Next::Answer(json_response(
            502,
            "Bad Gateway",
            json!({"error": "fault_injected", "message": "soak proxy: injected 502"}),
        )),
        Some(Fault::Status503) => Next::Answer(json_response(
            503,
            "Service Unavailable",
            json!({"error": "fault_injected", "message": "soak proxy: injected 503"}),
        )),
        Some(Fault::Delay(ms)) => {
            let ms = ms.unwrap_or_else(|| state.delay_ms());
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Next::Answer(forwarded(body).await.unwrap_or_else(|r| r))
        }
        Some(Fault::DoubleDelivery) => {
            let _ = forwarded(body.clone()).await;
            Next::Answer(forwarded(body).await.unwrap_or_else(|r| r))
        }
        Some(Fault::TruncateRequest) => {
            let half = body.len() / 2;
            let mut body = body;
            body.truncate(half);
            Next::Answer(forwarded(body).await.unwrap_or_else(|r| r))
        }
        Some(Fault::TruncateResponse) => match forwarded(body).await {
            Ok(response) => {
                let half = response.body.len() / 2;
                Next::Truncated(response, half)
            }
            Err(response) => Next::Answer(response),
        },
    }
}

async fn connection(stream: TcpStream, state: Arc<ProxyState>) -> io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    loop {
        let request = match read_request(&mut reader).await {
            Ok(Some(request)) => request,
            Ok(None) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                let response = json_response(
                    400,
                    "Bad Request",
                    json!({"error": "bad_request", "message": format!("soak proxy: {e}")}),
                );
                write
                    .write_all(&encode(&response, false, usize::MAX))
                    .await?;
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let keep_alive = request.keep_alive;
        match handle(&state, request).await {
            Next::Answer(response) => {
                write
                    .write_all(&encode(&response, keep_alive, usize::MAX))
                    .await?;
                write.flush().await?;
                if !keep_alive {
                    return write.shutdown().await;
                }
            }
            Next::Truncated(response, len) => {
                write.write_all(&encode(&response, false, len)).await?;
                write.flush().await?;
                return write.shutdown().await;
            }
            Next::Close => return write.shutdown().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sync_routes_take_faults() {
        assert!(is_sync_path("/api/v1/push"));
        assert!(is_sync_path("/api/v1/pull?since=3&limit=500"));
        assert!(is_sync_path("/api/v1/sync/push"));
        assert!(!is_sync_path("/api/v1/pullover"));
        assert!(!is_sync_path("/api/v1/auth/sign-in"));
        assert!(!is_sync_path("/"));
    }

    /// A one-answer HTTP server: every request gets `body`.
    async fn answering(body: &'static str) -> (SocketAddr, tokio::task::JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut reader = BufReader::new(read);
                    if read_request(&mut reader).await.ok().flatten().is_some() {
                        let answer = format!(
                            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                            body.len()
                        );
                        let _ = write.write_all(answer.as_bytes()).await;
                        let _ = write.shutdown().await;
                    }
                });
            }
        });
        (addr, task)
    }

    async fn get(proxy: SocketAddr) -> String {
        let mut stream = TcpStream::connect(proxy).await.unwrap();
        stream
            .write_all(b"GET /api/v1/health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
            .rsplit("\r\n\r\n")
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    #[tokio::test]
    async fn requests_take_the_upstreams_in_turn_and_pass_over_a_dead_one() {
        let (a, task_a) = answering("a").await;
        let (b, _task_b) = answering("b").await;
        let state = ProxyState::alternating(vec![a, b], 1, 0, false);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = listener.local_addr().unwrap();
        tokio::spawn(serve(listener, Arc::clone(&state)));
        let mut answers = Vec::new();
        for _ in 0..4 {
            answers.push(get(proxy).await);
        }
        assert_eq!(answers, ["a", "b", "a", "b"]);
        // Upstream a goes down: everything reaches b, none is lost.
        task_a.abort();
        let _ = task_a.await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        for _ in 0..4 {
            assert_eq!(get(proxy).await, "b");
        }
        let stats = state.stats();
        assert_eq!(stats.per_upstream, [2, 6]);
        assert_eq!(stats.failovers, 2);
        assert_eq!(stats.upstream_unavailable, 0);
    }

    #[test]
    fn fault_header_round_trips() {
        for fault in Fault::ALL {
            assert_eq!(Fault::parse(&fault.header_value()), Ok(Some(fault)));
        }
        assert_eq!(Fault::parse("delay=700"), Ok(Some(Fault::Delay(Some(700)))));
        assert_eq!(Fault::parse("none"), Ok(None));
        assert!(Fault::parse("boom").is_err());
    }
}
