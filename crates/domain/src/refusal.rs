//! Why the server refuses a change, as a stable code with parameters: the server and the domain
//! say *what* is wrong, the app words it in the interviewer's language (its catalogue,
//! `src/i18n.rs`). On the wire a [`Refusal`] travels in `ChangeResult::refusal` next to the
//! English sentence in `ChangeResult::reason` (logs, and app versions that predate the codes):
//!
//! ```json
//! {"code": "empty", "field": "name"}
//! {"code": "too_many", "field": "photos", "max": 20}
//! {"code": "merged_invalid", "problem": {"code": "too_many", "field": "photos", "max": 20}}
//! {"code": "company_not_assigned"}
//! ```
//!
//! A code this version does not know reads as [`Refusal::Unknown`] (an unknown field as
//! [`Field::Other`]), so a newer server never breaks an older app: it shows the sentence.
//!
//! Where a refusal is kept in one text (the server's `lineage.refused_reason`, the app's outbox
//! entry), it is a [`Reason`]: the sentence and the code as JSON, or, as older versions wrote it,
//! the bare sentence ([`Reason::to_stored`], [`Reason::from_stored`]).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

pub use crate::model::Field;
use crate::model::ValidationError;

/// Why the server refused a change: a record that fails validation ([`ValidationError`], one
/// variant each), two valid edits that merged into an invalid record, or the rights check.
/// `Display` gives the English sentence the server sends as `reason`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Refusal {
    /// An id (of the record or one it points to) is the nil UUID.
    NilId,
    Empty {
        field: Field,
    },
    TooLong {
        field: Field,
        max: usize,
    },
    /// Not `YYYY-MM-DD`.
    BadDate {
        value: String,
    },
    UnknownSegment {
        segment: String,
    },
    BadPhotoHash {
        hash: String,
    },
    TooMany {
        field: Field,
        max: usize,
    },
    DuplicateExample {
        id: Uuid,
    },
    /// An answer names a practice that the interview's plate version does not have
    /// ([`crate::limits`]).
    UnknownPractice {
        practice: String,
    },
    /// A need names a theme that the interview's plate version does not have.
    UnknownTheme {
        theme: String,
    },
    /// The record's JSON is `bytes` long, over the `max` a record may be.
    RecordTooLarge {
        bytes: usize,
        max: usize,
    },
    /// The change was valid, but merged with another device's edit it is not (too many photos
    /// together, say): `problem` is what is wrong with the merged record.
    MergedInvalid {
        #[cfg_attr(feature = "openapi", schema(no_recursion))]
        problem: Box<Refusal>,
    },
    /// The session names no user (a device-less token).
    NoUser,
    /// Only a coordinator changes the initiative catalogue.
    CatalogueReadOnly,
    /// The stored record belongs to a company the account is not assigned to.
    RecordNotAssigned,
    /// The change concerns a company the account is not assigned to.
    CompanyNotAssigned,
    /// The change number `seq` is not one the device can have sent: more than
    /// [`crate::protocol::MAX_SEQ_STEP`] beyond the highest the server applied from it, or above
    /// [`crate::protocol::MAX_SEQ`]; `max` is the highest it takes now. Nothing is counted, so
    /// the device's later changes still apply.
    SeqOutOfRange {
        seq: u64,
        max: u64,
    },
    /// A photo over the size the server takes (its upload answered 413).
    PhotoTooLarge,
    /// The server cannot store a photo: not a JPEG of a photo's size, or its bytes do not match
    /// their name (its upload answered 422 twice, or holds every byte but no photo).
    PhotoUnusable,
    /// A code this version does not know; the sentence (`reason`) says what it is.
    #[serde(other)]
    Unknown,
}

impl From<&ValidationError> for Refusal {
    fn from(e: &ValidationError) -> Refusal {
        match e {
            ValidationError::NilId => Refusal::NilId,
            ValidationError::Empty { field } => Refusal::Empty { field: *field },
            ValidationError::TooLong { field, max } => Refusal::TooLong {
                field: *field,
                max: *max,
            },
            ValidationError::BadDate(value) => Refusal::BadDate {
                value: value.clone(),
            },
            ValidationError::UnknownSegment(segment) => Refusal::UnknownSegment {
                segment: segment.clone(),
            },
            ValidationError::BadPhotoHash(hash) => Refusal::BadPhotoHash { hash: hash.clone() },
            ValidationError::TooMany { field, max } => Refusal::TooMany {
                field: *field,
                max: *max,
            },
            ValidationError::DuplicateExample(id) => Refusal::DuplicateExample { id: *id },
        }
    }
}

impl From<ValidationError> for Refusal {
    fn from(e: ValidationError) -> Refusal {
        Refusal::from(&e)
    }
}

