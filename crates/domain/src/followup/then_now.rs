//! The score "then → now": where the company stood at the baseline interview and where it stands
//! at the follow-up, per theme and overall, and the state of every practice for the picture.
//!
//! Both sides are [`score`]s of the praatplaat (formula in `crates/domain/SCORE.md`, section
//! "Then → now", with a worked example that the tests below reproduce):
//!
//! - **then** = the baseline interview's answers as they are: ticked now, and with ambition.
//! - **now** = a practice is *done* if it was done at the baseline, or its ambition outcome is
//!   `done`, or it is a new tick; it is an *ambition* if it is not done and was an ambition at
//!   the baseline with an outcome other than `dropped` (`started`, `not_yet`, none yet), or its
//!   outcome is `started` / `not_yet`, or it is a new ambition. A baseline tick is never taken
//!   away: the follow-up asks what came of the ambition, not whether a practice stopped.
//!
//! # Plate versions
//!
//! When the baseline and the follow-up were held with the same version, both are scored on it.
//! When they differ, both are scored on the practices the versions share
//! ([`Definition::common_with`], with the follow-up version's texts and classification), as
//! `SCORE.md` prescribes for comparing interviews of two versions: then and now measure the same
//! practices. A practice only one version has (dropped from the baseline's, or added in the
//! follow-up's) counts on neither side and is listed in [`ThenNow::left_out`] when it holds
//! anything (a tick, an ambition, an outcome, a new tick), so nothing is dropped silently; its
//! outcome stays on the record and the baseline's own score ([`score`] on its version) is
//! unchanged.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{AmbitionOutcome, FollowUp};
use crate::model::{Interview, PracticeAnswer};
use crate::plate::{find_definition, score, Definition, Degree, Score};

/// Where one practice stands at the follow-up against the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PracticeState {
    /// Ticked at the baseline.
    DoneAtBaseline,
    /// Ambition at the baseline, done now (outcome `done`, or ticked anew).
    RealisedSince,
    /// Not ticked nor ambition at the baseline, done now (a new tick).
    NewSince,
    /// Under way: still an ambition (outcome `started`).
    Started,
    /// Still an ambition (outcome `not_yet`, or not asked yet).
    StillAmbition,
    /// Ambition at the baseline, no longer wanted.
    Dropped,
    /// A new ambition at the follow-up.
    NewAmbition,
}

/// How the picture draws a practice: three marks, distinct without colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// Done at the baseline (solid).
    Solid,
    /// Done since the baseline (the third mark).
    Realised,
    /// An ambition (hatched).
    Hatched,
}

impl PracticeState {
    /// Counts as done in "now".
    pub fn done_now(self) -> bool {
        matches!(
            self,
            PracticeState::DoneAtBaseline | PracticeState::RealisedSince | PracticeState::NewSince
        )
    }

    /// Counts as ambition (not done) in "now".
    pub fn ambition_now(self) -> bool {
        matches!(
            self,
            PracticeState::Started | PracticeState::StillAmbition | PracticeState::NewAmbition
        )
    }

    /// The mark on the picture; `None` for a dropped ambition (drawn as not ticked).
    pub fn mark(self) -> Option<Mark> {
        match self {
            PracticeState::DoneAtBaseline => Some(Mark::Solid),
            PracticeState::RealisedSince | PracticeState::NewSince => Some(Mark::Realised),
            PracticeState::Started | PracticeState::StillAmbition | PracticeState::NewAmbition => {
                Some(Mark::Hatched)
            }
            PracticeState::Dropped => None,
        }
    }
}

/// One practice of the compared plate with a state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PracticeThenNow {
    pub practice_id: String,
    pub theme_id: String,
    pub state: PracticeState,
}

/// One theme, then and now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeThenNow {
    pub theme_id: String,
    pub then: Degree,
    pub now: Degree,
}

