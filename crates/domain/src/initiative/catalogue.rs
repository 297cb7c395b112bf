//! The catalogue of initiatives a company can be linked to.
//!
//! The coordinator keeps it; it syncs to every tablet like companies and interviews do, so the
//! interviewer can pick a link at the table, offline. The twelve initiatives named in the plan
//! ship as seed data (`crates/domain/initiatives/seed.json`) with fixed ids.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

use super::checks::{check_len, check_list};
use crate::model::{
    Field, NeedLevel, RecordMeta, ThemeNeed, ValidationError, MAX_LONG_TEXT, MAX_SHORT_TEXT,
    MKB_DEAL_METAAL, SEGMENTS,
};
use crate::municipality::{self, Region, MUNICIPALITIES};
use crate::plate::{Lang, RStep};

/// The kind of help (*kennis, ondersteuning, advies*): what a company may need on a theme, and
/// what an initiative offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NeedKind {
    Knowledge,
    Support,
    Advice,
}

impl NeedKind {
    pub const ALL: [NeedKind; 3] = [NeedKind::Knowledge, NeedKind::Support, NeedKind::Advice];

    /// How much of this kind the company marked in one theme's need.
    pub fn level_in(self, need: &ThemeNeed) -> NeedLevel {
        match self {
            NeedKind::Knowledge => need.knowledge,
            NeedKind::Support => need.support,
            NeedKind::Advice => need.advice,
        }
    }
}

/// Where an initiative works. Only matters for matching: a national initiative fits every
/// company; a local or regional one fits the companies in its area (see [`Initiative::regions`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Local,
    #[default]
    Regional,
    National,
}

/// How to reach an initiative. Every field is optional (empty = not known).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Contact {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub url: String,
}

/// An initiative, programme or organisation a company can be linked to (a synced record).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Initiative {
    pub id: Uuid,
    pub programme_id: String,
    pub name: String,
    /// What it offers, in Dutch (shown to the company).
    pub offer: String,
    /// The same in English; empty = not translated (the Dutch text is shown).
    pub offer_en: String,
    pub scope: Scope,
    /// Region names ([`Region::name`]) it serves. With `municipalities`: both empty = all of
    /// Zuid-Holland; otherwise a company fits if its municipality is listed or lies in a listed
    /// region. Ignored for [`Scope::National`].
    pub regions: Vec<String>,
    /// Municipality names (as in [`MUNICIPALITIES`]) it serves, beside its regions.
    pub municipalities: Vec<String>,
    /// Theme ids of the plate it works on (`"GR"`, …).
    pub themes: Vec<String>,
    /// Practice ids it fits in particular (`"PR-06"`), also outside its themes.
    pub practices: Vec<String>,
    /// R-steps it works on. Within its themes they sharpen the fit; an initiative without themes
    /// is matched on them (see [`super::suggest()`]).
    pub r_steps: Vec<RStep>,
    /// The kinds of help it gives.
    pub needs: Vec<NeedKind>,
    /// Segment codes ([`SEGMENTS`]) it is meant for; empty = every segment. A bonus, never a
    /// filter.
    pub segments: Vec<String>,
    pub contact: Contact,
    /// Coach names; the Versnellingsteam has them, and a link to it names one.
    pub coaches: Vec<String>,
    /// A link to this initiative counts towards the Versnellingsteam target (≥ 50 companies);
    /// every other link counts towards the target for other initiatives.
    pub is_versnellingsteam: bool,
    /// Inactive initiatives stay (old links point at them) but are no longer suggested.
    pub active: bool,
    #[serde(flatten)]
    pub meta: RecordMeta,
}

impl crate::model::RecordRules for Initiative {
    fn validate(&self) -> Result<(), ValidationError> {
        Initiative::validate(self)
    }
    /// The catalogue is everyone's.
    fn company_id(&self) -> Option<Uuid> {
        None
    }
}

impl Default for Initiative {
    fn default() -> Self {
        Initiative {
            id: Uuid::nil(),
            programme_id: MKB_DEAL_METAAL.id.to_owned(),
            name: String::new(),
            offer: String::new(),
            offer_en: String::new(),
            scope: Scope::Regional,
            regions: Vec::new(),
            municipalities: Vec::new(),
            themes: Vec::new(),
            practices: Vec::new(),
            r_steps: Vec::new(),
            needs: Vec::new(),
            segments: Vec::new(),
            contact: Contact::default(),
            coaches: Vec::new(),
            is_versnellingsteam: false,
            // A record that does not say is taken as active: deactivating is a deliberate act.
            active: true,
            meta: RecordMeta::default(),
        }
    }
}

