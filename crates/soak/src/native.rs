//! The native soak: the real server binary behind the fault proxy, simulated devices
//! ([`MemoryStore`] + an HTTP [`Transport`]) editing one interview concurrently, and the
//! [`Oracle`] judging what the server holds once everything has settled.
//!
//! With `--servers 2` (PostgreSQL) two server processes share the database behind the proxy,
//! which alternates the requests between them (and passes over one that is down); a kill takes
//! them in turn, and at the end a full pull from each must show the same records. Between the
//! steps the [`hardening`] actions of issue 13 are played: an intruder pushing under a run
//! device's id, forged and genuine export files imported at the office. Every transport checks
//! that the server never answers `duplicate` for a change its device had not sent before.
//!
//! Everything device-side runs on one thread (the store is `RefCell`-based); the proxy runs on a
//! thread of its own. Several runs interleave on the device thread (`--parallel`); each run has
//! its own records and devices and draws every choice (steps, edits, faults per request, kill
//! timing) from its own seed, so `--runs 1 --seed X` replays run X, timing aside.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::rc::Rc;
use std::time::{Duration, Instant};

use praatplaat_domain::model::{Company, Interview, PracticeAnswer, Record, RecordKind};
use praatplaat_domain::plate::Definition;
use praatplaat_domain::protocol::auth::{SignInRequest, SignInResponse};
use praatplaat_domain::protocol::{
    ChangeStatus, PullResponse, PushRequest, PushResponse, API_PREFIX,
};
use praatplaat_domain::sync::memory::MemoryStore;
use praatplaat_domain::sync::{sync_once, LocalStore, SyncReport, Transport};
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::oracle::{body, Delivery, Key, Oracle};

mod hardening;
use crate::proxy::{self, Fault, ProxyState, FAULT_HEADER, FAULT_NAMES};
use crate::rng::Rng;

/// The header the soak's devices name their address in (the server trusts it, as it would a
/// reverse proxy's).
const CLIENT_IP_HEADER: &str = "x-forwarded-for";

/// The address `device` signs in from: one of its own in 10.0.0.0/8.
fn device_address(device: Uuid) -> String {
    let b = device.as_bytes();
    format!("10.{}.{}.{}", b[13], b[14], b[15])
}

/// A device's request timeout: short, so a dropped answer costs little.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// Practices a run's edits aim at: few, so devices collide.
const HOT_PRACTICES: usize = 4;
/// Settling rounds (each device syncs twice per round) before a run counts as unsettled.
const SETTLE_ROUNDS: usize = 12;
/// Failing runs printed in full.
const SHOWN_FAILURES: usize = 5;
const DETAILS_PER_RUN: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfTest {
    DeleteRow,
    FlipTick,
    /// Moves device 0's change numbers far ahead in the database (what another account's
    /// numbers on its id once did), then device 0 edits and syncs: its change must be reported
    /// as answered `duplicate` unearned.
    StolenNumbers,
}

impl SelfTest {
    pub fn parse(s: &str) -> Result<SelfTest, String> {
        match s {
            "delete-row" => Ok(SelfTest::DeleteRow),
            "flip-tick" => Ok(SelfTest::FlipTick),
            "stolen-numbers" => Ok(SelfTest::StolenNumbers),
            _ => Err(format!(
                "unknown self-test {s:?}: delete-row, flip-tick or stolen-numbers"
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Database {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub struct Args {
    pub server_bin: PathBuf,
    pub runs: u64,
    pub seed: u64,
    pub database: Database,
    pub devices: usize,
    pub self_test: Option<SelfTest>,
    pub json: Option<PathBuf>,
    pub fault_percent: u64,
    /// The kinds a faulted request draws from (every kind by default).
    pub fault_kinds: Vec<Fault>,
    pub kill_percent: u64,
    pub parallel: usize,
    /// Server processes over the one database (2: PostgreSQL only), behind the proxy.
    pub servers: usize,
    /// Share of steps before which a hardening action is played ([`hardening`]; 0: none).
    pub hardening_percent: u64,
    /// Prints every step, request and verdict of each run (for replaying one seed).
    pub trace: bool,
    /// Keeps the temporary folder (database, server log) for a look afterwards.
    pub keep: bool,
}

/// A run's step log, kept only with `--trace`.
#[derive(Clone, Default)]
struct Trace(Option<Rc<RefCell<Vec<String>>>>);

impl Trace {
    fn log(&self, line: impl FnOnce() -> String) {
        if let Some(lines) = &self.0 {
            lines.borrow_mut().push(line());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The server process

struct Server {
    bin: PathBuf,
    database_url: String,
    port: u16,
    static_dir: PathBuf,
    log: PathBuf,
    child: Option<Child>,
    starts: u64,
}

impl Server {
    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn start(&mut self) -> Result<(), String> {
        self.spawn()?;
        self.wait_healthy().await
    }

    /// Starts the process (see [`Server::wait_healthy`]).
    fn spawn(&mut self) -> Result<(), String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(|e| format!("server log {}: {e}", self.log.display()))?;
        let child = Command::new(&self.bin)
            .arg("--bind")
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("--database-url")
            .arg(&self.database_url)
            .arg("--static-dir")
            .arg(&self.static_dir)
            // Each device signs in from an address of its own (`sign_in_as`), as tablets do:
            // the sign-in limit counts attempts per name and address before their password is
            // checked, and eight runs signing in one name at once from one address would look
            // like guessing.
            .arg("--client-ip-header")
            .arg(CLIENT_IP_HEADER)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.bin.display()))?;
        self.child = Some(child);
        self.starts += 1;
        Ok(())
    }

    /// Waits until the started process answers `/health`.
    async fn wait_healthy(&mut self) -> Result<(), String> {
        let health = format!("{}{API_PREFIX}/health", self.base());
        let client = plain_client()?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = client.get(&health).send().await {
                if r.status().is_success() {
                    return Ok(());
                }
            }
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    self.child = None;
                    return Err(format!(
                        "the server exited ({status}) at start:\n{}",
                        tail(&self.log)
                    ));
                }
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "the server did not answer /health in 30 s:\n{}",
                    tail(&self.log)
                ));
            }
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
    }

    /// SIGKILL: no graceful shutdown, whatever is in flight is cut off.
    async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }
}

fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// The server processes, shared by the runs; a server's lock is held while it restarts.
struct ServerCtl {
    servers: Vec<tokio::sync::Mutex<Server>>,
    /// The server the next kill takes (they take turns).
    next_kill: Cell<usize>,
    kills: Cell<u64>,
    /// Odd while the server is down: a request that saw the same even epoch before and after
    /// had the server up throughout.
    epoch: Cell<u64>,
    /// Time spent down (kill to healthy again), over all kills.
    down: Cell<Duration>,
    /// Sign-ins under way. No kill cuts one short: the server counts an attempt before it checks
    /// the password and takes it back after (issue 13), so a sign-in killed in between stays
    /// counted as a failure, and a few hundred kills would lock the soak's account out.
    signing_in: Cell<usize>,
    /// A kill waits for the sign-ins under way; no new one starts meanwhile.
    kill_pending: Cell<bool>,
}

/// Counts a sign-in as under way while it lives.
struct SigningIn<'a>(&'a Cell<usize>);

impl<'a> SigningIn<'a> {
    fn new(count: &'a Cell<usize>) -> SigningIn<'a> {
        count.set(count.get() + 1);
        SigningIn(count)
    }
}

impl Drop for SigningIn<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

impl ServerCtl {
    /// Kills a server (the next in turn) and starts it again on the same database and port.
    /// `false` when one is down already (another run is restarting it): one at a time.
    async fn kill_and_restart(&self) -> Result<bool, String> {
        if self.kill_pending.get() || self.servers.iter().any(|s| s.try_lock().is_err()) {
            return Ok(false);
        }
        // No sign-in starts now, and those under way end first (see `signing_in`).
        self.kill_pending.set(true);
        let deadline = Instant::now() + Duration::from_secs(3);
        while self.signing_in.get() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let killed = if self.signing_in.get() > 0 {
            Ok(false)
        } else {
            self.kill_one().await
        };
        self.kill_pending.set(false);
        killed
    }