/// The baseline's score and the follow-up's, measured on the same practices.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThenNow {
    /// The plate both sides are scored on: the shared version's key, or, when the versions
    /// differ, the follow-up version's key (its practices restricted to the shared ones).
    pub plate_version: String,
    /// Baseline and follow-up used the same version (nothing left out by the versions).
    pub same_version: bool,
    pub then: Score,
    pub now: Score,
    /// Practices of the compared plate that hold a state, in plate order.
    pub practices: Vec<PracticeThenNow>,
    /// Practice ids holding something that the compared plate does not have (sorted): counted
    /// on neither side (module docs).
    pub left_out: Vec<String>,
}

impl ThenNow {
    /// Per theme, in plate order: the baseline's degree and the follow-up's.
    pub fn themes(&self) -> impl Iterator<Item = ThemeThenNow> + '_ {
        self.then
            .themes
            .iter()
            .zip(&self.now.themes)
            .map(|(then, now)| ThemeThenNow {
                theme_id: then.theme_id.clone(),
                then: then.degree,
                now: now.degree,
            })
    }

    /// The state of a practice of the compared plate (`None`: nothing there, then or now).
    pub fn state(&self, practice_id: &str) -> Option<PracticeState> {
        self.practices
            .iter()
            .find(|p| p.practice_id == practice_id)
            .map(|p| p.state)
    }
}

/// Where `practice_id` stands, from the baseline's answer and the follow-up (rules in the module
/// docs, in this order).
fn state_of(
    practice_id: &str,
    baseline: &PracticeAnswer,
    follow_up: &FollowUp,
) -> Option<PracticeState> {
    let outcome = follow_up.practices.get(practice_id).copied();
    let listed = |list: &[String]| list.iter().any(|p| p == practice_id);
    Some(if baseline.now {
        PracticeState::DoneAtBaseline
    } else if outcome == Some(AmbitionOutcome::Done) || listed(&follow_up.new_ticks) {
        if baseline.ambition {
            PracticeState::RealisedSince
        } else {
            PracticeState::NewSince
        }
    } else if outcome == Some(AmbitionOutcome::Started) {
        PracticeState::Started
    } else if outcome == Some(AmbitionOutcome::Dropped) {
        PracticeState::Dropped
    } else if baseline.ambition || outcome == Some(AmbitionOutcome::NotYet) {
        PracticeState::StillAmbition
    } else if listed(&follow_up.new_ambitions) {
        PracticeState::NewAmbition
    } else {
        return None;
    })
}

/// Then → now of `follow_up` against its `baseline` interview. `baseline_plate` is the
/// baseline's version (`baseline.plate_version`), `follow_up_plate` the follow-up's (the same
/// when `follow_up.plate_version` is empty). Formula in the module docs and `SCORE.md`.
pub fn then_now(
    baseline_plate: &Definition,
    baseline: &Interview,
    follow_up_plate: &Definition,
    follow_up: &FollowUp,
) -> ThenNow {
    let same_version = baseline_plate.plate_key() == follow_up_plate.plate_key();
    let compared = if same_version {
        baseline_plate.clone()
    } else {
        follow_up_plate.common_with(baseline_plate)
    };

    let ids: BTreeSet<&str> = baseline
        .answers
        .keys()
        .chain(follow_up.practices.keys())
        .chain(&follow_up.new_ticks)
        .chain(&follow_up.new_ambitions)
        .map(String::as_str)
        .collect();
    let states: BTreeMap<&str, PracticeState> = ids
        .into_iter()
        .filter_map(|id| Some((id, state_of(id, &baseline.answer(id), follow_up)?)))
        .collect();

    let now_answers: BTreeMap<String, PracticeAnswer> = states
        .iter()
        .filter(|(_, s)| s.done_now() || s.ambition_now())
        .map(|(id, s)| {
            let answer = PracticeAnswer {
                now: s.done_now(),
                ambition: s.ambition_now(),
                note: String::new(),
            };
            (id.to_string(), answer)
        })
        .collect();

    let practices = compared
        .themes
        .iter()
        .flat_map(|t| t.practices.iter().map(move |p| (t, p)))
        .filter_map(|(theme, practice)| {
            Some(PracticeThenNow {
                practice_id: practice.id.clone(),
                theme_id: theme.id.clone(),
                state: *states.get(practice.id.as_str())?,
            })
        })
        .collect();
    let left_out = states
        .keys()
        .filter(|id| compared.practice(id).is_none())
        .map(|id| id.to_string())
        .collect();

    ThenNow {
        plate_version: compared.plate_key(),
        same_version,
        then: score(&compared, &baseline.answers),
        now: score(&compared, &now_answers),
        practices,
        left_out,
    }
}