/// Why an initiative or the catalogue is refused. The message names the initiative.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InitiativeError {
    #[error("initiative catalogue JSON is invalid: {0}")]
    Json(String),
    #[error("initiative {name:?}: {error}")]
    Invalid {
        name: String,
        error: ValidationError,
    },
    #[error("initiative {name:?}: unknown region {region:?}")]
    UnknownRegion { name: String, region: String },
    #[error("initiative {name:?}: unknown municipality {municipality:?}")]
    UnknownMunicipality { name: String, municipality: String },
    #[error(
        "initiative {name:?}: {field} {value:?} is not a plain id (letters, digits, '-', '_')"
    )]
    BadId {
        name: String,
        field: &'static str,
        value: String,
    },
    #[error("initiative id {0} appears twice in the catalogue")]
    DuplicateId(Uuid),
}

/// The region a name ([`Region::name`]) stands for, among the regions municipalities are in.
pub fn region_by_name(name: &str) -> Option<Region> {
    let name = name.trim();
    MUNICIPALITIES
        .iter()
        .map(|m| m.region)
        .find(|r| r.name().eq_ignore_ascii_case(name))
}

impl Initiative {
    /// The offer in `lang`, falling back to Dutch when there is no translation.
    pub fn offer(&self, lang: Lang) -> &str {
        match lang {
            Lang::En if !self.offer_en.trim().is_empty() => &self.offer_en,
            _ => &self.offer,
        }
    }

    /// The checks every device and the server apply to the record (as for companies).
    ///
    /// Names of regions and municipalities are not checked here, only in [`Initiative::check`]:
    /// a record written by a newer app (say, with a region added) must still sync through an
    /// older server.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.id.is_nil() {
            return Err(ValidationError::NilId);
        }
        if !self.meta.deleted && self.name.trim().is_empty() {
            return Err(ValidationError::Empty { field: Field::Name });
        }
        check_len(Field::ProgrammeId, &self.programme_id, MAX_SHORT_TEXT)?;
        check_len(Field::Name, &self.name, MAX_SHORT_TEXT)?;
        check_len(Field::Offer, &self.offer, MAX_LONG_TEXT)?;
        check_len(Field::OfferEn, &self.offer_en, MAX_LONG_TEXT)?;
        check_list(Field::Regions, Field::Region, &self.regions)?;
        check_list(
            Field::Municipalities,
            Field::Municipality,
            &self.municipalities,
        )?;
        check_list(Field::Themes, Field::ThemeId, &self.themes)?;
        check_list(Field::Practices, Field::PracticeId, &self.practices)?;
        check_list(Field::Segments, Field::Segment, &self.segments)?;
        check_list(Field::Coaches, Field::Coach, &self.coaches)?;
        if let Some(s) = self
            .segments
            .iter()
            .find(|s| !SEGMENTS.contains(&s.as_str()))
        {
            return Err(ValidationError::UnknownSegment(s.clone()));
        }
        // Each step or kind once at most; more is a corrupt record, not a longer list.
        if self.r_steps.len() > RStep::ALL.len() {
            return Err(ValidationError::TooMany {
                field: Field::RSteps,
                max: RStep::ALL.len(),
            });
        }
        if self.needs.len() > NeedKind::ALL.len() {
            return Err(ValidationError::TooMany {
                field: Field::Needs,
                max: NeedKind::ALL.len(),
            });
        }
        let c = &self.contact;
        check_len(Field::ContactName, &c.name, MAX_SHORT_TEXT)?;
        check_len(Field::ContactEmail, &c.email, MAX_SHORT_TEXT)?;
        check_len(Field::ContactPhone, &c.phone, MAX_SHORT_TEXT)?;
        check_len(Field::ContactUrl, &c.url, MAX_SHORT_TEXT)?;
        Ok(())
    }

    /// [`Initiative::validate`] plus what an editor of the catalogue must get right: regions and
    /// municipalities known by name (a typo would silently never match), plain theme and
    /// practice ids.
    pub fn check(&self) -> Result<(), InitiativeError> {
        let name = || self.name.clone();
        self.validate().map_err(|error| InitiativeError::Invalid {
            name: name(),
            error,
        })?;
        if let Some(region) = self.regions.iter().find(|r| region_by_name(r).is_none()) {
            return Err(InitiativeError::UnknownRegion {
                name: name(),
                region: region.clone(),
            });
        }
        if let Some(m) = self
            .municipalities
            .iter()
            .find(|m| municipality::find(m).is_none())
        {
            return Err(InitiativeError::UnknownMunicipality {
                name: name(),
                municipality: m.clone(),
            });
        }
        let plain = |s: &str| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        };
        for (field, values) in [("theme", &self.themes), ("practice", &self.practices)] {
            if let Some(value) = values.iter().find(|v| !plain(v)) {
                return Err(InitiativeError::BadId {
                    name: name(),
                    field,
                    value: value.clone(),
                });
            }
        }
        Ok(())
    }
}

