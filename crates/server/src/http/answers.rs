//! The answers every route gets from its extractors, added to the OpenAPI document from what
//! each operation declares, so no route lists them by hand and none can forget one: a bearer
//! token (`Auth`) → 401; path parameters (`extract::Path`) → 400 `bad_path`; query parameters
//! (`extract::Query`) → 400 `bad_query`; a JSON body (`extract::Json`) → 400 `bad_json`, 413
//! `too_large`, 415 `unsupported_media_type`, 422 `invalid`; any other body (`extract::Body`) →
//! 400 `bad_body`, 413 `too_large` (see `crate::error::AppError::status_and_code`). What a
//! handler itself refuses (403, 404, 409, 422, 429 …) stays in its own `#[utoipa::path]`.
//!
//! Where a route already declares a status, the extractor's case is added to its description.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response};

/// One way an extractor refuses a request: status, error code, and when.
struct Answer {
    status: u16,
    code: &'static str,
    when: &'static str,
}

const UNAUTHORIZED: &[Answer] = &[
    Answer {
        status: 401,
        code: "unauthorized",
        when: "no valid session token",
    },
    Answer {
        status: 401,
        code: "session_revoked",
        when: "the session was revoked",
    },
];

const BAD_PATH: &[Answer] = &[Answer {
    status: 400,
    code: "bad_path",
    when: "a path parameter is not of its type",
}];

const BAD_QUERY: &[Answer] = &[Answer {
    status: 400,
    code: "bad_query",
    when: "a query parameter is missing or not of its type",
}];

const JSON_BODY: &[Answer] = &[
    Answer {
        status: 400,
        code: "bad_json",
        when: "the body is not JSON",
    },
    Answer {
        status: 413,
        code: "too_large",
        when: "the body is larger than the server takes",
    },
    Answer {
        status: 415,
        code: "unsupported_media_type",
        when: "the body is not sent as `Content-Type: application/json`",
    },
    Answer {
        status: 422,
        code: "invalid",
        when: "the JSON is not of the request's shape (a field missing or of another type)",
    },
];

const RAW_BODY: &[Answer] = &[
    Answer {
        status: 400,
        code: "bad_body",
        when: "the body could not be read",
    },
    Answer {
        status: 413,
        code: "too_large",
        when: "the body is larger than the server takes",
    },
];

/// Adds the extractors' answers to every operation of `document`.
pub(crate) fn declare(document: &mut OpenApi) {
    for item in document.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            for answer in answers_of(operation) {
                add(operation, answer);
            }
        }
    }
}

/// What the extractors of `operation` can answer, from its security, parameters and body.
fn answers_of(operation: &Operation) -> Vec<&'static Answer> {
    let mut answers = Vec::new();
    let bearer = operation
        .security
        .iter()
        .flatten()
        .any(|requirement| *requirement != Default::default());
    if bearer {
        answers.extend(UNAUTHORIZED);
    }
    let has = |place: ParameterIn| {
        operation
            .parameters
            .iter()
            .flatten()
            .any(|parameter| parameter.parameter_in == place)
    };
    let (path, query) = (has(ParameterIn::Path), has(ParameterIn::Query));
    if path {
        answers.extend(BAD_PATH);
    }
    if query {
        answers.extend(BAD_QUERY);
    }
    if let Some(body) = &operation.request_body {
        if body.content.contains_key("application/json") {
            answers.extend(JSON_BODY);
        } else {
            answers.extend(RAW_BODY);
        }
    }
    answers
}

fn add(operation: &mut Operation, answer: &Answer) {
    let tagged = format!("`{}`", answer.code);
    let case = format!("{tagged}: {}", answer.when);
    let responses = &mut operation.responses.responses;
    match responses.get_mut(&answer.status.to_string()) {
        Some(RefOr::T(response)) => {
            if !response.description.contains(&tagged) {
                response.description = if response.description.is_empty() {
                    case
                } else {
                    format!("{}; or {case}", response.description.trim_end_matches('.'))
                };
            }
            response
                .content
                .entry("application/json".to_owned())
                .or_insert_with(api_error);
        }
        Some(RefOr::Ref(_)) => {}
        None => {
            let mut response = Response::new(case);
            response
                .content
                .insert("application/json".to_owned(), api_error());
            responses.insert(answer.status.to_string(), RefOr::T(response));
        }
    }
}

fn api_error() -> Content {
    Content::new(Some(Ref::from_schema_name("ApiError")))
}
