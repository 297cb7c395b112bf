//! Bounds on what one record may hold, beyond each field's own checks in `model`: the answers
//! and needs of an interview are keyed by the practice and theme ids of its plate version, and a
//! record's JSON has a size limit. Without them one interview with 7,000 made-up answers (7 MiB)
//! was stored, and again with every revision.
//!
//! [`check`] is the whole rule for a record the server takes (its `validate` and these bounds);
//! `push::decide_change` runs it on every new change and on every merged result.

use crate::model::{Field, Interview, Record};
use crate::plate::find_definition;
use crate::refusal::Refusal;

/// Largest record accepted, as the bytes of its JSON (`serde_json::to_vec`). A real interview is
/// a few tens of KiB; this leaves room for long notes and for conflicts holding both sides of
/// long texts, and keeps a push of 500 records and the revisions a record keeps bounded.
pub const MAX_RECORD_BYTES: usize = 512 * 1024;

/// Most answers an interview of a plate version this build does not know may hold (a newer app's
/// version: its practice ids cannot be checked, so only their number is). The known version has
/// 62 practices.
pub const MAX_ANSWERS_UNKNOWN_PLATE: usize = 250;

/// Most needs (one per theme) an interview of an unknown plate version may hold; the known
/// version has 7 themes.
pub const MAX_NEEDS_UNKNOWN_PLATE: usize = 50;

/// Whether the server takes `record`: its own validation, then [`check_limits`].
pub fn check(record: &Record) -> Result<(), Refusal> {
    record.validate()?;
    check_limits(record)
}

/// The bounds of this module alone.
pub fn check_limits(record: &Record) -> Result<(), Refusal> {
    if let Record::Interview(interview) = record {
        check_interview(interview)?;
    }
    check_size(record)
}

fn check_interview(interview: &Interview) -> Result<(), Refusal> {
    match find_definition(&interview.plate_version) {
        Some(definition) => {
            if let Some(practice) = interview
                .answers
                .keys()
                .find(|id| definition.practice(id).is_none())
            {
                return Err(Refusal::UnknownPractice {
                    practice: practice.clone(),
                });
            }
            if let Some(theme) = interview
                .needs
                .keys()
                .find(|id| definition.theme(id).is_none())
            {
                return Err(Refusal::UnknownTheme {
                    theme: theme.clone(),
                });
            }
        }
        None => {
            if interview.answers.len() > MAX_ANSWERS_UNKNOWN_PLATE {
                return Err(Refusal::TooMany {
                    field: Field::Practices,
                    max: MAX_ANSWERS_UNKNOWN_PLATE,
                });
            }
            if interview.needs.len() > MAX_NEEDS_UNKNOWN_PLATE {
                return Err(Refusal::TooMany {
                    field: Field::Needs,
                    max: MAX_NEEDS_UNKNOWN_PLATE,
                });
            }
        }
    }
    Ok(())
}

fn check_size(record: &Record) -> Result<(), Refusal> {
    // Counted without building the JSON: a writer that only adds up lengths.
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Serialising a record cannot fail (string keys, no non-finite floats); if it ever did, the
    // record could not be stored either, so it counts as too large.
    let bytes = match serde_json::to_writer(&mut count, record) {
        Ok(()) => count.0,
        Err(_) => usize::MAX,
    };
    if bytes > MAX_RECORD_BYTES {
        return Err(Refusal::RecordTooLarge {
            bytes,
            max: MAX_RECORD_BYTES,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use uuid::Uuid;

    use super::*;
    use crate::model::{PracticeAnswer, ThemeNeed};
    use crate::plate::Definition;

    fn interview() -> Interview {
        Interview {
            id: Uuid::from_u128(1),
            company_id: Uuid::from_u128(2),
            plate_version: Definition::current().unwrap().plate_key(),
            ..Interview::default()
        }
    }

    fn ticked() -> PracticeAnswer {
        PracticeAnswer {
            now: true,
            ..PracticeAnswer::default()
        }
    }

    #[test]
    fn answers_and_needs_name_the_plate_versions_practices_and_themes() {
        let mut good = interview();
        for practice in Definition::current().unwrap().practices() {
            good.answers.insert(practice.id.clone(), ticked());
        }
        good.needs.insert("GR".into(), ThemeNeed::default());
        assert_eq!(check(&Record::Interview(good.clone())), Ok(()));

        let mut made_up = good.clone();
        made_up.answers.insert("XX-99".into(), ticked());
        assert_eq!(
            check(&Record::Interview(made_up)),
            Err(Refusal::UnknownPractice {
                practice: "XX-99".into()
            })
        );
        let mut made_up = good;
        made_up.needs.insert("XX".into(), ThemeNeed::default());
        assert_eq!(
            check(&Record::Interview(made_up)),
            Err(Refusal::UnknownTheme { theme: "XX".into() })
        );
    }

    #[test]
    fn an_unknown_plate_version_bounds_only_the_number_of_answers() {
        let mut newer = interview();
        newer.plate_version = "praatplaat-metaal@99".into();
        newer.answers = (0..MAX_ANSWERS_UNKNOWN_PLATE)
            .map(|n| (format!("NW-{n}"), ticked()))
            .collect::<BTreeMap<_, _>>();
        assert_eq!(check(&Record::Interview(newer.clone())), Ok(()));
        newer.answers.insert("NW-X".into(), ticked());
        assert_eq!(
            check(&Record::Interview(newer.clone())),
            Err(Refusal::TooMany {
                field: Field::Practices,
                max: MAX_ANSWERS_UNKNOWN_PLATE
            })
        );
        newer.answers.clear();
        newer.needs = (0..=MAX_NEEDS_UNKNOWN_PLATE)
            .map(|n| (format!("T{n}"), ThemeNeed::default()))
            .collect();
        assert!(matches!(
            check(&Record::Interview(newer)),
            Err(Refusal::TooMany {
                field: Field::Needs,
                ..
            })
        ));
    }

    #[test]
    fn records_have_a_size_limit() {
        let mut big = interview();
        // Every field within its own limit, the whole over the record's.
        let note = "x".repeat(crate::model::MAX_LONG_TEXT);
        for practice in Definition::current().unwrap().practices().take(30) {
            big.answers.insert(
                practice.id.clone(),
                PracticeAnswer {
                    note: note.clone(),
                    ..PracticeAnswer::default()
                },
            );
        }
        assert_eq!(big.clone().validate(), Ok(()));
        let refused = check(&Record::Interview(big));
        assert!(
            matches!(refused, Err(Refusal::RecordTooLarge { bytes, max: MAX_RECORD_BYTES }) if bytes > MAX_RECORD_BYTES),
            "{refused:?}"
        );
    }

    #[test]
    fn a_validation_error_comes_first() {
        let mut nil = interview();
        nil.id = Uuid::nil();
        assert_eq!(check(&Record::Interview(nil)), Err(Refusal::NilId));
    }
}
