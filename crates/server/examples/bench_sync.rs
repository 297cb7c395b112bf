//! Benchmark of the sync API against an already running server, over real HTTP on loopback.
//!
//! ```text
//! cargo build --profile server -p praatplaat-server --example bench_sync
//! PRAATPLAAT_BENCH_PASSWORD=... target/server/examples/bench_sync --url http://127.0.0.1:8080 \
//!     --username bench [--clients 8] [--batch 50] [--seconds 10]
//! ```
//!
//! Every simulated device signs in as `--username` (a coordinator: it sees every record), with
//! the password from `PRAATPLAAT_BENCH_PASSWORD`, and gets a session of its own.
//!
//! Two measurements, printed as `key = value` lines so runs can be compared with grep or diff:
//!
//! 1. `sync.*`: one device pushes 200 completed interviews with their companies the way the app
//!    does (outbox order, batches of at most `MAX_PUSH_CHANGES`); a fresh device then pulls
//!    everything from cursor 0, three times. Every pushed record must come back unchanged.
//! 2. `push.*`: several devices push batches of small company records at the same time for a
//!    while; per-request latency and the rate of applied changes.
//!
//! It asserts no timing: figures are printed, and only wrong answers (a change not applied, a
//! record missing from the pull) make it exit non-zero. The server keeps what is pushed, so point
//! it at a throw-away database; the pull figures cover everything the database holds
//! (`sync.pull_records_received`), so they compare between runs only on a fresh one.

use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hasher};
use std::net::IpAddr;
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use praatplaat_domain::model::{
    Company, GoodExample, Interview, InterviewStatus, NeedLevel, PracticeAnswer, Present, Record,
    RecordKind, Sharing, SizeClass, ThemeNeed, SEGMENTS,
};
use praatplaat_domain::municipality::MUNICIPALITIES;
use praatplaat_domain::plate::Definition;
use praatplaat_domain::protocol::auth::{SignInRequest, SignInResponse};
use praatplaat_domain::protocol::{
    Change, ChangeStatus, Health, PullResponse, PushRequest, PushResponse, API_PREFIX,
    MAX_PULL_LIMIT, MAX_PUSH_CHANGES, PROTOCOL_VERSION,
};
use uuid::{Builder, Uuid};

const INTERVIEWS: usize = 200;
const PULL_RUNS: usize = 3;
const THROUGHPUT_TARGET: f64 = 5000.0;
/// Failures printed in full; the rest are only counted, so a broken server does not flood the log.
const FAILURES_SHOWN: usize = 10;
/// Generous, so a slow server shows up as slow figures rather than as errors.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

const USAGE: &str = "usage: PRAATPLAAT_BENCH_PASSWORD=... bench_sync --url http://127.0.0.1:PORT \
                     --username NAME [--clients N] [--batch N] [--seconds S]";

/// The account every simulated device signs in with.
static CREDENTIALS: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();

type Result<T, E = String> = std::result::Result<T, E>;

struct Args {
    /// Base URL of the server without a trailing slash, e.g. `http://127.0.0.1:8080`.
    base: String,
    clients: usize,
    batch: usize,
    seconds: f64,
}

fn parse_args() -> Result<Args> {
    let mut url = None;
    let mut username = None;
    let mut clients = 8;
    let mut batch = 50;
    let mut seconds: f64 = 10.0;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
            None => (arg.clone(), None),
        };
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_owned());
        }
        let value = match inline {
            Some(value) => value,
            None => args
                .next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?,
        };
        let bad = |what: &str| format!("{flag}: {what}, got {value:?}");
        match flag.as_str() {
            "--url" => url = Some(value.clone()),
            "--username" => username = Some(value.clone()),
            "--clients" => {
                clients = value.parse().map_err(|_| bad("expected a number"))?;
                if clients == 0 {
                    return Err(bad("expected at least 1"));
                }
            }
            "--batch" => {
                batch = value.parse().map_err(|_| bad("expected a number"))?;
                if batch == 0 || batch > MAX_PUSH_CHANGES {
                    return Err(bad(&format!("expected 1..={MAX_PUSH_CHANGES}")));
                }
            }
            "--seconds" => {
                seconds = value.parse().map_err(|_| bad("expected seconds"))?;
                if !(seconds > 0.0 && seconds.is_finite()) {
                    return Err(bad("expected a positive number"));
                }
            }
            _ => return Err(format!("unknown argument {flag:?}\n{USAGE}")),
        }
    }
    let url = url.ok_or_else(|| format!("--url is required\n{USAGE}"))?;
    let username = username.ok_or_else(|| format!("--username is required\n{USAGE}"))?;
    let password = std::env::var("PRAATPLAAT_BENCH_PASSWORD")
        .map_err(|_| format!("PRAATPLAAT_BENCH_PASSWORD is not set\n{USAGE}"))?;
    let _ = CREDENTIALS.set((username, password));
    Ok(Args {
        base: loopback_base(&url)?,
        clients,
        batch,
        seconds,
    })
}

