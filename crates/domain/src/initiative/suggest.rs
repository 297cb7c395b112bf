//! Ranked suggestions: which initiatives fit one company's ambitions and needs.
//!
//! The interviewer (at the table, offline) or the coordinator picks links from this list; the
//! reason line goes with the link, so the company sees why it was made. The formula is on
//! [`suggest`]. Each suggestion says why as [`Reason`]s with what they were based on; the app
//! words them in its language (its catalogue, `suggestion_reason`).

use serde::Serialize;
use uuid::Uuid;

use super::catalogue::{region_by_name, Initiative, NeedKind, Scope};
use crate::model::{Company, Interview, NeedLevel};
use crate::municipality;
use crate::plate::{Definition, Practice, RStep, Theme};

/// Points for one ambition practice the initiative names in its `practices`.
pub const PRACTICE_POINTS: u32 = 3;
/// Points for one ambition practice in a theme the initiative works on.
pub const THEME_POINTS: u32 = 2;
/// Points for one ambition practice sharing an R-step with the initiative.
pub const STEP_POINTS: u32 = 1;
/// Points for a need of one kind on one theme, marked *some*.
pub const NEED_SOME_POINTS: u32 = 2;
/// … and marked *much*.
pub const NEED_MUCH_POINTS: u32 = 4;
/// Bonus when the initiative is meant for one of the company's segments.
pub const SEGMENT_POINTS: u32 = 2;
/// Bonus when the initiative names the company's municipality …
pub const MUNICIPALITY_POINTS: u32 = 2;
/// … or its region.
pub const REGION_POINTS: u32 = 1;

/// How an initiative's area fits a company. No value (`None` from [`area_fit`]) means it does
/// not: the company is outside the area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "fit", content = "name", rename_all = "snake_case")]
pub enum AreaFit {
    /// A national initiative fits everywhere.
    National,
    /// It lists no regions or municipalities: all of Zuid-Holland.
    Everywhere,
    /// It lists the company's municipality.
    Municipality(String),
    /// It lists the company's region.
    Region(String),
    /// The company's municipality is empty or not in Zuid-Holland, so the area cannot be
    /// checked; the initiative is kept (leaving it out could hide the best fit) and the reason
    /// says where it works.
    Unknown,
}

impl AreaFit {
    fn points(&self) -> u32 {
        match self {
            AreaFit::Municipality(_) => MUNICIPALITY_POINTS,
            AreaFit::Region(_) => REGION_POINTS,
            AreaFit::National | AreaFit::Everywhere | AreaFit::Unknown => 0,
        }
    }
}

/// Whether `initiative` works where the company is (`company_municipality` as typed); `None`
/// when the company is outside its area. Local and regional initiatives follow the same rule
/// (their regions and municipalities say the area); only national ones ignore it.
pub fn area_fit(initiative: &Initiative, company_municipality: &str) -> Option<AreaFit> {
    if initiative.scope == Scope::National {
        return Some(AreaFit::National);
    }
    if initiative.regions.is_empty() && initiative.municipalities.is_empty() {
        return Some(AreaFit::Everywhere);
    }
    let Some(place) = municipality::find(company_municipality) else {
        return Some(AreaFit::Unknown);
    };
    if initiative
        .municipalities
        .iter()
        .any(|m| m.trim().eq_ignore_ascii_case(place.name))
    {
        return Some(AreaFit::Municipality(place.name.to_owned()));
    }
    if initiative
        .regions
        .iter()
        .any(|r| region_by_name(r) == Some(place.region))
    {
        return Some(AreaFit::Region(place.region.name().to_owned()));
    }
    None
}

/// One part of a suggestion's score, with what it was based on (for the UI and the text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reason {
    /// Ambition practices of one theme that fit (in plate order), with the R-steps they share
    /// with the initiative.
    Ambition {
        theme_id: String,
        practice_ids: Vec<String>,
        r_steps: Vec<RStep>,
        points: u32,
    },
    /// A need of one kind on one theme the initiative works on and gives that kind of help for.
    Need {
        theme_id: String,
        kind: NeedKind,
        level: NeedLevel,
        points: u32,
    },
    /// The initiative is meant for these segments of the company.
    Segment { segments: Vec<String>, points: u32 },
    /// Where it works, relative to the company.
    Area { fit: AreaFit, points: u32 },
}