impl fmt::Display for Refusal {
    /// The English sentence (the server's `reason`); for validation errors exactly what
    /// [`ValidationError`] says.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NilId => ValidationError::NilId.fmt(f),
            Refusal::Empty { field } => ValidationError::Empty { field: *field }.fmt(f),
            Refusal::TooLong { field, max } => ValidationError::TooLong {
                field: *field,
                max: *max,
            }
            .fmt(f),
            Refusal::BadDate { value } => ValidationError::BadDate(value.clone()).fmt(f),
            Refusal::UnknownSegment { segment } => {
                ValidationError::UnknownSegment(segment.clone()).fmt(f)
            }
            Refusal::BadPhotoHash { hash } => ValidationError::BadPhotoHash(hash.clone()).fmt(f),
            Refusal::TooMany { field, max } => ValidationError::TooMany {
                field: *field,
                max: *max,
            }
            .fmt(f),
            Refusal::DuplicateExample { id } => ValidationError::DuplicateExample(*id).fmt(f),
            Refusal::UnknownPractice { practice } => write!(
                f,
                "practice {practice:?} is not on the interview's praatplaat version"
            ),
            Refusal::UnknownTheme { theme } => write!(
                f,
                "theme {theme:?} is not on the interview's praatplaat version"
            ),
            Refusal::RecordTooLarge { bytes, max } => write!(
                f,
                "the record is {bytes} bytes as JSON; at most {max} are accepted"
            ),
            Refusal::MergedInvalid { problem } => {
                write!(f, "merged with another device's edit: {problem}")
            }
            Refusal::PhotoTooLarge => f.write_str("the photo is larger than the server takes"),
            Refusal::PhotoUnusable => f.write_str(
                "the server cannot store the photo: not a JPEG of a photo's size, or its bytes \
                 do not match their hash",
            ),
            Refusal::NoUser => f.write_str("no user"),
            Refusal::CatalogueReadOnly => {
                f.write_str("only a coordinator changes the initiative catalogue")
            }
            Refusal::RecordNotAssigned => f.write_str(
                "this record belongs to a company you are not assigned to; ask the coordinator",
            ),
            Refusal::CompanyNotAssigned => {
                f.write_str("this company is not assigned to you; ask the coordinator")
            }
            Refusal::SeqOutOfRange { seq, max } => write!(
                f,
                "change number {seq} is beyond what this device has sent (at most {max} is taken \
                 now): its numbering is damaged; ask the coordinator"
            ),
            Refusal::Unknown => f.write_str("refused"),
        }
    }
}

/// Reads an optional [`Refusal`] without ever failing: one this version cannot read (a new code
/// with a new parameter, a new field in a known code) is [`Refusal::Unknown`], so the rest of the
/// answer still reads and the device shows the sentence.
pub fn lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Refusal>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(value
        .filter(|v| !v.is_null())
        .map(|v| serde_json::from_value(v).unwrap_or(Refusal::Unknown)))
}

/// A refusal as it is kept: the English sentence, and the code when there is one (there is none
/// for what older versions kept, or when an older server refused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub text: String,
    #[serde(default, deserialize_with = "lenient")]
    pub refusal: Option<Refusal>,
}

impl Reason {
    /// A reason with its code; the sentence is the code's.
    pub fn of(refusal: Refusal) -> Reason {
        Reason {
            text: refusal.to_string(),
            refusal: Some(refusal),
        }
    }

    /// A sentence without a code (an older server's, a photo upload's).
    pub fn text(text: impl Into<String>) -> Reason {
        Reason {
            text: text.into(),
            refusal: None,
        }
    }

    /// The code when this version knows it (not [`Refusal::Unknown`]).
    pub fn known(&self) -> Option<&Refusal> {
        self.refusal.as_ref().filter(|r| **r != Refusal::Unknown)
    }

    /// One text to keep: JSON `{"text": …, "refusal": {…}}`, or the bare sentence when there is
    /// no code (exactly what older versions kept).
    pub fn to_stored(&self) -> String {
        match &self.refusal {
            // A struct of a string and a refusal always serialises.
            Some(_) => serde_json::to_string(self).unwrap_or_else(|_| self.text.clone()),
            None => self.text.clone(),
        }
    }