/// Only loopback IP literals pass: the benchmark writes hundreds of thousands of records, which
/// must never land on a shared server by a typo. A name such as `localhost` is refused too,
/// because what it resolves to is up to the machine.
fn loopback_base(url: &str) -> Result<String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("--url {url:?}: {e}"))?;
    if parsed.scheme() != "http" {
        return Err(format!("--url {url:?}: only http:// is supported"));
    }
    let host = parsed.host_str().unwrap_or("");
    let ip: IpAddr = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .map_err(|_| format!("--url {url:?}: the host must be a loopback IP such as 127.0.0.1"))?;
    if !ip.is_loopback() {
        return Err(format!(
            "--url {url:?}: refusing a non-loopback address; benchmarks only talk to 127.0.0.1"
        ));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// SplitMix64: content must be reproducible between runs (same sizes, same mix), and the domain's
/// workspace `uuid` has no `v4` feature, so there is no random generator at hand anyway.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// `min` to `min + extra` sentences joined by spaces; distinct as long as the pool's length
    /// is coprime with 7.
    fn sentences(&mut self, pool: &[&str], min: usize, extra: usize) -> String {
        let count = min + self.below(extra + 1);
        let start = self.below(pool.len());
        (0..count.min(pool.len()))
            .map(|k| pool[(start + k * 7) % pool.len()])
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Record and device ids unique across runs: a per-run random prefix (a re-used database must not
/// turn this run's inserts into updates of the last run's records) and a shared counter.
struct Ids {
    prefix: u64,
    next: AtomicU64,
}

impl Ids {
    fn new() -> Ids {
        // `RandomState` is seeded from the OS; hashing the clock and pid on top costs nothing.
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u128(now_ms() as u128);
        hasher.write_u32(std::process::id());
        Ids {
            prefix: hasher.finish(),
            next: AtomicU64::new(1),
        }
    }

    fn next(&self) -> Uuid {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.prefix.to_be_bytes());
        bytes[8..].copy_from_slice(&n.to_be_bytes());
        // Shaped as a v4 UUID like the app's; the bits it overwrites leave the counter intact.
        Builder::from_random_bytes(bytes).into_uuid()
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

const SURNAMES: [&str; 16] = [
    "Van Dijk",
    "De Vries",
    "Smit",
    "Bakker",
    "Jansen",
    "Visser",
    "Van der Linden",
    "Mulder",
    "De Graaf",
    "Bos",
    "Vermeulen",
    "Kok",
    "Verhoeven",
    "Hendriks",
    "Van Leeuwen",
    "Dekker",
];
const TRADES: [&str; 10] = [
    "Metaal",
    "Staalbouw",
    "Constructie B.V.",
    "Plaatwerk",
    "Machinebouw",
    "Verspaning",
    "Metaalbewerking",
    "Lastechniek",
    "Precisietechniek",
    "Industrieel Onderhoud",
];
const FIRST_NAMES: [&str; 12] = [
    "Jan", "Marieke", "Pieter", "Sanne", "Kees", "Anouk", "Ruud", "Fatima", "Mohamed", "Linda",
    "Erik", "Ingrid",
];
const STREETS: [&str; 8] = [
    "Industrieweg",
    "Nijverheidsstraat",
    "Edisonweg",
    "Ambachtsweg",
    "Handelsweg",
    "Zuidelijke Havenweg",
    "Energieweg",
    "Kelvinring",
];
const INTERVIEWERS: [&str; 4] = [
    "Eva de Boer",
    "Thomas Willems",
    "Noor El Amrani",
    "Bram Koster",
];
const PRACTICE_NOTES: [&str; 14] = [
    "Restplaat gaat naar de schroothandel, gescheiden per legering.",
    "Doen ze al twee jaar; levert ongeveer vijf procent materiaalbesparing op.",
    "Willen dit samen met de grootste klant oppakken, maar die twijfelt nog.",
    "Alleen voor RVS, nog niet voor constructiestaal.",
    "Leverancier neemt pallets en verpakkingen retour sinds vorig jaar.",
    "Plan voor volgend jaar, afhankelijk van de subsidieaanvraag.",
    "Directie is enthousiast, op de werkvloer is men nog sceptisch.",
    "Loopt via de brancheorganisatie; er is een pilot met drie bedrijven gestart.",
    "Zonnepanelen op het dak sinds 2022, ongeveer 450 panelen.",
    "Snijdata worden per order bijgehouden in het ERP-systeem.",
    "Nesting-software is aangeschaft, de operators worden nog opgeleid.",
    "Oude lasmachines worden gereviseerd in plaats van vervangen.",
    "Koelvloeistof wordt gefilterd en opnieuw gebruikt.",
    "Klant vraagt steeds vaker naar een CO2-footprint per product.",
];
const NOT_RELEVANT: [&str; 4] = [
    "Niet van toepassing: geen eigen productie op deze locatie.",
    "Niet besproken, tijd was op.",
    "Geen idee of dit kan; eerst uitzoeken bij de leverancier.",
    "Past niet bij het huidige klantenbestand.",
];
const EXAMPLE_SENTENCES: [&str; 10] = [
    "Reststukken plaat gaan naar de mbo-school in de regio voor de lasopleiding.",
    "Samen met een klant is een retoursysteem voor stellingen opgezet; onderdelen worden opnieuw gecoat en verkocht.",
    "De compressor is vervangen door een toerengeregelde machine met warmteterugwinning voor de hal.",
    "Oud gereedschap wordt opgeknapt door een sociale werkplaats en daarna weer ingezet.",
    "Door het ontwerp aan te passen is twintig procent minder materiaal nodig voor hetzelfde frame.",
    "Spanen worden per soort verzameld en geperst, wat de opbrengst bij de schroothandel verdubbelde.",
    "Een collega-bedrijf op het terrein gebruikt de restwarmte van de moffeloven.",
    "Verpakkingshout wordt verwerkt tot kisten voor de eigen expeditie.",
    "Machines worden met sensoren bewaakt zodat onderhoud op tijd gebeurt en levensduur toeneemt.",
    "Een vaste leverancier levert gerecycled aluminium met certificaat.",
];
const AMBITION_SENTENCES: [&str; 8] = [
    "Binnen drie jaar willen we van het gas af en volledig elektrisch produceren.",
    "We willen met twee vaste klanten afspraken maken over terugname van producten.",
    "Het restmateriaal moet met de helft omlaag door betere nesting en planning.",
    "We willen een eigen revisielijn opzetten voor de machines die we leveren.",
    "Medewerkers krijgen een training over circulair ontwerpen en materiaalkeuze.",
    "We willen inzicht in de CO2-uitstoot per order om klanten te kunnen informeren.",
    "Samen met andere bedrijven op het terrein een gezamenlijke inzameling opzetten.",
    "Bij nieuwe investeringen kijken we eerst naar gereviseerde machines.",
];
const NEED_NOTES: [&str; 6] = [
    "Zoeken een adviseur die verstand heeft van subsidies.",
    "Behoefte aan voorbeelden van vergelijkbare bedrijven.",
    "Willen graag een bedrijfsbezoek bij een koploper.",
    "Hulp nodig bij het doorrekenen van de terugverdientijd.",
    "Kennis over materiaalpaspoorten ontbreekt nog.",
    "Ondersteuning bij gesprekken met klanten over retourlogistiek.",
];
const INTERVIEW_NOTES: [&str; 10] = [
    "Gesprek gevoerd in de kantine met de directeur en de werkplaatschef.",
    "Het bedrijf bestaat ruim veertig jaar en is in handen van de tweede generatie.",
    "Rondleiding door de werkplaats gehad; veel oude maar goed onderhouden machines.",
    "Er is interesse in de bijeenkomsten van de MKB-Deal, graag uitnodigen.",
    "De belangrijkste klanten zitten in de offshore en de agrarische sector.",
    "Personeelstekort is het grootste probleem; circulair moet dat niet verergeren.",
    "Vorig jaar is een nieuwe lasersnijder in gebruik genomen.",
    "Terugbellen in het voorjaar over de voortgang van de plannen.",
    "Het pand wordt gehuurd, dus verduurzaming van het gebouw ligt bij de eigenaar.",
    "Men is trots op de eigen ontwerpafdeling en de korte lijnen met klanten.",
];

/// A company the way the company step fills it in: every field answered.
fn realistic_company(rng: &mut Rng, id: Uuid, updated_at: i64) -> Company {
    let surname = *rng.pick(&SURNAMES);
    let municipality = rng.pick(&MUNICIPALITIES).name;
    let mut segments: Vec<String> = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let segment = rng.pick(&SEGMENTS).to_string();
        if !segments.contains(&segment) {
            segments.push(segment);
        }
    }
    let mut company = Company {
        id,
        name: format!("{surname} {}", rng.pick(&TRADES)),
        municipality: municipality.to_owned(),
        address: format!(
            "{} {}, {}{:03} {}{} {municipality}",
            rng.pick(&STREETS),
            1 + rng.below(120),
            2 + rng.below(2),
            rng.below(1000),
            (b'A' + rng.below(26) as u8) as char,
            (b'A' + rng.below(26) as u8) as char,
        ),
        contact_person: format!("{} {surname}", rng.pick(&FIRST_NAMES)),
        segments,
        size_class: Some(*rng.pick(&SizeClass::ALL)),
        association_member: Some(rng.chance(60)),
        ..Company::default()
    };
    company.meta.updated_at = updated_at;
    company
}

/// A completed interview: most practices answered, some with notes, examples without photos,
/// ambition, needs per theme.
fn realistic_interview(
    rng: &mut Rng,
    ids: &Ids,
    plate: &Definition,
    company_id: Uuid,
    updated_at: i64,
) -> Interview {
    let mut answers = BTreeMap::new();
    for practice in plate.practices() {
        if !rng.chance(85) {
            continue;
        }
        let now = rng.chance(50);
        let ambition = if now { rng.chance(15) } else { rng.chance(55) };
        let note = if !now && !ambition {
            rng.pick(&NOT_RELEVANT).to_string()
        } else if rng.chance(35) {
            rng.pick(&PRACTICE_NOTES).to_string()
        } else {
            String::new()
        };
        answers.insert(
            practice.id.clone(),
            PracticeAnswer {
                now,
                ambition,
                note,
            },
        );
    }
    let examples = (0..1 + rng.below(3))
        .map(|_| GoodExample {
            id: ids.next(),
            theme_id: rng.pick(&plate.themes).id.clone(),
            text: rng.sentences(&EXAMPLE_SENTENCES, 2, 1),
            photos: Vec::new(),
            sharing: *rng.pick(&[Sharing::Yes, Sharing::Anonymous, Sharing::No]),
        })
        .collect();
    let mut needs = BTreeMap::new();
    for theme in &plate.themes {
        if !rng.chance(70) {
            continue;
        }
        let note = if rng.chance(40) {
            rng.pick(&NEED_NOTES).to_string()
        } else {
            String::new()
        };
        needs.insert(
            theme.id.clone(),
            ThemeNeed {
                knowledge: *rng.pick(&NeedLevel::ALL),
                support: *rng.pick(&NeedLevel::ALL),
                advice: *rng.pick(&NeedLevel::ALL),
                note,
            },
        );
    }
    let mut interview = Interview {
        id: ids.next(),
        company_id,
        date: format!("2025-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28)),
        interviewer: rng.pick(&INTERVIEWERS).to_string(),
        plate_version: plate.plate_key(),
        present: Present {
            management: true,
            staff: rng.chance(60),
        },
        answers,
        examples,
        ambition: rng.sentences(&AMBITION_SENTENCES, 2, 2),
        needs,
        notes: rng.sentences(&INTERVIEW_NOTES, 3, 3),
        status: InterviewStatus::Completed,
        ..Interview::default()
    };
    interview.meta.updated_at = updated_at;
    interview
}

fn http_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))
}

/// A client signed in as a device of its own (a session pushes only for its own device).
async fn device_client(api: &str, device_id: Uuid) -> Result<reqwest::Client> {
    let (username, password) = CREDENTIALS
        .get()
        .ok_or_else(|| "no credentials".to_owned())?;
    let request = SignInRequest {
        username: username.clone(),
        password: password.clone(),
        device_id,
        device_label: "bench_sync".into(),
    };
    let response = http_client()?
        .post(format!("{api}/auth/sign-in"))
        .json(&request)
        .send()
        .await
        .map_err(|e| format!("sign-in failed: {e}"))?;
    let body = success_body(response, "sign-in").await?;
    let signed: SignInResponse =
        serde_json::from_slice(&body).map_err(|e| format!("sign-in answer unreadable: {e}"))?;
    let mut headers = reqwest::header::HeaderMap::new();
    let bearer = format!("Bearer {}", signed.token)
        .parse()
        .map_err(|e| format!("token unusable as a header: {e}"))?;
    headers.insert(reqwest::header::AUTHORIZATION, bearer);
    reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .default_headers(headers)
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))
}