impl Reason {
    pub fn points(&self) -> u32 {
        match self {
            Reason::Ambition { points, .. }
            | Reason::Need { points, .. }
            | Reason::Segment { points, .. }
            | Reason::Area { points, .. } => *points,
        }
    }
}

/// One initiative that fits, with its score and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub initiative_id: Uuid,
    /// The sum of the reasons' points; only the order it gives matters.
    pub score: u32,
    /// In the order they were found: ambitions per theme (plate order), needs per theme and
    /// kind, the segment, the area (always last). The app makes one line of them, e.g. "Past bij
    /// uw ambitie op Gebouw (R3 Hergebruiken) en bij uw behoefte aan advies; actief in heel
    /// Zuid-Holland".
    pub reasons: Vec<Reason>,
}

/// Ranks the catalogue for one interview of one company, best first.
///
/// `definition` must be the plate version the interview was held with. Ambitions are the
/// practices answered with `ambition`; needs are `interview.needs` per theme; the place is the
/// company's municipality and its region.
///
/// # Formula
///
/// Inactive and deleted initiatives are left out, and so are local or regional ones whose area
/// does not hold the company ([`area_fit`]). For each other initiative:
///
/// - **Ambition**, per ambition practice `p` (theme `t`, R-steps `S`):
///   `+3` if the initiative names `p` in its `practices`, else `+2` if `t` is one of its
///   `themes`; and `+1` if `S` shares a step with its `r_steps` and the practice already
///   matched by name or theme, or the initiative has no themes at all (it is then matched on
///   R-steps, e.g. a remanufacturing programme on R5–R6). So the more ambitions fall within
///   what the initiative does, the higher it ranks; an R-step alone does not pull in an
///   initiative that names its themes.
/// - **Need**, per theme `t` among the initiative's `themes` and per kind `k` (knowledge,
///   support, advice) the initiative gives: `+2` if the company marked *some* need of `k` on
///   `t`, `+4` if *much*.
/// - An initiative with no ambition or need points is left out: segment and area alone are no
///   reason to propose it. Otherwise it gets bonuses:
///   - **Segment**: `+2` if it lists segments and one is the company's.
///   - **Area**: `+2` if it lists the company's municipality, `+1` if it lists its region;
///     national, all-of-Zuid-Holland or unknown place: `0`.
///
/// Sorted by score (highest first), then name, then id, so the order is the same on every
/// device. Links the company already has are not filtered out here; the caller knows them.
pub fn suggest(
    definition: &Definition,
    interview: &Interview,
    company: &Company,
    catalogue: &[Initiative],
) -> Vec<Suggestion> {
    let mut ranked: Vec<(&Initiative, Suggestion)> = catalogue
        .iter()
        .filter(|i| i.active && !i.meta.deleted)
        .filter_map(|i| {
            let fit = area_fit(i, &company.municipality)?;
            score_one(definition, interview, company, i, fit).map(|s| (i, s))
        })
        .collect();
    ranked.sort_by(|(a, x), (b, y)| {
        y.score
            .cmp(&x.score)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.id.cmp(&b.id))
    });
    ranked.into_iter().map(|(_, s)| s).collect()
}

/// The suggestion for one initiative whose area fits, or `None` when nothing else does.
fn score_one(
    definition: &Definition,
    interview: &Interview,
    company: &Company,
    initiative: &Initiative,
    fit: AreaFit,
) -> Option<Suggestion> {
    let mut reasons = Vec::new();
    for theme in &definition.themes {
        if let Some(reason) = ambition_reason(interview, initiative, theme) {
            reasons.push(reason);
        }
    }
    for theme in &definition.themes {
        reasons.extend(need_reasons(interview, initiative, theme));
    }
    if reasons.is_empty() {
        return None;
    }

    let segments: Vec<String> = initiative
        .segments
        .iter()
        .filter(|s| company.segments.contains(s))
        .cloned()
        .collect();
    if !segments.is_empty() {
        reasons.push(Reason::Segment {
            segments,
            points: SEGMENT_POINTS,
        });
    }
    let points = fit.points();
    reasons.push(Reason::Area { fit, points });

    Some(Suggestion {
        initiative_id: initiative.id,
        score: reasons.iter().map(Reason::points).sum(),
        reasons,
    })
}

