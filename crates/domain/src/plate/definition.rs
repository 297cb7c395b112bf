//! The shape of a praatplaat definition and its validation.
//!
//! [`Definition::from_json`] is the way in, and it validates, so the rest of the app may rely on:
//! unique theme and practice ids, practice ids prefixed by their theme id, no empty theme, every
//! text filled in in both languages, the R-ladder complete and every practice's classification
//! consistent with its category.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Display language of the plate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Nl,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Nl, Lang::En];

    /// ISO 639-1 code, as used in the JSON (`"nl"`, `"en"`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A text in every language the plate is shown in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub nl: String,
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Nl => &self.nl,
            Lang::En => &self.en,
        }
    }
}

/// A step of the 10R ladder (PBL, Potting et al. 2017); a lower number is more circular.
///
/// The code (`"R3"`) is what is stored, so a later switch of display names (or to the condensed
/// 6-step ladder in a report) does not touch stored data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RStep {
    R0,
    R1,
    R2,
    R3,
    R4,
    R5,
    R6,
    R7,
    R8,
    R9,
}

impl RStep {
    pub const ALL: [RStep; 10] = [
        RStep::R0,
        RStep::R1,
        RStep::R2,
        RStep::R3,
        RStep::R4,
        RStep::R5,
        RStep::R6,
        RStep::R7,
        RStep::R8,
        RStep::R9,
    ];

    /// 0 for R0 … 9 for R9.
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn code(self) -> &'static str {
        const CODES: [&str; 10] = ["R0", "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9"];
        CODES[self.index()]
    }

    pub fn group(self) -> RGroup {
        match self {
            RStep::R0 | RStep::R1 | RStep::R2 => RGroup::SmarterUse,
            RStep::R3 | RStep::R4 | RStep::R5 | RStep::R6 | RStep::R7 => RGroup::LongerLife,
            RStep::R8 | RStep::R9 => RGroup::UsefulMaterials,
        }
    }
}

impl fmt::Display for RStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The three groups of the R-ladder (PBL). The grouping is fixed in code, not data, because
/// results are only comparable across plate versions if every version groups the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RGroup {
    /// R0–R2 *product slimmer gebruiken en maken*.
    #[serde(rename = "R0-R2")]
    SmarterUse,
    /// R3–R7 *levensduur verlengen van product en onderdelen*.
    #[serde(rename = "R3-R7")]
    LongerLife,
    /// R8–R9 *nuttig toepassen van materialen*.
    #[serde(rename = "R8-R9")]
    UsefulMaterials,
}

impl RGroup {
    pub const ALL: [RGroup; 3] = [
        RGroup::SmarterUse,
        RGroup::LongerLife,
        RGroup::UsefulMaterials,
    ];

    /// 0, 1, 2 in ladder order.
    pub fn index(self) -> usize {
        self as usize
    }

    /// `"R0-R2"`, as in the JSON.
    pub fn code(self) -> &'static str {
        match self {
            RGroup::SmarterUse => "R0-R2",
            RGroup::LongerLife => "R3-R7",
            RGroup::UsefulMaterials => "R8-R9",
        }
    }

    pub fn steps(self) -> &'static [RStep] {
        let all = &RStep::ALL;
        match self {
            RGroup::SmarterUse => &all[0..3],
            RGroup::LongerLife => &all[3..8],
            RGroup::UsefulMaterials => &all[8..10],
        }
    }
}

impl fmt::Display for RGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What kind of measure a practice is. Only `Ladder` and `Enabler` practices carry R-steps; the
/// others count in their theme but on no R-step (the R-ladder is about materials).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// A circular strategy on the R-ladder; has at least one R-step.
    Ladder,
    /// Energy measure (E): not on the R-ladder.
    Energy,
    /// Makes higher R-steps possible (+), e.g. a product passport; may also name the steps it
    /// serves, in which case it counts on those steps.
    Enabler,
    /// Substitution of hazardous substances (S).
    Substitution,
    /// Water measure.
    Water,
}

