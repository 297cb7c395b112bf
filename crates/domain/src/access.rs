//! Who may see and who may change a synced record: the rule, stated once.
//!
//! The server applies it in two forms that must agree with this one: the SQL condition of a
//! pull (`VISIBLE_TO_USER` in the server's `store::records`) and the rights check of a push
//! (`store::records::refusal`). A server test (`tests/api/access.rs`) plays every [`Standing`]
//! against both on each database and compares with [`may_see`] and [`may_change`]. The app asks
//! [`may_edit_catalogue`] before it offers catalogue edits.

use crate::model::RecordKind;
use crate::protocol::auth::Role;

/// How an account stands to one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub kind: RecordKind,
    /// The account pushed the record first.
    pub created_by_me: bool,
    /// The account created the record's company (for a company: the record itself).
    pub company_mine: bool,
    /// The account is assigned to the record's company.
    pub assigned: bool,
}

/// Whether `role` sees the record in its pulls. The office sees everything; an interviewer sees
/// the catalogue, what they pushed first, and all of a company they created or are assigned to.
/// Partners sync no records.
pub fn may_see(role: Role, s: Standing) -> bool {
    if role.sees_all_records() {
        return true;
    }
    role.syncs_records()
        && (s.kind == RecordKind::Initiative || s.created_by_me || s.company_mine || s.assigned)
}

/// Whether `role` may push a change to the record. An interviewer changes the records of a
/// company they hold (created or assigned); the catalogue is the office's. A record they made
/// under a company they no longer hold stays visible to them but is read-only.
pub fn may_change(role: Role, s: Standing) -> bool {
    if role.sees_all_records() {
        return true;
    }
    role.syncs_records() && s.kind != RecordKind::Initiative && (s.company_mine || s.assigned)
}

/// Whether `role` may change the initiative catalogue.
pub fn may_edit_catalogue(role: Role) -> bool {
    role.sees_all_records()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(
        kind: RecordKind,
        created_by_me: bool,
        company_mine: bool,
        assigned: bool,
    ) -> Standing {
        Standing {
            kind,
            created_by_me,
            company_mine,
            assigned,
        }
    }

    #[test]
    fn what_one_may_change_one_may_see() {
        for role in [
            Role::Interviewer,
            Role::Coordinator,
            Role::Admin,
            Role::Partner,
        ] {
            for kind in RecordKind::ALL {
                for bits in 0..8 {
                    let s = standing(kind, bits & 1 != 0, bits & 2 != 0, bits & 4 != 0);
                    assert!(!may_change(role, s) || may_see(role, s), "{role:?} {s:?}");
                }
            }
        }
    }

    #[test]
    fn an_interviewer_keeps_seeing_what_they_made_under_a_company_taken_away() {
        let s = standing(RecordKind::Interview, true, false, false);
        assert!(may_see(Role::Interviewer, s));
        assert!(!may_change(Role::Interviewer, s));
        assert!(may_change(Role::Coordinator, s));
        assert!(!may_see(Role::Partner, s));
    }
}
