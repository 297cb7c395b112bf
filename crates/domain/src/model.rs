//! The records the app keeps and syncs: programmes, companies and interviews.
//!
//! Every synced record carries a [`RecordMeta`] from day one. Unknown or missing fields default, so
//! a record written by an older or newer app version still loads (`#[serde(default)]`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

pub use crate::followup::FollowUp;
pub use crate::initiative::{Initiative, Link};

/// Maximum length (in characters) of a short text field such as a name.
pub const MAX_SHORT_TEXT: usize = 200;
/// Maximum length (in characters) of a free-text field such as notes.
pub const MAX_LONG_TEXT: usize = 20_000;

/// What sync needs on every record.
///
/// `rev` is assigned by the server (0 = never stored there); a device keeps the revision its edit
/// was based on. `updated_at` is the device clock in milliseconds since the Unix epoch at the last
/// edit. A deleted record stays as a tombstone so the deletion syncs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RecordMeta {
    pub rev: u64,
    pub updated_at: i64,
    pub deleted: bool,
}

/// Two concurrent edits of one field that the server's merge could not reconcile
/// ([`crate::merge::three_way`]). The field holds `kept` (the later edit); `other` waits here until
/// someone chooses, so no typed text is lost.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Conflict {
    /// The same on every device and server for the same conflict: derived from `path` and the two
    /// values, so a conflict that reaches a record from two sides is kept once.
    pub id: String,
    /// A JSON pointer into the record (`/answers/GR-01/note`), except that a step into a list of
    /// keyed items names the item's `id` or `hash` rather than its index (`/examples/<id>/text`):
    /// an index would move when items are added.
    pub path: String,
    /// The value the field got. `null` when the later edit removed the item.
    pub kept: serde_json::Value,
    /// The value of the other edit. `null` when it removed the item.
    pub other: serde_json::Value,
    pub kept_updated_at: i64,
    pub other_updated_at: i64,
}

/// A programme under which interviews are held. The MKB-Deal is the first; more can follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Programme {
    pub id: &'static str,
    pub name: &'static str,
}

/// The programme this app was built for.
pub const MKB_DEAL_METAAL: Programme = Programme {
    id: "mkb-deal-metaal-zh",
    name: "MKB-Deal Circulaire Maakindustrie Metaal Zuid-Holland",
};

/// Size class by persons employed (CBS classes; 250+ is not MKB but may still be interviewed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SizeClass {
    #[serde(rename = "1")]
    Solo,
    #[serde(rename = "2-9")]
    Micro,
    #[serde(rename = "10-49")]
    Small,
    #[serde(rename = "50-249")]
    Medium,
    #[serde(rename = "250+")]
    Large,
}

impl SizeClass {
    pub const ALL: [SizeClass; 5] = [
        SizeClass::Solo,
        SizeClass::Micro,
        SizeClass::Small,
        SizeClass::Medium,
        SizeClass::Large,
    ];

    /// The code used on the wire and in the UI ("2-9").
    pub fn code(self) -> &'static str {
        match self {
            SizeClass::Solo => "1",
            SizeClass::Micro => "2-9",
            SizeClass::Small => "10-49",
            SizeClass::Medium => "50-249",
            SizeClass::Large => "250+",
        }
    }

    pub fn from_code(code: &str) -> Option<SizeClass> {
        SizeClass::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Segments of the metal chain (multi-select), keyed by a stable code.
pub const SEGMENTS: [&str; 12] = [
    "basismetaal",
    "constructie",
    "plaatbewerking",
    "verspaning",
    "smeden",
    "oppervlakte",
    "gereedschap",
    "machinebouw",
    "onderhoud",
    "montage",
    "engineering",
    "maritiem",
];

/// A company that is (to be) interviewed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Company {
    pub id: Uuid,
    pub programme_id: String,
    pub name: String,
    /// Municipality name as in [`crate::municipality::MUNICIPALITIES`]; free text is kept as typed.
    pub municipality: String,
    pub address: String,
    pub contact_person: String,
    /// Segment codes from [`SEGMENTS`].
    pub segments: Vec<String>,
    pub size_class: Option<SizeClass>,
    /// Member of the association (Koninklijke Metaalunie); `None` = not asked yet.
    pub association_member: Option<bool>,
    /// Concurrent edits waiting for someone to choose (see [`Conflict`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
    #[serde(flatten)]
    pub meta: RecordMeta,
}