impl Category {
    /// Short mark for the plate: `E`, `+`, `S`, `W`; empty for `Ladder` (its R-steps say it).
    pub fn mark(self) -> &'static str {
        match self {
            Category::Ladder => "",
            Category::Energy => "E",
            Category::Enabler => "+",
            Category::Substitution => "S",
            Category::Water => "W",
        }
    }

    fn takes_steps(self) -> bool {
        matches!(self, Category::Ladder | Category::Enabler)
    }
}

/// Texts for one R-step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepInfo {
    pub step: RStep,
    pub name: Text,
    pub meaning: Text,
}

/// Texts for one R-group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupInfo {
    pub group: RGroup,
    pub label: Text,
}

/// One thing a company may do, ticked *now* and/or as *ambition*.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Practice {
    /// Stable across plate versions, e.g. `"GR-01"`; answers are keyed by it.
    pub id: String,
    pub label: Text,
    /// One sentence a metal workshop recognises.
    pub example: Text,
    pub category: Category,
    /// The R-steps this practice stands for; a practice with several counts on each.
    #[serde(default)]
    pub r_steps: Vec<RStep>,
}

impl Practice {
    pub fn label(&self, lang: Lang) -> &str {
        self.label.get(lang)
    }

    /// The classification as shown on the plate: `"R2"`, `"R3/R6 +"`, `"+"`, `"E"`, `"S"`, `"W"`.
    pub fn classification(&self) -> String {
        let steps: Vec<&str> = self.r_steps.iter().map(|s| s.code()).collect();
        let steps = steps.join("/");
        match (steps.is_empty(), self.category.mark()) {
            (_, "") => steps,
            (true, mark) => mark.to_owned(),
            (false, mark) => format!("{steps} {mark}"),
        }
    }
}

/// A theme of the plate with its practices, in plate order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    /// Stable across plate versions, e.g. `"GR"`; prefix of its practice ids.
    pub id: String,
    pub label: Text,
    pub description: Text,
    pub practices: Vec<Practice>,
}

impl Theme {
    pub fn label(&self, lang: Lang) -> &str {
        self.label.get(lang)
    }
}

/// One version of a praatplaat.
///
/// Unknown fields are refused (`deny_unknown_fields`) so a typo in the JSON fails the build's
/// tests instead of silently dropping a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    /// e.g. `"praatplaat-metaal"`.
    pub id: String,
    /// 1, 2, …; with `id` it makes the key an interview records ([`Definition::plate_key`]).
    pub version: u32,
    pub title: Text,
    /// R0 … R9, in order.
    pub ladder: Vec<StepInfo>,
    /// R0-R2, R3-R7, R8-R9, in order.
    pub r_groups: Vec<GroupInfo>,
    /// In plate order.
    pub themes: Vec<Theme>,
}

/// Why a definition is refused. The message names the offending id so whoever edits the JSON
/// finds it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DefinitionError {
    /// Not JSON, a missing or unknown field, or an unknown value such as `"R11"`.
    #[error("praatplaat JSON is invalid: {0}")]
    Json(String),
    #[error("version must be at least 1, got {0}")]
    BadVersion(u32),
    #[error("invalid id {0:?}: use only letters, digits, '-' and '_'")]
    BadId(String),
    #[error("the ladder must list R0 to R9 once each, in order")]
    LadderIncomplete,
    #[error("r_groups must list R0-R2, R3-R7 and R8-R9 once each, in order")]
    GroupsIncomplete,
    #[error("the definition has no themes")]
    NoThemes,
    #[error("duplicate theme id {0:?}")]
    DuplicateTheme(String),
    #[error("theme {0:?} has no practices")]
    EmptyTheme(String),
    #[error("duplicate practice id {0:?}")]
    DuplicatePractice(String),
    #[error("practice {practice:?} must start with its theme id followed by '-' (\"{theme}-\")")]
    WrongPrefix { practice: String, theme: String },
    #[error("{id}: {field} ({lang}) must not be empty")]
    EmptyText {
        id: String,
        field: &'static str,
        lang: Lang,
    },
    #[error("practice {id:?}: {problem}")]
    BadClassification { id: String, problem: &'static str },
    #[error("built-in praatplaat {0:?} is embedded twice")]
    DuplicateKey(String),
    #[error("no built-in praatplaat definition")]
    NoBuiltin,
}

