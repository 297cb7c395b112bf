//! The plate versions built into the app.
//!
//! Every version ever used stays here: an interview records `id@version` and is always rendered
//! and scored with that version, so deleting a file would orphan the interviews held with it.

use std::sync::OnceLock;

use super::definition::{Definition, DefinitionError};

/// Id of the metal praatplaat.
pub const PLATE_ID: &str = "praatplaat-metaal";

/// The embedded JSON, oldest version first. A revision adds a file; none is ever removed.
const BUILTIN: [&str; 1] = [include_str!("../../plates/praatplaat-metaal-v1.json")];

/// Parsed once; a broken built-in file is an error value, not a panic, so the app can show it.
static DEFINITIONS: OnceLock<Result<Vec<Definition>, DefinitionError>> = OnceLock::new();

/// All built-in definitions, in the order they were added, or why they could not be loaded.
pub fn definitions() -> Result<&'static [Definition], DefinitionError> {
    DEFINITIONS
        .get_or_init(|| load_all(&BUILTIN))
        .as_deref()
        .map_err(DefinitionError::clone)
}

fn load_all(sources: &[&str]) -> Result<Vec<Definition>, DefinitionError> {
    let mut loaded: Vec<Definition> = Vec::with_capacity(sources.len());
    for source in sources {
        let definition = Definition::from_json(source)?;
        if loaded
            .iter()
            .any(|d| d.plate_key() == definition.plate_key())
        {
            return Err(DefinitionError::DuplicateKey(definition.plate_key()));
        }
        loaded.push(definition);
    }
    if loaded.is_empty() {
        return Err(DefinitionError::NoBuiltin);
    }
    Ok(loaded)
}

/// Splits `"praatplaat-metaal@1"` into `("praatplaat-metaal", 1)`.
pub fn parse_plate_key(key: &str) -> Option<(&str, u32)> {
    let (id, version) = key.rsplit_once('@')?;
    if id.is_empty() || version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((id, version.parse().ok()?))
}

/// The built-in definition an interview was held with (`Interview.plate_version`). `None` for an
/// unknown key; also `None` if the built-ins failed to load, which [`definitions`] reports and a
/// test rules out.
pub fn find_definition(key: &str) -> Option<&'static Definition> {
    let (id, version) = parse_plate_key(key)?;
    definitions()
        .ok()?
        .iter()
        .find(|d| d.id == id && d.version == version)
}

impl Definition {
    /// A built-in version of the metal praatplaat ([`PLATE_ID`]).
    pub fn builtin(version: u32) -> Option<&'static Definition> {
        find_definition(&format!("{PLATE_ID}@{version}"))
    }

    /// The newest built-in version of the metal praatplaat: the one new interviews use.
    pub fn current() -> Result<&'static Definition, DefinitionError> {
        definitions()?
            .iter()
            .filter(|d| d.id == PLATE_ID)
            .max_by_key(|d| d.version)
            .ok_or(DefinitionError::NoBuiltin)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::model::Interview;
    use crate::plate::{Category, Lang, RStep};

    #[test]
    fn builtin_definitions_load() {
        let all = definitions().expect("built-in plates must be valid");
        assert!(!all.is_empty());
        for definition in all {
            assert_eq!(find_definition(&definition.plate_key()), Some(definition));
        }
    }

    #[test]
    fn v1_has_the_seven_themes_in_order() {
        let v1 = Definition::builtin(1).unwrap();
        assert_eq!(v1.plate_key(), "praatplaat-metaal@1");
        let themes: Vec<(&str, &str, &str)> = v1
            .themes
            .iter()
            .map(|t| (t.id.as_str(), t.label(Lang::Nl), t.label(Lang::En)))
            .collect();
        assert_eq!(
            themes,
            [
                ("GR", "Grondstoffen", "Raw materials"),
                ("PR", "Product", "Product"),
                ("PP", "Productieproces", "Production process"),
                (
                    "OB",
                    "Overige bedrijfsactiviteiten",
                    "Other business activities"
                ),
                ("SK", "Samenwerking in de keten", "Chain collaboration"),
                ("EN", "Energietransitie", "Energy transition"),
                ("GB", "Gebouw", "Building"),
            ]
        );
        for theme in &v1.themes {
            let n = theme.practices.len();
            assert!((6..=10).contains(&n), "{} has {n} practices", theme.id);
        }
        // Every practice of the brief (§3), each id once.
        let ids: BTreeSet<&str> = v1.practices().map(|p| p.id.as_str()).collect();
        assert_eq!(ids.len(), 62);
        assert_eq!(v1.practices().count(), 62);
        assert_eq!(
            v1.step_info(RStep::R6).unwrap().name.get(Lang::Nl),
            "Herfabriceren"
        );
    }

    #[test]
    fn v1_classifications_follow_the_brief() {
        let v1 = Definition::builtin(1).unwrap();
        let class = |id: &str| v1.practice(id).unwrap().classification();
        assert_eq!(class("GR-07"), "R2 +");
        assert_eq!(class("GR-08"), "S");
        assert_eq!(class("PR-01"), "R3/R6 +");
        assert_eq!(class("PR-06"), "R3/R8 +");
        assert_eq!(class("PR-08"), "R3/R6");
        assert_eq!(class("PP-10"), "R2/R4");
        assert_eq!(class("OB-09"), "+");
        assert_eq!(class("GB-01"), "E");
        assert_eq!(class("GB-07"), "W");
        assert_eq!(class("GB-08"), "R8 +");
        let energy = v1.theme("EN").unwrap();
        assert!(energy
            .practices
            .iter()
            .all(|p| p.category == Category::Energy));
    }

    #[test]
    fn interview_key_round_trips() {
        let current = Definition::current().unwrap();
        let interview = Interview {
            plate_version: current.plate_key(),
            ..Interview::default()
        };
        assert_eq!(find_definition(&interview.plate_version), Some(current));
    }

    #[test]
    fn plate_keys_parse_strictly() {
        assert_eq!(
            parse_plate_key("praatplaat-metaal@1"),
            Some(("praatplaat-metaal", 1))
        );
        assert_eq!(parse_plate_key("a@b@12"), Some(("a@b", 12)));
        for bad in ["", "praatplaat-metaal", "@1", "x@", "x@+1", "x@-1", "x@v1"] {
            assert_eq!(parse_plate_key(bad), None, "{bad}");
        }
        assert_eq!(find_definition("praatplaat-metaal@99"), None);
        assert_eq!(find_definition("other@1"), None);
        assert_eq!(Definition::builtin(0), None);
    }

    #[test]
    fn embedding_a_version_twice_is_an_error() {
        let v1 = BUILTIN[0];
        assert_eq!(
            load_all(&[v1, v1]),
            Err(DefinitionError::DuplicateKey("praatplaat-metaal@1".into()))
        );
        assert_eq!(load_all(&[]), Err(DefinitionError::NoBuiltin));
        assert!(matches!(load_all(&["{"]), Err(DefinitionError::Json(_))));
    }
}
