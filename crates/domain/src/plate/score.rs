//! The degree of circularity: what the ticks on one praatplaat add up to.
//!
//! The plan says "the number of ticks determines the degree of circularity". The score keeps the
//! counts and adds fractions that stay comparable between companies and between plate versions;
//! the formula is documented on [`score`].

use std::collections::BTreeMap;

use serde::Serialize;

use super::definition::{Definition, RGroup, RStep};
use crate::model::PracticeAnswer;

/// Ticks out of a number of practices, with the fraction to show for them (0..=1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Measure {
    pub ticked: usize,
    pub total: usize,
    /// `ticked / total` (0 when `total == 0`), except for [`Score::overall`] where it is the mean
    /// of the theme fractions.
    pub fraction: f64,
}

impl Measure {
    fn ratio(ticked: usize, total: usize) -> Measure {
        let fraction = if total == 0 {
            0.0
        } else {
            ticked as f64 / total as f64
        };
        Measure {
            ticked,
            total,
            fraction,
        }
    }

    /// The fraction in whole percent, rounded half away from zero (0.625 → 63).
    pub fn percent(&self) -> u32 {
        // fraction is within 0..=1, so the cast cannot truncate.
        (self.fraction * 100.0).round() as u32
    }

    /// False when no practice is measured here (e.g. an R-step the plate has no practice for).
    pub fn is_applicable(&self) -> bool {
        self.total > 0
    }
}

/// Where the company is now, and where it would be with its ambitions (within 3 years).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Degree {
    pub now: Measure,
    /// Ticked now or as ambition.
    pub with_ambition: Measure,
}