/// [`then_now`] with the built-in plate versions the two records name; `None` if either is
/// unknown to this build.
pub fn then_now_builtin(baseline: &Interview, follow_up: &FollowUp) -> Option<ThenNow> {
    let baseline_plate = find_definition(&baseline.plate_version)?;
    let follow_up_plate = if follow_up.plate_version.is_empty() {
        baseline_plate
    } else {
        find_definition(&follow_up.plate_version)?
    };
    Some(then_now(
        baseline_plate,
        baseline,
        follow_up_plate,
        follow_up,
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};
    use uuid::Uuid;

    use super::*;
    use crate::plate::Measure;
    use PracticeState::*;

    /// A test plate on the real ladder: theme A with the given practices (ladder, R2), theme B
    /// with B-01 (ladder, R3) and B-02 (ladder, R8).
    fn plate(version: u32, theme_a: &[&str]) -> Definition {
        let text = |s: &str| json!({"nl": s, "en": s});
        let practice = |id: &str, step: &str| {
            json!({"id": id, "label": text(id), "example": text("voorbeeld"),
                   "category": "ladder", "r_steps": [step]})
        };
        let theme = |id: &str, practices: Vec<Value>| json!({"id": id, "label": text(id), "description": text(id), "practices": practices});
        let mut value = serde_json::to_value(Definition::builtin(1).unwrap()).unwrap();
        value["id"] = json!("test-plate");
        value["version"] = json!(version);
        value["themes"] = json!([
            theme("A", theme_a.iter().map(|id| practice(id, "R2")).collect()),
            theme("B", vec![practice("B-01", "R3"), practice("B-02", "R8")]),
        ]);
        Definition::from_json(&value.to_string()).unwrap()
    }

    fn v1() -> Definition {
        plate(1, &["A-01", "A-02", "A-03", "A-04"])
    }

    /// v2 drops A-03 and adds A-05.
    fn v2() -> Definition {
        plate(2, &["A-01", "A-02", "A-04", "A-05"])
    }

    fn answer(now: bool, ambition: bool) -> PracticeAnswer {
        PracticeAnswer {
            now,
            ambition,
            note: String::new(),
        }
    }

    /// SCORE.md's worked example: A-01 and B-01 done; and B-02 ambition.
    fn baseline() -> Interview {
        let mut interview = Interview {
            id: Uuid::from_u128(2),
            company_id: Uuid::from_u128(1),
            date: "2025-03-14".into(),
            plate_version: "test-plate@1".into(),
            ..Interview::default()
        };
        interview.set_answer("A-01", answer(true, false));
        interview.set_answer("A-02", answer(false, true));
        interview.set_answer("A-03", answer(false, true));
        interview.set_answer("B-01", answer(true, false));
        interview.set_answer("B-02", answer(false, true));
        interview
    }

    /// A-02 done, A-03 dropped, B-02 started; A-04 ticked anew.
    fn follow_up(plate_version: &str) -> FollowUp {
        let mut f = FollowUp::for_interview(Uuid::from_u128(20), &baseline(), plate_version);
        f.set_practice_outcome("A-02", Some(AmbitionOutcome::Done));
        f.set_practice_outcome("A-03", Some(AmbitionOutcome::Dropped));
        f.set_practice_outcome("B-02", Some(AmbitionOutcome::Started));
        f.new_ticks = vec!["A-04".into()];
        f
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
    fn the_worked_example_of_score_md() {
        let v1 = v1();
        let r = then_now(&v1, &baseline(), &v1, &follow_up("test-plate@1"));
        assert!(r.same_version);
        assert_eq!(r.plate_version, "test-plate@1");
        assert!(r.left_out.is_empty());

        let themes: Vec<ThemeThenNow> = r.themes().collect();
        let [a, b] = themes.as_slice() else {
            panic!("two themes")
        };
        // Then: A 1/4 done, 3/4 with ambition; B 1/2, 2/2.
        assert_measure(a.then.now, 1, 4, 0.25);
        assert_measure(a.then.with_ambition, 3, 4, 0.75);
        assert_measure(b.then.now, 1, 2, 0.5);
        assert_measure(b.then.with_ambition, 2, 2, 1.0);
        // Now: A 3/4 (A-01, A-02 realised, A-04 new), with ambition still 3/4 (A-03 dropped);
        // B 1/2, 2/2 (B-02 started is still an ambition).
        assert_measure(a.now.now, 3, 4, 0.75);
        assert_measure(a.now.with_ambition, 3, 4, 0.75);
        assert_measure(b.now.now, 1, 2, 0.5);
        assert_measure(b.now.with_ambition, 2, 2, 1.0);
        // Overall, the mean of the themes: then (0.25 + 0.5) / 2 = 0.375 → 38 %, with ambition
        // (0.75 + 1) / 2 = 0.875 → 88 %; now (0.75 + 0.5) / 2 = 0.625 → 63 %, 88 %.
        assert_measure(r.then.overall.now, 2, 6, 0.375);
        assert_measure(r.then.overall.with_ambition, 5, 6, 0.875);
        assert_measure(r.now.overall.now, 4, 6, 0.625);
        assert_measure(r.now.overall.with_ambition, 5, 6, 0.875);
        let percents = [
            r.then.overall.now.percent(),
            r.then.overall.with_ambition.percent(),
            r.now.overall.now.percent(),
            r.now.overall.with_ambition.percent(),
        ];
        assert_eq!(percents, [38, 88, 63, 88]);

        let states: Vec<(&str, &str, PracticeState)> = r
            .practices
            .iter()
            .map(|p| (p.practice_id.as_str(), p.theme_id.as_str(), p.state))
            .collect();
        assert_eq!(
            states,
            [
                ("A-01", "A", DoneAtBaseline),
                ("A-02", "A", RealisedSince),
                ("A-03", "A", Dropped),
                ("A-04", "A", NewSince),
                ("B-01", "B", DoneAtBaseline),
                ("B-02", "B", Started),
            ]
        );
        let marks: Vec<Option<Mark>> = r.practices.iter().map(|p| p.state.mark()).collect();
        use Mark::*;
        assert_eq!(
            marks,
            [
                Some(Solid),
                Some(Realised),
                None,
                Some(Realised),
                Some(Solid),
                Some(Hatched)
            ]
        );
        // "Then" is exactly the baseline's own score.
        assert_eq!(r.then, score(&v1, &baseline().answers));
        // The R-steps move too: R2 (theme A) from 1/4 to 3/4.
        let r2 = crate::plate::RStep::R2.index();
        assert_measure(r.then.r_steps[r2].degree.now, 1, 4, 0.25);
        assert_measure(r.now.r_steps[r2].degree.now, 3, 4, 0.75);
    }

    #[test]
    fn across_versions_both_sides_measure_the_shared_practices() {
        // The follow-up is held with v2, which dropped A-03 and added A-05; the company now also
        // does A-05.
        let (v1, v2) = (v1(), v2());
        let mut f = follow_up("test-plate@2");
        f.new_ticks.push("A-05".into());
        let r = then_now(&v1, &baseline(), &v2, &f);
        assert!(!r.same_version);
        assert_eq!(r.plate_version, "test-plate@2");
        // A-03 (a dropped ambition) and A-05 (a new tick) are in one version only.
        assert_eq!(r.left_out, ["A-03", "A-05"]);
        // Compared on A = {A-01, A-02, A-04}, B = {B-01, B-02}.
        // Then: A 1/3, with ambition 2/3; B 1/2, 2/2: overall (1/3 + 1/2) / 2 = 5/12 → 42 %,
        // with ambition (2/3 + 1) / 2 = 5/6 → 83 %.
        assert_measure(r.then.overall.now, 2, 5, 5.0 / 12.0);
        assert_measure(r.then.overall.with_ambition, 4, 5, 5.0 / 6.0);
        assert_eq!(r.then.overall.now.percent(), 42);
        assert_eq!(r.then.overall.with_ambition.percent(), 83);
        // Now: A 3/3, B 1/2 and 2/2: overall (1 + 1/2) / 2 = 0.75 → 75 %; with ambition 100 %.
        assert_measure(r.now.overall.now, 4, 5, 0.75);
        assert_measure(r.now.overall.with_ambition, 5, 5, 1.0);
        assert_eq!(r.state("A-04"), Some(NewSince));
        assert_eq!(r.state("A-03"), None);
        assert_eq!(r.then.unknown_practices, ["A-03"]);
        // Either direction measures the same practices.
        let back = then_now(&v2, &baseline(), &v1, &f);
        assert_eq!(back.then.overall.now, r.then.overall.now);
        assert_eq!(back.now.overall.now, r.now.overall.now);
    }

    #[test]
    fn states_follow_the_rules_in_order() {
        let base = |now, ambition| answer(now, ambition);
        let mut f = FollowUp::default();
        // A baseline tick stays, whatever the follow-up says.
        f.set_practice_outcome("X", Some(AmbitionOutcome::Dropped));
        assert_eq!(state_of("X", &base(true, true), &f), Some(DoneAtBaseline));
        // Ambition with no outcome yet, or not yet: still an ambition.
        assert_eq!(state_of("Y", &base(false, true), &f), Some(StillAmbition));
        f.set_practice_outcome("Y", Some(AmbitionOutcome::NotYet));
        assert_eq!(state_of("Y", &base(false, true), &f), Some(StillAmbition));
        // A baseline ambition ticked anew (instead of outcome done) is realised as well.
        f.new_ticks.push("Y".into());
        assert_eq!(state_of("Y", &base(false, true), &f), Some(RealisedSince));
        // An outcome on what was no ambition still says where it stands.
        f.set_practice_outcome("Z", Some(AmbitionOutcome::Done));
        assert_eq!(state_of("Z", &base(false, false), &f), Some(NewSince));
        f.set_practice_outcome("Z", Some(AmbitionOutcome::Started));
        assert_eq!(state_of("Z", &base(false, false), &f), Some(Started));
        // A new ambition, and nothing at all.
        f.new_ambitions.push("W".into());
        assert_eq!(state_of("W", &base(false, false), &f), Some(NewAmbition));
        assert_eq!(state_of("V", &base(false, false), &f), None);
        for s in [DoneAtBaseline, RealisedSince, NewSince] {
            assert!(s.done_now() && !s.ambition_now(), "{s:?}");
        }
        for s in [Started, StillAmbition, NewAmbition] {
            assert!(!s.done_now() && s.ambition_now(), "{s:?}");
        }
        assert!(!Dropped.done_now() && !Dropped.ambition_now());
    }

    #[test]
    fn nothing_followed_up_yet_is_then_again() {
        let v1 = v1();
        let f = FollowUp::for_interview(Uuid::from_u128(20), &baseline(), "");
        let r = then_now(&v1, &baseline(), &v1, &f);
        assert_eq!(r.then, r.now);
        assert_eq!(r.state("A-02"), Some(StillAmbition));
    }

    #[test]
    fn the_builtin_plate_by_its_keys() {
        let mut interview = Interview {
            id: Uuid::from_u128(2),
            company_id: Uuid::from_u128(1),
            plate_version: "praatplaat-metaal@1".into(),
            ..Interview::default()
        };
        interview.set_answer("GR-01", answer(false, true));
        let mut f = FollowUp::for_interview(Uuid::from_u128(20), &interview, "");
        f.set_practice_outcome("GR-01", Some(AmbitionOutcome::Done));
        let r = then_now_builtin(&interview, &f).unwrap();
        assert!(r.same_version);
        let gr = r.themes().next().unwrap();
        assert_eq!(gr.theme_id, "GR");
        assert_eq!((gr.then.now.ticked, gr.now.now.ticked), (0, 1));
        assert_eq!(r.state("GR-01"), Some(RealisedSince));
        f.plate_version = "praatplaat-metaal@99".into();
        assert_eq!(then_now_builtin(&interview, &f), None);
    }
}
