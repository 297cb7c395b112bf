//! The demo programme (`praatplaat-server demo`, `make demo`): accounts of every role and the
//! domain's demo records (`praatplaat_domain::demo`), pushed through the ordinary push path as
//! the demo interviewer's tablet, so everything it holds is as real records are.

use praatplaat_domain::protocol::auth::{NewUser, Role};
use praatplaat_domain::protocol::{Change, ChangeStatus, PushRequest, MAX_PUSH_CHANGES};
use uuid::Uuid;

use crate::store::Actor;
use crate::AppState;

/// The demo accounts: user name, shown name, role. Their password is [`PASSWORD`].
pub const ACCOUNTS: [(&str, &str, Role); 4] = [
    ("demo-beheer", "Beheer (demo)", Role::Admin),
    ("demo-coordinator", "Coördinator (demo)", Role::Coordinator),
    ("demo-jan", "Jan de Vries", Role::Interviewer),
    ("demo-partner", "Gemeente Gouda (demo)", Role::Partner),
];
pub const PASSWORD: &str = "praatplaat-demo";
/// The demo interviewer's tablet: its changes are numbered 1, 2, … so a second load is a retry
/// the server answers `duplicate`.
const DEVICE: Uuid = Uuid::from_u128(0xde70_0000_0000_4000_8000_0000_0000_0001);

#[derive(Debug, Default)]
pub struct Report {
    pub applied: usize,
    pub already: usize,
}

/// Creates the demo accounts that are missing and pushes the demo records (dated from today).
pub async fn load(state: &AppState) -> Result<Report, String> {
    let mut jan = None;
    for (username, display_name, role) in ACCOUNTS {
        let user = match state
            .store
            .user_by_name(username)
            .await
            .map_err(|e| e.to_string())?
        {
            Some(user) => user,
            None => crate::http::accounts::create_user(
                state,
                NewUser {
                    username: username.to_owned(),
                    display_name: display_name.to_owned(),
                    role,
                    password: PASSWORD.to_owned(),
                },
            )
            .await
            .map_err(|e| e.to_string())?,
        };
        if role == Role::Interviewer {
            jan = Some(user);
        }
    }
    let jan = jan.ok_or("no demo interviewer")?;
    let now = crate::store::now_ms();
    let mut records = praatplaat_domain::demo::dataset(
        &praatplaat_domain::demo::date_of_ms(now),
        &jan.display_name,
    );
    for record in &mut records {
        record.meta_mut().updated_at = now;
    }
    let actor = Actor {
        user: Some(jan.id),
        role: Role::Interviewer,
    };
    let changes: Vec<Change> = records
        .into_iter()
        .enumerate()
        .map(|(n, record)| Change {
            seq: n as u64 + 1,
            record,
        })
        .collect();
    let mut report = Report::default();
    let mut refused = Vec::new();
    for batch in changes.chunks(MAX_PUSH_CHANGES) {
        let request = PushRequest {
            device_id: DEVICE,
            changes: batch.to_vec(),
        };
        let response = state
            .store
            .push(actor, &request)
            .await
            .map_err(|e| e.to_string())?;
        for result in response.results {
            match result.status {
                ChangeStatus::Rejected => refused.push(format!(
                    "{} {}: {}",
                    result.kind.as_str(),
                    result.id,
                    result.reason.unwrap_or_default()
                )),
                ChangeStatus::Duplicate => report.already += 1,
                _ => report.applied += 1,
            }
        }
    }
    if refused.is_empty() {
        Ok(report)
    } else {
        Err(format!(
            "the server refused demo records: {}",
            refused.join("; ")
        ))
    }
}
