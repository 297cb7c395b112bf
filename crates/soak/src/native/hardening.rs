//! The hardening actions (issue 13, points 1 and 2), played between a run's steps: before a
//! step, with `--hardening-percent` chance, drawn from a stream of the run's seed that the steps
//! do not share. Each checks its own answers where it happens (a wrong one is a *breach*), and
//! the oracle checks at the end that nothing of the run's devices got lost by them.
//!
//! - **attack** (point 2): the intruder, an interviewer, signs in with a run device's id (a
//!   device id is no secret) and pushes under it a number far ahead (10¹², i64::MAX + 1 or
//!   u64::MAX: refused `seq_out_of_range`, not counted), then the furthest number the server
//!   lets through with a record of their own (counted, for the intruder's numbering alone) and a
//!   forged edit of the run's interview (refused: not the intruder's). Signing in on the seed
//!   device is refused. The victim then edits and syncs: nothing it sends may be answered
//!   `duplicate` (every transport checks that: `unearned_duplicates`), and its edit must stand
//!   (the oracle).
//! - **forged import** (point 1): the intruder seals an export file (`praatplaat-vault`, the
//!   documented format) with forged edits of the run's interview and company and a record of
//!   their own, from a tablet no account used or under the victim's device id with numbers far
//!   ahead, and the office imports it (`POST /import`) naming the intruder (`x-export-user`) or
//!   without a name. It must be applied with the intruder's rights (their own record only) or
//!   refused whole (`device_of_another_user`: a tablet the named account, or the office, never
//!   used); the victim then edits and syncs as above.
//! - **own import**: a run device's waiting changes, exported as the app does (its device id
//!   and numbers) and imported by the office as the device's account: applied with that
//!   account's rights, nothing refused. For the oracle it is a push of those changes; the
//!   device's own later push of them is answered `duplicate`, which it earned.

use praatplaat_domain::export::ExportBundle;
use praatplaat_domain::model::{Company, Record, RecordKind};
use praatplaat_domain::protocol::{
    Change, ChangeResult, ChangeStatus, PushRequest, PushResponse, MAX_PUSH_CHANGES,
};
use praatplaat_domain::refusal::Refusal;
use praatplaat_domain::sync::LocalStore;
use serde_json::Value;
use uuid::Uuid;

use super::{sign_in_as, sync, uuid, Book, Ctx, Device, Edit, RunResult, Target, FAULT_HEADER};
use crate::oracle::Delivery;
use crate::rng::Rng;

/// The label of the hardening actions' stream ([`Rng::derive`] of the run's seed).
pub(super) const STREAM: u64 = 0x4841_5244;
/// The account that imports export files: a coordinator that no run device signs in as.
pub(super) const OFFICE: &str = "office";
/// An interviewer who knows the run devices' ids.
pub(super) const INTRUDER: &str = "intruder";
const PASSPHRASE: &str = "soak export passphrase";
/// Key derivation of the soak's export files: the header carries the count, so a small one
/// keeps the imports cheap (the app writes 600,000).
const ITERATIONS: u32 = 1_000;
/// The server's own device (`store::SEED_DEVICE`).
const SEED_DEVICE: Uuid = Uuid::from_u128(0x5eed_0000_0000_4000_8000_0000_0000_0001);

/// What the actions of a run work on.
pub(super) struct Run<'a> {
    pub seed: u64,
    pub devices: &'a [Device],
    pub book: &'a Book,
    pub hot: &'a [String],
}

fn breach(result: &mut RunResult, line: String) {
    result.breaches += 1;
    result.detail(format!("breach: {line}"));
}

/// Plays one action, the `n`th of the run.
pub(super) async fn act(
    ctx: &Ctx,
    run: &Run<'_>,
    n: u64,
    side: &mut Rng,
    result: &mut RunResult,
) -> Result<(), String> {
    let victim = &run.devices[side.below(run.devices.len())];
    match side.below(3) {
        0 => attack(ctx, run, n, victim, side, result).await,
        1 => forged_import(ctx, run, n, victim, side, result).await,
        _ => own_import(ctx, run, n, victim, side, result).await,
    }
}

/// A record of the intruder's own: a company nobody else uses.
fn own_company(ctx: &Ctx, run: &Run<'_>, n: u64) -> Record {
    let mut company = Company {
        id: uuid(ctx, run.seed, 5000 + n),
        name: format!("Indringer {}-{n} BV", run.seed),
        municipality: "Delft".into(),
        ..Company::default()
    };
    company.meta.updated_at = run.book.clock.get();
    Record::Company(company)
}

