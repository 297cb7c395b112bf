//! Tiny test-only plates, small enough to work scores out by hand.
//!
//! v1: theme A has 4 practices, theme B 2:
//!
//! | id   | category | R-steps |
//! |------|----------|---------|
//! | A-01 | ladder   | R2      |
//! | A-02 | enabler  | R3, R6  |
//! | A-03 | energy   | –       |
//! | A-04 | ladder   | R8      |
//! | B-01 | ladder   | R3      |
//! | B-02 | water    | –       |
//!
//! v2 drops A-04 and adds A-05 (ladder, R0); everything else is unchanged.

use std::collections::BTreeMap;

use crate::model::PracticeAnswer;

const LADDER: &str = r#"[
    {"step": "R0", "name": {"nl": "Weigeren", "en": "Refuse"}, "meaning": {"nl": "m0", "en": "m0"}},
    {"step": "R1", "name": {"nl": "Heroverwegen", "en": "Rethink"}, "meaning": {"nl": "m1", "en": "m1"}},
    {"step": "R2", "name": {"nl": "Verminderen", "en": "Reduce"}, "meaning": {"nl": "m2", "en": "m2"}},
    {"step": "R3", "name": {"nl": "Hergebruiken", "en": "Reuse"}, "meaning": {"nl": "m3", "en": "m3"}},
    {"step": "R4", "name": {"nl": "Repareren", "en": "Repair"}, "meaning": {"nl": "m4", "en": "m4"}},
    {"step": "R5", "name": {"nl": "Opknappen", "en": "Refurbish"}, "meaning": {"nl": "m5", "en": "m5"}},
    {"step": "R6", "name": {"nl": "Herfabriceren", "en": "Remanufacture"}, "meaning": {"nl": "m6", "en": "m6"}},
    {"step": "R7", "name": {"nl": "Herbestemmen", "en": "Repurpose"}, "meaning": {"nl": "m7", "en": "m7"}},
    {"step": "R8", "name": {"nl": "Recyclen", "en": "Recycle"}, "meaning": {"nl": "m8", "en": "m8"}},
    {"step": "R9", "name": {"nl": "Terugwinnen", "en": "Recover"}, "meaning": {"nl": "m9", "en": "m9"}}
]"#;

const GROUPS: &str = r#"[
    {"group": "R0-R2", "label": {"nl": "g1", "en": "g1"}},
    {"group": "R3-R7", "label": {"nl": "g2", "en": "g2"}},
    {"group": "R8-R9", "label": {"nl": "g3", "en": "g3"}}
]"#;

fn practice(id: &str, en: &str, category: &str, steps: &str) -> String {
    format!(
        r#"{{"id": "{id}", "label": {{"nl": "{en} (nl)", "en": "{en}"}},
            "example": {{"nl": "voorbeeld", "en": "example"}},
            "category": "{category}", "r_steps": {steps}}}"#
    )
}

fn plate(version: u32, theme_a: &[String]) -> String {
    let theme_b = [
        practice("B-01", "First B", "ladder", r#"["R3"]"#),
        practice("B-02", "Second B", "water", "[]"),
    ];
    format!(
        r#"{{
            "id": "test-plate", "version": {version},
            "title": {{"nl": "Testplaat", "en": "Test plate"}},
            "ladder": {LADDER}, "r_groups": {GROUPS},
            "themes": [
                {{"id": "A", "label": {{"nl": "Thema A", "en": "Theme A"}},
                  "description": {{"nl": "a", "en": "a"}}, "practices": [{}]}},
                {{"id": "B", "label": {{"nl": "Thema B", "en": "Theme B"}},
                  "description": {{"nl": "b", "en": "b"}}, "practices": [{}]}}
            ]
        }}"#,
        theme_a.join(","),
        theme_b.join(",")
    )
}

pub fn tiny_v1() -> String {
    plate(
        1,
        &[
            practice("A-01", "First A", "ladder", r#"["R2"]"#),
            practice("A-02", "Second A", "enabler", r#"["R3", "R6"]"#),
            practice("A-03", "Third A", "energy", "[]"),
            practice("A-04", "Fourth A", "ladder", r#"["R8"]"#),
        ],
    )
}

pub fn tiny_v2() -> String {
    plate(
        2,
        &[
            practice("A-01", "First A", "ladder", r#"["R2"]"#),
            practice("A-02", "Second A", "enabler", r#"["R3", "R6"]"#),
            practice("A-03", "Third A", "energy", "[]"),
            practice("A-05", "Fifth A", "ladder", r#"["R0"]"#),
        ],
    )
}

/// Answers from `(practice id, now, ambition)`.
pub fn answers(ticks: &[(&str, bool, bool)]) -> BTreeMap<String, PracticeAnswer> {
    ticks
        .iter()
        .map(|&(id, now, ambition)| {
            let answer = PracticeAnswer {
                now,
                ambition,
                note: String::new(),
            };
            (id.to_owned(), answer)
        })
        .collect()
}
