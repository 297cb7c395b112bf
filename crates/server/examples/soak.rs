//! The fault-injection soak: "nothing lost under faults", checked on the real server binary.
//!
//! ```text
//! cargo build --profile server -p praatplaat-server --example soak
//! target/server/examples/soak native --runs 1000 --seed 1 [--database postgres]
//!     [--self-test delete-row|flip-tick] [--json out.json]
//! target/server/examples/soak proxy --listen 127.0.0.1:P --upstream 127.0.0.1:Q --seed N
//! ```
//!
//! `proxy` is the fault proxy alone (the browser soak, `tests/e2e/soak.mjs`, puts it in front of
//! the server): an HTTP/1.1 forwarder on loopback that, while faults are on, hits requests to
//! `/api/v1/push` and `/api/v1/pull` with one of: the answer dropped after the server applied the push, 502, 503,
//! a delay, double delivery, a truncated request, a truncated answer. `POST /__faults/on`,
//! `POST /__faults/off`, `GET /__faults/stats` steer it.
//!
//! `native` starts `target/server/praatplaat-server` (SQLite file, or `$PRAATPLAAT_TEST_POSTGRES`
//! from `scripts/with-postgres.sh` with `--database postgres`), the proxy in-process in front of
//! it, and plays runs: 2-3 simulated tablets (the domain's sync engine over its `MemoryStore`,
//! the app's contract) edit one interview (ticks, unticks, notes typed on save by save, unique
//! tokens), sync through the faults, edit while a push is in flight, and the server is SIGKILLed
//! mid-push and restarted on the same database. After each run: heal, sync until quiet, then
//! check every field each tablet last wrote is on the server or in a conflict beside another
//! tablet's value of it (or was seen and overwritten by a later edit), no record lost or twice,
//! change numbers increasing, every tablet equal to the server, no conflict on a field only one
//! tablet wrote. The self-tests damage the database before the check: it must report the loss.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitCode, Stdio};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use praatplaat_domain::model::{Company, Interview, PracticeAnswer, Record, RecordKind};
use praatplaat_domain::protocol::auth::{SignInRequest, SignInResponse};
use praatplaat_domain::protocol::{PullResponse, PushRequest, PushResponse, API_PREFIX};
use praatplaat_domain::sync::memory::MemoryStore;
use praatplaat_domain::sync::{sync_once, Transport};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use uuid::Uuid;

type Result<T, E = String> = std::result::Result<T, E>;

const PASSWORD: &str = "soak-wachtwoord-2026";
const PRACTICES: [&str; 5] = ["GR-01", "GR-02", "GR-06", "PR-01", "EN-01"];
const FAULTS: [&str; 7] = [
    "drop_after_apply",
    "status_502",
    "status_503",
    "delay",
    "double_delivery",
    "truncate_request",
    "truncate_response",
];

// ---------------------------------------------------------------------------------------------
// Seeded randomness (splitmix64): a run replays from its seed.

#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

// ---------------------------------------------------------------------------------------------
// The fault proxy.

struct Proxy {
    upstream: Mutex<SocketAddr>,
    on: AtomicBool,
    percent: u64,
    rng: Mutex<Rng>,
    requests: AtomicU64,
    faults: Mutex<BTreeMap<&'static str, u64>>,
}

impl Proxy {
    fn new(upstream: SocketAddr, seed: u64, percent: u64) -> Arc<Proxy> {
        Arc::new(Proxy {
            upstream: Mutex::new(upstream),
            on: AtomicBool::new(false),
            percent,
            rng: Mutex::new(Rng(seed ^ 0x5eed)),
            requests: AtomicU64::new(0),
            faults: Mutex::new(BTreeMap::new()),
        })
    }

    fn fault_for(&self, path: &str) -> Option<&'static str> {
        let synced = path.starts_with("/api/v1/push") || path.starts_with("/api/v1/pull");
        if !self.on.load(Ordering::SeqCst) || !synced {
            return None;
        }
        let mut rng = self.rng.lock().ok()?;
        if !rng.chance(self.percent) {
            return None;
        }
        let fault = FAULTS[rng.below(FAULTS.len() as u64) as usize];
        *self.faults.lock().ok()?.entry(fault).or_default() += 1;
        Some(fault)
    }

    fn stats(&self) -> Value {
        let faults = self.faults.lock().map(|f| f.clone()).unwrap_or_default();
        json!({
            "requests": self.requests.load(Ordering::SeqCst),
            "faults": faults,
            "on": self.on.load(Ordering::SeqCst),
        })
    }
}

/// One HTTP/1.1 request or answer as bytes: the head (up to the blank line) and the body.
struct Message {
    head: String,
    body: Vec<u8>,
}

impl Message {
    fn first_line(&self) -> &str {
        self.head.lines().next().unwrap_or("")
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then_some(value.trim())
        })
    }
    /// The head with `Connection: close` and the given Content-Length.
    fn bytes_with_length(&self, length: usize) -> Vec<u8> {
        let mut head: Vec<&str> = self
            .head
            .lines()
            .filter(|l| {
                let key = l
                    .split(':')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                key != "content-length" && key != "connection" && !l.is_empty()
            })
            .collect();
        let length = format!("Content-Length: {length}");
        head.push(&length);
        head.push("Connection: close");
        let mut out = head.join("\r\n").into_bytes();
        out.extend_from_slice(b"\r\n\r\n");
        out
    }
}