impl Degree {
    /// Practices ticked as ambition that are not done yet.
    pub fn ambition_only(&self) -> usize {
        self.with_ambition.ticked.saturating_sub(self.now.ticked)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeScore {
    pub theme_id: String,
    pub degree: Degree,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepScore {
    pub step: RStep,
    pub degree: Degree,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupScore {
    pub group: RGroup,
    pub degree: Degree,
}

/// The score of one set of answers against one definition; the formula is on [`score`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub overall: Degree,
    /// In plate order.
    pub themes: Vec<ThemeScore>,
    /// R0 … R9, all ten, indexed by [`RStep::index`].
    pub r_steps: Vec<StepScore>,
    /// R0-R2, R3-R7, R8-R9, indexed by [`RGroup::index`].
    pub r_groups: Vec<GroupScore>,
    /// Answered practice ids the definition does not have (sorted).
    pub unknown_practices: Vec<String>,
}

/// Counts for one theme, step or group while scoring.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    now: usize,
    with_ambition: usize,
    total: usize,
}

impl Tally {
    fn add(&mut self, answer: Option<&PracticeAnswer>) {
        self.total += 1;
        if let Some(answer) = answer {
            self.now += usize::from(answer.now);
            self.with_ambition += usize::from(answer.now || answer.ambition);
        }
    }

    fn degree(self) -> Degree {
        Degree {
            now: Measure::ratio(self.now, self.total),
            with_ambition: Measure::ratio(self.with_ambition, self.total),
        }
    }
}

/// Scores `answers` (keyed by practice id, as in `Interview.answers`) against `definition`.
///
/// # Formula
///
/// An answer is *ticked now* if `now`; it is *ticked with ambition* if `now || ambition`.
/// A practice without an answer is not ticked. For one definition (plate version):
///
/// - **Theme** `t`: `now(t) = ticked-now practices of t / practices of t`, and likewise
///   `with_ambition(t)` with the ambition ticks. A fraction in 0..=1.
/// - **Overall**: `overall = (Σ_t now(t)) / number of themes`, the plain mean of the theme
///   fractions, so each theme weighs the same: a theme with 10 practices does not outweigh one
///   with 6, and versions with different counts stay comparable. (Its `ticked` and `total` are
///   the sums over the themes, for display; `overall.fraction` is not `ticked / total`.)
/// - **R-step** `s`: `ticks among practices carrying s / practices carrying s`. A practice with
///   several steps (e.g. R3/R6) counts on each of them.
/// - **R-group** `g` (R0-R2, R3-R7, R8-R9): `ticks among practices carrying a step of g /
///   practices carrying a step of g`; a practice counts once per group even with two steps in it.
/// - Energy, water, substitution and enabler-only practices count in their theme, on no R-step.
/// - Answers for practice ids the definition does not have are ignored and listed in
///   `unknown_practices`, so nothing is dropped silently.
///
/// A step or group no practice carries has `total == 0` and fraction 0: show it as "n/a"
/// ([`Measure::is_applicable`]). Percentages round half away from zero ([`Measure::percent`]).
pub fn score(definition: &Definition, answers: &BTreeMap<String, PracticeAnswer>) -> Score {
    let mut steps = [Tally::default(); RStep::ALL.len()];
    let mut groups = [Tally::default(); RGroup::ALL.len()];
    let mut themes = Vec::with_capacity(definition.themes.len());

    for theme in &definition.themes {
        let mut tally = Tally::default();
        for practice in &theme.practices {
            let answer = answers.get(&practice.id);
            tally.add(answer);
            for step in &practice.r_steps {
                steps[step.index()].add(answer);
            }
            for group in RGroup::ALL {
                if practice.r_steps.iter().any(|s| s.group() == group) {
                    groups[group.index()].add(answer);
                }
            }
        }
        themes.push(ThemeScore {
            theme_id: theme.id.clone(),
            degree: tally.degree(),
        });
    }

    let unknown_practices = answers
        .keys()
        .filter(|id| definition.practice(id).is_none())
        .cloned()
        .collect();

    Score {
        overall: Degree {
            now: mean(&themes, |d| d.now),
            with_ambition: mean(&themes, |d| d.with_ambition),
        },
        themes,
        r_steps: RStep::ALL
            .into_iter()
            .map(|step| StepScore {
                step,
                degree: steps[step.index()].degree(),
            })
            .collect(),
        r_groups: RGroup::ALL
            .into_iter()
            .map(|group| GroupScore {
                group,
                degree: groups[group.index()].degree(),
            })
            .collect(),
        unknown_practices,
    }
}

/// Mean of the theme fractions (each theme weighs the same), with summed counts for display.
fn mean(themes: &[ThemeScore], pick: impl Fn(&Degree) -> Measure) -> Measure {
    let measures: Vec<Measure> = themes.iter().map(|t| pick(&t.degree)).collect();
    let fraction = if measures.is_empty() {
        0.0
    } else {
        measures.iter().map(|m| m.fraction).sum::<f64>() / measures.len() as f64
    };
    Measure {
        ticked: measures.iter().map(|m| m.ticked).sum(),
        total: measures.iter().map(|m| m.total).sum(),
        fraction,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plate::fixtures::{answers, tiny_v1};

    fn tiny() -> Definition {
        Definition::from_json(&tiny_v1()).unwrap()
    }

    /// `(ticked, total, fraction)` of a measure, for compact assertions.
    fn m(measure: Measure) -> (usize, usize, f64) {
        (measure.ticked, measure.total, measure.fraction)
    }

    fn assert_measure(measure: Measure, ticked: usize, total: usize, fraction: f64) {
        assert_eq!(
            (measure.ticked, measure.total),
            (ticked, total),
            "{measure:?}"
        );
        assert!(
            (measure.fraction - fraction).abs() < 1e-9,
            "{measure:?} vs {fraction}"
        );
    }

    #[test]
    fn no_answers_score_zero() {
        let s = score(&tiny(), &BTreeMap::new());
        assert_eq!(m(s.overall.now), (0, 6, 0.0));
        assert_eq!(m(s.overall.with_ambition), (0, 6, 0.0));
        assert_eq!(s.themes.len(), 2);
        assert_eq!(s.r_steps.len(), 10);
        assert_eq!(s.r_groups.len(), 3);
        assert!(s.unknown_practices.is_empty());
    }

    #[test]
    fn themes_and_overall_by_hand() {
        // A: A-01 now, A-02 ambition, A-04 only a note.  B: B-01 and B-02 now.
        let mut given = answers(&[
            ("A-01", true, false),
            ("A-02", false, true),
            ("A-04", false, false),
            ("B-01", true, false),
            ("B-02", true, true),
        ]);
        given.get_mut("A-04").unwrap().note = "plans to separate scrap".into();
        let s = score(&tiny(), &given);

        let [a, b] = s.themes.as_slice() else {
            panic!("two themes")
        };
        assert_eq!((a.theme_id.as_str(), b.theme_id.as_str()), ("A", "B"));
        assert_measure(a.degree.now, 1, 4, 0.25);
        assert_measure(a.degree.with_ambition, 2, 4, 0.5);
        assert_measure(b.degree.now, 2, 2, 1.0);
        assert_measure(b.degree.with_ambition, 2, 2, 1.0);
        assert_eq!(a.degree.ambition_only(), 1);

        // Mean of the themes, not 3 / 6: (0.25 + 1.0) / 2 and (0.5 + 1.0) / 2.
        assert_measure(s.overall.now, 3, 6, 0.625);
        assert_measure(s.overall.with_ambition, 4, 6, 0.75);
        assert_eq!(s.overall.now.percent(), 63);
        assert_eq!(s.overall.with_ambition.percent(), 75);
        assert_eq!(a.degree.now.percent(), 25);
    }

    #[test]
    fn r_steps_and_groups_by_hand() {
        // A-02 carries R3 and R6; A-03 (energy) and B-02 (water) are on no step.
        let given = answers(&[
            ("A-01", true, false),
            ("A-02", false, true),
            ("A-03", true, false),
            ("B-01", true, false),
            ("B-02", true, false),
        ]);
        let s = score(&tiny(), &given);
        let step = |r: RStep| s.r_steps[r.index()].degree;
        assert_eq!(s.r_steps[3].step, RStep::R3);

        assert_measure(step(RStep::R2).now, 1, 1, 1.0);
        assert_measure(step(RStep::R3).now, 1, 2, 0.5); // A-02, B-01
        assert_measure(step(RStep::R3).with_ambition, 2, 2, 1.0);
        assert_measure(step(RStep::R6).now, 0, 1, 0.0);
        assert_measure(step(RStep::R6).with_ambition, 1, 1, 1.0);
        assert_measure(step(RStep::R8).now, 0, 1, 0.0); // A-04, unanswered
        for r in [
            RStep::R0,
            RStep::R1,
            RStep::R4,
            RStep::R5,
            RStep::R7,
            RStep::R9,
        ] {
            assert!(!step(r).now.is_applicable(), "{r}");
            assert_eq!(m(step(r).now), (0, 0, 0.0));
        }

        let group = |g: RGroup| s.r_groups[g.index()].degree;
        assert_measure(group(RGroup::SmarterUse).now, 1, 1, 1.0);
                                                                  // A-02 counts once although it carries R3 and R6.
        assert_measure(group(RGroup::LongerLife).now, 1, 2, 0.5); // A-02, B-01
        assert_measure(group(RGroup::LongerLife).with_ambition, 2, 2, 1.0);
        assert_measure(group(RGroup::UsefulMaterials).now, 0, 1, 0.0);

        // Energy and water still count in their themes: A 2/4, B 2/2.
        assert_measure(s.themes[0].degree.now, 2, 4, 0.5);
        assert_measure(s.themes[1].degree.now, 2, 2, 1.0);
    }

    #[test]
    fn unknown_practices_are_reported_not_counted() {
        let given = answers(&[
            ("B-01", true, false),
            ("Z-99", true, true),
            ("GR-01", false, false),
        ]);
        let s = score(&tiny(), &given);
        assert_eq!(s.unknown_practices, ["GR-01", "Z-99"]);
        assert_measure(s.overall.now, 1, 6, 0.25); // (0 + 1/2) / 2
        assert_measure(s.overall.with_ambition, 1, 6, 0.25);
    }

    #[test]
    fn percent_rounds_to_whole_numbers() {
        let p = |ticked, total| Measure::ratio(ticked, total).percent();
        assert_eq!(p(0, 3), 0);
        assert_eq!(p(1, 3), 33);
        assert_eq!(p(2, 3), 67);
        assert_eq!(p(1, 8), 13); // 12.5 rounds up
        assert_eq!(p(3, 3), 100);
        assert_eq!(p(0, 0), 0);
    }

    #[test]
    fn builtin_plate_all_ticked_is_full() {
        let v1 = crate::plate::Definition::builtin(1).unwrap();
        let all: Vec<(&str, bool, bool)> = v1
            .practices()
            .map(|p| (p.id.as_str(), true, false))
            .collect();
        let s = score(v1, &answers(&all));
        assert_measure(s.overall.now, 62, 62, 1.0);
        assert_eq!(s.overall.now.percent(), 100);
        for step in &s.r_steps {
            // R0 and R9 have no practice in v1: not applicable rather than 0 %.
            let empty = matches!(step.step, RStep::R0 | RStep::R9);
            assert_eq!(step.degree.now.is_applicable(), !empty, "{}", step.step);
        }
    }
}
