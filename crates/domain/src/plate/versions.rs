//! Mapping between plate versions.
//!
//! Practice ids are stable across versions; a later version may add or drop practices, or move a
//! practice to other R-steps. Answers are keyed by practice id, so an old interview keeps its
//! answers and is scored with its own version. To compare two interviews held with different
//! versions like for like, score both against the practices the versions share
//! ([`Definition::common_with`]).

use std::collections::BTreeSet;

use serde::Serialize;

use super::definition::{Definition, Practice};

/// How a newer version differs from an older one, by practice id (in plate order).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VersionDiff {
    /// In both versions (order of `old`).
    pub shared: Vec<String>,
    /// Only in `old`.
    pub dropped: Vec<String>,
    /// Only in `new`.
    pub added: Vec<String>,
    /// Shared, but with another category or other R-steps in `new`: their ticks compare, their
    /// R-step scores do not.
    pub reclassified: Vec<String>,
}

/// What changed from `old` to `new`.
pub fn diff(old: &Definition, new: &Definition) -> VersionDiff {
    let mut result = VersionDiff::default();
    for practice in old.practices() {
        match new.practice(&practice.id) {
            Some(newer) => {
                result.shared.push(practice.id.clone());
                if !same_classification(practice, newer) {
                    result.reclassified.push(practice.id.clone());
                }
            }
            None => result.dropped.push(practice.id.clone()),
        }
    }
    result.added = new
        .practices()
        .filter(|p| old.practice(&p.id).is_none())
        .map(|p| p.id.clone())
        .collect();
    result
}

/// The practice ids two versions share, in the order of `a`.
pub fn shared_practice_ids(a: &Definition, b: &Definition) -> Vec<String> {
    a.practices()
        .filter(|p| b.practice(&p.id).is_some())
        .map(|p| p.id.clone())
        .collect()
}

fn same_classification(a: &Practice, b: &Practice) -> bool {
    let steps = |p: &Practice| p.r_steps.iter().copied().collect::<BTreeSet<_>>();
    a.category == b.category && steps(a) == steps(b)
}