impl Default for Company {
    fn default() -> Self {
        Company {
            id: Uuid::nil(),
            programme_id: MKB_DEAL_METAAL.id.to_owned(),
            name: String::new(),
            municipality: String::new(),
            address: String::new(),
            contact_person: String::new(),
            segments: Vec::new(),
            size_class: None,
            association_member: None,
            conflicts: Vec::new(),
            meta: RecordMeta::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InterviewStatus {
    #[default]
    Draft,
    Completed,
}

/// The answer for one practice of the praatplaat.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PracticeAnswer {
    /// The company already does this ("doen we al").
    pub now: bool,
    /// The company wants to start within 3 years ("ambitie").
    pub ambition: bool,
    pub note: String,
}

/// Who took part in the conversation on the company's side (the plan includes employees on purpose).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Present {
    pub management: bool,
    pub staff: bool,
}

/// May a good example be shared with other companies?
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sharing {
    /// Not asked yet: treated as "no" until answered.
    #[default]
    Unasked,
    Yes,
    Anonymous,
    No,
}

/// A photo kept on the device and synced separately, by the SHA-256 of its JPEG bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PhotoRef {
    /// Lower-case hex SHA-256 of the stored bytes (see [`crate::photo::content_hash`]).
    pub hash: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u32,
}

/// A good example (*goed voorbeeld*) the company gave, with photos and consent to share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct GoodExample {
    pub id: Uuid,
    /// Theme id of the plate ("" = not tied to a theme).
    pub theme_id: String,
    pub text: String,
    pub photos: Vec<PhotoRef>,
    pub sharing: Sharing,
}

impl Default for GoodExample {
    fn default() -> Self {
        GoodExample {
            id: Uuid::nil(),
            theme_id: String::new(),
            text: String::new(),
            photos: Vec::new(),
            sharing: Sharing::Unasked,
        }
    }
}

/// How much a company needs of one kind of help.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NeedLevel {
    #[default]
    None,
    Some,
    Much,
}

impl NeedLevel {
    pub const ALL: [NeedLevel; 3] = [NeedLevel::None, NeedLevel::Some, NeedLevel::Much];
}

/// The need for knowledge, support and advice (*kennis, ondersteuning, advies*) on one theme.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ThemeNeed {
    pub knowledge: NeedLevel,
    pub support: NeedLevel,
    pub advice: NeedLevel,
    pub note: String,
}

impl ThemeNeed {
    pub fn is_empty(&self) -> bool {
        self.knowledge == NeedLevel::None
            && self.support == NeedLevel::None
            && self.advice == NeedLevel::None
            && self.note.trim().is_empty()
    }
}

/// Most photos one good example may hold.
pub const MAX_PHOTOS_PER_EXAMPLE: usize = 12;
/// Most good examples one interview may hold.
pub const MAX_EXAMPLES: usize = 50;

/// An interview with one company, held with one version of the praatplaat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Interview {
    pub id: Uuid,
    pub programme_id: String,
    pub company_id: Uuid,
    /// Date of the conversation, ISO `YYYY-MM-DD`.
    pub date: String,
    pub interviewer: String,
    /// `id@version` of the praatplaat definition used (see [`crate::plate`]).
    pub plate_version: String,
    pub present: Present,
    /// Answers keyed by practice id (stable across plate versions).
    pub answers: BTreeMap<String, PracticeAnswer>,
    pub examples: Vec<GoodExample>,
    /// The ambition for the coming three years, in the company's words.
    pub ambition: String,
    /// Needs keyed by theme id.
    pub needs: BTreeMap<String, ThemeNeed>,
    pub notes: String,
    pub status: InterviewStatus,
    /// Concurrent edits waiting for someone to choose (see [`Conflict`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
    #[serde(flatten)]
    pub meta: RecordMeta,
}