/// Reads one message; `Ok(None)` when the peer closed before sending anything.
async fn read_message(stream: &mut TcpStream, until_eof: bool) -> Result<Option<Message>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = stream.read(&mut chunk).await.map_err(|e| e.to_string())?;
        if n == 0 {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err("connection closed inside a head".into())
            };
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut body = buf[head_end + 4..].to_vec();
    let message = Message { head, body: vec![] };
    let length: Option<usize> = message
        .header("content-length")
        .and_then(|v| v.parse().ok());
    match length {
        Some(length) => {
            while body.len() < length {
                let n = stream.read(&mut chunk).await.map_err(|e| e.to_string())?;
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..n]);
            }
            body.truncate(length);
        }
        None if until_eof => {
            stream
                .read_to_end(&mut body)
                .await
                .map_err(|e| e.to_string())?;
        }
        None => body.clear(),
    }
    Ok(Some(Message {
        head: message.head,
        body,
    }))
}

/// Sends `request` (its body cut to `length`) upstream and reads the whole answer.
async fn forward(upstream: SocketAddr, request: &Message, length: usize) -> Result<Message> {
    let mut stream = TcpStream::connect(upstream)
        .await
        .map_err(|e| e.to_string())?;
    let mut bytes = request.bytes_with_length(length);
    bytes.extend_from_slice(&request.body[..length]);
    stream.write_all(&bytes).await.map_err(|e| e.to_string())?;
    read_message(&mut stream, true)
        .await?
        .ok_or_else(|| "upstream closed without answering".into())
}

