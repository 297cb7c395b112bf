//! Ranked suggestions: which initiatives fit one company's ambitions and needs.
//!
//! The interviewer (at the table, offline) or the coordinator picks links from this list; the
//! reason line goes with the link, so the company sees why it was made. The formula is on
//! [`suggest`].

use serde::Serialize;
use uuid::Uuid;

use super::catalogue::{region_by_name, Initiative, NeedKind, Scope};
use crate::model::{Company, Interview, NeedLevel};
use crate::municipality;
use crate::plate::{Definition, Lang, Practice, RStep, Theme};

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
    pub reasons: Vec<Reason>,
    /// One line, e.g. "Past bij uw ambitie op Gebouw (R3 Hergebruiken) en bij uw behoefte aan
    /// advies; actief in heel Zuid-Holland".
    pub reason_text_nl: String,
    pub reason_text_en: String,
}

impl Suggestion {
    pub fn reason_text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Nl => &self.reason_text_nl,
            Lang::En => &self.reason_text_en,
        }
    }
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
        reason_text_nl: reason_text(Lang::Nl, definition, initiative, &reasons),
        reason_text_en: reason_text(Lang::En, definition, initiative, &reasons),
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

/// "A", "A en B", "A, B en C".
fn join(items: &[String], lang: Lang) -> String {
    let and = match lang {
        Lang::Nl => " en ",
        Lang::En => " and ",
    };
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{}{and}{last}", init.join(", ")),
    }
}

/// The one-line reason, built from the reasons in the order they were found.
fn reason_text(
    lang: Lang,
    definition: &Definition,
    initiative: &Initiative,
    reasons: &[Reason],
) -> String {
    let theme_label = |id: &str| {
        definition
            .theme(id)
            .map_or_else(|| id.to_owned(), |t| t.label(lang).to_owned())
    };
    let step_name = |s: RStep| match definition.step_info(s) {
        Some(info) => format!("{} {}", s.code(), info.name.get(lang)),
        None => s.code().to_owned(),
    };

    let mut ambition_themes: Vec<&str> = Vec::new();
    let mut ambition_parts = Vec::new();
    let mut kinds: Vec<NeedKind> = Vec::new();
    let mut need_themes: Vec<&str> = Vec::new();
    let mut extras = Vec::new();
    for reason in reasons {
        match reason {
            Reason::Ambition {
                theme_id, r_steps, ..
            } => {
                ambition_themes.push(theme_id);
                let mut part = theme_label(theme_id);
                if !r_steps.is_empty() {
                    let steps: Vec<String> = r_steps.iter().map(|&s| step_name(s)).collect();
                    part = format!("{part} ({})", steps.join(", "));
                }
                ambition_parts.push(part);
            }
            Reason::Need { theme_id, kind, .. } => {
                if !kinds.contains(kind) {
                    kinds.push(*kind);
                }
                if !need_themes.contains(&theme_id.as_str()) {
                    need_themes.push(theme_id);
                }
            }
            Reason::Segment { .. } => extras.push(match lang {
                Lang::Nl => "gericht op uw segment".to_owned(),
                Lang::En => "aimed at your segment".to_owned(),
            }),
            Reason::Area { fit, .. } => extras.push(area_text(lang, fit, initiative)),
        }
    }
    kinds.sort();

    let mut fits = Vec::new();
    if !ambition_parts.is_empty() {
        let lead = match lang {
            Lang::Nl => "uw ambitie op",
            Lang::En => "your ambition for",
        };
        fits.push(format!("{lead} {}", join(&ambition_parts, lang)));
    }
    if !kinds.is_empty() {
        let words: Vec<String> = kinds.iter().map(|k| k.word(lang).to_owned()).collect();
        let lead = match lang {
            Lang::Nl => "uw behoefte aan",
            Lang::En => "your need for",
        };
        let mut part = format!("{lead} {}", join(&words, lang));
        // Name the themes unless the ambition part already did.
        if need_themes.iter().any(|t| !ambition_themes.contains(t)) {
            let labels: Vec<String> = need_themes.iter().map(|t| theme_label(t)).collect();
            let on = match lang {
                Lang::Nl => "op",
                Lang::En => "in",
            };
            part = format!("{part} {on} {}", join(&labels, lang));
        }
        fits.push(part);
    }
    let (lead, and) = match lang {
        Lang::Nl => ("Past bij", " en bij "),
        Lang::En => ("Fits", ", and "),
    };
    let mut text = format!("{lead} {}", fits.join(and));
    for extra in extras {
        text.push_str("; ");
        text.push_str(&extra);
    }
    text
}

fn area_text(lang: Lang, fit: &AreaFit, initiative: &Initiative) -> String {
    match (fit, lang) {
        (AreaFit::National, Lang::Nl) => "landelijk initiatief".to_owned(),
        (AreaFit::National, Lang::En) => "national initiative".to_owned(),
        (AreaFit::Everywhere, Lang::Nl) => "actief in heel Zuid-Holland".to_owned(),
        (AreaFit::Everywhere, Lang::En) => "active throughout Zuid-Holland".to_owned(),
        (AreaFit::Municipality(name) | AreaFit::Region(name), Lang::Nl) => {
            format!("actief in {name}")
        }
        (AreaFit::Municipality(name) | AreaFit::Region(name), Lang::En) => {
            format!("active in {name}")
        }
        (AreaFit::Unknown, _) => {
            let areas: Vec<String> = initiative
                .municipalities
                .iter()
                .chain(&initiative.regions)
                .cloned()
                .collect();
            match lang {
                Lang::Nl => format!("alleen in {}", join(&areas, lang)),
                Lang::En => format!("only in {}", join(&areas, lang)),
            }
        }
    }
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
        assert_eq!(
            found[0].reason_text_nl,
            "Past bij uw ambitie op Product (R3 Hergebruiken) en Gebouw (R3 Hergebruiken); \
             landelijk initiatief"
        );
        // Versnellingsteam: 3 × 2 for the themes + 4 for much advice on Gebouw.
        assert_eq!(found[1].score, 10);
        assert_eq!(
            found[1].reason_text_nl,
            "Past bij uw ambitie op Product en Gebouw en bij uw behoefte aan advies; \
             actief in heel Zuid-Holland"
        );
        assert_eq!(
            found[1].reason_text_en,
            "Fits your ambition for Product and Building, and your need for advice; \
             active throughout Zuid-Holland"
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
        assert!(blue.reason_text_nl.contains("Product"));
        assert!(blue.reason_text_nl.contains("Samenwerking in de keten"));
        assert!(blue.reason_text_nl.ends_with("; actief in Rotterdam"));
        assert!(blue.reason_text_en.contains("Chain collaboration"));
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
            cm.reason_text_nl,
            "Past bij uw behoefte aan kennis op Product; landelijk initiatief"
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
        assert!(remanufacturing.reason_text_nl.contains("R5 Opknappen"));
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
        assert!(blue.reason_text_nl.ends_with("; alleen in Rotterdam"));
        assert!(blue.reason_text_en.ends_with("; only in Rotterdam"));
    }

    #[test]
    fn join_reads_naturally() {
        let items = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(join(&items(&["A"]), Lang::Nl), "A");
        assert_eq!(join(&items(&["A", "B"]), Lang::Nl), "A en B");
        assert_eq!(join(&items(&["A", "B", "C"]), Lang::En), "A, B and C");
    }
}