/// Points for one ambition practice (see the formula on [`suggest`]) and the steps it shares.
fn practice_points(
    initiative: &Initiative,
    theme: &Theme,
    practice: &Practice,
) -> (u32, Vec<RStep>) {
    let named = initiative.practices.iter().any(|p| p == &practice.id);
    let in_theme = initiative.themes.iter().any(|t| t == &theme.id);
    let shared: Vec<RStep> = practice
        .r_steps
        .iter()
        .copied()
        .filter(|s| initiative.r_steps.contains(s))
        .collect();
    let base = if named {
        PRACTICE_POINTS
    } else if in_theme {
        THEME_POINTS
    } else {
        0
    };
    let steps_count = !shared.is_empty() && (base > 0 || initiative.themes.is_empty());
    if steps_count {
        (base + STEP_POINTS, shared)
    } else {
        (base, Vec::new())
    }
}

fn ambition_reason(
    interview: &Interview,
    initiative: &Initiative,
    theme: &Theme,
) -> Option<Reason> {
    let mut practice_ids = Vec::new();
    let mut r_steps: Vec<RStep> = Vec::new();
    let mut points = 0;
    for practice in &theme.practices {
        if !interview
            .answers
            .get(&practice.id)
            .is_some_and(|a| a.ambition)
        {
            continue;
        }
        let (p, shared) = practice_points(initiative, theme, practice);
        if p == 0 {
            continue;
        }
        points += p;
        practice_ids.push(practice.id.clone());
        r_steps.extend(shared);
    }
    r_steps.sort();
    r_steps.dedup();
    (points > 0).then(|| Reason::Ambition {
        theme_id: theme.id.clone(),
        practice_ids,
        r_steps,
        points,
    })
}