impl Definition {
    /// Parses and validates a definition.
    pub fn from_json(json: &str) -> Result<Definition, DefinitionError> {
        let definition: Definition =
            serde_json::from_str(json).map_err(|e| DefinitionError::Json(e.to_string()))?;
        definition.validate()?;
        Ok(definition)
    }

    /// `id@version`, e.g. `"praatplaat-metaal@1"`: what `Interview.plate_version` records.
    pub fn plate_key(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }

    pub fn title(&self, lang: Lang) -> &str {
        self.title.get(lang)
    }

    pub fn theme(&self, id: &str) -> Option<&Theme> {
        self.themes.iter().find(|t| t.id == id)
    }

    pub fn practice(&self, id: &str) -> Option<&Practice> {
        self.practices().find(|p| p.id == id)
    }

    /// The theme a practice belongs to in this version.
    pub fn theme_of(&self, practice_id: &str) -> Option<&Theme> {
        self.themes
            .iter()
            .find(|t| t.practices.iter().any(|p| p.id == practice_id))
    }

    /// All practices in plate order.
    pub fn practices(&self) -> impl Iterator<Item = &Practice> {
        self.themes.iter().flat_map(|t| t.practices.iter())
    }

    pub fn step_info(&self, step: RStep) -> Option<&StepInfo> {
        self.ladder.iter().find(|s| s.step == step)
    }

    pub fn group_info(&self, group: RGroup) -> Option<&GroupInfo> {
        self.r_groups.iter().find(|g| g.group == group)
    }

    /// Checks every rule listed in the module documentation; stops at the first problem.
    pub fn validate(&self) -> Result<(), DefinitionError> {
        check_id(&self.id)?;
        if self.version == 0 {
            return Err(DefinitionError::BadVersion(self.version));
        }
        check_text(&self.id, "title", &self.title)?;

        if !self.ladder.iter().map(|s| s.step).eq(RStep::ALL) {
            return Err(DefinitionError::LadderIncomplete);
        }
        for info in &self.ladder {
            check_text(info.step.code(), "name", &info.name)?;
            check_text(info.step.code(), "meaning", &info.meaning)?;
        }
        if !self.r_groups.iter().map(|g| g.group).eq(RGroup::ALL) {
            return Err(DefinitionError::GroupsIncomplete);
        }
        for info in &self.r_groups {
            check_text(info.group.code(), "label", &info.label)?;
        }

        if self.themes.is_empty() {
            return Err(DefinitionError::NoThemes);
        }
        let mut theme_ids = BTreeSet::new();
        // Across the whole definition: answers are keyed by practice id alone.
        let mut practice_ids = BTreeSet::new();
        for theme in &self.themes {
            check_id(&theme.id)?;
            if !theme_ids.insert(theme.id.as_str()) {
                return Err(DefinitionError::DuplicateTheme(theme.id.clone()));
            }
            check_text(&theme.id, "label", &theme.label)?;
            check_text(&theme.id, "description", &theme.description)?;
            if theme.practices.is_empty() {
                return Err(DefinitionError::EmptyTheme(theme.id.clone()));
            }
            for practice in &theme.practices {
                check_practice(theme, practice)?;
                if !practice_ids.insert(practice.id.as_str()) {
                    return Err(DefinitionError::DuplicatePractice(practice.id.clone()));
                }
            }
        }
        Ok(())
    }
}

/// Ids end up in keys (`id@version`) and map keys, so keep them plain.
fn check_id(id: &str) -> Result<(), DefinitionError> {
    let plain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if id.is_empty() || !id.chars().all(plain) {
        return Err(DefinitionError::BadId(id.to_owned()));
    }
    Ok(())
}

fn check_text(id: &str, field: &'static str, text: &Text) -> Result<(), DefinitionError> {
    match Lang::ALL
        .into_iter()
        .find(|&l| text.get(l).trim().is_empty())
    {
        Some(lang) => Err(DefinitionError::EmptyText {
            id: id.to_owned(),
            field,
            lang,
        }),
        None => Ok(()),
    }
}