impl Default for Interview {
    fn default() -> Self {
        Interview {
            id: Uuid::nil(),
            programme_id: MKB_DEAL_METAAL.id.to_owned(),
            company_id: Uuid::nil(),
            date: String::new(),
            interviewer: String::new(),
            plate_version: String::new(),
            present: Present::default(),
            answers: BTreeMap::new(),
            examples: Vec::new(),
            ambition: String::new(),
            needs: BTreeMap::new(),
            notes: String::new(),
            status: InterviewStatus::Draft,
            conflicts: Vec::new(),
            meta: RecordMeta::default(),
        }
    }
}

impl Interview {
    /// The answer for a practice (all false when not answered).
    pub fn answer(&self, practice_id: &str) -> PracticeAnswer {
        self.answers.get(practice_id).cloned().unwrap_or_default()
    }

    /// Sets the answer for a practice; an empty answer is removed so the map holds only answers.
    pub fn set_answer(&mut self, practice_id: &str, answer: PracticeAnswer) {
        if answer == PracticeAnswer::default() {
            self.answers.remove(practice_id);
        } else {
            self.answers.insert(practice_id.to_owned(), answer);
        }
    }

    /// Every photo of every example.
    pub fn photos(&self) -> impl Iterator<Item = &PhotoRef> {
        self.examples.iter().flat_map(|e| e.photos.iter())
    }
}

/// A record type that syncs. Implemented for each kind by [`record_kinds!`]; everything that
/// stores, sends or shows records of every kind (the server's store, the app's IndexedDB and
/// signals) is written once over this trait, so a new kind is one line in that list.
pub trait SyncedRecord:
    Clone
    + std::fmt::Debug
    + PartialEq
    + Serialize
    + serde::de::DeserializeOwned
    + Send
    + Sync
    + 'static
{
    const KIND: RecordKind;
    fn id(&self) -> Uuid;
    fn meta(&self) -> &RecordMeta;
    fn meta_mut(&mut self) -> &mut RecordMeta;
    fn into_record(self) -> Record;
    /// The record if it is of this kind.
    fn from_record(record: Record) -> Option<Self>;
}

/// What each kind adds to [`SyncedRecord`]: its rules, written beside the type.
pub trait RecordRules {
    fn validate(&self) -> Result<(), ValidationError>;
    /// The company the record belongs to, which decides who sees it ([`crate::access`]); `None`
    /// for what everyone sees (the initiative catalogue).
    fn company_id(&self) -> Option<Uuid>;
    /// Concurrent edits waiting for a choice (none for kinds whose merge takes the later edit).
    fn conflicts(&self) -> &[Conflict] {
        &[]
    }
}

