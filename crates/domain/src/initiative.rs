//! Linking companies to help: the catalogue of initiatives, the links and their life, ranked
//! suggestions, and the counts the programme reports on.
//!
//! The plan: after the interview every company is linked, where its ambition and needs fit, to the
//! Versnellingsteam Metaal (its coaches guide companies one by one) and/or to local, regional or
//! national initiatives. Targets: at least 50 companies linked to the Versnellingsteam and at
//! least 50 to other initiatives.
//!
//! - [`catalogue`]: [`Initiative`] (a synced record the coordinator keeps) and [`seed_catalogue`],
//!   the twelve initiatives named in the plan with fixed ids, so every device and the server agree.
//! - [`link`]: [`Link`] (a synced record: one company to one initiative) and its lifecycle
//!   [`LinkStatus`], with the allowed transitions and follow-up.
//! - [`suggest`](mod@suggest): [`suggest()`] ranks the catalogue for one interview; the formula is
//!   on that function.
//! - [`counts`]: [`link_counts`], distinct companies linked, split the way the targets are.
//!
//! Like the rest of the crate this does no I/O and reads no clock: dates (`YYYY-MM-DD`) and ids
//! come in as arguments.

pub mod catalogue;
mod checks;
pub mod counts;
pub mod link;
pub mod suggest;

pub use catalogue::{seed_catalogue, Contact, Initiative, InitiativeError, NeedKind, Scope};
pub use counts::{link_counts, LinkCounts};
pub use link::{follow_up_after, Link, LinkError, LinkEvent, LinkStatus, FOLLOW_UP_MONTHS};
pub use suggest::{area_fit, suggest, AreaFit, Reason, Suggestion};

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::model::{Record, RecordKind, ValidationError};
    use crate::protocol::Change;

    fn link() -> Link {
        let mut l = Link::new(
            Uuid::from_u128(10),
            Uuid::from_u128(1),
            Some(Uuid::from_u128(2)),
            Uuid::from_u128(3),
            "Past bij uw ambitie op Gebouw",
            "2025-03-01",
        );
        l.coach = "Coach 1 (naam volgt)".into();
        l.follow_up_date = "2025-09-01".into();
        l.meta.updated_at = 1_700_000_000_000;
        l
    }

    #[test]
    fn initiative_record_wire_format_is_tagged_and_flat() {
        let initiative = seed_catalogue().unwrap().remove(0);
        let record = Record::Initiative(initiative.clone());
        let json = serde_json::to_value(&record).unwrap();
        assert_eq!(json["kind"], "initiative");
        assert_eq!(json["record"]["name"], "Versnellingsteam Metaal");
        assert_eq!(json["record"]["scope"], "regional");
        assert_eq!(json["record"]["needs"][1], "advice");
        assert_eq!(json["record"]["rev"], 0);
        assert_eq!(json["record"]["deleted"], false);
        let back: Record = serde_json::from_value(json).unwrap();
        assert_eq!(back, record);
        assert_eq!(back.kind(), RecordKind::Initiative);
        assert_eq!(back.id(), initiative.id);
        assert_eq!(back.validate(), Ok(()));
    }

    #[test]
    fn link_record_wire_format_is_tagged_and_flat() {
        let mut l = link();
        l.set_status(LinkStatus::Introduced, "2025-03-05", "Gebeld")
            .unwrap();
        let mut record = Record::Link(l.clone());
        let json = serde_json::to_value(&record).unwrap();
        assert_eq!(json["kind"], "link");
        assert_eq!(json["record"]["status"], "introduced");
        assert_eq!(json["record"]["history"][1]["note"], "Gebeld");
        assert_eq!(json["record"]["updated_at"], 1_700_000_000_000_i64);
        let back: Record = serde_json::from_value(json).unwrap();
        assert_eq!(back, record);
        assert_eq!(back.kind().as_str(), "link");
        assert_eq!(RecordKind::parse("link"), Some(RecordKind::Link));
        assert_eq!(
            RecordKind::parse("initiative"),
            Some(RecordKind::Initiative)
        );
        record.meta_mut().deleted = true;
        assert!(record.meta().deleted);

        let mut bad = l;
        bad.company_id = Uuid::nil();
        assert_eq!(Record::Link(bad).validate(), Err(ValidationError::NilId));
    }

    #[test]
    fn pushed_changes_carry_the_new_kinds() {
        let json = r#"{"seq":7,"kind":"link","record":{"id":"00000000-0000-0000-0000-00000000000a",
            "company_id":"00000000-0000-0000-0000-000000000001",
            "initiative_id":"00000000-0000-4000-8000-000000000001","status":"started"}}"#;
        let change: Change = serde_json::from_str(json).unwrap();
        let Record::Link(l) = &change.record else {
            panic!("expected a link, got {:?}", change.record);
        };
        assert_eq!(l.status, LinkStatus::Started);
        assert_eq!(l.interview_id, None);
        assert_eq!(change.record.validate(), Ok(()));
    }

    #[test]
    fn old_records_still_parse() {
        let json = r#"{"kind":"company","record":{"id":"00000000-0000-0000-0000-000000000001","name":"Van Dijk Metaal","rev":3,"updated_at":5,"deleted":false}}"#;
        let record: Record = serde_json::from_str(json).unwrap();
        let Record::Company(c) = &record else {
            panic!("expected a company");
        };
        assert_eq!(c.name, "Van Dijk Metaal");
        assert_eq!(record.meta().rev, 3);
        let json = r#"{"kind":"interview","record":{"id":"00000000-0000-0000-0000-000000000002","company_id":"00000000-0000-0000-0000-000000000001"}}"#;
        let record: Record = serde_json::from_str(json).unwrap();
        assert_eq!(record.kind(), RecordKind::Interview);
        // The original kinds keep their names and order.
        assert_eq!(RecordKind::Company.as_str(), "company");
        assert!(RecordKind::Interview < RecordKind::Initiative);
    }
}
