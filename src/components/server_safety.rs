//! "Veilig op de server ✓": whether an interview, as this device shows it, is on the server.
//!
//! Safe means no change of the interview or of its company waits, and the server's receipts
//! (revision and content hash it stores, kept by the sync engine) match the local copies exactly
//! (`praatplaat_domain::sync::is_safe`). The company counts because it holds the name and address
//! the interview is found by. This only informs: the device never drops a record for being safe.

use leptos::prelude::*;
use praatplaat_domain::model::RecordKind;
use uuid::Uuid;

use crate::i18n::use_texts;
use crate::state::{use_app_state, AppState};

/// Where an interview stands with the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Safety {
    /// On the server as shown: the interview's revision and the start of its content hash.
    Safe { rev: u64, hash: String },
    /// Was on the server, but a newer change (or the server's merged version) is still on its way.
    Waiting,
    /// Never confirmed by the server.
    NotYet,
}

/// The safety of interview `id` (with its company), reactive. Each record's content hash is
/// computed once per change of that record (`RecordMap::is_safe`), not at every look.
pub fn safety(state: &AppState, id: Uuid) -> Option<Safety> {
    let records = state.records;
    let company_id = records
        .interviews
        .with(|m| m.get(&id).map(|i| i.company_id))?;
    let has_company = records.companies.with(|m| m.contains_key(&company_id));
    Some(state.sync.with(|s| {
        let outbox = &s.outbox;
        let look = |kind: RecordKind, id: Uuid| {
            let key = (kind, id);
            (outbox.unsynced.contains(&key), outbox.receipts.get(&key))
        };
        let (waiting, receipt) = look(RecordKind::Interview, id);
        let mut safe = records.interviews.is_safe(id, waiting, receipt);
        if safe && has_company {
            let (waiting, receipt) = look(RecordKind::Company, company_id);
            safe = records.companies.is_safe(company_id, waiting, receipt);
        }
        match receipt {
            Some(r) if safe => Safety::Safe {
                rev: r.rev,
                hash: r.hash.chars().take(8).collect(),
            },
            Some(_) => Safety::Waiting,
            None => Safety::NotYet,
        }
    }))
}

/// A small line with the interview's standing on the server.
#[component]
pub fn ServerSafety(id: Uuid) -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    // The line is rebuilt only when the standing changes, not at every change of the records or
    // of the sync status (a round changes both several times).
    let standing = Memo::new(move |_| safety(&state, id));
    move || {
        let t = t.get().transfer;
        standing.get().map(|s| {
            let (class, text, title) = match s {
                Safety::Safe { rev, hash } => ("safe", (t.safe_on_server)(rev, &hash), t.safe_title),
                Safety::Waiting => ("waiting", t.change_waiting.to_owned(), ""),
                Safety::NotYet => ("not-yet", t.not_on_server.to_owned(), ""),
            };
            view! {
                <span class=format!("server-safety {class}") data-testid="server-safety" title=title>
                    {text}
                </span>
            }
        })
    }
}