/// The victim's copy of the run's interview (or company) with a text no device wrote: applied,
/// the oracle would find the devices' writes of it lost.
fn forged(run: &Run<'_>, victim: &Device, kind: RecordKind, token: &str) -> Result<Record, String> {
    let id = match kind {
        RecordKind::Company => run.book.company,
        _ => run.book.interview,
    };
    let mut record = victim
        .store
        .get(kind, id)
        .ok_or_else(|| format!("device {} lacks the {}", victim.idx, kind.as_str()))?;
    match &mut record {
        Record::Interview(i) => i.notes = token.to_owned(),
        Record::Company(c) => c.contact_person = token.to_owned(),
        _ => {}
    }
    Ok(record)
}

/// A push under `device_id` with the intruder's session, through the proxy without a fault;
/// asked again while a server restarts (a retried push is answered as the first was).
async fn push_as(
    ctx: &Ctx,
    client: &reqwest::Client,
    request: &PushRequest,
) -> Result<PushResponse, String> {
    let mut last = String::new();
    for _ in 0..100 {
        match client
            .post(format!("{}/push", ctx.proxy_api))
            .header(FAULT_HEADER, "none")
            .json(request)
            .send()
            .await
        {
            Ok(r) if r.status().is_success() => match r.json().await {
                Ok(response) => return Ok(response),
                Err(e) => last = format!("answer unreadable: {e}"),
            },
            Ok(r) if r.status().is_client_error() => {
                let status = r.status();
                return Err(format!(
                    "the intruder's push was refused whole: {status}: {}",
                    r.text().await.unwrap_or_default()
                ));
            }
            Ok(r) => last = r.status().to_string(),
            Err(e) => last = e.to_string(),
        }
        ctx.server.wait_up().await;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Err(format!("the intruder's push kept failing: {last}"))
}

fn verdicts(results: &[ChangeResult]) -> String {
    let lines: Vec<String> = results
        .iter()
        .map(|r| {
            format!(
                "#{} {:?}{}",
                r.seq,
                r.status,
                r.refusal
                    .as_ref()
                    .map_or_else(String::new, |f| format!(" {f:?}"))
            )
        })
        .collect();
    lines.join(", ")
}

fn not_theirs(result: &ChangeResult) -> bool {
    result.status == ChangeStatus::Rejected
        && matches!(
            result.refusal,
            Some(Refusal::RecordNotAssigned | Refusal::CompanyNotAssigned)
        )
}

/// The victim edits and syncs: what it sends must apply (checked by its transport and, at the
/// end, by the oracle). A failed sync is ordinary (a server restarting): the settle rounds
/// finish it.
async fn later_change(
    run: &Run<'_>,
    n: u64,
    victim: &Device,
    side: &mut Rng,
    result: &mut RunResult,
) {
    let token = format!("d{}-x{n}", victim.idx);
    let edit = match side.below(4) {
        0 => Edit::Set(Target::Notes, token),
        1 => Edit::Set(Target::Ambition, token),
        2 => Edit::Set(Target::PracticeNote(side.pick(run.hot).clone()), token),
        _ => Edit::Set(Target::Contact, token),
    };
    run.book.apply(victim.idx, &victim.store, &edit);
    result.syncs += 1;
    if sync(victim, false).await.is_err() {
        result.sync_errors += 1;
    }
}

async fn attack(
    ctx: &Ctx,
    run: &Run<'_>,
    n: u64,
    victim: &Device,
    side: &mut Rng,
    result: &mut RunResult,
) -> Result<(), String> {
    result.attacks += 1;
    let trace = &victim.net.trace;
    let intruder = (ctx.intruder.0.as_str(), ctx.intruder.1.as_str());

    // Nobody signs in on the seed device: its numbers are the catalogue's.
    let refused = seed_sign_in(ctx, intruder).await?;
    if refused.as_deref() != Some("device_reserved") {
        breach(
            result,
            format!("a sign-in on the seed device was answered {refused:?}, not device_reserved"),
        );
    }

    let session = sign_in_as(ctx, &ctx.proxy_api, intruder, victim.id).await?;
    let own = own_company(ctx, run, n);
    let far = *side.pick(&[1_000_000_000_000, i64::MAX as u64 + 1, u64::MAX]);
    let response = push_as(
        ctx,
        &session,
        &PushRequest {
            device_id: victim.id,
            changes: vec![Change {
                seq: far,
                record: own.clone(),
            }],
        },
    )
    .await?;
    let max = match response.results.as_slice() {
        [ChangeResult {
            status: ChangeStatus::Rejected,
            refusal: Some(Refusal::SeqOutOfRange { max, .. }),
            ..
        }] => *max,
        other => {
            breach(
                result,
                format!(
                    "the intruder's number {far} under device {}'s id was answered {}",
                    victim.idx,
                    verdicts(other)
                ),
            );
            return Ok(());
        }
    };
    // As far ahead as the server lets a number go, with a forged edit of the run's interview.
    let forgery = forged(run, victim, RecordKind::Interview, &format!("forged-{n}"))?;
    let response = push_as(
        ctx,
        &session,
        &PushRequest {
            device_id: victim.id,
            changes: vec![
                Change {
                    seq: max,
                    record: own,
                },
                Change {
                    seq: max.saturating_add(1),
                    record: forgery,
                },
            ],
        },
    )
    .await?;
    let fine = match response.results.as_slice() {
        [first, second] => {
            matches!(
                first.status,
                ChangeStatus::Applied | ChangeStatus::Duplicate
            ) && not_theirs(second)
        }
        _ => false,
    };
    if !fine {
        breach(
            result,
            format!(
                "the intruder's numbers {max}, {} under device {}'s id were answered {}",
                max.saturating_add(1),
                victim.idx,
                verdicts(&response.results)
            ),
        );
    }
    victim.intruder_seq.set(max.saturating_add(1));
    trace.log(|| {
        format!(
            "  intruder on d{}'s id: {far} refused up to {max}; {}",
            victim.idx,
            verdicts(&response.results)
        )
    });
    later_change(run, n, victim, side, result).await;
    Ok(())
}

/// The error code of a sign-in on the seed device (`None`: it was let in).
async fn seed_sign_in(
    ctx: &Ctx,
    (username, password): (&str, &str),
) -> Result<Option<String>, String> {
    let request = praatplaat_domain::protocol::auth::SignInRequest {
        username: username.to_owned(),
        password: password.to_owned(),
        device_id: SEED_DEVICE,
        device_label: "soak".into(),
    };
    let client = super::plain_client()?;
    let mut last = String::new();
    for _ in 0..100 {
        ctx.server.sign_in_allowed().await;
        let under_way = super::SigningIn::new(&ctx.server.signing_in);
        let answer = client
            .post(format!("{}/auth/sign-in", ctx.proxy_api))
            .header(super::CLIENT_IP_HEADER, super::device_address(SEED_DEVICE))
            .json(&request)
            .send()
            .await;
        drop(under_way);
        match answer {
            Ok(r) if r.status().is_success() => return Ok(None),
            // Every password check busy, or a server restarting: ask again.
            Ok(r)
                if r.status() == reqwest::StatusCode::TOO_MANY_REQUESTS
                    || r.status().is_server_error() =>
            {
                last = r.status().to_string();
            }
            Ok(r) => {
                let body: Value = r.json().await.unwrap_or(Value::Null);
                return Ok(Some(body["error"].as_str().unwrap_or("?").to_owned()));
            }
            Err(e) => last = e.to_string(),
        }
        ctx.server.wait_up().await;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Err(format!(
        "the sign-in on the seed device kept failing: {last}"
    ))
}

fn seal(device: Uuid, changes: Vec<Change>, side: &mut Rng, at: i64) -> Result<Vec<u8>, String> {
    let bundle = ExportBundle::new(device, at, changes, &[]);
    let json = bundle.to_json().map_err(|e| e.to_string())?;
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 12];
    for b in salt.iter_mut().chain(nonce.iter_mut()) {
        *b = side.next_u64() as u8;
    }
    praatplaat_vault::seal(&json, PASSPHRASE, salt, nonce, ITERATIONS).map_err(|e| e.to_string())
}

/// `POST /import` of `file` by the office, handed in by `from` when given; the answer's status
/// and JSON. Sent again while the proxy finds no server (an import applies nothing twice).
async fn import(ctx: &Ctx, file: &[u8], from: Option<&str>) -> Result<(u16, Value), String> {
    let mut last = String::new();
    for _ in 0..100 {
        let mut request = ctx
            .office
            .post(format!("{}/import", ctx.proxy_api))
            .header("x-export-passphrase", PASSPHRASE)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(file.to_vec());
        if let Some(name) = from {
            request = request.header("x-export-user", name);
        }
        match request.send().await {
            Ok(r) if r.status().is_server_error() => last = r.status().to_string(),
            Ok(r) => {
                let status = r.status().as_u16();
                match r.bytes().await {
                    Ok(bytes) => {
                        return Ok((
                            status,
                            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
                        ))
                    }
                    Err(e) => last = format!("answer cut off: {e}"),
                }
            }
            Err(e) => last = e.to_string(),
        }
        ctx.server.wait_up().await;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Err(format!("the import kept failing: {last}"))
}

fn count(report: &Value, field: &str) -> u64 {
    report[field].as_u64().unwrap_or(u64::MAX)
}

async fn forged_import(
    ctx: &Ctx,
    run: &Run<'_>,
    n: u64,
    victim: &Device,
    side: &mut Rng,
    result: &mut RunResult,
) -> Result<(), String> {
    result.forged_imports += 1;
    let under_victim = side.chance(50);
    // A tablet no account used goes in as the one named, or as the office's own when unnamed:
    // a forged file the office vouches for itself is not what this checks.
    let named = !under_victim || side.chance(60);
    let (device, first) = if under_victim {
        // Beyond the intruder's own numbers on the tablet, if they have any, and far beyond the
        // victim's.
        (victim.id, victim.intruder_seq.get().max(50_000) + 1)
    } else {
        (uuid(ctx, run.seed, 7000 + n), 1)
    };
    let records = [
        forged(run, victim, RecordKind::Interview, &format!("forged-{n}"))?,
        forged(run, victim, RecordKind::Company, &format!("forged-{n}"))?,
        own_company(ctx, run, n),
    ];
    let changes = records
        .into_iter()
        .zip(first..)
        .map(|(record, seq)| Change { seq, record })
        .collect();
    let file = seal(device, changes, side, run.book.clock.get())?;
    let (status, report) = import(ctx, &file, named.then_some(INTRUDER)).await?;
    // The intruder may import under the victim's id only as far as they signed in on it: then
    // it is their numbering on that tablet, with their rights.
    let refused_whole = under_victim && (!named || victim.intruder_seq.get() == 0);
    let fine = if refused_whole {
        status == 403 && report["error"] == "device_of_another_user"
    } else {
        let rejected: Vec<&str> = report["rejected"]
            .as_array()
            .map(|list| list.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let names = |id: Uuid| rejected.iter().any(|line| line.contains(&id.to_string()));
        status == 200
            && report["applied_as"]["username"] == INTRUDER
            && count(&report, "applied") + count(&report, "duplicate") == 1
            && count(&report, "merged") + count(&report, "superseded") == 0
            && rejected.len() == 2
            && names(run.book.interview)
            && names(run.book.company)
    };
    if !fine {
        breach(
            result,
            format!(
                "a forged export ({}, {}) was answered {status} {report}",
                if under_victim {
                    format!("under device {}'s id", victim.idx)
                } else {
                    "a tablet no account used".to_owned()
                },
                if named {
                    "handed in by the intruder"
                } else {
                    "unnamed"
                }
            ),
        );
    }
    if under_victim && !refused_whole {
        victim.intruder_seq.set(first + 2);
    }
    victim.net.trace.log(|| {
        format!(
            "  forged export (under d{}'s id: {under_victim}, named: {named}) -> {status} {report}",
            victim.idx
        )
    });
    later_change(run, n, victim, side, result).await;
    Ok(())
}

async fn own_import(
    ctx: &Ctx,
    run: &Run<'_>,
    n: u64,
    device: &Device,
    side: &mut Rng,
    result: &mut RunResult,
) -> Result<(), String> {
    if device.store.waiting() == 0 {
        let token = format!("d{}-x{n}", device.idx);
        let edit = match side.below(2) {
            0 => Edit::Set(Target::Notes, token),
            _ => Edit::Set(Target::PracticeNote(side.pick(run.hot).clone()), token),
        };
        run.book.apply(device.idx, &device.store, &edit);
    }
    let changes = match device.store.pending(MAX_PUSH_CHANGES).await {
        Ok(changes) => changes,
        Err(never) => match never {},
    };
    if changes.is_empty() {
        return Ok(());
    }
    result.own_imports += 1;
    // Exported: its numbers are out of the device's hands, and its own later push of them is
    // answered `duplicate` for a reason.
    device
        .net
        .sent
        .borrow_mut()
        .extend(changes.iter().map(|c| c.seq));
    let file = seal(device.id, changes.clone(), side, run.book.clock.get())?;
    let answer = import(ctx, &file, Some(&ctx.username)).await;
    let delivery = match &answer {
        Ok((200, _)) => Delivery::Delivered,
        Ok(_) => Delivery::NotDelivered,
        Err(_) => Delivery::Ambiguous,
    };
    {
        let mut oracle = run.book.oracle.borrow_mut();
        for change in &changes {
            oracle.pushed(device.idx, &change.record, delivery);
        }
    }
    let (status, report) = answer?;
    let rejected = report["rejected"].as_array().map_or(usize::MAX, Vec::len);
    if status != 200 || report["applied_as"]["username"] != ctx.username.as_str() || rejected != 0 {
        breach(
            result,
            format!(
                "device {}'s own export, handed in as its account, was answered {status} {report}",
                device.idx
            ),
        );
    }
    device.net.trace.log(|| {
        let seqs: Vec<String> = changes.iter().map(|c| format!("#{}", c.seq)).collect();
        format!(
            "  d{} export of {} imported by the office -> {status} {report}",
            device.idx,
            seqs.join(", ")
        )
    });
    Ok(())
}
