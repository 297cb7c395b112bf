//! Anonymised figures (`praatplaat_domain::figures`): the one thing a partner or municipality
//! sees; every signed-in role may read them.

use axum::extract::State;
use praatplaat_domain::figures::{figures, Figures};
use praatplaat_domain::{Record, RecordKind};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::AppResult;
use crate::extract::Json;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_figures))
}

/// Companies interviewed per municipality, region and province; groups under 5 hidden.
#[utoipa::path(get, path = "/figures", tag = "figures", security(("bearer" = [])), responses(
    (status = 200, body = Figures),
))]
async fn get_figures(State(state): State<AppState>, _auth: Auth) -> AppResult<Json<Figures>> {
    let records = |kind| state.store.records_of_kind(kind);
    let companies: Vec<_> = records(RecordKind::Company)
        .await?
        .into_iter()
        .filter_map(|r| match r {
            Record::Company(c) => Some(c),
            _ => None,
        })
        .collect();
    let interviews: Vec<_> = records(RecordKind::Interview)
        .await?
        .into_iter()
        .filter_map(|r| match r {
            Record::Interview(i) => Some(i),
            _ => None,
        })
        .collect();
    Ok(Json(figures(&companies, &interviews)))
}