    async fn kill_one(&self) -> Result<bool, String> {
        let which = self.next_kill.get() % self.servers.len();
        let Ok(mut server) = self.servers[which].try_lock() else {
            return Ok(false);
        };
        if server.child.is_none() {
            return Ok(false);
        }
        self.next_kill.set(which + 1);
        self.epoch.set(self.epoch.get() + 1);
        let since = Instant::now();
        server.kill().await;
        self.kills.set(self.kills.get() + 1);
        let started = server.start().await;
        self.epoch.set(self.epoch.get() + 1);
        self.down.set(self.down.get() + since.elapsed());
        started.map(|()| true)
    }

    /// Waits until a sign-in may start (no kill is waiting for the ones under way).
    async fn sign_in_allowed(&self) {
        while self.kill_pending.get() {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    /// Waits while a restart is under way.
    async fn wait_up(&self) {
        for server in &self.servers {
            drop(server.lock().await);
        }
    }
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

fn plain_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(|e| format!("HTTP client: {e}"))
}

// ---------------------------------------------------------------------------------------------
// The transport

#[derive(Debug)]
pub struct NetError(String);

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NetError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HookAt {
    /// After the push's answer arrived, before the engine acknowledges it.
    AfterPush,
    /// After a pull page arrived, before the engine applies it.
    AfterPull,
}

type Action = Box<dyn FnOnce()>;

/// The task that kills and restarts the server, once a push started it.
type KillTask = Rc<RefCell<Option<JoinHandle<Result<bool, String>>>>>;

/// Counters of one run, shared with its transports.
#[derive(Debug, Default, Clone)]
struct Counters {
    faults: [u64; 7],
    requests: u64,
    /// `duplicate` verdicts for changes their device had never sent (nor exported): the server
    /// took them for applied although nothing of them had reached it. Another account's
    /// numbers on the device once did that (issue 13, point 2), and the device dropped them.
    unearned: Vec<String>,
}

/// [`Transport`] over HTTP through the fault proxy; each request names its fault
/// (`x-soak-fault`), drawn from the device's own stream.
struct HttpTransport {
    client: reqwest::Client,
    api: String,
    faults: Cell<bool>,
    percent: u64,
    /// The fault kinds drawn from (all by default).
    kinds: Vec<Fault>,
    rng: RefCell<Rng>,
    hook: RefCell<Option<(HookAt, Action)>>,
    on_push_start: RefCell<Option<Action>>,
    counters: Rc<RefCell<Counters>>,
    /// Every `seq` this device has sent (or exported): a `duplicate` for any other is unearned.
    sent: RefCell<BTreeSet<u64>>,
    device: usize,
    trace: Trace,
    book: Rc<Book>,
    server: Rc<ServerCtl>,
}

impl HttpTransport {
    fn fault(&self) -> Option<Fault> {
        if !self.faults.get() {
            return None;
        }
        let mut rng = self.rng.borrow_mut();
        if !rng.chance(self.percent) {
            return None;
        }
        if self.kinds.is_empty() {
            return None;
        }
        let fault = match *rng.pick(&self.kinds) {
            Fault::Delay(_) => Fault::Delay(Some(rng.range(200, 1500))),
            other => other,
        };
        self.counters.borrow_mut().faults[fault.index()] += 1;
        Some(fault)
    }

    fn fire(&self, at: HookAt) {
        let due = matches!(&*self.hook.borrow(), Some((when, _)) if *when == at);
        if due {
            if let Some((_, action)) = self.hook.borrow_mut().take() {
                action();
            }
        }
    }

    /// Runs a hook that did not get its moment (nothing was pushed).
    fn fire_any(&self) {
        let hook = self.hook.borrow_mut().take();
        if let Some((_, action)) = hook {
            action();
        }
    }

    /// One request with the fault drawn for it.
    async fn send_with_fault<T: serde::de::DeserializeOwned>(
        &self,
        what: &str,
        request: reqwest::RequestBuilder,
    ) -> (Result<T, NetError>, Option<Fault>) {
        self.counters.borrow_mut().requests += 1;
        let fault = self.fault();
        let header = fault.map_or_else(|| "none".to_owned(), Fault::header_value);
        let result = self.exchange(request, &header).await;
        if let Err(e) = &result {
            self.trace
                .log(|| format!("    d{} {what} [{header}] failed: {e}", self.device));
        }
        (result, fault)
    }

    async fn exchange<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        fault: &str,
    ) -> Result<T, NetError> {
        let response = request
            .header(FAULT_HEADER, fault)
            .send()
            .await
            .map_err(|e| NetError(format!("request failed: {e}")))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| NetError(format!("answer cut off ({status}): {e}")))?;
        if !status.is_success() {
            return Err(NetError(format!(
                "{status}: {}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
            )));
        }
        serde_json::from_slice(&bytes).map_err(|e| NetError(format!("answer unreadable: {e}")))
    }
}

impl Transport for HttpTransport {
    type Error = NetError;

    async fn push(&self, request: &PushRequest) -> Result<PushResponse, NetError> {
        let start = self.on_push_start.borrow_mut().take();
        if let Some(start) = start {
            start();
        }
        let body = serde_json::to_vec(request).map_err(|e| NetError(e.to_string()))?;
        let builder = self
            .client
            .post(format!("{}/push", self.api))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        let first_time: BTreeSet<u64> = {
            let mut sent = self.sent.borrow_mut();
            request
                .changes
                .iter()
                .map(|c| c.seq)
                .filter(|seq| sent.insert(*seq))
                .collect()
        };
        let epoch = self.server.epoch.get();
        let (result, fault): (Result<PushResponse, NetError>, _) =
            self.send_with_fault("push", builder).await;
        // A double delivery answers with the second delivery's verdicts: duplicates, earned.
        if let (Ok(response), false) = (&result, fault == Some(Fault::DoubleDelivery)) {
            for r in &response.results {
                if r.status == ChangeStatus::Duplicate && first_time.contains(&r.seq) {
                    self.counters.borrow_mut().unearned.push(format!(
                        "device {} sent {} #{} for the first time and it was answered duplicate",
                        self.device,
                        r.kind.as_str(),
                        r.seq
                    ));
                }
            }
        }
        let steady = epoch.is_multiple_of(2) && self.server.epoch.get() == epoch;
        let delivery = match (&result, fault) {
            (Ok(_), _) => Delivery::Delivered,
            (Err(_), Some(Fault::Status502 | Fault::Status503 | Fault::TruncateRequest)) => {
                Delivery::NotDelivered
            }
            (Err(_), Some(Fault::DropAfterApply | Fault::TruncateResponse)) if steady => {
                Delivery::Delivered
            }
            (Err(_), _) => Delivery::Ambiguous,
        };
        {
            let mut oracle = self.book.oracle.borrow_mut();
            for change in &request.changes {
                oracle.pushed(self.device, &change.record, delivery);
            }
        }
        if result.is_err() {
            self.trace
                .log(|| format!("    d{} push was {delivery:?}", self.device));
        }
        if let Ok(response) = &result {
            self.trace.log(|| {
                let sent: Vec<String> = request
                    .changes
                    .iter()
                    .map(|c| {
                        format!(
                            "{}#{} base r{}",
                            c.record.kind().as_str(),
                            c.seq,
                            c.record.meta().rev
                        )
                    })
                    .collect();
                let verdicts: Vec<String> = response
                    .results
                    .iter()
                    .map(|r| {
                        format!(
                            "#{} {:?} r{}{}",
                            r.seq,
                            r.status,
                            r.rev,
                            if r.record.is_some() { " +record" } else { "" }
                        )
                    })
                    .collect();
                format!(
                    "    d{} push{} {} -> {} ({delivery:?})",
                    self.device,
                    fault.map_or_else(String::new, |f| format!(" [{}]", f.header_value())),
                    sent.join(", "),
                    verdicts.join(", ")
                )
            });
        }
        self.fire(HookAt::AfterPush);
        result
    }