fn json_answer(status: u16, reason: &str, body: &Value) -> Vec<u8> {
    let body = body.to_string();
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

async fn serve_client(proxy: Arc<Proxy>, mut client: TcpStream) {
    let Ok(Some(request)) = read_message(&mut client, false).await else {
        return;
    };
    proxy.requests.fetch_add(1, Ordering::SeqCst);
    let line = request.first_line().to_owned();
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let answer = match (method, path) {
        ("POST", "/__faults/on") => {
            proxy.on.store(true, Ordering::SeqCst);
            json_answer(200, "OK", &proxy.stats())
        }
        ("POST", "/__faults/off") => {
            proxy.on.store(false, Ordering::SeqCst);
            json_answer(200, "OK", &proxy.stats())
        }
        ("GET", "/__faults/stats") => json_answer(200, "OK", &proxy.stats()),
        _ => {
            let upstream = *proxy.upstream.lock().expect("proxy lock");
            let fault = proxy.fault_for(path);
            let whole = request.body.len();
            let answered = match fault {
                Some("status_502") => Ok(None),
                Some("status_503") => {
                    let _ = client
                        .write_all(&json_answer(
                            503,
                            "Service Unavailable",
                            &json!({"error": "fault", "message": "503 from the fault proxy"}),
                        ))
                        .await;
                    return;
                }
                Some("delay") => {
                    let ms = 200 + proxy.rng.lock().map(|mut r| r.below(1300)).unwrap_or(0);
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    forward(upstream, &request, whole).await.map(Some)
                }
                Some("double_delivery") => {
                    let _ = forward(upstream, &request, whole).await;
                    forward(upstream, &request, whole).await.map(Some)
                }
                Some("truncate_request") => forward(upstream, &request, whole / 2).await.map(Some),
                Some("drop_after_apply") => {
                    let _ = forward(upstream, &request, whole).await;
                    return; // the client hears nothing
                }
                _ => forward(upstream, &request, whole).await.map(Some),
            };
            match answered {
                Ok(Some(answer)) => {
                    let cut = if fault == Some("truncate_response") {
                        answer.body.len() / 2
                    } else {
                        answer.body.len()
                    };
                    let mut bytes = answer.bytes_with_length(answer.body.len());
                    bytes.extend_from_slice(&answer.body[..cut]);
                    bytes
                }
                Ok(None) => json_answer(
                    502,
                    "Bad Gateway",
                    &json!({"error": "fault", "message": "502 from the fault proxy"}),
                ),
                Err(e) => json_answer(
                    502,
                    "Bad Gateway",
                    &json!({"error": "bad_gateway", "message": e}),
                ),
            }
        }
    };
    let _ = client.write_all(&answer).await;
    let _ = client.shutdown().await;
}

async fn run_proxy(proxy: Arc<Proxy>, listener: TcpListener) {
    while let Ok((client, _)) = listener.accept().await {
        tokio::spawn(serve_client(proxy.clone(), client));
    }
}

// ---------------------------------------------------------------------------------------------
// The server under test.

struct Server {
    bin: String,
    url: String,
    port: u16,
    child: Option<Child>,
    kills: u64,
}

fn free_port() -> Result<u16> {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(probe.local_addr().map_err(|e| e.to_string())?.port())
}

impl Server {
    fn add_user(&self) -> Result<()> {
        let mut child = Command::new(&self.bin)
            .args([
                "--database-url",
                &self.url,
                "user",
                "add",
                "--username",
                "soak",
            ])
            .args(["--role", "coordinator", "--password-stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.bin))?;
        use std::io::Write;
        child
            .stdin
            .take()
            .ok_or("no stdin")?
            .write_all(format!("{PASSWORD}\n").as_bytes())
            .map_err(|e| e.to_string())?;
        let status = child.wait().map_err(|e| e.to_string())?;
        status
            .success()
            .then_some(())
            .ok_or_else(|| "user add failed".into())
    }

    async fn start(&mut self, static_dir: &str) -> Result<()> {
        let child = Command::new(&self.bin)
            .args(["--bind", &format!("127.0.0.1:{}", self.port)])
            .args(["--database-url", &self.url, "--static-dir", static_dir])
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.bin))?;
        self.child = Some(child);
        let health = format!("http://127.0.0.1:{}{API_PREFIX}/health", self.port);
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if client
                .get(&health)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Err("the server did not come up within 20 s".into())
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
            self.kills += 1;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A simulated tablet: the app's store contract (MemoryStore) and HTTP through the proxy.

/// What a hook does between the server's answer and the engine's acknowledge.
type Hook = Box<dyn FnOnce()>;

struct Http {
    client: reqwest::Client,
    api: String,
    token: String,
    /// An edit to make while this push is in flight (after its answer arrived).
    during_push: RefCell<Option<Hook>>,
    /// Kill the server right after sending the next push.
    kill_after_send: RefCell<Option<Hook>>,
}

#[derive(Debug)]
struct NetError(String);
impl std::fmt::Display for NetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for NetError {}

impl Http {
    async fn body(&self, request: reqwest::RequestBuilder) -> Result<Vec<u8>, NetError> {
        let response = request
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| NetError(e.to_string()))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| NetError(e.to_string()))?;
        if !status.is_success() {
            return Err(NetError(format!(
                "{status}: {}",
                String::from_utf8_lossy(&bytes)
            )));
        }
        Ok(bytes.to_vec())
    }
}

impl Transport for Http {
    type Error = NetError;

    async fn push(&self, request: &PushRequest) -> Result<PushResponse, NetError> {
        let sending = self.body(self.client.post(format!("{}/push", self.api)).json(request));
        let kill = self.kill_after_send.borrow_mut().take();
        let answer = if let Some(kill) = kill {
            // The request is on its way; the server dies while (or right after) applying it.
            let sending = Box::pin(sending);
            let racing = async {
                tokio::time::sleep(Duration::from_millis(3)).await;
                kill();
            };
            let (answer, ()) = tokio::join!(sending, racing);
            answer
        } else {
            sending.await
        };
        let bytes = answer?;
        let response: PushResponse =
            serde_json::from_slice(&bytes).map_err(|e| NetError(e.to_string()))?;
        if std::env::var_os("SOAK_TRACE").is_some() {
            for (c, r) in request.changes.iter().zip(&response.results) {
                eprintln!(
                    "push {} seq {} base {} -> {:?} rev {} notes {:?}",
                    &request.device_id.to_string()[..4],
                    c.seq,
                    c.record.meta().rev,
                    r.status,
                    r.rev,
                    serde_json::to_value(&c.record)
                        .map(|v| v["record"]["answers"].clone())
                        .ok()
                );
            }
        }
        if let Some(edit) = self.during_push.borrow_mut().take() {
            edit();
        }
        Ok(response)
    }

    async fn pull(&self, since: u64, limit: u32) -> Result<PullResponse, NetError> {
        let bytes = self
            .body(
                self.client
                    .get(format!("{}/pull?since={since}&limit={limit}", self.api)),
            )
            .await?;
        serde_json::from_slice(&bytes).map_err(|e| NetError(e.to_string()))
    }
}

struct Tablet {
    store: MemoryStore,
    http: Http,
}

async fn sign_in(client: &reqwest::Client, api: &str, device_id: Uuid) -> Result<String> {
    let response = client
        .post(format!("{api}/auth/sign-in"))
        .json(&SignInRequest {
            username: "soak".into(),
            password: PASSWORD.into(),
            device_id,
            device_label: "soak".into(),
        })
        .send()
        .await
        .map_err(|e| format!("sign-in: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("sign-in: {}", response.status()));
    }
    let signed: SignInResponse = response.json().await.map_err(|e| e.to_string())?;
    Ok(signed.token)
}

// ---------------------------------------------------------------------------------------------
// The oracle: every write each tablet made, per field.

#[derive(Debug, Clone)]
struct Write {
    tablet: usize,
    value: Value,
    /// What the tablet's copy held in this field just before the write.
    prior: Value,
}

#[derive(Debug, Default, Clone, serde::Serialize)]
struct Figures {
    runs: u64,
    failed_runs: u64,
    kills: u64,
    in_flight_edits: u64,
    edits: u64,
    syncs: u64,
    sync_errors: u64,
    fields_checked: u64,
    lost_fields: u64,
    lost_records: u64,
    duplicates: u64,
    phantom_conflicts: u64,
    conflicts: u64,
    unequal_devices: u64,
    set_aside: u64,
    change_number_problems: u64,
    faults: BTreeMap<String, u64>,
    proxy_requests: u64,
    seconds: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    problems: Vec<String>,
}

impl Figures {
    fn bad(&self) -> u64 {
        self.lost_fields
            + self.lost_records
            + self.duplicates
            + self.phantom_conflicts
            + self.unequal_devices
            + self.set_aside
            + self.change_number_problems
            + self.failed_runs
    }
}

/// The value at `path` (a JSON pointer) of the interview's JSON body, with absent = the default.
fn field_value(interview: &Value, path: &str) -> Value {
    let steps: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let value = steps
        .iter()
        .try_fold(interview, |node, step| node.get(*step))
        .cloned();
    value.unwrap_or_else(|| default_of(path))
}

fn default_of(path: &str) -> Value {
    if path.ends_with("/now") {
        Value::Bool(false)
    } else {
        Value::String(String::new())
    }
}

/// Values a conflict holds for `path` (the conflict may be on the field or on a parent).
fn conflict_values(interview: &Value, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for c in interview["conflicts"].as_array().into_iter().flatten() {
        let cpath = c["path"].as_str().unwrap_or("");
        if path == cpath || path.starts_with(&format!("{cpath}/")) {
            let rest = &path[cpath.len()..];
            for side in ["kept", "other"] {
                let v = &c[side];
                out.push(if rest.is_empty() {
                    if v.is_null() {
                        default_of(path)
                    } else {
                        v.clone()
                    }
                } else {
                    field_value(v, rest)
                });
            }
        }
    }
    out
}

/// Checks one field: the writes of it that are lost.
///
/// A tablet's last write is kept when the server holds it, when a conflict on the field (or on
/// its answer) holds it, or when another tablet wrote over exactly this value: it saw the (unique)
/// text and changed it, or, for a tick, the other tablet's change from a base holding this value
/// stands (the three-way merge rightly takes the one side whose net change is not nil).
fn check_field(path: &str, writes: &[Write], server: &Value) -> Vec<String> {
    let writers: BTreeSet<usize> = writes.iter().map(|w| w.tablet).collect();
    let on_server = field_value(server, path);
    let in_conflict = conflict_values(server, path);
    let mut lost = Vec::new();
    for &tablet in &writers {
        let Some(last) = writes.iter().rev().find(|w| w.tablet == tablet) else {
            continue;
        };
        // A unique text seen by another tablet was replaced on purpose, whatever came after;
        // a tick (two values only) counts as replaced when the other tablet's value stands.
        let text = last.value.is_string();
        let replaced = writes
            .iter()
            .any(|w| w.tablet != tablet && w.prior == last.value && (text || w.value == on_server));
        if on_server != last.value && !in_conflict.contains(&last.value) && !replaced {
            let trail: Vec<String> = writes
                .iter()
                .map(|w| format!("t{}:{}<-{}", w.tablet, w.value, w.prior))
                .collect();
            lost.push(format!(
                "{path}: tablet {tablet} wrote {} last, the server holds {on_server} \
                 (writes {}; conflicts {})",
                last.value,
                trail.join(" "),
                server["conflicts"]
            ));
        }
    }
    lost
}

/// The conflicts on the server that no two tablets caused: a conflict's path (a field, or an
/// answer holding fields) must cover fields written by at least two tablets.
fn phantom_conflicts(writes: &BTreeMap<String, Vec<Write>>, server: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for c in server["conflicts"].as_array().into_iter().flatten() {
        let cpath = c["path"].as_str().unwrap_or("");
        let writers: BTreeSet<usize> = writes
            .iter()
            .filter(|(p, _)| *p == cpath || p.starts_with(&format!("{cpath}/")))
            .flat_map(|(_, w)| w.iter().map(|w| w.tablet))
            .collect();
        if writers.len() < 2 {
            out.push(format!(
                "phantom conflict on {cpath} (writers {writers:?}): {c}; writes {:?}",
                writes.get(cpath)
            ));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// One run.

struct Soak {
    server: Rc<RefCell<Server>>,
    proxy: Arc<Proxy>,
    api: String,
    client: reqwest::Client,
    static_dir: String,
    figures: Figures,
    self_test: Option<String>,
    devices: usize,
}

fn interview_body(record: &Record) -> Value {
    serde_json::to_value(record)
        .map(|v| v["record"].clone())
        .unwrap_or(Value::Null)
}

fn get_interview(store: &MemoryStore, id: Uuid) -> Option<Interview> {
    match store.get(RecordKind::Interview, id) {
        Some(Record::Interview(i)) => Some(i),
        _ => None,
    }
}

impl Soak {
    // The only other borrower of the server is the kill hook, which runs inside a push; no push
    // runs while the server starts.
    #[allow(clippy::await_holding_refcell_ref)]
    async fn restart_if_down(&mut self) -> Result<()> {
        let down = self.server.borrow().child.is_none();
        if down {
            let mut server = self.server.borrow_mut();
            server.start(&self.static_dir).await?;
        }
        Ok(())
    }

    async fn sync(&mut self, tablet: &Tablet) -> bool {
        self.figures.syncs += 1;
        let ok = sync_once(&tablet.store, &tablet.http).await.is_ok();
        if !ok {
            self.figures.sync_errors += 1;
        }
        ok
    }

    async fn tablet(&self) -> Result<Tablet> {
        let device = Uuid::new_v4();
        let token = sign_in(&self.client, &self.api, device).await?;
        Ok(Tablet {
            store: MemoryStore::new(device),
            http: Http {
                client: self.client.clone(),
                api: self.api.clone(),
                token,
                during_push: RefCell::new(None),
                kill_after_send: RefCell::new(None),
            },
        })
    }

    async fn run(&mut self, seed: u64, run: u64) -> Result<Vec<String>> {
        let mut rng = Rng(seed.wrapping_mul(1_000_003).wrapping_add(run));
        self.proxy.on.store(false, Ordering::SeqCst);
        self.restart_if_down().await?;
        let n = 2 + usize::from(self.devices > 2 && rng.chance(50));
        let mut tablets = Vec::new();
        for _ in 0..n {
            tablets.push(Rc::new(self.tablet().await?));
        }
        let (company_id, interview_id) = (Uuid::new_v4(), Uuid::new_v4());
        let clock = Rc::new(RefCell::new(1_000i64));
        let writes: Rc<RefCell<BTreeMap<String, Vec<Write>>>> = Rc::default();
        tablets[0].store.save(
            Record::Company(Company {
                id: company_id,
                name: format!("Soak {run}"),
                municipality: "Gouda".into(),
                ..Company::default()
            }),
            1_000,
        );
        tablets[0].store.save(
            Record::Interview(Interview {
                id: interview_id,
                company_id,
                date: "2026-12-01".into(),
                ..Interview::default()
            }),
            1_000,
        );
        for t in &tablets {
            let t = t.clone();
            if !self.sync(&t).await {
                return Err("the first sync failed with faults off".into());
            }
        }
        // An edit: one field of the interview on one tablet, recorded for the oracle.
        let edit = {
            let writes = writes.clone();
            let clock = clock.clone();
            move |t: usize, store: &MemoryStore, rng: &mut Rng, counter: u64| {
                let Some(mut i) = get_interview(store, interview_id) else {
                    return;
                };
                let before = interview_body(&Record::Interview(i.clone()));
                let p = PRACTICES[rng.below(PRACTICES.len() as u64) as usize];
                let path = match rng.below(4) {
                    0 | 1 => {
                        let mut a: PracticeAnswer = i.answer(p);
                        a.now = !a.now;
                        i.set_answer(p, a);
                        format!("/answers/{p}/now")
                    }
                    2 => {
                        let mut a = i.answer(p);
                        a.note = format!("t{t}-e{counter}");
                        i.set_answer(p, a);
                        format!("/answers/{p}/note")
                    }
                    _ => {
                        // Typed on: the notes grow save by save.
                        if !i.notes.is_empty() && rng.chance(70) {
                            i.notes.push_str(&format!(" t{t}k{counter}"));
                        } else {
                            i.notes = format!("t{t}-n{counter}");
                        }
                        "/notes".to_owned()
                    }
                };
                let prior = field_value(&before, &path);
                let record = Record::Interview(i);
                let value = field_value(&interview_body(&record), &path);
                *clock.borrow_mut() += 1 + rng.below(50) as i64;
                store.save(record, *clock.borrow());
                writes.borrow_mut().entry(path).or_default().push(Write {
                    tablet: t,
                    value,
                    prior,
                });
            }
        };
        let steps = 20 + rng.below(21);
        let mut counter = 0;
        for _ in 0..steps {
            let t = rng.below(n as u64) as usize;
            let tablet = tablets[t].clone();
            match rng.below(10) {
                0..=4 => {
                    for _ in 0..1 + rng.below(3) {
                        counter += 1;
                        edit(t, &tablet.store, &mut rng, counter);
                        self.figures.edits += 1;
                    }
                }
                5 => self.proxy.on.store(!rng.chance(60), Ordering::SeqCst),
                6 => {
                    // An edit lands while the push is in flight.
                    counter += 1;
                    let store_tablet = tablet.clone();
                    let mut inner = rng.clone();
                    let edit = edit.clone();
                    let c = counter;
                    *tablet.http.during_push.borrow_mut() = Some(Box::new(move || {
                        edit(t, &store_tablet.store, &mut inner, c);
                    }));
                    rng.next();
                    self.figures.in_flight_edits += 1;
                    self.figures.edits += 1;
                    self.sync(&tablet).await;
                    tablet.http.during_push.borrow_mut().take();
                }
                7 if rng.chance(40) => {
                    // SIGKILL mid-push, then restart on the same database.
                    counter += 1;
                    edit(t, &tablet.store, &mut rng, counter);
                    self.figures.edits += 1;
                    let server = self.server.clone();
                    *tablet.http.kill_after_send.borrow_mut() =
                        Some(Box::new(move || server.borrow_mut().kill()));
                    self.sync(&tablet).await;
                    tablet.http.kill_after_send.borrow_mut().take();
                    self.restart_if_down().await?;
                }
                _ => {
                    self.sync(&tablet).await;
                }
            }
        }
        // Heal, then sync until quiet: every tablet twice per round, until nothing waits.
        self.proxy.on.store(false, Ordering::SeqCst);
        self.restart_if_down().await?;
        for _ in 0..4 {
            for t in &tablets {
                self.sync(t).await;
                self.sync(t).await;
            }
            if tablets.iter().all(|t| t.store.waiting() == 0) {
                break;
            }
        }
        // Quiet: one more round, so every tablet pulls what the last pushes made.
        for t in &tablets {
            self.sync(t).await;
        }
        let writes = writes.borrow().clone();
        self.damage(interview_id, &writes).await?;
        self.check(&tablets, company_id, interview_id, &writes)
            .await
    }

    /// The self-tests: damage the stored interview behind the server's back (SQLite only).
    async fn damage(
        &self,
        interview_id: Uuid,
        writes: &BTreeMap<String, Vec<Write>>,
    ) -> Result<()> {
        let Some(mode) = &self.self_test else {
            return Ok(());
        };
        let url = self.server.borrow().url.clone();
        let pool = sqlx::SqlitePool::connect(&url)
            .await
            .map_err(|e| format!("self-test needs the SQLite file: {e}"))?;
        let id = interview_id.to_string();
        if mode == "delete-row" {
            sqlx::query("DELETE FROM records WHERE kind = 'interview' AND id = ?")
                .bind(&id)
                .execute(&pool)
                .await
                .map_err(|e| e.to_string())?;
        } else {
            let data: String =
                sqlx::query_scalar("SELECT data FROM records WHERE kind = 'interview' AND id = ?")
                    .bind(&id)
                    .fetch_one(&pool)
                    .await
                    .map_err(|e| e.to_string())?;
            let mut record: Record = serde_json::from_str(&data).map_err(|e| e.to_string())?;
            // A tick some tablet set or cleared, flipped.
            // Prefer one no tablet wrote (it must hold the default), else one with one writer.
            let writers = |p: &str| {
                writes.get(&format!("/answers/{p}/now")).map_or(0, |w| {
                    w.iter().map(|w| w.tablet).collect::<BTreeSet<_>>().len()
                })
            };
            let practice = PRACTICES
                .iter()
                .min_by_key(|p| writers(p))
                .copied()
                .unwrap_or("GR-01");
            if let Record::Interview(i) = &mut record {
                let mut a = i.answer(practice);
                a.now = !a.now;
                i.set_answer(practice, a);
            }
            sqlx::query("UPDATE records SET data = ? WHERE kind = 'interview' AND id = ?")
                .bind(serde_json::to_string(&record).map_err(|e| e.to_string())?)
                .bind(&id)
                .execute(&pool)
                .await
                .map_err(|e| e.to_string())?;
        }
        pool.close().await;
        Ok(())
    }

    async fn check(
        &mut self,
        tablets: &[Rc<Tablet>],
        company_id: Uuid,
        interview_id: Uuid,
        writes: &BTreeMap<String, Vec<Write>>,
    ) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        // A fresh coordinator device pulls everything, page by page.
        let reader = self.tablet().await?;
        let mut cursor = 0;
        let mut seen: BTreeMap<(RecordKind, Uuid), Record> = BTreeMap::new();
        loop {
            let page = reader
                .http
                .pull(cursor, 500)
                .await
                .map_err(|e| format!("check pull: {e}"))?;
            if page.cursor < cursor || (page.more && page.cursor == cursor) {
                self.figures.change_number_problems += 1;
                problems.push(format!("pull cursor went from {cursor} to {}", page.cursor));
            }
            for record in page.records {
                let key = (record.kind(), record.id());
                if seen.insert(key, record).is_some() {
                    self.figures.duplicates += 1;
                    problems.push(format!("{key:?} twice in one full pull"));
                }
            }
            cursor = page.cursor;
            if !page.more {
                break;
            }
        }
        for key in [
            (RecordKind::Company, company_id),
            (RecordKind::Interview, interview_id),
        ] {
            if !seen.contains_key(&key) {
                self.figures.lost_records += 1;
                problems.push(format!("{key:?} is not on the server"));
            }
        }
        for t in tablets {
            let set_aside = t.store.set_aside();
            self.figures.set_aside += set_aside.len() as u64;
            problems.extend(set_aside.into_iter().map(|r| format!("set aside: {r}")));
            for key in [
                (RecordKind::Company, company_id),
                (RecordKind::Interview, interview_id),
            ] {
                if t.store.get(key.0, key.1).as_ref() != seen.get(&key) {
                    self.figures.unequal_devices += 1;
                    problems.push(format!("a tablet's {key:?} differs from the server's"));
                }
            }
        }
        let Some(stored) = seen.get(&(RecordKind::Interview, interview_id)) else {
            return Ok(problems);
        };
        let server = interview_body(stored);
        self.figures.conflicts += server["conflicts"].as_array().map_or(0, Vec::len) as u64;
        for (path, field_writes) in writes {
            self.figures.fields_checked += 1;
            let lost = check_field(path, field_writes, &server);
            self.figures.lost_fields += lost.len() as u64;
            problems.extend(lost);
        }
        // What no tablet wrote must hold its default: nothing invented, nothing flipped.
        let all_paths = PRACTICES
            .iter()
            .flat_map(|p| [format!("/answers/{p}/now"), format!("/answers/{p}/note")])
            .chain(["/notes".to_owned()]);
        for path in all_paths.filter(|p| !writes.contains_key(p)) {
            self.figures.fields_checked += 1;
            let value = field_value(&server, &path);
            if value != default_of(&path) {
                self.figures.lost_fields += 1;
                problems.push(format!(
                    "{path}: no tablet wrote it, the server holds {value}"
                ));
            }
        }
        let phantoms = phantom_conflicts(writes, &server);
        self.figures.phantom_conflicts += phantoms.len() as u64;
        problems.extend(phantoms);
        Ok(problems)
    }
}

// ---------------------------------------------------------------------------------------------
// Command line.

struct Args {
    command: String,
    runs: u64,
    seed: u64,
    database: String,
    self_test: Option<String>,
    json: Option<String>,
    server_bin: String,
    listen: Option<String>,
    upstream: Option<String>,
    fault_percent: u64,
    devices: usize,
    first: u64,
}

fn parse_args() -> Result<Args> {
    let mut argv = std::env::args().skip(1);
    let command = argv.next().unwrap_or_default();
    let mut args = Args {
        command,
        runs: 100,
        seed: 1,
        database: "sqlite".into(),
        self_test: None,
        json: None,
        server_bin: "target/server/praatplaat-server".into(),
        listen: None,
        upstream: None,
        fault_percent: 30,
        devices: 3,
        first: 0,
    };
    while let Some(flag) = argv.next() {
        let value = argv.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |v: &str| {
            v.parse::<u64>()
                .map_err(|_| format!("{flag}: not a number"))
        };
        match flag.as_str() {
            "--runs" => args.runs = number(&value)?,
            "--first" => args.first = number(&value)?,
            "--seed" => args.seed = number(&value)?,
            "--database" => args.database = value,
            "--self-test" if value == "delete-row" || value == "flip-tick" => {
                args.self_test = Some(value)
            }
            "--json" => args.json = Some(value),
            "--server-bin" => args.server_bin = value,
            "--listen" => args.listen = Some(value),
            "--upstream" => args.upstream = Some(value),
            "--fault-percent" => args.fault_percent = number(&value)?.min(100),
            "--devices" => args.devices = number(&value)?.clamp(2, 3) as usize,
            _ => return Err(format!("unknown argument {flag} {value}")),
        }
    }
    Ok(args)
}

const USAGE: &str = "usage: soak native [--runs N] [--seed S] [--database sqlite|postgres] \
                     [--self-test delete-row|flip-tick] [--json FILE] [--server-bin PATH]\n       \
                     soak proxy --listen 127.0.0.1:P --upstream 127.0.0.1:Q [--seed S] \
                     [--fault-percent 30]";

async fn proxy_command(args: &Args) -> Result<ExitCode> {
    let listen: SocketAddr = args
        .listen
        .as_deref()
        .ok_or("--listen is required")?
        .parse()
        .map_err(|e| format!("--listen: {e}"))?;
    let upstream: SocketAddr = args
        .upstream
        .as_deref()
        .ok_or("--upstream is required")?
        .parse()
        .map_err(|e| format!("--upstream: {e}"))?;
    if !listen.ip().is_loopback() || !upstream.ip().is_loopback() {
        return Err("the fault proxy runs on loopback only".into());
    }
    let listener = TcpListener::bind(listen).await.map_err(|e| e.to_string())?;
    println!(
        "listening on {}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    run_proxy(
        Proxy::new(upstream, args.seed, args.fault_percent),
        listener,
    )
    .await;
    Ok(ExitCode::SUCCESS)
}

async fn native_command(args: &Args) -> Result<ExitCode> {
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let url = match args.database.as_str() {
        "sqlite" => format!("sqlite:{}", work.path().join("soak.db").display()),
        "postgres" => std::env::var("PRAATPLAAT_TEST_POSTGRES")
            .map_err(|_| "--database postgres runs under scripts/with-postgres.sh")?,
        other => return Err(format!("--database: sqlite or postgres, not {other}")),
    };
    if args.self_test.is_some() && args.database != "sqlite" {
        return Err("the self-tests damage a SQLite file".into());
    }
    let static_dir = work.path().join("static");
    std::fs::create_dir_all(&static_dir).map_err(|e| e.to_string())?;
    let mut server = Server {
        bin: args.server_bin.clone(),
        url,
        port: free_port()?,
        child: None,
        kills: 0,
    };
    server.add_user()?;
    let static_dir = static_dir.display().to_string();
    server.start(&static_dir).await?;
    let upstream: SocketAddr = format!("127.0.0.1:{}", server.port)
        .parse()
        .map_err(|e| format!("{e}"))?;
    let proxy = Proxy::new(upstream, args.seed, args.fault_percent);
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let api = format!(
        "http://{}{API_PREFIX}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    tokio::spawn(run_proxy(proxy.clone(), listener));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .pool_max_idle_per_host(0)
        .build()
        .map_err(|e| e.to_string())?;
    let mut soak = Soak {
        server: Rc::new(RefCell::new(server)),
        proxy,
        api,
        client,
        static_dir,
        figures: Figures::default(),
        self_test: args.self_test.clone(),
        devices: args.devices,
    };
    let started = Instant::now();
    for run in args.first..args.first + args.runs {
        soak.figures.runs += 1;
        match soak.run(args.seed, run).await {
            Ok(problems) if problems.is_empty() => {}
            Ok(problems) => {
                if soak.figures.problems.len() < 20 {
                    soak.figures.problems.push(format!(
                        "seed {} run {run}: {}",
                        args.seed,
                        problems.join("; ")
                    ));
                }
            }
            Err(e) => {
                soak.figures.failed_runs += 1;
                soak.figures
                    .problems
                    .push(format!("seed {} run {run} failed: {e}", args.seed));
            }
        }
    }
    let mut figures = soak.figures.clone();
    figures.seconds = started.elapsed().as_secs_f64();
    figures.kills = soak.server.borrow().kills;
    let stats = soak.proxy.stats();
    figures.proxy_requests = stats["requests"].as_u64().unwrap_or(0);
    figures.faults = serde_json::from_value(stats["faults"].clone()).unwrap_or_default();
    println!("database = {}", args.database);
    for (key, value) in serde_json::to_value(&figures)
        .map_err(|e| e.to_string())?
        .as_object()
        .into_iter()
        .flatten()
    {
        if key != "problems" {
            println!("{key} = {value}");
        }
    }
    for problem in &figures.problems {
        println!("problem: {problem}");
    }
    if let Some(path) = &args.json {
        let mut value = serde_json::to_value(&figures).map_err(|e| e.to_string())?;
        value["database"] = json!(args.database);
        value["self_test"] = json!(args.self_test);
        value["seed"] = json!(args.seed);
        std::fs::write(path, format!("{value:#}\n")).map_err(|e| e.to_string())?;
    }
    let bad = figures.bad();
    Ok(match &args.self_test {
        // A self-test passes only when the damage was reported.
        Some(mode)
            if figures.failed_runs == 0
                && figures.runs > 0
                && if mode == "delete-row" {
                    figures.lost_records >= figures.runs
                } else {
                    figures.lost_fields >= figures.runs
                } =>
        {
            ExitCode::SUCCESS
        }
        Some(_) => {
            println!("self-test: the damage was NOT reported");
            ExitCode::FAILURE
        }
        None if bad == 0 => ExitCode::SUCCESS,
        None => ExitCode::FAILURE,
    })
}

fn main() -> ExitCode {
    let result = parse_args().and_then(|args| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        // Tablets are single-threaded (`MemoryStore` is a RefCell, as IndexedDB is one thread):
        // the runs go on a LocalSet, the proxy's connections on the same runtime.
        let local = tokio::task::LocalSet::new();
        local.block_on(&runtime, async {
            match args.command.as_str() {
                "native" => native_command(&args).await,
                "proxy" => proxy_command(&args).await,
                _ => Err(USAGE.into()),
            }
        })
    });
    result.unwrap_or_else(|e| {
        eprintln!("{e}");
        ExitCode::from(2)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(tablet: usize, value: Value, prior: Value) -> Write {
        Write {
            tablet,
            value,
            prior,
        }
    }

    #[test]
    fn the_oracle_tells_lost_from_kept_and_seen() {
        let server = json!({"notes": "b", "answers": {"GR-01": {"now": true}}});
        // One writer, on the server: fine.
        let w = [write(0, json!(true), json!(false))];
        assert!(check_field("/answers/GR-01/now", &w, &server).is_empty());
        // One writer, not on the server: lost.
        let w = [write(0, json!("a"), json!(""))];
        assert_eq!(check_field("/notes", &w, &server).len(), 1);
        // Two writers; tablet 1 saw "a" and replaced it: not lost.
        let w = [
            write(0, json!("a"), json!("")),
            write(1, json!("b"), json!("a")),
        ];
        assert!(check_field("/notes", &w, &server).is_empty());
        // Two writers, tablet 1 never saw "a" and the server lost it: lost.
        let w = [
            write(0, json!("a"), json!("")),
            write(1, json!("b"), json!("")),
        ];
        assert_eq!(check_field("/notes", &w, &server).len(), 1);
        // Two concurrent writers, the other value in a conflict: kept.
        let with_conflict = json!({"notes": "b", "conflicts": [
            {"path": "/notes", "kept": "b", "other": "a"}]});
        assert!(check_field("/notes", &w, &with_conflict).is_empty());
        // A conflict on a field one tablet wrote: phantom; two writers: not.
        let one: BTreeMap<String, Vec<Write>> =
            [("/notes".to_owned(), vec![write(0, json!("b"), json!(""))])].into();
        assert_eq!(phantom_conflicts(&one, &with_conflict).len(), 1);
        let two: BTreeMap<String, Vec<Write>> = [("/notes".to_owned(), w.to_vec())].into();
        assert!(phantom_conflicts(&two, &with_conflict).is_empty());
        // A conflict on an answer holds the tick of the other side.
        let answer_conflict = json!({"conflicts": [
            {"path": "/answers/GR-02", "kept": null, "other": {"now": true, "note": "x"}}]});
        let w = [
            write(0, json!(true), json!(false)),
            write(1, json!(false), json!(true)),
        ];
        assert!(check_field("/answers/GR-02/now", &w, &answer_conflict).is_empty());
    }
}
