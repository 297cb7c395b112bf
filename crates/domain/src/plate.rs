//! The praatplaat: what the interviewer ticks, and what the ticks add up to.
//!
//! The plate's content (themes, practices, their place on the R-ladder) is versioned data in
//! `crates/domain/plates/*.json`, embedded at compile time. A revision of the plate during the
//! programme is a new file with a higher version; older files stay, so an interview keeps rendering
//! and scoring with the version it was held with (`Interview.plate_version`, e.g.
//! `"praatplaat-metaal@1"`). Practice ids are stable across versions, which is what makes answers
//! and results comparable between versions (see [`diff`] and [`Definition::common_with`]).
//!
//! - [`Definition`] and its parts, loaded and validated by [`Definition::from_json`].
//! - [`definitions`], [`find_definition`], [`Definition::builtin`], [`Definition::current`]: the
//!   built-in versions.
//! - [`diff`], [`shared_practice_ids`], [`Definition::common_with`]: mapping between versions.
//! - [`score()`]: the degree of circularity per theme, per R-step and per R-group (formula in
//!   the docs of [`Score`] and in `crates/domain/SCORE.md`).

mod definition;
mod registry;
mod score;
mod versions;

#[cfg(test)]
mod fixtures;

pub use definition::{
    Category, Definition, DefinitionError, GroupInfo, Lang, Practice, RGroup, RStep, StepInfo,
    Text, Theme,
};
pub use registry::{definitions, find_definition, parse_plate_key, PLATE_ID};
pub use score::{score, Degree, GroupScore, Measure, Score, StepScore, ThemeScore};
pub use versions::{diff, shared_practice_ids, VersionDiff};