impl Definition {
    /// This definition restricted to the practices `other` also has (texts and classification
    /// from `self`); themes left without practices are dropped.
    ///
    /// For comparison only, never for storing: score two interviews of different versions against
    /// the same `common_with` result and their numbers measure the same practices.
    pub fn common_with(&self, other: &Definition) -> Definition {
        let mut common = self.clone();
        for theme in &mut common.themes {
            theme.practices.retain(|p| other.practice(&p.id).is_some());
        }
        common.themes.retain(|t| !t.practices.is_empty());
        common
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::plate::fixtures::{answers, tiny_v1, tiny_v2};
    use crate::plate::{find_definition, score, RStep};

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn tiny_versions_share_all_but_one() {
        let v1 = Definition::from_json(&tiny_v1()).unwrap();
        let v2 = Definition::from_json(&tiny_v2()).unwrap();
        let d = diff(&v1, &v2);
        assert_eq!(d.shared, ["A-01", "A-02", "A-03", "B-01", "B-02"]);
        assert_eq!(d.dropped, ["A-04"]);
        assert_eq!(d.added, ["A-05"]);
        assert!(d.reclassified.is_empty());
        assert_eq!(shared_practice_ids(&v2, &v1), d.shared);
    }

    #[test]
    fn old_interview_keeps_its_own_version() {
        let v1 = Definition::from_json(&tiny_v1()).unwrap();
        let v2 = Definition::from_json(&tiny_v2()).unwrap();
        // Held with v1; A-04 was dropped in v2.
        let old = answers(&[
            ("A-01", true, false),
            ("A-04", true, false),
            ("B-01", true, false),
        ]);

        // Against its own version everything counts: A 2/4, B 1/2.
        let own = score(&v1, &old);
        assert!(own.unknown_practices.is_empty());
        assert!(close(own.overall.now.fraction, 0.5));
        // And v1 can still label the dropped practice.
        assert_eq!(v1.practice("A-04").unwrap().label.en, "Fourth A");

        // Against v2 the dropped practice is reported, not silently lost: A 1/4, B 1/2.
        let other = score(&v2, &old);
        assert_eq!(other.unknown_practices, ["A-04"]);
        assert!(close(other.overall.now.fraction, (0.25 + 0.5) / 2.0));
    }

    #[test]
    fn interviews_of_two_versions_compare_on_shared_practices() {
        let v1 = Definition::from_json(&tiny_v1()).unwrap();
        let v2 = Definition::from_json(&tiny_v2()).unwrap();
        let first = answers(&[
            ("A-01", true, false),
            ("A-04", true, false),
            ("B-01", true, false),
        ]);
        let follow_up = answers(&[
            ("A-01", true, false),
            ("A-05", true, false),
            ("B-01", true, true),
            ("B-02", false, true),
        ]);

        // Each against its own version: v1 A 2/4 B 1/2 → 0.5; v2 A 2/4 B 1/2 → 0.5.
        assert!(close(score(&v1, &first).overall.now.fraction, 0.5));
        assert!(close(score(&v2, &follow_up).overall.now.fraction, 0.5));

        // Like for like: A = {A-01, A-02, A-03}, B = {B-01, B-02}.
        let common = v2.common_with(&v1);
        assert_eq!(common.practices().count(), 5);
        let ids = |d: &Definition| d.practices().map(|p| p.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&common), ids(&v1.common_with(&v2)));
        let a = score(&common, &first);
        let b = score(&common, &follow_up);
        assert_eq!(a.unknown_practices, ["A-04"]);
        assert_eq!(b.unknown_practices, ["A-05"]);
        // Both: A 1/3, B 1/2 → (1/3 + 1/2) / 2 = 5/12.
        assert!(close(a.overall.now.fraction, 5.0 / 12.0));
        assert!(close(b.overall.now.fraction, 5.0 / 12.0));
        // The follow-up's ambition: A 1/3, B 2/2 → (1/3 + 1) / 2 = 2/3.
        assert!(close(b.overall.with_ambition.fraction, 2.0 / 3.0));
    }

    /// A v2 of the real plate: GR-06 dropped, GR-09 added, PR-01 moved to R3/R4/R5/R6.
    fn builtin_v2() -> Definition {
        let v1 = crate::plate::Definition::builtin(1).unwrap();
        let mut value: Value = serde_json::to_value(v1).unwrap();
        value["version"] = json!(2);
        let gr = value["themes"][0]["practices"].as_array_mut().unwrap();
        gr.retain(|p| p["id"] != "GR-06");
        gr.push(json!({
            "id": "GR-09",
            "label": {"nl": "Klant adviseren over overbodige onderdelen", "en": "Advise the customer on redundant parts"},
            "example": {"nl": "We raden een onnodige coating af.", "en": "We advise against an unnecessary coating."},
            "category": "ladder",
            "r_steps": ["R0"]
        }));
        value["themes"][1]["practices"][0]["r_steps"] = json!(["R3", "R4", "R5", "R6"]);
        Definition::from_json(&value.to_string()).unwrap()
    }

    #[test]
    fn builtin_v1_maps_to_a_revision() {
        let v1 = find_definition("praatplaat-metaal@1").unwrap();
        let v2 = builtin_v2();
        assert_eq!(v2.plate_key(), "praatplaat-metaal@2");
        let d = diff(v1, &v2);
        assert_eq!(d.shared.len(), 61);
        assert_eq!(d.dropped, ["GR-06"]);
        assert_eq!(d.added, ["GR-09"]);
        assert_eq!(d.reclassified, ["PR-01"]);

        // An old interview that ticked GR-06 (R7) still shows it with v1; against v2 it is
        // reported as unknown.
        let old = answers(&[("GR-06", true, false), ("PR-02", true, false)]);
        let own = score(v1, &old);
        assert!(own.unknown_practices.is_empty());
        assert_eq!(own.r_steps[RStep::R7.index()].degree.now.ticked, 1);
        assert_eq!(score(&v2, &old).unknown_practices, ["GR-06"]);
    }
}
