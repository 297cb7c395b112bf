//! Field checks shared by the initiative and link records.
//!
//! They mirror the private helpers in `model.rs` (same errors, same limits), so a refused link
//! reads like a refused company.

use crate::model::{Field, ValidationError, MAX_SHORT_TEXT};

/// Most entries a list field of a record (themes, regions, coaches, …) may hold.
pub const MAX_LIST: usize = 100;

pub fn check_len(field: Field, value: &str, max: usize) -> Result<(), ValidationError> {
    if value.chars().count() > max {
        Err(ValidationError::TooLong { field, max })
    } else {
        Ok(())
    }
}

/// `YYYY-MM-DD` with plausible month and day; empty is allowed (an optional date).
pub fn check_date(date: &str) -> Result<(), ValidationError> {
    if date.is_empty() || is_date(date) {
        Ok(())
    } else {
        Err(ValidationError::BadDate(date.to_owned()))
    }
}

/// Like [`check_date`], but the date must be there.
pub fn check_required_date(field: Field, date: &str) -> Result<(), ValidationError> {
    if date.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    check_date(date)
}

pub fn is_date(date: &str) -> bool {
    parse_date(date).is_some()
}

/// `(year, month, day)` of a `YYYY-MM-DD` date with month 1..=12 and day 1..=31.
pub fn parse_date(date: &str) -> Option<(u32, u32, u32)> {
    let mut parts = date.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return None;
    }
    let (y, m, d) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// A list of short, non-empty texts of bounded length; `item` names one entry in the error.
pub fn check_list(field: Field, item: Field, values: &[String]) -> Result<(), ValidationError> {
    if values.len() > MAX_LIST {
        return Err(ValidationError::TooMany {
            field,
            max: MAX_LIST,
        });
    }
    for value in values {
        if value.trim().is_empty() {
            return Err(ValidationError::Empty { field: item });
        }
        check_len(item, value, MAX_SHORT_TEXT)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_parsed_strictly() {
        assert_eq!(parse_date("2025-02-28"), Some((2025, 2, 28)));
        for bad in [
            "",
            "2025-13-01",
            "2025-1-1",
            "2025-01-01-01",
            "x",
            "2025/01/01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(check_date(""), Ok(()));
        assert_eq!(
            check_required_date(Field::Date, ""),
            Err(ValidationError::Empty { field: Field::Date })
        );
    }

    #[test]
    fn lists_refuse_blank_entries() {
        let list = vec!["GR".to_owned(), " ".to_owned()];
        assert_eq!(
            check_list(Field::Themes, Field::ThemeId, &list),
            Err(ValidationError::Empty {
                field: Field::ThemeId
            })
        );
        let long = vec!["x".to_owned(); MAX_LIST + 1];
        assert!(matches!(
            check_list(Field::Coaches, Field::Coach, &long),
            Err(ValidationError::TooMany {
                field: Field::Coaches,
                ..
            })
        ));
    }
}