    async fn pull(&self, since: u64, limit: u32) -> Result<PullResponse, NetError> {
        let builder = self.client.get(format!(
            "{}/pull?since={since}&limit={limit}&skip_own=true",
            self.api
        ));
        let (result, fault) = self.send_with_fault("pull", builder).await;
        let result: Result<PullResponse, NetError> = result;
        if let Ok(page) = &result {
            self.trace.log(|| {
                let got: Vec<String> = page
                    .records
                    .iter()
                    .map(|r| format!("{} r{}", r.kind().as_str(), r.meta().rev))
                    .collect();
                format!(
                    "    d{} pull{} since {since} -> cursor {} [{}]",
                    self.device,
                    fault.map_or_else(String::new, |f| format!(" [{}]", f.header_value())),
                    page.cursor,
                    got.join(", ")
                )
            });
        }
        self.fire(HookAt::AfterPull);
        result
    }
}

// ---------------------------------------------------------------------------------------------
// Shared context

struct Ctx {
    args: Args,
    server: Rc<ServerCtl>,
    /// `http://127.0.0.1:<proxy>/api/v1`.
    proxy_api: String,
    /// `http://127.0.0.1:<server>/api/v1` (the checker goes around the proxy, to the first
    /// server).
    server_api: String,
    /// Every server's, for the final check (each must show the same).
    server_apis: Vec<String>,
    /// The devices' account (a coordinator).
    username: String,
    password: String,
    checker: reqwest::Client,
    /// The office that imports export files (another coordinator), through the proxy.
    office: reqwest::Client,
    /// The intruder of the hardening actions: an interviewer.
    intruder: (String, String),
    /// The highest change number a check has seen: runs start their devices there.
    cursor: Cell<u64>,
    plate: &'static Definition,
    id_prefix: u64,
    database_file: Option<PathBuf>,
}

async fn sign_in(ctx: &Ctx, api: &str, device_id: Uuid) -> Result<reqwest::Client, String> {
    sign_in_as(ctx, api, (&ctx.username, &ctx.password), device_id).await
}

/// Signs `account` (name, password) in on `device_id`; the client carries the session's token.
async fn sign_in_as(
    ctx: &Ctx,
    api: &str,
    (username, password): (&str, &str),
    device_id: Uuid,
) -> Result<reqwest::Client, String> {
    let request = SignInRequest {
        username: username.to_owned(),
        password: password.to_owned(),
        device_id,
        device_label: "soak".into(),
    };
    let client = plain_client()?;
    let mut last = String::new();
    for _ in 0..100 {
        ctx.server.sign_in_allowed().await;
        let under_way = SigningIn::new(&ctx.server.signing_in);
        let answer = client
            .post(format!("{api}/auth/sign-in"))
            .header(CLIENT_IP_HEADER, device_address(device_id))
            .json(&request)
            .send()
            .await;
        drop(under_way);
        match answer {
            Ok(r) if r.status().is_success() => {
                let signed: SignInResponse =
                    r.json().await.map_err(|e| format!("sign-in answer: {e}"))?;
                let mut headers = reqwest::header::HeaderMap::new();
                let bearer = format!("Bearer {}", signed.token)
                    .parse()
                    .map_err(|e| format!("token as header: {e}"))?;
                headers.insert(reqwest::header::AUTHORIZATION, bearer);
                return reqwest::Client::builder()
                    .no_proxy()
                    .timeout(REQUEST_TIMEOUT)
                    .default_headers(headers)
                    .build()
                    .map_err(|e| format!("HTTP client: {e}"));
            }
            Ok(r) => {
                let status = r.status();
                last = format!("{status}: {}", r.text().await.unwrap_or_default());
                // 429 `busy`: every password check was taken (many devices sign in at once);
                // asking again is what a tablet does.
                if status.is_client_error() && status != reqwest::StatusCode::TOO_MANY_REQUESTS {
                    return Err(format!("sign-in refused: {last}"));
                }
            }
            Err(e) => last = e.to_string(),
        }
        ctx.server.wait_up().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("sign-in kept failing: {last}"))
}

/// Pulls every record changed after `since`, around the proxy, in small pages. Returns the
/// records, the final cursor, and complaints about the cursors.
async fn check_pull(ctx: &Ctx, since: u64) -> Result<(Vec<Record>, u64, Vec<String>), String> {
    check_pull_at(ctx, &ctx.server_api, since).await
}

/// [`check_pull`] from the server process at `api`.
async fn check_pull_at(
    ctx: &Ctx,
    api: &str,
    since: u64,
) -> Result<(Vec<Record>, u64, Vec<String>), String> {
    let mut records = Vec::new();
    let mut complaints = Vec::new();
    let mut cursor = since;
    let mut failures = 0;
    loop {
        let url = format!("{api}/pull?since={cursor}&limit=200");
        let page: PullResponse = match async {
            let r = ctx
                .checker
                .get(&url)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = r.status();
            if !status.is_success() {
                return Err(format!("{status}"));
            }
            r.json().await.map_err(|e| e.to_string())
        }
        .await
        {
            Ok(page) => page,
            Err(e) => {
                failures += 1;
                if failures > 100 {
                    return Err(format!("check pull kept failing: {e}"));
                }
                ctx.server.wait_up().await;
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        if !page.records.is_empty() && page.cursor <= cursor {
            complaints.push(format!(
                "pull since {cursor} returned {} records with cursor {}",
                page.records.len(),
                page.cursor
            ));
        }
        records.extend(page.records);
        let more = page.more && page.cursor > cursor;
        cursor = page.cursor.max(cursor);
        if !more {
            return Ok((records, cursor, complaints));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One run

#[derive(Default, Clone)]
pub struct RunResult {
    pub seed: u64,
    pub devices: usize,
    pub steps: usize,
    pub edits: u64,
    pub syncs: u64,
    pub sync_errors: u64,
    pub requests: u64,
    pub faults: [u64; 7],
    pub kills: u64,
    pub fields_checked: usize,
    pub contended_fields: usize,
    pub lost_fields: usize,
    pub lost_records: usize,
    pub duplicates: usize,
    pub phantom_conflicts: usize,
    pub unequal_devices: usize,
    pub set_aside: usize,
    pub unsettled: usize,
    /// `duplicate` for a change its device never sent ([`Counters::unearned`]).
    pub unearned_duplicates: usize,
    /// A hardening action's answer other than the one it must get ([`hardening`]).
    pub breaches: usize,
    pub attacks: u64,
    pub forged_imports: u64,
    pub own_imports: u64,
    pub self_test_done: bool,
    pub details: Vec<String>,
    /// The server's copies at the check, for the final check across runs.
    pub records: Vec<Record>,
    pub error: Option<String>,
    trace: Trace,
}

impl RunResult {
    fn failed(&self) -> bool {
        self.lost_fields
            + self.lost_records
            + self.duplicates
            + self.phantom_conflicts
            + self.unequal_devices
            + self.set_aside
            + self.unsettled
            + self.unearned_duplicates
            + self.breaches
            > 0
            || self.error.is_some()
    }

    fn detail(&mut self, line: String) {
        if self.details.len() < DETAILS_PER_RUN {
            self.details.push(line);
        }
    }
}

struct Device {
    idx: usize,
    id: Uuid,
    store: Rc<MemoryStore>,
    net: HttpTransport,
    /// The highest number the intruder pushed under this device's id (0: never signed in on
    /// it).
    intruder_seq: Cell<u64>,
}

#[derive(Debug, Clone)]
enum Target {
    Notes,
    Ambition,
    PracticeNote(String),
    Contact,
}

#[derive(Debug, Clone)]
enum Edit {
    ToggleNow(String),
    ToggleAmbition(String),
    Set(Target, String),
    /// One key typed at the end of a text.
    Type(Target, char),
}

/// The run's mutable bookkeeping that edits (also those made from inside a transport) touch.
struct Book {
    oracle: RefCell<Oracle>,
    clock: Cell<i64>,
    edits: Cell<u64>,
    company: Uuid,
    interview: Uuid,
    trace: Trace,
}

impl Book {
    /// Shows the oracle the device's copies as they are now.
    fn observe(&self, device: usize, store: &MemoryStore) {
        let mut oracle = self.oracle.borrow_mut();
        for (kind, id) in [
            (RecordKind::Company, self.company),
            (RecordKind::Interview, self.interview),
        ] {
            if let Some(copy) = store.get(kind, id) {
                oracle.observe(device, &copy);
            }
        }
    }

    fn target_key(&self, edit: &Edit) -> Key {
        match edit {
            Edit::Set(Target::Contact, _) | Edit::Type(Target::Contact, _) => {
                (RecordKind::Company, self.company)
            }
            _ => (RecordKind::Interview, self.interview),
        }
    }

    /// A local save on `device`, booked with the oracle. `false` when nothing changed (or the
    /// device does not hold the record yet).
    fn apply(&self, device: usize, store: &MemoryStore, edit: &Edit) -> bool {
        let (kind, id) = self.target_key(edit);
        let Some(before) = store.get(kind, id) else {
            return false;
        };
        let mut after = before.clone();
        match &mut after {
            Record::Interview(i) => edit_interview(i, edit),
            Record::Company(c) => edit_company(c, edit),
            _ => {}
        }
        if after == before {
            return false;
        }
        self.clock.set(self.clock.get() + 1_000);
        store.save(after, self.clock.get());
        let saved = store.get(kind, id).expect("just saved");
        let mut oracle = self.oracle.borrow_mut();
        oracle.record(device, &before, &saved);
        self.trace
            .log(|| format!("  #{} d{device} {edit:?}", oracle.order()));
        self.edits.set(self.edits.get() + 1);
        true
    }
}

fn text_of<'a>(i: &'a mut Interview, target: &Target) -> Option<&'a mut String> {
    match target {
        Target::Notes => Some(&mut i.notes),
        Target::Ambition => Some(&mut i.ambition),
        _ => None,
    }
}

fn edit_interview(i: &mut Interview, edit: &Edit) {
    match edit {
        Edit::ToggleNow(p) => {
            let mut a = i.answer(p);
            a.now = !a.now;
            i.set_answer(p, a);
        }
        Edit::ToggleAmbition(p) => {
            let mut a = i.answer(p);
            a.ambition = !a.ambition;
            i.set_answer(p, a);
        }
        Edit::Set(Target::PracticeNote(p), text) => {
            let mut a = i.answer(p);
            a.note = text.clone();
            i.set_answer(p, a);
        }
        Edit::Type(Target::PracticeNote(p), c) => {
            let mut a = i.answer(p);
            a.note.push(*c);
            i.set_answer(p, a);
        }
        Edit::Set(target, text) => {
            if let Some(field) = text_of(i, target) {
                *field = text.clone();
            }
        }
        Edit::Type(target, c) => {
            if let Some(field) = text_of(i, target) {
                field.push(*c);
            }
        }
    }
}

fn edit_company(c: &mut Company, edit: &Edit) {
    match edit {
        Edit::Set(Target::Contact, text) => c.contact_person = text.clone(),
        Edit::Type(Target::Contact, ch) => c.contact_person.push(*ch),
        _ => {}
    }
}

/// The fields the oracle follows: every practice's three answer fields, the interview's texts,
/// the company's contact fields.
fn interview_fields(plate: &Definition) -> Vec<(String, Value)> {
    let mut fields = Vec::new();
    for p in plate.practices() {
        fields.push((format!("/answers/{}/now", p.id), json!(false)));
        fields.push((format!("/answers/{}/ambition", p.id), json!(false)));
        fields.push((format!("/answers/{}/note", p.id), json!("")));
    }
    fields.push(("/notes".into(), json!("")));
    fields.push(("/ambition".into(), json!("")));
    fields
}

fn company_fields() -> Vec<(String, Value)> {
    ["/name", "/municipality", "/address", "/contact_person"]
        .iter()
        .map(|p| (p.to_string(), json!("")))
        .collect()
}

/// A random edit by `device`; texts get a token unique in the run (`d1-e17`: device 1, edit 17).
fn random_edit(rng: &mut Rng, device: usize, n: u64, hot: &[String]) -> Edit {
    let p = rng.pick(hot).clone();
    let token = format!("d{device}-e{n}");
    match rng.below(100) {
        0..=29 => Edit::ToggleNow(p),
        30..=44 => Edit::ToggleAmbition(p),
        45..=64 => Edit::Set(Target::PracticeNote(p), token),
        65..=79 => Edit::Set(Target::Notes, token),
        80..=89 => Edit::Set(Target::Ambition, token),
        _ => Edit::Set(Target::Contact, token),
    }
}

/// Typing `1e17;` key by key at the end of a text. The first key is the device's own digit, so
/// two devices typing never produce the same text by chance.
fn typing(rng: &mut Rng, device: usize, n: u64, hot: &[String]) -> Vec<Edit> {
    let target = match rng.below(3) {
        0 => Target::Notes,
        1 => Target::PracticeNote(rng.pick(hot).clone()),
        _ => Target::Ambition,
    };
    format!("{device}e{n};")
        .chars()
        .map(|c| Edit::Type(target.clone(), c))
        .collect()
}

fn uuid(ctx: &Ctx, run_seed: u64, n: u64) -> Uuid {
    let mut r = Rng::derive(ctx.id_prefix ^ run_seed, n);
    let bytes: [u8; 16] = {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&r.next_u64().to_be_bytes());
        b[8..].copy_from_slice(&r.next_u64().to_be_bytes());
        b
    };
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

async fn sync(device: &Device, faults: bool) -> Result<SyncReport, String> {
    device.net.faults.set(faults);
    let trace = &device.net.trace;
    trace.log(|| {
        format!(
            "  d{} sync{} ({} waiting)",
            device.idx,
            if faults { " with faults" } else { "" },
            device.store.waiting()
        )
    });
    let result = sync_once(&*device.store, &device.net)
        .await
        .map_err(|e| e.to_string());
    device.net.fire_any();
    device.net.book.observe(device.idx, &device.store);
    trace.log(|| match &result {
        Ok(r) => format!(
            "  d{} synced: pushed {} merged {} pulled {}",
            device.idx, r.pushed, r.merged, r.pulled
        ),
        Err(e) => format!("  d{} sync failed: {e}", device.idx),
    });
    result
}

/// Syncs without faults until it works (another run may be restarting the server).
async fn sync_until_ok(ctx: &Ctx, device: &Device) -> Result<(), String> {
    let mut last = String::new();
    for _ in 0..100 {
        match sync(device, false).await {
            Ok(_) => return Ok(()),
            Err(e) => last = e,
        }
        ctx.server.wait_up().await;
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    Err(format!("device {} could not sync: {last}", device.idx))
}

/// Describes how a device's copy differs from the server's.
fn difference(local: &Record, server: &Record) -> String {
    let (a, b) = (body(local), body(server));
    let mut keys = Vec::new();
    if let (Some(a), Some(b)) = (a.as_object(), b.as_object()) {
        let all: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        for k in all {
            if a.get(k) != b.get(k) {
                if k == "answers" {
                    let (x, y) = (&a["answers"], &b["answers"]);
                    let ids: BTreeSet<&String> = x
                        .as_object()
                        .into_iter()
                        .chain(y.as_object())
                        .flat_map(|m| m.keys())
                        .collect();
                    for id in ids {
                        if x.get(id) != y.get(id) {
                            keys.push(format!(
                                "answers/{id}: device {} server {}",
                                x.get(id).unwrap_or(&Value::Null),
                                y.get(id).unwrap_or(&Value::Null)
                            ));
                        }
                    }
                } else if k == "rev" || k == "updated_at" || k == "conflicts" {
                    keys.push(format!(
                        "{k}: device {} server {}",
                        a.get(k).unwrap_or(&Value::Null),
                        b.get(k).unwrap_or(&Value::Null)
                    ));
                } else {
                    keys.push(k.clone());
                }
            }
        }
    }
    keys.join("; ")
}

async fn sqlite(file: &Path, sql: &str) -> Result<(), String> {
    let out = Command::new("sqlite3")
        .arg("-cmd")
        .arg(".timeout 10000")
        .arg(file)
        .arg(sql)
        .output()
        .await
        .map_err(|e| format!("sqlite3: {e} (the self-test needs the sqlite3 command)"))?;
    if !out.status.success() {
        return Err(format!(
            "sqlite3 failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// Damages what the server stores, so the check must notice.
async fn self_test(
    ctx: &Ctx,
    test: SelfTest,
    book: &Book,
    device0: &Device,
) -> Result<String, String> {
    let file = ctx
        .database_file
        .as_ref()
        .ok_or("self-tests need --database sqlite")?;
    let id = book.interview;
    match test {
        SelfTest::DeleteRow => {
            sqlite(
                file,
                &format!("DELETE FROM records WHERE kind = 'interview' AND id = '{id}'"),
            )
            .await?;
            Ok(format!("deleted interview {id}"))
        }
        SelfTest::FlipTick => {
            let key = (RecordKind::Interview, id);
            let local = match device0.store.get(key.0, key.1) {
                Some(Record::Interview(i)) => i,
                _ => return Err("device 0 lost its interview".into()),
            };
            let unwritten = book.oracle.borrow().unwritten(key);
            let practice = local
                .answers
                .keys()
                .find(|p| unwritten.contains(&format!("/answers/{p}/now")))
                .or_else(|| local.answers.keys().next())
                .cloned()
                .ok_or("the interview has no answers")?;
            let now = local.answer(&practice).now;
            sqlite(
                file,
                &format!(
                    "UPDATE records SET data = json_set(data, '$.record.answers.\"{practice}\".now', \
                     json('{}')) WHERE kind = 'interview' AND id = '{id}'",
                    !now
                ),
            )
            .await?;
            Ok(format!("flipped {practice} now to {}", !now))
        }
        SelfTest::StolenNumbers => {
            sqlite(
                file,
                &format!(
                    "UPDATE devices SET last_seq = last_seq + 100000 WHERE device_id = '{}'",
                    device0.id
                ),
            )
            .await?;
            book.apply(
                0,
                &device0.store,
                &Edit::Set(Target::Notes, "d0-self-test".into()),
            );
            // One sync: its answer is the finding (the settle rounds are over).
            let _ = sync(device0, false).await;
            Ok("moved device 0's numbers 100,000 ahead, then it edited and synced".into())
        }
    }
}

async fn run_one(ctx: &Ctx, run_seed: u64) -> RunResult {
    let mut result = RunResult {
        seed: run_seed,
        ..RunResult::default()
    };
    if let Err(e) = play(ctx, run_seed, &mut result).await {
        result.error = Some(e.clone());
        result.detail(format!("error: {e}"));
    }
    if let Some(lines) = &result.trace.0 {
        let mut out = lines.borrow().join("\n");
        for d in &result.details {
            out.push_str(&format!("\n  => {d}"));
        }
        eprintln!("{out}");
    }
    result
}

async fn play(ctx: &Ctx, run_seed: u64, result: &mut RunResult) -> Result<(), String> {
    let mut rng = Rng::new(run_seed);
    let max_devices = ctx.args.devices.max(2);
    let n_devices = 2 + rng.below(max_devices - 1);
    result.devices = n_devices;
    let start_cursor = ctx.cursor.get();
    let counters = Rc::new(RefCell::new(Counters::default()));
    let trace = if ctx.args.trace {
        Trace(Some(Rc::new(RefCell::new(vec![format!(
            "run {run_seed}: {n_devices} devices"
        )]))))
    } else {
        Trace(None)
    };
    result.trace = trace.clone();
    let company_id = uuid(ctx, run_seed, 1);
    let interview_id = uuid(ctx, run_seed, 2);
    let book = Rc::new(Book {
        oracle: RefCell::new(Oracle::default()),
        clock: Cell::new(1_760_000_000_000 + (run_seed % 100_000) as i64 * 1_000_000),
        edits: Cell::new(0),
        company: company_id,
        interview: interview_id,
        trace: trace.clone(),
    });
    let mut devices = Vec::with_capacity(n_devices);
    for idx in 0..n_devices {
        let id = uuid(ctx, run_seed, 1000 + idx as u64);
        let client = sign_in(ctx, &ctx.proxy_api, id).await?;
        let store = Rc::new(MemoryStore::new(id));
        // Like a tablet that synced before: it starts from what the server held then.
        let _ = store.apply_pulled(Vec::new(), start_cursor).await;
        devices.push(Device {
            idx,
            id,
            store,
            intruder_seq: Cell::new(0),
            net: HttpTransport {
                client,
                api: ctx.proxy_api.clone(),
                faults: Cell::new(false),
                percent: ctx.args.fault_percent,
                kinds: ctx.args.fault_kinds.clone(),
                rng: RefCell::new(Rng::derive(run_seed, 1 + idx as u64)),
                hook: RefCell::new(None),
                on_push_start: RefCell::new(None),
                counters: Rc::clone(&counters),
                sent: RefCell::new(BTreeSet::new()),
                device: idx,
                trace: trace.clone(),
                book: Rc::clone(&book),
                server: Rc::clone(&ctx.server),
            },
        });
    }

    // Device 0 creates a company and a draft interview.
    let plate = ctx.plate;
    let all: Vec<String> = plate.practices().map(|p| p.id.clone()).collect();
    let mut hot: Vec<String> = Vec::new();
    while hot.len() < HOT_PRACTICES.min(all.len()) {
        let p = rng.pick(&all).clone();
        if !hot.contains(&p) {
            hot.push(p);
        }
    }
    let company = Company {
        id: company_id,
        name: format!("Soak {run_seed} Metaal"),
        municipality: "Delft".into(),
        address: "Industrieweg 1".into(),
        contact_person: "Jan".into(),
        ..Company::default()
    };
    let mut answers = BTreeMap::new();
    for _ in 0..12 {
        let p = rng.pick(&all).clone();
        let answer = PracticeAnswer {
            now: rng.chance(50),
            ambition: rng.chance(40),
            note: if rng.chance(30) {
                format!("start-{p}")
            } else {
                String::new()
            },
        };
        if answer != PracticeAnswer::default() {
            answers.insert(p, answer);
        }
    }
    let interview = Interview {
        id: interview_id,
        company_id,
        date: "2025-06-01".into(),
        interviewer: "Soak".into(),
        plate_version: plate.plate_key(),
        answers,
        notes: "start".into(),
        ..Interview::default()
    };
    let now = book.clock.get();
    let d0 = &devices[0];
    d0.store.save(Record::Company(company), now);
    d0.store.save(Record::Interview(interview), now + 1);
    book.clock.set(now + 1);
    {
        let mut oracle = book.oracle.borrow_mut();
        let c = d0
            .store
            .get(RecordKind::Company, company_id)
            .expect("saved");
        let i = d0
            .store
            .get(RecordKind::Interview, interview_id)
            .expect("saved");
        oracle.track(&c, &company_fields());
        oracle.track(&i, &interview_fields(plate));
        oracle.observe(0, &c);
        oracle.observe(0, &i);
    }
    sync_until_ok(ctx, d0).await?;
    for device in &devices[1..] {
        for _ in 0..20 {
            sync_until_ok(ctx, device).await?;
            if device
                .store
                .get(RecordKind::Interview, interview_id)
                .is_some()
                && device.store.get(RecordKind::Company, company_id).is_some()
            {
                break;
            }
        }
        if device
            .store
            .get(RecordKind::Interview, interview_id)
            .is_none()
        {
            return Err(format!(
                "device {} never received the interview",
                device.idx
            ));
        }
    }

    // The play. The hardening actions draw from a stream of their own, so the steps' draws stay
    // those of the seed.
    let steps = rng.range(20, 40) as usize;
    result.steps = steps;
    let mut edit_no = 0u64;
    let mut side = Rng::derive(run_seed, hardening::STREAM);
    let mut actions = 0u64;
    for _ in 0..steps {
        if side.chance(ctx.args.hardening_percent) {
            actions += 1;
            let run = hardening::Run {
                seed: run_seed,
                devices: &devices,
                book: &book,
                hot: &hot,
            };
            hardening::act(ctx, &run, actions, &mut side, result).await?;
        }
        let d = rng.below(n_devices);
        let device = &devices[d];
        let roll = rng.below(100) as u64;
        let kill_from = 100 - ctx.args.kill_percent.min(17);
        if roll < 38 {
            edit_no += 1;
            let edit = random_edit(&mut rng, d, edit_no, &hot);
            book.apply(d, &device.store, &edit);
        } else if roll < 48 {
            for _ in 0..rng.range(2, 4) {
                edit_no += 1;
                let edit = random_edit(&mut rng, d, edit_no, &hot);
                book.apply(d, &device.store, &edit);
            }
        } else if roll < 56 {
            edit_no += 1;
            let keys = typing(&mut rng, d, edit_no, &hot);
            // Sometimes a sync lands in the middle of the typing.
            let cut = if rng.chance(40) {
                rng.below(keys.len())
            } else {
                keys.len()
            };
            for (k, key) in keys.iter().enumerate() {
                if k == cut {
                    result.syncs += 1;
                    if sync(device, true).await.is_err() {
                        result.sync_errors += 1;
                    }
                }
                book.apply(d, &device.store, key);
            }
        } else if roll < 83 {
            result.syncs += 1;
            if sync(device, true).await.is_err() {
                result.sync_errors += 1;
            }
        } else if roll < kill_from {
            // An edit while the sync is in flight: after the push's answer (before the
            // acknowledgement) or after a pull page (before it is applied).
            edit_no += 1;
            let edit = if rng.chance(30) {
                typing(&mut rng, d, edit_no, &hot).remove(0)
            } else {
                random_edit(&mut rng, d, edit_no, &hot)
            };
            let at = if device.store.waiting() > 0 && rng.chance(70) {
                HookAt::AfterPush
            } else {
                HookAt::AfterPull
            };
            let (book2, store2) = (Rc::clone(&book), Rc::clone(&device.store));
            *device.net.hook.borrow_mut() = Some((
                at,
                Box::new(move || {
                    book2.apply(d, &store2, &edit);
                }),
            ));
            result.syncs += 1;
            if sync(device, true).await.is_err() {
                result.sync_errors += 1;
            }
        } else {
            // SIGKILL the server 0-30 ms into a push, then restart it on the same database.
            if device.store.waiting() == 0 {
                edit_no += 1;
                let edit = random_edit(&mut rng, d, edit_no, &hot);
                book.apply(d, &device.store, &edit);
            }
            let delay = rng.range(0, 30);
            let server = Rc::clone(&ctx.server);
            let task: KillTask = Rc::new(RefCell::new(None));
            let slot = Rc::clone(&task);
            *device.net.on_push_start.borrow_mut() = Some(Box::new(move || {
                *slot.borrow_mut() = Some(tokio::task::spawn_local(async move {
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                    server.kill_and_restart().await
                }));
            }));
            result.syncs += 1;
            if sync(device, true).await.is_err() {
                result.sync_errors += 1;
            }
            device.net.on_push_start.borrow_mut().take();
            let handle = task.borrow_mut().take();
            if let Some(handle) = handle {
                match handle.await {
                    Ok(Ok(true)) => {
                        result.kills += 1;
                        trace.log(|| {
                            format!("  server killed {delay} ms into d{d}'s push, restarted")
                        });
                    }
                    Ok(Ok(false)) => {}
                    Ok(Err(e)) => return Err(e),
                    Err(e) => return Err(format!("kill task: {e}")),
                }
            }
        }
    }

    trace.log(|| "heal and settle".to_owned());
    // Heal and settle: every device syncs until a whole round pushes nothing and fails nowhere.
    let mut settled = false;
    for _ in 0..SETTLE_ROUNDS {
        let mut pushed = 0;
        let mut errors = 0;
        for device in &devices {
            for _ in 0..2 {
                match sync(device, false).await {
                    Ok(report) => pushed += report.pushed,
                    Err(_) => {
                        errors += 1;
                        ctx.server.wait_up().await;
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            }
        }
        if errors == 0 && pushed == 0 && devices.iter().all(|d| d.store.waiting() == 0) {
            settled = true;
            break;
        }
    }
    if !settled {
        result.unsettled += 1;
        let waiting: Vec<usize> = devices.iter().map(|d| d.store.waiting()).collect();
        result.detail(format!(
            "did not settle in {SETTLE_ROUNDS} rounds (waiting per device {waiting:?})"
        ));
    }
    {
        let c = counters.borrow();
        result.faults = c.faults;
        result.requests = c.requests;
    }
    result.edits = book.edits.get();

    if let Some(test) = ctx.args.self_test {
        let what = self_test(ctx, test, &book, &devices[0]).await?;
        result.self_test_done = true;
        result.detail(format!("self-test: {what}"));
    }

    let unearned = counters.borrow().unearned.clone();
    result.unearned_duplicates = unearned.len();
    for line in unearned {
        result.detail(line);
    }

    // The check.
    let (records, cursor, complaints) = check_pull(ctx, start_cursor).await?;
    ctx.cursor.set(ctx.cursor.get().max(cursor));
    for complaint in complaints {
        result.duplicates += 1;
        result.detail(format!("cursor: {complaint}"));
    }
    let keys: [Key; 2] = [
        (RecordKind::Company, company_id),
        (RecordKind::Interview, interview_id),
    ];
    let oracle = book.oracle.borrow();
    result.contended_fields = oracle.contended();
    for key in keys {
        let copies: Vec<&Record> = records
            .iter()
            .filter(|r| (r.kind(), r.id()) == key)
            .collect();
        if copies.len() > 1 {
            result.duplicates += copies.len() - 1;
            result.detail(format!(
                "{} {} appears {} times in one pull",
                key.0.as_str(),
                key.1,
                copies.len()
            ));
        }
        let Some(server) = copies.last().copied() else {
            result.lost_records += 1;
            result.detail(format!(
                "{} {} created by device 0 is not on the server",
                key.0.as_str(),
                key.1
            ));
            continue;
        };
        result.records.push(server.clone());
        let check = oracle.check(server);
        result.fields_checked += check.checked;
        result.lost_fields += check.lost.len();
        result.phantom_conflicts += check.phantom.len();
        for line in check.lost {
            result.detail(format!("lost field {line}"));
        }
        for line in check.phantom {
            result.detail(format!("phantom {line}"));
        }
        for device in &devices {
            match device.store.get(key.0, key.1) {
                Some(local) if &local == server => {}
                Some(local) => {
                    result.unequal_devices += 1;
                    let diff = difference(&local, server);
                    result.detail(format!(
                        "device {} {} differs from the server: {diff}",
                        device.idx,
                        key.0.as_str()
                    ));
                }
                None => {
                    result.unequal_devices += 1;
                    result.detail(format!(
                        "device {} lacks the {}",
                        device.idx,
                        key.0.as_str()
                    ));
                }
            }
        }
    }
    for device in &devices {
        let aside = device.store.set_aside();
        result.set_aside += aside.len();
        for reason in aside {
            result.detail(format!("device {} set aside: {reason}", device.idx));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The whole soak

struct Workspace {
    dir: PathBuf,
    keep: bool,
}

impl Drop for Workspace {
    fn drop(&mut self) {
        if self.keep {
            eprintln!("soak: kept {}", self.dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn workspace(keep: bool) -> Result<Workspace, String> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("praatplaat-soak-{}-{stamp}", std::process::id()));
    std::fs::create_dir_all(dir.join("static")).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(Workspace { dir, keep })
}

async fn postgres_database() -> Result<String, String> {
    let url = std::env::var("DATABASE_URL")
        .or_else(|_| std::env::var("PRAATPLAAT_TEST_POSTGRES"))
        .map_err(|_| {
            "--database postgres needs DATABASE_URL or PRAATPLAAT_TEST_POSTGRES \
             (run through scripts/with-postgres.sh)"
                .to_owned()
        })?;
    // A fresh database in that cluster when psql is at hand; else the URL as given.
    let name = format!("soak_{}_{}", std::process::id(), {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    let created = Command::new("psql")
        .arg(&url)
        .arg("-qc")
        .arg(format!("CREATE DATABASE {name}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await
        .is_ok_and(|s| s.success());
    match (created, url.rsplit_once('/')) {
        (true, Some((base, _))) => Ok(format!("{base}/{name}")),
        _ => Ok(url),
    }
}

async fn add_user(
    bin: &Path,
    database_url: &str,
    username: &str,
    role: &str,
    password: &str,
) -> Result<(), String> {
    let mut child = Command::new(bin)
        .arg("--database-url")
        .arg(database_url)
        .args([
            "user",
            "add",
            "--username",
            username,
            "--role",
            role,
            "--password-stdin",
        ])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(format!("{password}\n").as_bytes())
            .await
            .map_err(|e| format!("user add: {e}"))?;
    }
    let out = child
        .wait_with_output()
        .await
        .map_err(|e| format!("user add: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "user add failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

#[derive(Debug, Default)]
struct Totals {
    runs: u64,
    devices: u64,
    steps: u64,
    edits: u64,
    syncs: u64,
    sync_errors: u64,
    requests: u64,
    faults: [u64; 7],
    kills: u64,
    fields_checked: u64,
    contended_fields: u64,
    lost_fields: u64,
    lost_records: u64,
    duplicates: u64,
    phantom_conflicts: u64,
    unequal_devices: u64,
    set_aside: u64,
    unsettled: u64,
    unearned_duplicates: u64,
    breaches: u64,
    attacks: u64,
    forged_imports: u64,
    own_imports: u64,
    errors: u64,
    failing_runs: u64,
}

impl Totals {
    fn add(&mut self, r: &RunResult) {
        self.runs += 1;
        self.devices += r.devices as u64;
        self.steps += r.steps as u64;
        self.edits += r.edits;
        self.syncs += r.syncs;
        self.sync_errors += r.sync_errors;
        self.requests += r.requests;
        for (t, f) in self.faults.iter_mut().zip(r.faults) {
            *t += f;
        }
        self.kills += r.kills;
        self.fields_checked += r.fields_checked as u64;
        self.contended_fields += r.contended_fields as u64;
        self.lost_fields += r.lost_fields as u64;
        self.lost_records += r.lost_records as u64;
        self.duplicates += r.duplicates as u64;
        self.phantom_conflicts += r.phantom_conflicts as u64;
        self.unequal_devices += r.unequal_devices as u64;
        self.set_aside += r.set_aside as u64;
        self.unsettled += r.unsettled as u64;
        self.unearned_duplicates += r.unearned_duplicates as u64;
        self.breaches += r.breaches as u64;
        self.attacks += r.attacks;
        self.forged_imports += r.forged_imports;
        self.own_imports += r.own_imports;
        self.errors += u64::from(r.error.is_some());
        self.failing_runs += u64::from(r.failed());
    }
}

/// Runs the soak; returns whether it passed (in a self-test: whether the damage was found).
pub async fn run(args: Args) -> Result<bool, String> {
    let started = Instant::now();
    if !args.server_bin.is_file() {
        return Err(format!(
            "{} not found: cargo build --profile server -p praatplaat-server",
            args.server_bin.display()
        ));
    }
    if args.servers > 1 && args.database == Database::Sqlite {
        return Err(
            "--servers 2 shares one PostgreSQL database between the processes: \
             use --database postgres (SQLite is one process's file)"
                .into(),
        );
    }
    let work = workspace(args.keep)?;
    let (database_url, database_file) = match args.database {
        Database::Sqlite => {
            let file = work.dir.join("soak.db");
            (format!("sqlite:{}", file.display()), Some(file))
        }
        Database::Postgres => {
            if args.self_test.is_some() {
                return Err("the self-tests damage SQLite rows: use --database sqlite".into());
            }
            (postgres_database().await?, None)
        }
    };
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let id_prefix = Rng::derive(stamp, u64::from(std::process::id())).next_u64();
    let username = "soak".to_owned();
    let password = format!("soak-{:016x}", Rng::new(id_prefix).next_u64());
    let office_password = format!("office-{:016x}", Rng::derive(id_prefix, 1).next_u64());
    let intruder_password = format!("intruder-{:016x}", Rng::derive(id_prefix, 2).next_u64());
    for (name, role, secret) in [
        (username.as_str(), "coordinator", &password),
        (hardening::OFFICE, "coordinator", &office_password),
        (hardening::INTRUDER, "interviewer", &intruder_password),
    ] {
        add_user(&args.server_bin, &database_url, name, role, secret).await?;
    }

    // The server processes start together (both migrate and seed the one database at once).
    let mut servers = Vec::with_capacity(args.servers);
    for n in 0..args.servers.max(1) {
        let mut server = Server {
            bin: args.server_bin.clone(),
            database_url: database_url.clone(),
            port: free_port()?,
            static_dir: work.dir.join("static"),
            log: work.dir.join(if n == 0 {
                "server.log".to_owned()
            } else {
                format!("server{}.log", n + 1)
            }),
            child: None,
            starts: 0,
        };
        server.spawn()?;
        servers.push(server);
    }
    for server in &mut servers {
        server.wait_healthy().await?;
    }
    let server_apis: Vec<String> = servers
        .iter()
        .map(|s| format!("{}{API_PREFIX}", s.base()))
        .collect();
    let server_api = server_apis[0].clone();
    let ports: Vec<u16> = servers.iter().map(|s| s.port).collect();
    let upstreams = ports
        .iter()
        .map(|port| format!("127.0.0.1:{port}").parse())
        .collect::<Result<Vec<std::net::SocketAddr>, _>>()
        .map_err(|e| format!("{e}"))?;
    // Faults come per request from the devices (x-soak-fault); the switch stays off.
    let proxy_state = ProxyState::alternating(upstreams, args.seed, args.fault_percent, false);
    let proxy_addr = proxy::spawn_thread(
        "127.0.0.1:0".parse().expect("address"),
        std::sync::Arc::clone(&proxy_state),
    )
    .map_err(|e| format!("proxy: {e}"))?;
    let ctl = Rc::new(ServerCtl {
        servers: servers.into_iter().map(tokio::sync::Mutex::new).collect(),
        next_kill: Cell::new(0),
        kills: Cell::new(0),
        epoch: Cell::new(0),
        down: Cell::new(Duration::ZERO),
        signing_in: Cell::new(0),
        kill_pending: Cell::new(false),
    });
    let plate = Definition::current().map_err(|e| format!("plate: {e}"))?;
    let proxy_api = format!("http://{proxy_addr}{API_PREFIX}");
    let mut ctx = Ctx {
        args: args.clone(),
        server: Rc::clone(&ctl),
        proxy_api: proxy_api.clone(),
        server_api: server_api.clone(),
        server_apis: server_apis.clone(),
        username,
        password,
        checker: plain_client()?,
        office: plain_client()?,
        intruder: (hardening::INTRUDER.to_owned(), intruder_password),
        cursor: Cell::new(0),
        plate,
        id_prefix,
        database_file,
    };
    ctx.checker = sign_in(&ctx, &server_api, uuid(&ctx, u64::MAX, 0)).await?;
    ctx.office = sign_in_as(
        &ctx,
        &proxy_api,
        (hardening::OFFICE, &office_password),
        uuid(&ctx, u64::MAX, 1),
    )
    .await?;
    let ports: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
    eprintln!(
        "soak: {} {} ({}), proxy {proxy_addr}, {} runs from seed {}, {} at a time",
        if ports.len() == 1 {
            "server"
        } else {
            "servers"
        },
        ports.join(" and "),
        match args.database {
            Database::Sqlite => "sqlite",
            Database::Postgres => "postgres",
        },
        args.runs,
        args.seed,
        args.parallel
    );
    let ctx = Rc::new(ctx);

    // The runs, `parallel` at a time.
    let next = Rc::new(Cell::new(0u64));
    let results: Rc<RefCell<Vec<RunResult>>> = Rc::new(RefCell::new(Vec::new()));
    let last_report = Rc::new(Cell::new(Instant::now()));
    let workers: Vec<JoinHandle<()>> = (0..args.parallel.max(1))
        .map(|_| {
            let (ctx, next, results, last_report) = (
                Rc::clone(&ctx),
                Rc::clone(&next),
                Rc::clone(&results),
                Rc::clone(&last_report),
            );
            tokio::task::spawn_local(async move {
                loop {
                    let i = next.get();
                    if i >= ctx.args.runs {
                        return;
                    }
                    next.set(i + 1);
                    let result = run_one(&ctx, ctx.args.seed.wrapping_add(i)).await;
                    let mut results = results.borrow_mut();
                    results.push(result);
                    if last_report.get().elapsed() > Duration::from_secs(15) {
                        last_report.set(Instant::now());
                        let failing = results.iter().filter(|r| r.failed()).count();
                        eprintln!(
                            "soak: {}/{} runs, {failing} failing, {:.0} s",
                            results.len(),
                            ctx.args.runs,
                            started.elapsed().as_secs_f64()
                        );
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.map_err(|e| format!("worker: {e}"))?;
    }
    let mut results = Rc::try_unwrap(results)
        .map(RefCell::into_inner)
        .unwrap_or_else(|rc| rc.borrow().clone());
    results.sort_by_key(|r| r.seed);

    // Across runs: one full pull from 0 must hold every run's records once, as its check saw them.
    let (all, _, complaints) = check_pull(&ctx, 0).await?;
    let mut final_problems: Vec<String> =
        complaints.iter().map(|c| format!("cursor: {c}")).collect();
    let mut final_duplicates = complaints.len() as u64;
    let mut final_lost = 0u64;
    // Every other server process shows exactly the same (same records, same change numbers
    // order): nothing one of them holds in memory decides what the database holds.
    for (n, api) in ctx.server_apis.iter().enumerate().skip(1) {
        let (theirs, _, complaints) = check_pull_at(&ctx, api, 0).await?;
        final_duplicates += complaints.len() as u64;
        final_problems.extend(
            complaints
                .iter()
                .map(|c| format!("server {}: cursor: {c}", n + 1)),
        );
        if theirs != all {
            final_lost += 1;
            final_problems.push(format!(
                "server {} pulls {} records from 0, server 1 {}, or other ones",
                n + 1,
                theirs.len(),
                all.len()
            ));
        }
    }
    let mut seen: BTreeMap<Key, usize> = BTreeMap::new();
    for r in &all {
        *seen.entry((r.kind(), r.id())).or_default() += 1;
    }
    for (key, n) in &seen {
        if *n > 1 {
            final_duplicates += (*n - 1) as u64;
            final_problems.push(format!(
                "{} {} appears {n} times in the full pull",
                key.0.as_str(),
                key.1
            ));
        }
    }
    let by_key: BTreeMap<Key, &Record> = all.iter().map(|r| ((r.kind(), r.id()), r)).collect();
    for result in &results {
        for record in &result.records {
            let key = (record.kind(), record.id());
            if by_key.get(&key).copied() != Some(record) {
                final_lost += 1;
                final_problems.push(format!(
                    "run {}: {} {} missing or changed in the full pull",
                    result.seed,
                    key.0.as_str(),
                    key.1
                ));
            }
        }
    }

    let mut restarts = 0;
    for server in &ctl.servers {
        let mut server = server.lock().await;
        server.kill().await;
        restarts += server.starts.saturating_sub(1);
    }
    let proxy_stats = proxy_state.stats();

    let mut totals = Totals::default();
    for r in &results {
        totals.add(r);
    }
    totals.duplicates += final_duplicates;
    totals.lost_records += final_lost;
    let seconds = started.elapsed().as_secs_f64();
    let per_minute = totals.runs as f64 / seconds * 60.0;

    let mut lines: Vec<(String, Value)> = vec![
        (
            "database".into(),
            json!(match args.database {
                Database::Sqlite => "sqlite",
                Database::Postgres => "postgres",
            }),
        ),
        ("servers".into(), json!(args.servers)),
        ("seed".into(), json!(args.seed)),
        ("runs".into(), json!(totals.runs)),
        ("parallel".into(), json!(args.parallel)),
        ("devices".into(), json!(totals.devices)),
        ("steps".into(), json!(totals.steps)),
        ("edits".into(), json!(totals.edits)),
        ("syncs".into(), json!(totals.syncs)),
        ("sync_errors".into(), json!(totals.sync_errors)),
        ("requests".into(), json!(totals.requests)),
        ("proxy_requests".into(), json!(proxy_stats.requests)),
        ("proxy_per_server".into(), json!(proxy_stats.per_upstream)),
        ("proxy_failovers".into(), json!(proxy_stats.failovers)),
    ];
    for (name, n) in FAULT_NAMES.iter().zip(totals.faults) {
        lines.push((format!("faults.{name}"), json!(n)));
    }
    lines.extend([
        (
            "faults.total".into(),
            json!(totals.faults.iter().sum::<u64>()),
        ),
        ("kills".into(), json!(ctl.kills.get())),
        ("kills_by_runs".into(), json!(totals.kills)),
        ("restarts".into(), json!(restarts)),
        (
            "restart_ms_mean".into(),
            json!((ctl.down.get().as_secs_f64() * 1000.0 / ctl.kills.get().max(1) as f64).round()),
        ),
        ("fields_checked".into(), json!(totals.fields_checked)),
        ("contended_fields".into(), json!(totals.contended_fields)),
        ("lost_fields".into(), json!(totals.lost_fields)),
        ("lost_records".into(), json!(totals.lost_records)),
        ("duplicates".into(), json!(totals.duplicates)),
        ("phantom_conflicts".into(), json!(totals.phantom_conflicts)),
        ("unequal_devices".into(), json!(totals.unequal_devices)),
        ("set_aside".into(), json!(totals.set_aside)),
        ("unsettled".into(), json!(totals.unsettled)),
        (
            "unearned_duplicates".into(),
            json!(totals.unearned_duplicates),
        ),
        ("hardening.attacks".into(), json!(totals.attacks)),
        (
            "hardening.forged_imports".into(),
            json!(totals.forged_imports),
        ),
        ("hardening.own_imports".into(), json!(totals.own_imports)),
        ("breaches".into(), json!(totals.breaches)),
        ("run_errors".into(), json!(totals.errors)),
        ("failing_runs".into(), json!(totals.failing_runs)),
        ("seconds".into(), json!((seconds * 10.0).round() / 10.0)),
        ("runs_per_minute".into(), json!(per_minute.round())),
    ]);
    if let Some(test) = args.self_test {
        lines.push((
            "self_test".into(),
            json!(match test {
                SelfTest::DeleteRow => "delete-row",
                SelfTest::FlipTick => "flip-tick",
                SelfTest::StolenNumbers => "stolen-numbers",
            }),
        ));
    }

    let failing: Vec<&RunResult> = results.iter().filter(|r| r.failed()).collect();
    let passed = match args.self_test {
        None => failing.is_empty() && final_problems.is_empty(),
        Some(test) => {
            let detected = |r: &RunResult| match test {
                SelfTest::DeleteRow => r.lost_records > 0,
                SelfTest::FlipTick => r.lost_fields > 0,
                SelfTest::StolenNumbers => r.unearned_duplicates > 0,
            };
            let missed = results
                .iter()
                .filter(|r| r.self_test_done && !detected(r))
                .count();
            let done = results.iter().filter(|r| r.self_test_done).count();
            lines.push(("self_test_runs".into(), json!(done)));
            lines.push(("self_test_missed".into(), json!(missed)));
            done > 0 && missed == 0
        }
    };
    lines.push(("passed".into(), json!(passed)));

    for (key, value) in &lines {
        println!("{key} = {value}");
    }
    let replay = |seed: u64| {
        format!(
            "{}praatplaat-soak native --server-bin {} --runs 1 --seed {seed} --devices {} \
             --fault-percent {} --kill-percent {} --hardening-percent {}{}{}{}{} --trace",
            match args.database {
                Database::Sqlite => "",
                Database::Postgres => "scripts/with-postgres.sh ",
            },
            args.server_bin.display(),
            args.devices,
            args.fault_percent,
            args.kill_percent,
            args.hardening_percent,
            if args.servers > 1 {
                format!(" --servers {}", args.servers)
            } else {
                String::new()
            },
            if args.fault_kinds.len() == Fault::ALL.len() {
                String::new()
            } else {
                let names: Vec<&str> = args.fault_kinds.iter().map(|f| f.name()).collect();
                format!(" --faults {}", names.join(","))
            },
            match args.database {
                Database::Sqlite => "",
                Database::Postgres => " --database postgres",
            },
            match args.self_test {
                Some(SelfTest::DeleteRow) => " --self-test delete-row",
                Some(SelfTest::FlipTick) => " --self-test flip-tick",
                Some(SelfTest::StolenNumbers) => " --self-test stolen-numbers",
                None => "",
            }
        )
    };
    if !failing.is_empty() {
        let label = if args.self_test.is_some() {
            "runs with findings (expected in a self-test)"
        } else {
            "failing runs"
        };
        eprintln!(
            "{label}: {} of {}; the first {}:",
            failing.len(),
            results.len(),
            SHOWN_FAILURES.min(failing.len())
        );
        for r in failing.iter().take(SHOWN_FAILURES) {
            eprintln!(
                "- run seed {} ({} devices, {} steps, {} kills): replay with",
                r.seed, r.devices, r.steps, r.kills
            );
            eprintln!("    {}", replay(r.seed));
            for d in &r.details {
                eprintln!("    {d}");
            }
        }
    }
    for p in final_problems.iter().take(10) {
        eprintln!("final check: {p}");
    }

    if let Some(path) = &args.json {
        let mut summary = serde_json::Map::new();
        for (key, value) in lines {
            summary.insert(key, value);
        }
        let failing_json: Vec<Value> = failing
            .iter()
            .take(50)
            .map(|r| {
                json!({
                    "seed": r.seed,
                    "replay": replay(r.seed),
                    "devices": r.devices,
                    "lost_fields": r.lost_fields,
                    "lost_records": r.lost_records,
                    "duplicates": r.duplicates,
                    "phantom_conflicts": r.phantom_conflicts,
                    "unequal_devices": r.unequal_devices,
                    "set_aside": r.set_aside,
                    "unsettled": r.unsettled,
                    "unearned_duplicates": r.unearned_duplicates,
                    "breaches": r.breaches,
                    "details": r.details,
                })
            })
            .collect();
        summary.insert("failing".into(), Value::Array(failing_json));
        summary.insert("final_problems".into(), json!(final_problems));
        summary.insert("proxy".into(), proxy_stats.to_json());
        let text =
            serde_json::to_string_pretty(&Value::Object(summary)).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    drop(work);
    Ok(passed)
}