/// Sends a body serialised beforehand, so the timing covers the wire and the server rather than
/// this program's JSON encoder (the app encodes before it sends too).
/// The body of a 2xx answer; any other status is an error that quotes the server's words.
async fn success_body(response: reqwest::Response, what: &str) -> Result<Vec<u8>> {
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| format!("{what} answer unreadable: {e}"))?;
    if !status.is_success() {
        return Err(format!(
            "{what} answered {status}: {}",
            String::from_utf8_lossy(&bytes)
        ));
    }
    Ok(bytes.to_vec())
}

async fn post_push(client: &reqwest::Client, url: &str, body: Vec<u8>) -> Result<PushResponse> {
    let response = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| format!("push failed: {e}"))?;
    let bytes = success_body(response, "push").await?;
    serde_json::from_slice(&bytes).map_err(|e| format!("push answer is not a PushResponse: {e}"))
}

/// Why each change of a request was not applied (empty when all were).
fn not_applied(changes: &[Change], response: &PushResponse) -> Vec<String> {
    if response.results.len() != changes.len() {
        return vec![format!(
            "{} changes sent, {} results returned",
            changes.len(),
            response.results.len()
        )];
    }
    changes
        .iter()
        .zip(&response.results)
        .filter(|(change, result)| {
            change.seq != result.seq || result.status != ChangeStatus::Applied
        })
        .map(|(change, result)| {
            format!(
                "seq {} ({} {}): {:?} seq {}{}",
                change.seq,
                change.record.kind().as_str(),
                change.record.id(),
                result.status,
                result.seq,
                result
                    .reason
                    .as_deref()
                    .map(|r| format!(", {r}"))
                    .unwrap_or_default()
            )
        })
        .collect()
}

