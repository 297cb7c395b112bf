//! Anonymised figures for partners and municipalities: how many companies were interviewed, per
//! municipality, per region and for the province, against the programme's targets.
//!
//! Small-cell rule (BRIEF §8): a figure for a group is published only when the group holds at
//! least [`MIN_COMPANIES`] companies; otherwise it reads "too few companies". A region's figure
//! is never given together with all but one of its municipalities' figures in a way that reveals
//! the hidden one: when exactly one municipality of a region is hidden, the smallest shown one is
//! hidden too (secondary suppression). No names, no free text, no photos ever leave here.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::{Company, Interview, InterviewStatus};
use crate::municipality;

/// The smallest group whose figures are shown.
pub const MIN_COMPANIES: u32 = 5;
/// Programme targets (project plan): interviews in the province and in the partner
/// municipalities.
pub const TARGET_INTERVIEWS: u32 = 200;
pub const TARGET_PARTNER_INTERVIEWS: u32 = 70;

/// A group's figure, or why it is not shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "shown")]
pub enum Cell {
    /// Companies with a completed interview in the group.
    Companies { companies: u32 },
    /// Fewer than [`MIN_COMPANIES`] companies (or hidden so a hidden one cannot be derived).
    TooFew,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Group {
    pub name: String,
    pub cell: Cell,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// Companies with a completed interview in the province (shown against the target, always:
    /// the province is one large group once it reaches the minimum).
    pub province: Cell,
    pub target_interviews: u32,
    /// Of those, in the deal's partner municipalities.
    pub partner_municipalities: Cell,
    pub target_partner_interviews: u32,
    pub regions: Vec<Group>,
    pub municipalities: Vec<Group>,
}

fn cell(companies: u32) -> Cell {
    if companies >= MIN_COMPANIES {
        Cell::Companies { companies }
    } else {
        Cell::TooFew
    }
}

/// Figures over the companies with at least one completed, not deleted interview. Companies in
/// an unknown municipality count for the province only.
pub fn figures(companies: &[Company], interviews: &[Interview]) -> Figures {
    let done: BTreeSet<Uuid> = interviews
        .iter()
        .filter(|i| i.status == InterviewStatus::Completed && !i.meta.deleted)
        .map(|i| i.company_id)
        .collect();
    let counted: Vec<&Company> = companies
        .iter()
        .filter(|c| done.contains(&c.id) && !c.meta.deleted)
        .collect();
    let mut by_municipality: BTreeMap<&'static str, u32> = BTreeMap::new();
    let mut by_region: BTreeMap<&'static str, u32> = BTreeMap::new();
    let mut partners = 0;
    for company in &counted {
        if let Some(m) = municipality::find(&company.municipality) {
            *by_municipality.entry(m.name).or_default() += 1;
            *by_region.entry(m.region.name()).or_default() += 1;
            partners += u32::from(m.deal_partner);
        }
    }
    let mut municipalities: Vec<Group> = by_municipality
        .iter()
        .map(|(name, n)| Group {
            name: (*name).to_owned(),
            cell: cell(*n),
        })
        .collect();
    // Secondary suppression: per region, one hidden municipality would follow from the region's
    // total minus the shown ones; hide the smallest shown one as well.
    for region in by_region.keys() {
        let in_region =
            |g: &Group| municipality::find(&g.name).is_some_and(|m| m.region.name() == *region);
        let hidden = municipalities
            .iter()
            .filter(|g| in_region(g) && g.cell == Cell::TooFew)
            .count();
        if hidden == 1 {
            let smallest = municipalities
                .iter_mut()
                .filter(|g| in_region(g))
                .filter_map(|g| match g.cell {
                    Cell::Companies { companies } => Some((companies, g)),
                    Cell::TooFew => None,
                })
                .min_by_key(|(n, _)| *n);
            if let Some((_, group)) = smallest {
                group.cell = Cell::TooFew;
            }
        }
    }
    municipalities.sort_by(|a, b| a.name.cmp(&b.name));
    Figures {
        province: cell(counted.len() as u32),
        target_interviews: TARGET_INTERVIEWS,
        partner_municipalities: cell(partners),
        target_partner_interviews: TARGET_PARTNER_INTERVIEWS,
        regions: by_region
            .iter()
            .map(|(name, n)| Group {
                name: (*name).to_owned(),
                cell: cell(*n),
            })
            .collect(),
        municipalities,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company(n: u128, municipality: &str) -> Company {
        Company {
            id: Uuid::from_u128(n),
            name: format!("Bedrijf {n}"),
            municipality: municipality.into(),
            ..Company::default()
        }
    }

    fn done(company: u128) -> Interview {
        Interview {
            id: Uuid::from_u128(1000 + company),
            company_id: Uuid::from_u128(company),
            status: InterviewStatus::Completed,
            ..Interview::default()
        }
    }

    fn shown(groups: &[Group], name: &str) -> Option<Cell> {
        groups.iter().find(|g| g.name == name).map(|g| g.cell)
    }

    #[test]
    fn groups_under_five_companies_are_hidden_and_cannot_be_derived() {
        // Midden-Holland: Gouda 6, Waddinxveen 5, Bodegraven-Reeuwijk 1.
        let mut companies = Vec::new();
        let mut n = 0;
        for (place, count) in [("Gouda", 6), ("Waddinxveen", 5), ("Bodegraven-Reeuwijk", 1)] {
            for _ in 0..count {
                n += 1;
                companies.push(company(n, place));
            }
        }
        let mut interviews: Vec<Interview> = (1..=n).map(done).collect();
        // A draft interview does not count, nor does a company without any interview.
        companies.push(company(99, "Gouda"));
        interviews.push(Interview {
            status: InterviewStatus::Draft,
            ..done(99)
        });
        let figures = figures(&companies, &interviews);
        assert_eq!(figures.province, Cell::Companies { companies: 12 });
        assert_eq!(
            shown(&figures.regions, "Midden-Holland"),
            Some(Cell::Companies { companies: 12 })
        );
        assert_eq!(
            shown(&figures.municipalities, "Gouda"),
            Some(Cell::Companies { companies: 6 })
        );
        assert_eq!(
            shown(&figures.municipalities, "Bodegraven-Reeuwijk"),
            Some(Cell::TooFew)
        );
        // Otherwise 12 - 6 - 5 would give Bodegraven-Reeuwijk away.
        assert_eq!(
            shown(&figures.municipalities, "Waddinxveen"),
            Some(Cell::TooFew)
        );
        let json = serde_json::to_string(&figures).unwrap();
        assert!(!json.contains("Bedrijf"), "no company names: {json}");
    }

    #[test]
    fn a_small_programme_shows_nothing_but_targets() {
        let figures = figures(&[company(1, "Gouda")], &[done(1)]);
        assert_eq!(figures.province, Cell::TooFew);
        assert_eq!(figures.target_interviews, 200);
        assert!(figures
            .municipalities
            .iter()
            .all(|g| g.cell == Cell::TooFew));
    }
}