/// The seed catalogue: the twelve initiatives named in the plan.
const SEED_JSON: &str = include_str!("../../initiatives/seed.json");

/// Parses and checks the embedded seed catalogue (see [`Initiative::check`]); ids are unique.
///
/// The seeds have fixed ids (`00000000-0000-4000-8000-0000000000NN`), so a device that seeds its
/// catalogue and the server that does the same hold the same records; their `updated_at` is 0, so
/// any edit by the coordinator wins over the seed when they meet (see [`crate::merge`]).
pub fn seed_catalogue() -> Result<Vec<Initiative>, InitiativeError> {
    parse_catalogue(SEED_JSON)
}

/// Parses a catalogue (a JSON array of initiatives) and checks every entry.
pub fn parse_catalogue(json: &str) -> Result<Vec<Initiative>, InitiativeError> {
    let catalogue: Vec<Initiative> =
        serde_json::from_str(json).map_err(|e| InitiativeError::Json(e.to_string()))?;
    let mut ids = BTreeSet::new();
    for initiative in &catalogue {
        initiative.check()?;
        if !ids.insert(initiative.id) {
            return Err(InitiativeError::DuplicateId(initiative.id));
        }
    }
    Ok(catalogue)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plate::Definition;

    fn seed() -> Vec<Initiative> {
        seed_catalogue().unwrap()
    }

    fn named<'a>(catalogue: &'a [Initiative], name: &str) -> &'a Initiative {
        catalogue
            .iter()
            .find(|i| i.name.contains(name))
            .unwrap_or_else(|| panic!("no initiative named {name}"))
    }

    #[test]
    fn seed_has_the_twelve_initiatives_of_the_plan() {
        let catalogue = seed();
        assert_eq!(catalogue.len(), 12);
        let ids: BTreeSet<Uuid> = catalogue.iter().map(|i| i.id).collect();
        assert_eq!(ids.len(), 12);
        for (n, initiative) in catalogue.iter().enumerate() {
            // Fixed, readable ids in file order: …0001 to …0012 (hex 0c).
            assert_eq!(
                initiative.id,
                Uuid::from_u128(0x4000_8000_0000_0000_0000 + n as u128 + 1),
                "{}",
                initiative.name
            );
            assert!(initiative.active, "{}", initiative.name);
            assert!(!initiative.offer.is_empty() && !initiative.offer_en.is_empty());
            assert_eq!(initiative.programme_id, MKB_DEAL_METAAL.id);
        }
        for name in [
            "Versnellingsteam Metaal",
            "Circulaire Maakindustrie",
            "InnovationQuarter",
            "Bouwen met Staal",
            "BlueCity",
            "Maritime Sisters",
            "Circo Tracks",
            "Meer met Minder in de Maakindustrie",
            "Remanufacturing",
            "MBO Rijnland",
            "Cesi Supply",
            "Circulair Productpaspoort",
        ] {
            named(&catalogue, name);
        }
    }

    #[test]
    fn only_the_versnellingsteam_counts_for_its_target_and_has_coaches() {
        let catalogue = seed();
        let team: Vec<&Initiative> = catalogue.iter().filter(|i| i.is_versnellingsteam).collect();
        assert_eq!(team.len(), 1);
        let team = team[0];
        assert_eq!(team.name, "Versnellingsteam Metaal");
        assert!(team.coaches.len() >= 2);
        // Real names are unverified, and the placeholders say so.
        assert!(team.coaches.iter().all(|c| c.contains("naam volgt")));
        assert_eq!(team.themes.len(), 7);
        assert_eq!(team.needs, [NeedKind::Support, NeedKind::Advice]);
    }

    #[test]
    fn seed_refers_only_to_themes_and_practices_of_the_plate() {
        let definition = Definition::current().unwrap();
        for initiative in seed() {
            for theme in &initiative.themes {
                assert!(definition.theme(theme).is_some(), "{theme}");
            }
            for practice in &initiative.practices {
                assert!(definition.practice(practice).is_some(), "{practice}");
            }
            assert!(
                !initiative.themes.is_empty() || !initiative.practices.is_empty(),
                "{} would never be suggested",
                initiative.name
            );
        }
    }

    #[test]
    fn seed_areas_follow_the_brief() {
        let catalogue = seed();
        let blue = named(&catalogue, "BlueCity");
        assert_eq!(blue.scope, Scope::Local);
        assert_eq!(blue.municipalities, ["Rotterdam"]);
        let mbo = named(&catalogue, "MBO Rijnland");
        assert_eq!(mbo.regions, ["Holland Rijnland", "Midden-Holland"]);
        let maritime = named(&catalogue, "Maritime Sisters");
        assert!(maritime.offer.contains("Maritieme Sisters"));
        assert_eq!(
            named(&catalogue, "Circulair Productpaspoort").scope,
            Scope::National
        );
    }

    #[test]
    fn offer_falls_back_to_dutch() {
        let mut i = Initiative {
            offer: "Kennis".into(),
            ..Initiative::default()
        };
        assert_eq!(i.offer(Lang::En), "Kennis");
        i.offer_en = "Knowledge".into();
        assert_eq!(i.offer(Lang::En), "Knowledge");
        assert_eq!(i.offer(Lang::Nl), "Kennis");
    }

    #[test]
    fn validation_names_the_field() {
        let ok = Initiative {
            id: Uuid::from_u128(1),
            name: "Test".into(),
            themes: vec!["GR".into()],
            ..Initiative::default()
        };
        assert_eq!(ok.validate(), Ok(()));
        assert_eq!(ok.check(), Ok(()));

        let mut i = ok.clone();
        i.name = " ".into();
        assert_eq!(
            i.validate(),
            Err(ValidationError::Empty { field: Field::Name })
        );
        i.meta.deleted = true;
        assert_eq!(i.validate(), Ok(()), "a tombstone may lose its name");

        let mut i = ok.clone();
        i.id = Uuid::nil();
        assert_eq!(i.validate(), Err(ValidationError::NilId));

        let mut i = ok.clone();
        i.themes.push(String::new());
        assert_eq!(
            i.validate(),
            Err(ValidationError::Empty {
                field: Field::ThemeId
            })
        );

        let mut i = ok.clone();
        i.contact.email = "x".repeat(MAX_SHORT_TEXT + 1);
        assert!(matches!(
            i.validate(),
            Err(ValidationError::TooLong {
                field: Field::ContactEmail,
                ..
            })
        ));

        let mut i = ok.clone();
        i.segments = vec!["bakkerij".into()];
        assert_eq!(
            i.validate(),
            Err(ValidationError::UnknownSegment("bakkerij".into()))
        );
    }

    #[test]
    fn check_knows_regions_and_municipalities() {
        let ok = Initiative {
            id: Uuid::from_u128(1),
            name: "Test".into(),
            regions: vec!["midden-holland".into()],
            municipalities: vec!["Rotterdam".into()],
            ..Initiative::default()
        };
        assert_eq!(ok.check(), Ok(()));
        let mut i = ok.clone();
        i.regions = vec!["Midden Holland".into()];
        // Still a valid record on the wire; only the catalogue check refuses it.
        assert_eq!(i.validate(), Ok(()));
        assert_eq!(
            i.check(),
            Err(InitiativeError::UnknownRegion {
                name: "Test".into(),
                region: "Midden Holland".into()
            })
        );
        let mut i = ok.clone();
        i.municipalities = vec!["Woerden".into()];
        assert!(matches!(
            i.check(),
            Err(InitiativeError::UnknownMunicipality { .. })
        ));
        let mut i = ok;
        i.practices = vec!["PR 06".into()];
        assert!(matches!(
            i.check(),
            Err(InitiativeError::BadId {
                field: "practice",
                ..
            })
        ));
    }

    #[test]
    fn catalogue_refuses_duplicates_and_bad_json() {
        let one = r#"{"id":"00000000-0000-4000-8000-000000000001","name":"A"}"#;
        assert_eq!(parse_catalogue(&format!("[{one}]")).unwrap().len(), 1);
        assert!(matches!(
            parse_catalogue(&format!("[{one},{one}]")),
            Err(InitiativeError::DuplicateId(_))
        ));
        assert!(matches!(
            parse_catalogue("{"),
            Err(InitiativeError::Json(_))
        ));
        let err = parse_catalogue(r#"[{"id":"00000000-0000-4000-8000-000000000001"}]"#);
        assert!(matches!(err, Err(InitiativeError::Invalid { .. })));
    }

    #[test]
    fn missing_fields_default_sensibly() {
        let i: Initiative =
            serde_json::from_str(r#"{"id":"00000000-0000-4000-8000-000000000001","name":"A"}"#)
                .unwrap();
        assert!(i.active);
        assert_eq!(i.scope, Scope::Regional);
        assert_eq!(i.programme_id, MKB_DEAL_METAAL.id);
        assert_eq!(
            serde_json::to_value(NeedKind::Advice).unwrap(),
            serde_json::json!("advice")
        );
        assert_eq!(
            serde_json::to_value(Scope::National).unwrap(),
            serde_json::json!("national")
        );
    }
}