struct Pulled {
    records: Vec<Record>,
    pages: usize,
    bytes: usize,
    elapsed: Duration,
}

/// Pages from cursor 0 until the server says there is no more, as a new device's first sync does.
async fn pull_all(api: &str, device_id: Uuid) -> Result<Pulled> {
    let client = device_client(api, device_id).await?;
    let started = Instant::now();
    let mut cursor = 0u64;
    let mut pulled = Pulled {
        records: Vec::new(),
        pages: 0,
        bytes: 0,
        elapsed: Duration::ZERO,
    };
    loop {
        let url = format!("{api}/pull?since={cursor}&limit={MAX_PULL_LIMIT}");
        let response = client
            .get(&url)
            .send()
            .await
            .map_err(|e| format!("pull failed: {e}"))?;
        let bytes = success_body(response, "pull").await?;
        let page: PullResponse = serde_json::from_slice(&bytes)
            .map_err(|e| format!("pull answer is not a PullResponse: {e}"))?;
        pulled.pages += 1;
        pulled.bytes += bytes.len();
        pulled.records.extend(page.records);
        // The same guard as the app's engine: a server that says "more" without moving the
        // cursor would otherwise loop forever.
        let more = page.more && page.cursor > cursor;
        cursor = page.cursor.max(cursor);
        if !more {
            break;
        }
    }
    pulled.elapsed = started.elapsed();
    Ok(pulled)
}