fn need_reasons(interview: &Interview, initiative: &Initiative, theme: &Theme) -> Vec<Reason> {
    let Some(need) = interview.needs.get(&theme.id) else {
        return Vec::new();
    };
    if !initiative.themes.contains(&theme.id) {
        return Vec::new();
    }
    NeedKind::ALL
        .into_iter()
        .filter(|k| initiative.needs.contains(k))
        .filter_map(|kind| {
            let level = kind.level_in(need);
            let points = match level {
                NeedLevel::None => return None,
                NeedLevel::Some => NEED_SOME_POINTS,
                NeedLevel::Much => NEED_MUCH_POINTS,
            };
            Some(Reason::Need {
                theme_id: theme.id.clone(),
                kind,
                level,
                points,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::initiative::seed_catalogue;
    use crate::model::{PracticeAnswer, ThemeNeed};

    fn definition() -> &'static Definition {
        Definition::current().unwrap()
    }

    fn company(municipality: &str) -> Company {
        Company {
            id: Uuid::from_u128(1),
            name: "Van Dijk Metaal".into(),
            municipality: municipality.into(),
            ..Company::default()
        }
    }

    fn interview(ambitions: &[&str], needs: &[(&str, ThemeNeed)]) -> Interview {
        let answers = ambitions
            .iter()
            .map(|&id| {
                let answer = PracticeAnswer {
                    ambition: true,
                    ..PracticeAnswer::default()
                };
                (id.to_owned(), answer)
            })
            .collect();
        let needs: BTreeMap<String, ThemeNeed> = needs
            .iter()
            .map(|(theme, need)| ((*theme).to_owned(), need.clone()))
            .collect();
        Interview {
            id: Uuid::from_u128(2),
            company_id: Uuid::from_u128(1),
            answers,
            needs,
            ..Interview::default()
        }
    }

    fn advice(level: NeedLevel) -> ThemeNeed {
        ThemeNeed {
            advice: level,
            ..ThemeNeed::default()
        }
    }

    fn knowledge(level: NeedLevel) -> ThemeNeed {
        ThemeNeed {
            knowledge: level,
            ..ThemeNeed::default()
        }
    }

    fn names(suggestions: &[Suggestion], catalogue: &[Initiative]) -> Vec<String> {
        suggestions
            .iter()
            .map(|s| {
                let i = catalogue.iter().find(|i| i.id == s.initiative_id).unwrap();
                i.name.clone()
            })
            .collect()
    }

    fn position(names: &[String], part: &str) -> Option<usize> {
        names.iter().position(|n| n.contains(part))
    }

    #[test]
    fn building_ambition_in_waddinxveen_leaves_out_rotterdam_hub() {
        let catalogue = seed_catalogue().unwrap();
        // PR-01 is in BlueCity's themes: only the area keeps it out.
        let iv = interview(
            &["GB-02", "GB-03", "PR-01"],
            &[("GB", advice(NeedLevel::Much))],
        );
        let found = suggest(definition(), &iv, &company("Waddinxveen"), &catalogue);
        let names = names(&found, &catalogue);
        assert_eq!(position(&names, "BlueCity"), None, "{names:?}");
        assert_eq!(position(&names, "Bouwen met Staal"), Some(0), "{names:?}");
        assert_eq!(position(&names, "Versnellingsteam"), Some(1), "{names:?}");

        // Bouwen met Staal names PR-01, GB-02 and GB-03 and works on R3: 3 × (3 + 1).
        assert_eq!(found[0].score, 12);
        let ambition =
            |theme: &str, practices: &[&str], r_steps: &[RStep], points| Reason::Ambition {
                theme_id: theme.into(),
                practice_ids: practices.iter().map(|p| (*p).to_owned()).collect(),
                r_steps: r_steps.to_vec(),
                points,
            };
        // The app words it "Past bij uw ambitie op Product (R3 Hergebruiken) en Gebouw (R3
        // Hergebruiken); landelijk initiatief".
        assert_eq!(
            found[0].reasons,
            [
                ambition("PR", &["PR-01"], &[RStep::R3], 4),
                ambition("GB", &["GB-02", "GB-03"], &[RStep::R3], 8),
                Reason::Area {
                    fit: AreaFit::National,
                    points: 0
                },
            ]
        );
        // Versnellingsteam: 3 × 2 for the themes + 4 for much advice on Gebouw.
        assert_eq!(found[1].score, 10);
        assert_eq!(
            found[1].reasons,
            [
                ambition("PR", &["PR-01"], &[], 2),
                ambition("GB", &["GB-02", "GB-03"], &[], 4),
                Reason::Need {
                    theme_id: "GB".into(),
                    kind: NeedKind::Advice,
                    level: NeedLevel::Much,
                    points: NEED_MUCH_POINTS
                },
                Reason::Area {
                    fit: AreaFit::Everywhere,
                    points: 0
                },
            ]
        );

        // The same interview in Rotterdam does bring BlueCity, below both.
        let found = suggest(definition(), &iv, &company("Rotterdam"), &catalogue);
        let names = super::tests::names(&found, &catalogue);
        let blue = position(&names, "BlueCity").expect("BlueCity in Rotterdam");
        assert!(blue > position(&names, "Bouwen met Staal").unwrap());
        assert!(blue > position(&names, "Versnellingsteam").unwrap());
    }

    #[test]
    fn rotterdam_company_with_product_and_chain_ambitions_sees_bluecity() {
        let catalogue = seed_catalogue().unwrap();
        let iv = interview(&["PR-03", "SK-06"], &[("SK", knowledge(NeedLevel::Some))]);
        let found = suggest(definition(), &iv, &company("Rotterdam"), &catalogue);
        let names = names(&found, &catalogue);
        let blue = &found[position(&names, "BlueCity").expect("BlueCity")];
        // 2 (PR-03) + 2 (SK-06) + 2 (some knowledge on SK) + 2 (Rotterdam is listed).
        assert_eq!(blue.score, 8);
        let themes: Vec<&str> = blue
            .reasons
            .iter()
            .filter_map(|r| match r {
                Reason::Ambition { theme_id, .. } | Reason::Need { theme_id, .. } => {
                    Some(theme_id.as_str())
                }
                _ => None,
            })
            .collect();
        assert_eq!(themes, ["PR", "SK", "SK"]);
        assert!(matches!(
            blue.reasons.last(),
            Some(Reason::Area {
                fit: AreaFit::Municipality(m),
                points: 2
            }) if m == "Rotterdam"
        ));
    }

    #[test]
    fn nothing_to_go_on_suggests_nothing() {
        let catalogue = seed_catalogue().unwrap();
        let mut iv = interview(&[], &[]);
        // Done already is no ambition; an empty need is no need.
        iv.answers.insert(
            "GR-01".into(),
            PracticeAnswer {
                now: true,
                ..PracticeAnswer::default()
            },
        );
        iv.needs.insert("GR".into(), ThemeNeed::default());
        let mut c = company("Alphen aan den Rijn");
        c.segments = vec!["constructie".into()];
        assert_eq!(suggest(definition(), &iv, &c, &catalogue), []);
    }

    #[test]
    fn a_need_alone_is_enough_and_names_its_theme() {
        let catalogue = seed_catalogue().unwrap();
        let iv = interview(&[], &[("PR", knowledge(NeedLevel::Much))]);
        let found = suggest(definition(), &iv, &company("Gouda"), &catalogue);
        let names = names(&found, &catalogue);
        let cm = &found[position(&names, "Circulaire Maakindustrie").expect("CM")];
        assert_eq!(cm.score, NEED_MUCH_POINTS);
        assert_eq!(
            cm.reasons,
            [
                Reason::Need {
                    theme_id: "PR".into(),
                    kind: NeedKind::Knowledge,
                    level: NeedLevel::Much,
                    points: NEED_MUCH_POINTS
                },
                Reason::Area {
                    fit: AreaFit::National,
                    points: 0
                },
            ]
        );
        // The Versnellingsteam gives support and advice, not knowledge.
        assert_eq!(position(&names, "Versnellingsteam"), None);
    }

    #[test]
    fn much_need_weighs_more_than_some() {
        let catalogue = seed_catalogue().unwrap();
        let score = |level| {
            let iv = interview(&[], &[("OB", advice(level))]);
            let found = suggest(definition(), &iv, &company("Leiden"), &catalogue);
            let team = catalogue.iter().find(|i| i.is_versnellingsteam).unwrap();
            found
                .iter()
                .find(|s| s.initiative_id == team.id)
                .map(|s| s.score)
        };
        assert_eq!(score(NeedLevel::None), None);
        assert_eq!(score(NeedLevel::Some), Some(NEED_SOME_POINTS));
        assert_eq!(score(NeedLevel::Much), Some(NEED_MUCH_POINTS));
    }

    #[test]
    fn r_steps_alone_match_only_initiatives_without_themes() {
        let catalogue = seed_catalogue().unwrap();
        // PP-08 (regrind tools) is R5 in the production theme.
        let iv = interview(&["PP-08"], &[]);
        let found = suggest(definition(), &iv, &company("Delft"), &catalogue);
        let names = names(&found, &catalogue);
        let remanufacturing = &found[position(&names, "Remanufacturing").expect("HH")];
        assert_eq!(remanufacturing.score, STEP_POINTS);
        assert!(matches!(
            &remanufacturing.reasons[0],
            Reason::Ambition { practice_ids, r_steps, .. }
                if practice_ids == &["PP-08"] && r_steps == &[RStep::R5]
        ));
        // Bouwen met Staal works on R2/R3 but not on production: PP-01 (R2) does not bring it.
        let iv = interview(&["PP-01"], &[]);
        let found = suggest(definition(), &iv, &company("Delft"), &catalogue);
        assert_eq!(
            position(&super::tests::names(&found, &catalogue), "Bouwen"),
            None
        );
    }

    #[test]
    fn inactive_and_deleted_initiatives_are_left_out() {
        let mut catalogue = seed_catalogue().unwrap();
        let iv = interview(&["GB-03"], &[]);
        let before = suggest(definition(), &iv, &company("Leiden"), &catalogue).len();
        catalogue[0].active = false; // Versnellingsteam
        catalogue[3].meta.deleted = true; // Bouwen met Staal
        let after = suggest(definition(), &iv, &company("Leiden"), &catalogue);
        assert_eq!(after.len(), before - 2);
        assert!(after
            .iter()
            .all(|s| s.initiative_id != catalogue[0].id && s.initiative_id != catalogue[3].id));
    }

    #[test]
    fn ties_are_ordered_by_name() {
        let make = |n: u128, name: &str| Initiative {
            id: Uuid::from_u128(n),
            name: name.into(),
            themes: vec!["GR".into()],
            ..Initiative::default()
        };
        let catalogue = [make(1, "Zeta"), make(2, "Alfa"), make(3, "Midden")];
        let iv = interview(&["GR-01"], &[]);
        let found = suggest(definition(), &iv, &company("Leiden"), &catalogue);
        let order: Vec<u128> = found.iter().map(|s| s.initiative_id.as_u128()).collect();
        assert_eq!(order, [2, 3, 1]);
        assert_eq!(
            found,
            suggest(definition(), &iv, &company("Leiden"), &catalogue)
        );
    }

    #[test]
    fn segment_and_area_are_bonuses() {
        let catalogue = seed_catalogue().unwrap();
        let iv = interview(&["PR-03"], &[]);
        let mut c = company("Dordrecht");
        let score_of = |c: &Company, part: &str| {
            let found = suggest(definition(), &iv, c, &catalogue);
            let names = names(&found, &catalogue);
            position(&names, part).map(|p| found[p].score)
        };
        let plain = score_of(&c, "Maritime Sisters").expect("maritime");
        c.segments = vec!["maritiem".into()];
        assert_eq!(
            score_of(&c, "Maritime Sisters"),
            Some(plain + SEGMENT_POINTS)
        );
        // MBO Rijnland (Holland Rijnland, Midden-Holland, its own places) works on SK-08.
        let iv = interview(&["SK-08"], &[]);
        let mbo = |m: &str| {
            let found = suggest(definition(), &iv, &company(m), &catalogue);
            let names = names(&found, &catalogue);
            position(&names, "MBO Rijnland").map(|p| found[p].score)
        };
        assert_eq!(mbo("Dordrecht"), None);
        assert_eq!(mbo("Gouda"), Some(PRACTICE_POINTS + REGION_POINTS));
        assert_eq!(
            mbo("Zoetermeer"),
            Some(PRACTICE_POINTS + MUNICIPALITY_POINTS)
        );
    }

    #[test]
    fn area_fit_follows_scope_and_lists() {
        let catalogue = seed_catalogue().unwrap();
        let find = |part: &str| catalogue.iter().find(|i| i.name.contains(part)).unwrap();
        let blue = find("BlueCity");
        assert_eq!(
            area_fit(blue, " rotterdam "),
            Some(AreaFit::Municipality("Rotterdam".into()))
        );
        assert_eq!(area_fit(blue, "Schiedam"), None);
        assert_eq!(area_fit(blue, ""), Some(AreaFit::Unknown));
        let mbo = find("MBO Rijnland");
        assert_eq!(
            area_fit(mbo, "Nieuwkoop"),
            Some(AreaFit::Region("Holland Rijnland".into()))
        );
        assert_eq!(area_fit(find("Cesi"), "Dordrecht"), Some(AreaFit::National));
        assert_eq!(
            area_fit(find("Versnellingsteam"), "Dordrecht"),
            Some(AreaFit::Everywhere)
        );
    }

    #[test]
    fn unknown_place_keeps_local_initiatives_and_says_where_they_work() {
        let catalogue = seed_catalogue().unwrap();
        let iv = interview(&["PR-03"], &[]);
        let found = suggest(definition(), &iv, &company(""), &catalogue);
        let names = names(&found, &catalogue);
        let blue = &found[position(&names, "BlueCity").expect("BlueCity")];
        // Worded "alleen in Rotterdam" from the initiative's own area.
        assert_eq!(
            blue.reasons.last(),
            Some(&Reason::Area {
                fit: AreaFit::Unknown,
                points: 0
            })
        );
    }
}