    /// Reads what [`Reason::to_stored`] wrote, and the bare sentences of older versions.
    pub fn from_stored(stored: &str) -> Reason {
        if stored.starts_with('{') {
            if let Ok(reason) = serde_json::from_str::<Reason>(stored) {
                return reason;
            }
        }
        Reason::text(stored)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// One of each code, to check they all travel.
    fn every_refusal() -> Vec<Refusal> {
        vec![
            Refusal::NilId,
            Refusal::Empty { field: Field::Name },
            Refusal::TooLong {
                field: Field::ContactEmail,
                max: 200,
            },
            Refusal::BadDate {
                value: "2025-13-01".into(),
            },
            Refusal::UnknownSegment {
                segment: "bakkerij".into(),
            },
            Refusal::BadPhotoHash { hash: "AB".into() },
            Refusal::TooMany {
                field: Field::Photos,
                max: 20,
            },
            Refusal::DuplicateExample {
                id: Uuid::from_u128(7),
            },
            Refusal::UnknownPractice {
                practice: "XX-99".into(),
            },
            Refusal::UnknownTheme { theme: "XX".into() },
            Refusal::RecordTooLarge {
                bytes: 600_000,
                max: 524_288,
            },
            Refusal::MergedInvalid {
                problem: Box::new(Refusal::TooMany {
                    field: Field::Photos,
                    max: 20,
                }),
            },
            Refusal::NoUser,
            Refusal::CatalogueReadOnly,
            Refusal::RecordNotAssigned,
            Refusal::CompanyNotAssigned,
            Refusal::SeqOutOfRange {
                seq: 1_000_000,
                max: 100_007,
            },
            Refusal::Unknown,
        ]
    }

    #[test]
    fn codes_are_tagged_with_their_parameters() {
        assert_eq!(
            serde_json::to_value(Refusal::Empty { field: Field::Name }).unwrap(),
            json!({"code": "empty", "field": "name"})
        );
        assert_eq!(
            serde_json::to_value(Refusal::TooMany {
                field: Field::Photos,
                max: 20
            })
            .unwrap(),
            json!({"code": "too_many", "field": "photos", "max": 20})
        );
        assert_eq!(
            serde_json::to_value(Refusal::CompanyNotAssigned).unwrap(),
            json!({"code": "company_not_assigned"})
        );
        assert_eq!(
            serde_json::to_value(Refusal::TooLong {
                field: Field::ContactEmail,
                max: 200
            })
            .unwrap()["field"],
            "contact_email"
        );
    }

    #[test]
    fn every_code_round_trips() {
        for refusal in every_refusal() {
            let json = serde_json::to_string(&refusal).unwrap();
            assert_eq!(
                serde_json::from_str::<Refusal>(&json).unwrap(),
                refusal,
                "{json}"
            );
        }
    }

    #[test]
    fn unknown_codes_and_fields_read_as_unknown() {
        let read = |v: serde_json::Value| serde_json::from_value::<Refusal>(v).unwrap();
        assert_eq!(read(json!({"code": "new_rule"})), Refusal::Unknown);
        assert_eq!(
            read(json!({"code": "new_rule", "max": 3})),
            Refusal::Unknown
        );
        assert_eq!(
            read(json!({"code": "empty", "field": "colour"})),
            Refusal::Empty {
                field: Field::Other
            }
        );
        // A known code with a parameter it cannot read: the lenient reader gives up on the code
        // only, never on the answer around it.
        #[derive(Deserialize)]
        struct Around {
            #[serde(default, deserialize_with = "lenient")]
            refusal: Option<Refusal>,
        }
        let around: Around =
            serde_json::from_str(r#"{"refusal": {"code": "too_many", "field": "photos"}}"#)
                .unwrap();
        assert_eq!(around.refusal, Some(Refusal::Unknown));
        let around: Around = serde_json::from_str(r#"{"refusal": null}"#).unwrap();
        assert_eq!(around.refusal, None);
        let around: Around = serde_json::from_str("{}").unwrap();
        assert_eq!(around.refusal, None);
    }

    #[test]
    fn sentences_are_the_validation_errors() {
        let e = ValidationError::TooLong {
            field: Field::Name,
            max: 200,
        };
        assert_eq!(Refusal::from(&e).to_string(), e.to_string());
        assert_eq!(
            Refusal::Empty { field: Field::Name }.to_string(),
            "name must not be empty"
        );
        assert_eq!(
            Refusal::MergedInvalid {
                problem: Box::new(Refusal::TooMany {
                    field: Field::Photos,
                    max: 20
                })
            }
            .to_string(),
            "merged with another device's edit: photos holds more than 20 items"
        );
    }

    #[test]
    fn stored_reasons_round_trip_and_old_plain_strings_still_read() {
        for refusal in every_refusal() {
            let reason = Reason::of(refusal);
            assert_eq!(Reason::from_stored(&reason.to_stored()), reason);
        }
        // What older servers and apps kept: the bare sentence, without a code.
        let old = Reason::from_stored("name must not be empty");
        assert_eq!(old, Reason::text("name must not be empty"));
        assert_eq!(old.known(), None);
        // A reason without a code is stored as the bare sentence, as before.
        assert_eq!(Reason::text("x").to_stored(), "x");
        // A sentence that merely looks like JSON is still a sentence.
        assert_eq!(Reason::from_stored("{oops").text, "{oops");
        // A code from a newer version: kept, with its sentence to show.
        let newer = Reason::from_stored(r#"{"text":"too late","refusal":{"code":"too_late"}}"#);
        assert_eq!(newer.refusal, Some(Refusal::Unknown));
        assert_eq!(newer.known(), None);
        assert_eq!(newer.text, "too late");
    }
}