/// This process's user + system CPU time, to tell whether the load generator itself ate the two
/// cores the server needs. `None` off Linux.
fn own_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux target this runs on.
    Some(Duration::from_millis(ticks * 10))
}

fn cpu_since(start: Option<Duration>) -> String {
    match (start, own_cpu()) {
        (Some(a), Some(b)) => format!("{:.0}", ms(b.saturating_sub(a))),
        _ => "n/a".to_owned(),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn git_commit() -> String {
    let dir = env!("CARGO_MANIFEST_DIR");
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    match git(&["rev-parse", "--short", "HEAD"]) {
        Some(commit) if !commit.is_empty() => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
            if dirty {
                format!("{commit}-dirty")
            } else {
                commit
            }
        }
        _ => "unknown".to_owned(),
    }
}

/// Phase 1. Returns the number of correctness failures.
async fn bench_sync(api: &str, ids: &Ids) -> Result<usize> {
    let plate = Definition::current().map_err(|e| format!("plate definition: {e}"))?;
    let mut rng = Rng(0x5EED_0001);
    let device_id = ids.next();
    let base_time = now_ms();
    // The outbox order of the app: each interview's company is created first, then the interview.
    let mut changes = Vec::with_capacity(2 * INTERVIEWS);
    for i in 0..INTERVIEWS {
        let updated_at = base_time + i as i64;
        let company = realistic_company(&mut rng, ids.next(), updated_at);
        let interview = realistic_interview(&mut rng, ids, plate, company.id, updated_at);
        for record in [Record::Company(company), Record::Interview(interview)] {
            let seq = changes.len() as u64 + 1;
            changes.push(Change { seq, record });
        }
    }
    let answers: usize = changes
        .iter()
        .map(|c| match &c.record {
            Record::Interview(i) => i.answers.len(),
            _ => 0,
        })
        .sum();
    let batches: Vec<(&[Change], Vec<u8>)> = changes
        .chunks(MAX_PUSH_CHANGES)
        .map(|chunk| {
            let request = PushRequest {
                device_id,
                changes: chunk.to_vec(),
            };
            serde_json::to_vec(&request).map(|body| (chunk, body))
        })
        .collect::<Result<_, _>>()
        .map_err(|e| format!("cannot encode a push: {e}"))?;
    let bytes_sent: usize = batches.iter().map(|(_, body)| body.len()).sum();
    let interview_bytes: usize = changes
        .iter()
        .filter(|c| c.record.kind() == RecordKind::Interview)
        .map(|c| serde_json::to_vec(&c.record).map_or(0, |v| v.len()))
        .sum();

    let mut failures = Vec::new();
    let mut expected: HashMap<(RecordKind, Uuid), Record> = HashMap::new();
    let client = device_client(api, device_id).await?;
    let push_url = format!("{api}/push");
    let batch_count = batches.len();
    let started = Instant::now();
    for (chunk, body) in batches {
        let response = post_push(&client, &push_url, body).await?;
        failures.extend(not_applied(chunk, &response));
        for (change, result) in chunk.iter().zip(&response.results) {
            let mut record = change.record.clone();
            record.meta_mut().rev = result.rev;
            expected.insert((record.kind(), record.id()), record);
        }
    }
    let push_time = started.elapsed();

    println!("sync.interviews = {INTERVIEWS}");
    println!("sync.records_pushed = {}", changes.len());
    println!(
        "sync.answers_per_interview = {:.1}",
        answers as f64 / INTERVIEWS as f64
    );
    println!(
        "sync.interview_json_bytes_mean = {}",
        interview_bytes / INTERVIEWS
    );
    println!("sync.push_batches = {batch_count}");
    println!("sync.push_bytes_sent = {bytes_sent}");
    println!(
        "sync.push_{INTERVIEWS}_interviews_ms = {:.1}",
        ms(push_time)
    );
    println!(
        "sync.push_changes_per_s = {:.0}",
        changes.len() as f64 / push_time.as_secs_f64()
    );
    println!("sync.push_not_applied = {}", failures.len());
    for failure in failures.iter().take(FAILURES_SHOWN) {
        eprintln!("error: sync push: {failure}");
    }

    let mut times = Vec::with_capacity(PULL_RUNS);
    let mut missing_total = 0;
    for run in 1..=PULL_RUNS {
        let pulled = pull_all(api, ids.next()).await?;
        let by_key: HashMap<(RecordKind, Uuid), &Record> = pulled
            .records
            .iter()
            .map(|r| ((r.kind(), r.id()), r))
            .collect();
        let wrong: Vec<&(RecordKind, Uuid)> = expected
            .iter()
            .filter(|(key, record)| by_key.get(key) != Some(record))
            .map(|(key, _)| key)
            .collect();
        if run == 1 {
            println!("sync.pull_records_received = {}", pulled.records.len());
            println!("sync.pull_pages = {}", pulled.pages);
            println!("sync.pull_bytes_received = {}", pulled.bytes);
        }
        println!("sync.pull_all_run{run}_ms = {:.1}", ms(pulled.elapsed));
        println!(
            "sync.pull_run{run}_verified = {}/{}",
            expected.len() - wrong.len(),
            changes.len()
        );
        for (kind, id) in wrong.iter().take(FAILURES_SHOWN) {
            eprintln!(
                "error: pull run {run}: {} {id} missing or different from what was pushed",
                kind.as_str()
            );
        }
        missing_total += wrong.len() + (changes.len() - expected.len());
        times.push(ms(pulled.elapsed));
    }
    times.sort_by(f64::total_cmp);
    println!("sync.pull_all_median_ms = {:.1}", times[times.len() / 2]);
    Ok(failures.len() + missing_total)
}

#[derive(Default)]
struct ClientStats {
    requests: u64,
    applied: u64,
    failures: u64,
    failure_messages: Vec<String>,
    latencies_ms: Vec<f64>,
}

impl ClientStats {
    fn fail(&mut self, message: String) {
        self.failures += 1;
        if self.failure_messages.len() < FAILURES_SHOWN {
            self.failure_messages.push(message);
        }
    }
}

/// One device pushing batches of new companies back to back until the deadline.
async fn push_client(
    api: String,
    ids: Arc<Ids>,
    (device_id, client): (Uuid, reqwest::Client),
    client_no: usize,
    batch: usize,
    deadline: Instant,
) -> Result<ClientStats> {
    let url = format!("{api}/push");
    let mut rng = Rng(0xC11E_0000 + client_no as u64);
    let mut seq = 0u64;
    let mut stats = ClientStats::default();
    while Instant::now() < deadline {
        let updated_at = now_ms();
        let changes: Vec<Change> = (0..batch)
            .map(|_| {
                seq += 1;
                let mut company = Company {
                    id: ids.next(),
                    name: format!("{} {}", rng.pick(&SURNAMES), rng.pick(&TRADES)),
                    municipality: rng.pick(&MUNICIPALITIES).name.to_owned(),
                    ..Company::default()
                };
                company.meta.updated_at = updated_at;
                Change {
                    seq,
                    record: Record::Company(company),
                }
            })
            .collect();
        let request = PushRequest { device_id, changes };
        let body = serde_json::to_vec(&request).map_err(|e| format!("cannot encode: {e}"))?;
        let started = Instant::now();
        let response = post_push(&client, &url, body).await;
        stats.latencies_ms.push(ms(started.elapsed()));
        stats.requests += 1;
        match response {
            Ok(response) => {
                let wrong = not_applied(&request.changes, &response);
                stats.applied += response
                    .results
                    .iter()
                    .filter(|r| r.status == ChangeStatus::Applied)
                    .count() as u64;
                for message in wrong {
                    stats.fail(format!("client {client_no}: {message}"));
                }
            }
            Err(message) => stats.fail(format!("client {client_no}: {message}")),
        }
    }
    Ok(stats)
}

/// Phase 2. Returns the number of correctness failures and the changes/s reached.
async fn bench_push(api: &str, ids: &Arc<Ids>, args: &Args) -> Result<(u64, f64)> {
    // Signed in one after another before the clock starts: the sign-in limit counts each attempt
    // of a name from an address before its password is checked (issue 13), so eight at once
    // from this one address would lock the name for a while.
    let mut devices = Vec::with_capacity(args.clients);
    for _ in 0..args.clients {
        let device_id = ids.next();
        devices.push((device_id, device_client(api, device_id).await?));
    }
    let cpu_start = own_cpu();
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(args.seconds);
    let tasks: Vec<_> = devices
        .into_iter()
        .enumerate()
        .map(|(n, device)| {
            tokio::spawn(push_client(
                api.to_owned(),
                Arc::clone(ids),
                device,
                n,
                args.batch,
                deadline,
            ))
        })
        .collect();
    let mut total = ClientStats::default();
    for task in tasks {
        let stats = task.await.map_err(|e| format!("client task: {e}"))??;
        total.requests += stats.requests;
        total.applied += stats.applied;
        total.failures += stats.failures;
        total.failure_messages.extend(stats.failure_messages);
        total.latencies_ms.extend(stats.latencies_ms);
    }
    // Until the last answer, not the deadline: the requests in flight at the deadline count.
    let elapsed = started.elapsed().as_secs_f64();
    total.latencies_ms.sort_by(f64::total_cmp);
    let lat = &total.latencies_ms;
    let rate = total.applied as f64 / elapsed;

    println!("push.clients = {}", args.clients);
    println!("push.batch = {}", args.batch);
    println!("push.seconds = {}", args.seconds);
    println!("push.elapsed_s = {elapsed:.2}");
    println!("push.requests = {}", total.requests);
    println!("push.changes_applied = {}", total.applied);
    println!("push.failures = {}", total.failures);
    println!("push.changes_per_s = {rate:.0}");
    println!(
        "push.requests_per_s = {:.1}",
        total.requests as f64 / elapsed
    );
    println!("push.latency_p50_ms = {:.1}", percentile(lat, 50.0));
    println!("push.latency_p95_ms = {:.1}", percentile(lat, 95.0));
    println!("push.latency_p99_ms = {:.1}", percentile(lat, 99.0));
    println!(
        "push.latency_max_ms = {:.1}",
        lat.last().copied().unwrap_or(0.0)
    );
    println!("push.bench_cpu_ms = {}", cpu_since(cpu_start));
    for message in total.failure_messages.iter().take(FAILURES_SHOWN) {
        eprintln!("error: push: {message}");
    }
    Ok((total.failures, rate))
}

async fn check_health(api: &str) -> Result<Health> {
    let response = http_client()?
        .get(format!("{api}/health"))
        .send()
        .await
        .map_err(|e| format!("server not reachable at {api}: {e}"))?;
    let health: Health = response
        .json()
        .await
        .map_err(|e| format!("health answer is not JSON: {e}"))?;
    if health.protocol != PROTOCOL_VERSION {
        return Err(format!(
            "server speaks protocol {}, this benchmark {PROTOCOL_VERSION}",
            health.protocol
        ));
    }
    Ok(health)
}

async fn run(args: Args) -> Result<ExitCode> {
    let api = format!("{}{API_PREFIX}", args.base);
    println!("bench.url = {}", args.base);
    println!("bench.commit = {}", git_commit());
    println!(
        "bench.cpus = {}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let health = check_health(&api).await?;
    println!("bench.server_version = {}", health.version);
    let ids = Arc::new(Ids::new());

    let cpu_start = own_cpu();
    let sync_failures = bench_sync(&api, &ids).await?;
    println!("sync.bench_cpu_ms = {}", cpu_since(cpu_start));
    let (push_failures, rate) = bench_push(&api, &ids, &args).await?;

    let verdict = if rate >= THROUGHPUT_TARGET {
        "MET"
    } else {
        "MISSED"
    };
    println!(
        "summary: push throughput {rate:.0} changes/s vs target >= {THROUGHPUT_TARGET:.0}: \
         {verdict}; correctness failures: sync {sync_failures}, push {push_failures}"
    );
    Ok(if sync_failures + push_failures as usize == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

// One thread: on a small machine the server needs the other cores more than the load generator,
// and `push.bench_cpu_ms` shows whether this thread was the bottleneck.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("bench_sync: {message}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(code) => code,
        Err(message) => {
            eprintln!("bench_sync: error: {message}");
            ExitCode::FAILURE
        }
    }
}