fn check_practice(theme: &Theme, practice: &Practice) -> Result<(), DefinitionError> {
    let id = &practice.id;
    check_id(id)?;
    let has_prefix = id
        .strip_prefix(theme.id.as_str())
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|rest| !rest.is_empty());
    if !has_prefix {
        return Err(DefinitionError::WrongPrefix {
            practice: id.clone(),
            theme: theme.id.clone(),
        });
    }
    check_text(id, "label", &practice.label)?;
    check_text(id, "example", &practice.example)?;

    let distinct: BTreeSet<RStep> = practice.r_steps.iter().copied().collect();
    let problem = if distinct.len() != practice.r_steps.len() {
        Some("an R-step is listed twice")
    } else if practice.category == Category::Ladder && practice.r_steps.is_empty() {
        Some("a ladder practice needs at least one R-step")
    } else if !practice.category.takes_steps() && !practice.r_steps.is_empty() {
        Some("only ladder and enabler practices carry R-steps")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(DefinitionError::BadClassification {
            id: id.clone(),
            problem,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::plate::fixtures::tiny_v1;

    /// The tiny test plate with one change applied, parsed again.
    fn load_with(change: impl FnOnce(&mut Value)) -> Result<Definition, DefinitionError> {
        let mut value: Value = serde_json::from_str(&tiny_v1()).unwrap();
        change(&mut value);
        Definition::from_json(&value.to_string())
    }

    #[test]
    fn tiny_plate_loads() {
        let def = load_with(|_| {}).unwrap();
        assert_eq!(def.plate_key(), "test-plate@1");
        assert_eq!(def.themes.len(), 2);
        assert_eq!(def.theme_of("B-02").map(|t| t.id.as_str()), Some("B"));
        assert_eq!(def.practice("A-02").unwrap().label(Lang::En), "Second A");
        assert!(def.practice("Z-99").is_none());
    }

    #[test]
    fn malformed_json_is_refused() {
        assert!(matches!(
            Definition::from_json("{"),
            Err(DefinitionError::Json(_))
        ));
        assert!(matches!(
            Definition::from_json("[]"),
            Err(DefinitionError::Json(_))
        ));
    }

    #[test]
    fn unknown_r_step_is_refused_by_name() {
        let err = load_with(|v| v["themes"][0]["practices"][0]["r_steps"] = json!(["R11"]));
        match err {
            Err(DefinitionError::Json(message)) => assert!(message.contains("R11"), "{message}"),
            other => panic!("expected a JSON error, got {other:?}"),
        }
    }

    #[test]
    fn unknown_field_is_refused() {
        let err = load_with(|v| v["themes"][0]["practices"][0]["exmaple"] = json!("typo"));
        assert!(matches!(err, Err(DefinitionError::Json(m)) if m.contains("exmaple")));
    }

    #[test]
    fn version_zero_is_refused() {
        let err = load_with(|v| v["version"] = json!(0));
        assert_eq!(err, Err(DefinitionError::BadVersion(0)));
    }

    #[test]
    fn duplicate_practice_id_is_refused() {
        let err = load_with(|v| v["themes"][0]["practices"][1]["id"] = json!("A-01"));
        assert_eq!(err, Err(DefinitionError::DuplicatePractice("A-01".into())));
    }

    #[test]
    fn duplicate_practice_id_across_themes_is_refused() {
        // Theme ids with a dash could make the prefix rule pass twice ("A" and "A-X").
        let err = load_with(|v| {
            v["themes"][1]["id"] = json!("A-X");
            v["themes"][1]["practices"][0]["id"] = json!("A-X-1");
            v["themes"][0]["practices"][0]["id"] = json!("A-X-1");
        });
        assert_eq!(err, Err(DefinitionError::DuplicatePractice("A-X-1".into())));
    }

    #[test]
    fn duplicate_theme_id_is_refused() {
        let err = load_with(|v| v["themes"][1]["id"] = json!("A"));
        assert_eq!(err, Err(DefinitionError::DuplicateTheme("A".into())));
    }

    #[test]
    fn empty_theme_is_refused() {
        let err = load_with(|v| v["themes"][1]["practices"] = json!([]));
        assert_eq!(err, Err(DefinitionError::EmptyTheme("B".into())));
        let err = load_with(|v| v["themes"] = json!([]));
        assert_eq!(err, Err(DefinitionError::NoThemes));
    }

    #[test]
    fn empty_label_is_refused() {
        let err = load_with(|v| v["themes"][0]["practices"][1]["label"]["en"] = json!("  "));
        assert_eq!(
            err,
            Err(DefinitionError::EmptyText {
                id: "A-02".into(),
                field: "label",
                lang: Lang::En
            })
        );
        let err = load_with(|v| v["themes"][1]["description"]["nl"] = json!(""));
        assert!(
            matches!(err, Err(DefinitionError::EmptyText { id, field: "description", .. }) if id == "B")
        );
        let err = load_with(|v| v["ladder"][4]["meaning"]["nl"] = json!(""));
        assert!(matches!(err, Err(DefinitionError::EmptyText { id, .. }) if id == "R4"));
    }

    #[test]
    fn practice_id_must_carry_its_theme_prefix() {
        let err = load_with(|v| v["themes"][1]["practices"][0]["id"] = json!("A-09"));
        assert_eq!(
            err,
            Err(DefinitionError::WrongPrefix {
                practice: "A-09".into(),
                theme: "B".into()
            })
        );
        // "B" alone or "BX-1" is not "B-<something>".
        for id in ["B", "B-", "BX-1"] {
            let err = load_with(|v| v["themes"][1]["practices"][0]["id"] = json!(id));
            assert!(
                matches!(err, Err(DefinitionError::WrongPrefix { .. })),
                "{id}"
            );
        }
    }

    #[test]
    fn ids_must_be_plain() {
        let err = load_with(|v| v["id"] = json!("test plate@2"));
        assert_eq!(err, Err(DefinitionError::BadId("test plate@2".into())));
    }

    #[test]
    fn ladder_must_be_complete_and_ordered() {
        let err = load_with(|v| {
            v["ladder"].as_array_mut().unwrap().remove(9);
        });
        assert_eq!(err, Err(DefinitionError::LadderIncomplete));
        let err = load_with(|v| v["ladder"].as_array_mut().unwrap().swap(0, 1));
        assert_eq!(err, Err(DefinitionError::LadderIncomplete));
        let err = load_with(|v| {
            v["r_groups"].as_array_mut().unwrap().pop();
        });
        assert_eq!(err, Err(DefinitionError::GroupsIncomplete));
    }

    #[test]
    fn classification_must_fit_the_category() {
        let practice = |v: &mut Value| v["themes"][0]["practices"][0].clone();
        let cases = [
            (json!("ladder"), json!([])),
            (json!("energy"), json!(["R2"])),
            (json!("water"), json!(["R8"])),
            (json!("ladder"), json!(["R2", "R2"])),
        ];
        for (category, steps) in cases {
            let err = load_with(|v| {
                let mut p = practice(v);
                p["category"] = category.clone();
                p["r_steps"] = steps.clone();
                v["themes"][0]["practices"][0] = p;
            });
            assert!(
                matches!(&err, Err(DefinitionError::BadClassification { id, .. }) if id == "A-01"),
                "{category} {steps}: {err:?}"
            );
        }
    }

    #[test]
    fn classification_reads_like_the_plate() {
        let def = load_with(|_| {}).unwrap();
        let marks: Vec<String> = def.practices().map(Practice::classification).collect();
        assert_eq!(marks, ["R2", "R3/R6 +", "E", "R8", "R3", "W"]);
    }

    #[test]
    fn groups_partition_the_ladder() {
        let mut steps = Vec::new();
        for group in RGroup::ALL {
            for &step in group.steps() {
                assert_eq!(step.group(), group);
                steps.push(step);
            }
        }
        assert_eq!(steps, RStep::ALL);
        assert_eq!(RStep::R7.code(), "R7");
        assert_eq!(
            serde_json::to_string(&RGroup::LongerLife).unwrap(),
            "\"R3-R7\""
        );
        assert_eq!(Lang::from_code("en"), Some(Lang::En));
    }
}