/// The one list of synced kinds: variant, type (named as the variant and reachable in this module:
/// kinds defined elsewhere are re-exported here), wire code (`kind` on the wire, the server's
/// `records.kind`), and the name of the app's IndexedDB store and signal. It generates
/// [`RecordKind`], [`Record`] and the [`SyncedRecord`] impls, and hands the same list to
/// [`for_each_record_kind!`] for code outside this crate (the app's record maps).
macro_rules! record_kinds {
    ($($(#[$doc:meta])* $variant:ident($ty:ty) = $code:literal, $collection:ident;)+) => {
        /// The kinds of synced record.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum RecordKind {
            $($variant,)+
        }

        impl RecordKind {
            /// Every kind, in the order the wire and the stores list them.
            pub const ALL: [RecordKind; [$(RecordKind::$variant),+].len()] = [$(RecordKind::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $(RecordKind::$variant => $code,)+
                }
            }

            pub fn parse(s: &str) -> Option<RecordKind> {
                match s {
                    $($code => Some(RecordKind::$variant),)+
                    _ => None,
                }
            }

            /// The plural name of the kind's collection (the app's IndexedDB store).
            pub const fn collection(self) -> &'static str {
                match self {
                    $(RecordKind::$variant => stringify!($collection),)+
                }
            }
        }

        /// Any synced record; on the wire `{"kind": "interview", "record": {...}}`.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(tag = "kind", content = "record", rename_all = "snake_case")]
        pub enum Record {
            $($(#[$doc])* $variant($ty),)+
        }

        impl Record {
            pub fn kind(&self) -> RecordKind {
                match self {
                    $(Record::$variant(_) => RecordKind::$variant,)+
                }
            }

            pub fn id(&self) -> Uuid {
                match self {
                    $(Record::$variant(r) => r.id,)+
                }
            }

            pub fn meta(&self) -> &RecordMeta {
                match self {
                    $(Record::$variant(r) => &r.meta,)+
                }
            }

            pub fn meta_mut(&mut self) -> &mut RecordMeta {
                match self {
                    $(Record::$variant(r) => &mut r.meta,)+
                }
            }

            /// Concurrent edits waiting for a choice; catalogue entries keep none (their merge
            /// takes the later edit of each field).
            pub fn conflicts(&self) -> &[Conflict] {
                match self {
                    $(Record::$variant(r) => RecordRules::conflicts(r),)+
                }
            }

            pub fn validate(&self) -> Result<(), ValidationError> {
                match self {
                    $(Record::$variant(r) => RecordRules::validate(r),)+
                }
            }

            /// [`RecordRules::company_id`] of the record.
            pub fn company_id(&self) -> Option<Uuid> {
                match self {
                    $(Record::$variant(r) => RecordRules::company_id(r),)+
                }
            }

            /// The record's own JSON, without the `kind` tag (how a device stores it per kind).
            pub fn body_json(&self) -> serde_json::Result<String> {
                match self {
                    $(Record::$variant(r) => serde_json::to_string(r),)+
                }
            }

            /// Reads [`Record::body_json`] back for `kind`.
            pub fn from_body_json(kind: RecordKind, json: &str) -> serde_json::Result<Record> {
                Ok(match kind {
                    $(RecordKind::$variant => Record::$variant(serde_json::from_str(json)?),)+
                })
            }
        }

        $(
            impl SyncedRecord for $ty {
                const KIND: RecordKind = RecordKind::$variant;
                fn id(&self) -> Uuid {
                    self.id
                }
                fn meta(&self) -> &RecordMeta {
                    &self.meta
                }
                fn meta_mut(&mut self) -> &mut RecordMeta {
                    &mut self.meta
                }
                fn into_record(self) -> Record {
                    Record::$variant(self)
                }
                fn from_record(record: Record) -> Option<Self> {
                    match record {
                        Record::$variant(r) => Some(r),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }
            }

            impl From<$ty> for Record {
                fn from(r: $ty) -> Record {
                    Record::$variant(r)
                }
            }
        )+

        /// Calls `$m! { Variant(Type) collection, ... }` with every synced kind, for code outside
        /// this crate that declares something per kind (the app's record maps).
        #[macro_export]
        macro_rules! for_each_record_kind {
            ($m:ident) => {
                $m! { $($variant($crate::model::$variant) $collection,)+ }
            };
        }
    };
}

record_kinds! {
    Company(Company) = "company", companies;
    Interview(Interview) = "interview", interviews;
    /// An entry of the coordinator's catalogue ([`crate::initiative`]).
    Initiative(Initiative) = "initiative", initiatives;
    /// A company linked to an initiative ([`crate::initiative::link`]).
    Link(Link) = "link", links;
    /// A conversation with a company months after its interview ([`crate::followup`]).
    FollowUp(FollowUp) = "follow_up", follow_ups;
}

/// A field of a record that a validation error names. On the wire in snake case (`"contact_email"`);
/// [`Field::name`] is the name the English sentences have always used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    ProgrammeId,
    Municipality,
    Address,
    ContactPerson,
    Interviewer,
    PlateVersion,
    Notes,
    Ambition,
    PracticeId,
    PracticeNote,
    NeedThemeId,
    NeedNote,
    Examples,
    ExampleThemeId,
    ExampleText,
    Photos,
    Offer,
    OfferEn,
    Regions,
    Region,
    Municipalities,
    Themes,
    ThemeId,
    Practices,
    Segments,
    Segment,
    Coaches,
    Coach,
    RSteps,
    Needs,
    ContactName,
    ContactEmail,
    ContactPhone,
    ContactUrl,
    Date,
    Note,
    History,
    Reason,
    NextSteps,
    HistoryDate,
    HistoryNote,
    /// A field this version does not know (sent by a newer server).
    #[serde(other)]
    Other,
}

impl Field {
    /// The name in the English sentences ("practice note").
    pub fn name(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::ProgrammeId => "programme_id",
            Field::Municipality => "municipality",
            Field::Address => "address",
            Field::ContactPerson => "contact_person",
            Field::Interviewer => "interviewer",
            Field::PlateVersion => "plate_version",
            Field::Notes => "notes",
            Field::Ambition => "ambition",
            Field::PracticeId => "practice id",
            Field::PracticeNote => "practice note",
            Field::NeedThemeId => "need theme id",
            Field::NeedNote => "need note",
            Field::Examples => "examples",
            Field::ExampleThemeId => "example theme id",
            Field::ExampleText => "example text",
            Field::Photos => "photos",
            Field::Offer => "offer",
            Field::OfferEn => "offer_en",
            Field::Regions => "regions",
            Field::Region => "region",
            Field::Municipalities => "municipalities",
            Field::Themes => "themes",
            Field::ThemeId => "theme id",
            Field::Practices => "practices",
            Field::Segments => "segments",
            Field::Segment => "segment",
            Field::Coaches => "coaches",
            Field::Coach => "coach",
            Field::RSteps => "r_steps",
            Field::Needs => "needs",
            Field::ContactName => "contact name",
            Field::ContactEmail => "contact email",
            Field::ContactPhone => "contact phone",
            Field::ContactUrl => "contact url",
            Field::Date => "date",
            Field::Note => "note",
            Field::History => "history",
            Field::Reason => "reason",
            Field::NextSteps => "next_steps",
            Field::HistoryDate => "history date",
            Field::HistoryNote => "history note",
            Field::Other => "a field",
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a record is refused. The message is shown to people, so it names the field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValidationError {
    #[error("the id must not be the nil UUID")]
    NilId,
    #[error("{field} must not be empty")]
    Empty { field: Field },
    #[error("{field} is longer than {max} characters")]
    TooLong { field: Field, max: usize },
    #[error("date must be YYYY-MM-DD, got {0:?}")]
    BadDate(String),
    #[error("unknown segment {0:?}")]
    UnknownSegment(String),
    #[error("photo hash must be 64 lower-case hex characters, got {0:?}")]
    BadPhotoHash(String),
    #[error("{field} holds more than {max} items")]
    TooMany { field: Field, max: usize },
    #[error("good example {0} appears twice")]
    DuplicateExample(Uuid),
}

fn check_len(field: Field, value: &str, max: usize) -> Result<(), ValidationError> {
    if value.chars().count() > max {
        Err(ValidationError::TooLong { field, max })
    } else {
        Ok(())
    }
}

/// `YYYY-MM-DD` with plausible month and day; empty is allowed for a draft.
fn check_date(date: &str) -> Result<(), ValidationError> {
    if date.is_empty() {
        return Ok(());
    }
    let bad = || ValidationError::BadDate(date.to_owned());
    let parts: Vec<&str> = date.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return Err(bad());
    }
    let (m, d): (u32, u32) = (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    Ok(())
}

impl Company {
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.id.is_nil() {
            return Err(ValidationError::NilId);
        }
        if !self.meta.deleted && self.name.trim().is_empty() {
            return Err(ValidationError::Empty { field: Field::Name });
        }
        check_len(Field::ProgrammeId, &self.programme_id, MAX_SHORT_TEXT)?;
        check_len(Field::Name, &self.name, MAX_SHORT_TEXT)?;
        check_len(Field::Municipality, &self.municipality, MAX_SHORT_TEXT)?;
        check_len(Field::Address, &self.address, MAX_SHORT_TEXT)?;
        check_len(Field::ContactPerson, &self.contact_person, MAX_SHORT_TEXT)?;
        if let Some(s) = self
            .segments
            .iter()
            .find(|s| !SEGMENTS.contains(&s.as_str()))
        {
            return Err(ValidationError::UnknownSegment(s.clone()));
        }
        Ok(())
    }
}

impl Interview {
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.id.is_nil() || self.company_id.is_nil() {
            return Err(ValidationError::NilId);
        }
        check_date(&self.date)?;
        check_len(Field::ProgrammeId, &self.programme_id, MAX_SHORT_TEXT)?;
        check_len(Field::Interviewer, &self.interviewer, MAX_SHORT_TEXT)?;
        check_len(Field::PlateVersion, &self.plate_version, MAX_SHORT_TEXT)?;
        check_len(Field::Notes, &self.notes, MAX_LONG_TEXT)?;
        check_len(Field::Ambition, &self.ambition, MAX_LONG_TEXT)?;
        for (practice, answer) in &self.answers {
            check_len(Field::PracticeId, practice, MAX_SHORT_TEXT)?;
            check_len(Field::PracticeNote, &answer.note, MAX_LONG_TEXT)?;
        }
        for (theme, need) in &self.needs {
            check_len(Field::NeedThemeId, theme, MAX_SHORT_TEXT)?;
            check_len(Field::NeedNote, &need.note, MAX_LONG_TEXT)?;
        }
        if self.examples.len() > MAX_EXAMPLES {
            return Err(ValidationError::TooMany {
                field: Field::Examples,
                max: MAX_EXAMPLES,
            });
        }
        let mut seen = std::collections::BTreeSet::new();
        for example in &self.examples {
            if example.id.is_nil() {
                return Err(ValidationError::NilId);
            }
            if !seen.insert(example.id) {
                return Err(ValidationError::DuplicateExample(example.id));
            }
            check_len(Field::ExampleThemeId, &example.theme_id, MAX_SHORT_TEXT)?;
            check_len(Field::ExampleText, &example.text, MAX_LONG_TEXT)?;
            if example.photos.len() > MAX_PHOTOS_PER_EXAMPLE {
                return Err(ValidationError::TooMany {
                    field: Field::Photos,
                    max: MAX_PHOTOS_PER_EXAMPLE,
                });
            }
            if let Some(photo) = example
                .photos
                .iter()
                .find(|p| !crate::photo::is_content_hash(&p.hash))
            {
                return Err(ValidationError::BadPhotoHash(photo.hash.clone()));
            }
        }
        Ok(())
    }
}

impl RecordRules for Company {
    fn validate(&self) -> Result<(), ValidationError> {
        Company::validate(self)
    }
    fn company_id(&self) -> Option<Uuid> {
        Some(self.id)
    }
    fn conflicts(&self) -> &[Conflict] {
        &self.conflicts
    }
}

impl RecordRules for Interview {
    fn validate(&self) -> Result<(), ValidationError> {
        Interview::validate(self)
    }
    fn company_id(&self) -> Option<Uuid> {
        Some(self.company_id)
    }
    fn conflicts(&self) -> &[Conflict] {
        &self.conflicts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company() -> Company {
        Company {
            id: Uuid::from_u128(1),
            name: "Van Dijk Metaal".into(),
            municipality: "Alphen aan den Rijn".into(),
            ..Company::default()
        }
    }

    #[test]
    fn record_wire_format_is_tagged_and_flat() {
        let record = Record::Company(company());
        let json = serde_json::to_value(&record).unwrap();
        assert_eq!(json["kind"], "company");
        assert_eq!(json["record"]["name"], "Van Dijk Metaal");
        // Sync fields sit beside the data, not nested.
        assert_eq!(json["record"]["rev"], 0);
        assert_eq!(json["record"]["deleted"], false);
        let back: Record = serde_json::from_value(json).unwrap();
        assert_eq!(back, record);
    }

    #[test]
    fn old_records_without_new_fields_still_load() {
        let json = r#"{"id":"00000000-0000-0000-0000-000000000002","company_id":"00000000-0000-0000-0000-000000000001"}"#;
        let interview: Interview = serde_json::from_str(json).unwrap();
        assert_eq!(interview.status, InterviewStatus::Draft);
        assert_eq!(interview.programme_id, MKB_DEAL_METAAL.id);
        assert!(interview.answers.is_empty());
    }

    #[test]
    fn interview_examples_are_checked() {
        let mut i = Interview {
            id: Uuid::from_u128(2),
            company_id: Uuid::from_u128(1),
            ..Interview::default()
        };
        let example = GoodExample {
            id: Uuid::from_u128(3),
            text: "Reststukken naar de mbo-school".into(),
            photos: vec![PhotoRef {
                hash: "a".repeat(64),
                width: 1600,
                height: 1200,
                bytes: 250_000,
            }],
            sharing: Sharing::Anonymous,
            ..GoodExample::default()
        };
        i.examples = vec![example.clone()];
        assert_eq!(i.validate(), Ok(()));
        i.examples = vec![example.clone(), example.clone()];
        assert_eq!(
            i.validate(),
            Err(ValidationError::DuplicateExample(example.id))
        );
        let mut bad = example.clone();
        bad.photos[0].hash = "A".repeat(64);
        i.examples = vec![bad];
        assert!(matches!(
            i.validate(),
            Err(ValidationError::BadPhotoHash(_))
        ));
        let mut many = example;
        many.photos = vec![many.photos[0].clone(); MAX_PHOTOS_PER_EXAMPLE + 1];
        i.examples = vec![many];
        assert!(matches!(
            i.validate(),
            Err(ValidationError::TooMany {
                field: Field::Photos,
                ..
            })
        ));
    }

    #[test]
    fn empty_answers_leave_the_map() {
        let mut i = Interview::default();
        let ticked = PracticeAnswer {
            now: true,
            ..PracticeAnswer::default()
        };
        i.set_answer("GR-01", ticked.clone());
        assert_eq!(i.answer("GR-01"), ticked);
        i.set_answer("GR-01", PracticeAnswer::default());
        assert!(i.answers.is_empty());
        assert_eq!(i.answer("GR-02"), PracticeAnswer::default());
    }

    #[test]
    fn size_class_codes_round_trip() {
        for s in SizeClass::ALL {
            assert_eq!(SizeClass::from_code(s.code()), Some(s));
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.code()));
        }
        assert_eq!(SizeClass::from_code("7"), None);
    }

    #[test]
    fn company_validation_names_the_field() {
        assert_eq!(company().validate(), Ok(()));
        let mut c = company();
        c.name = "  ".into();
        assert_eq!(
            c.validate(),
            Err(ValidationError::Empty { field: Field::Name })
        );
        c.name = "x".repeat(MAX_SHORT_TEXT + 1);
        assert!(matches!(
            c.validate(),
            Err(ValidationError::TooLong {
                field: Field::Name,
                ..
            })
        ));
        let mut c = company();
        c.segments = vec!["bakkerij".into()];
        assert_eq!(
            c.validate(),
            Err(ValidationError::UnknownSegment("bakkerij".into()))
        );
        let mut c = company();
        c.id = Uuid::nil();
        assert_eq!(c.validate(), Err(ValidationError::NilId));
    }

    #[test]
    fn deleted_company_may_have_empty_name() {
        let mut c = company();
        c.name.clear();
        c.meta.deleted = true;
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn interview_dates_are_checked() {
        let mut i = Interview {
            id: Uuid::from_u128(2),
            company_id: Uuid::from_u128(1),
            ..Interview::default()
        };
        for ok in ["", "2025-01-31", "2026-12-01"] {
            i.date = ok.into();
            assert_eq!(i.validate(), Ok(()), "{ok}");
        }
        for bad in [
            "2025-13-01",
            "25-01-01",
            "2025/01/01",
            "2025-01-32",
            "2025-1-1",
            "x",
        ] {
            i.date = bad.into();
            assert_eq!(
                i.validate(),
                Err(ValidationError::BadDate(bad.into())),
                "{bad}"
            );
        }
    }
}
