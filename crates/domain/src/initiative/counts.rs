//! Progress towards the programme's link targets: at least 50 companies linked to the
//! Versnellingsteam and at least 50 to other initiatives.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use uuid::Uuid;

use super::catalogue::Initiative;
use super::link::Link;

/// Distinct companies with at least one link that counts as linked
/// ([`super::LinkStatus::counts_as_linked`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LinkCounts {
    /// Linked to an initiative marked `is_versnellingsteam`.
    pub companies_linked_versnellingsteam: usize,
    /// Linked to any other initiative.
    pub companies_linked_other: usize,
    /// Linked to either; a company linked to both counts in each figure above but once here.
    pub companies_linked_any: usize,
}

/// Counts distinct companies per target.
///
/// Deleted links are skipped. A link whose initiative is not in `catalogue` is skipped too: it
/// cannot be told which target it serves (pass the full catalogue, deleted and inactive entries
/// included, so links to a retired initiative still count).
pub fn link_counts(links: &[Link], catalogue: &[Initiative]) -> LinkCounts {
    let is_team: BTreeMap<Uuid, bool> = catalogue
        .iter()
        .map(|i| (i.id, i.is_versnellingsteam))
        .collect();
    let mut team = BTreeSet::new();
    let mut other = BTreeSet::new();
    for link in links
        .iter()
        .filter(|l| !l.meta.deleted && l.status.counts_as_linked())
    {
        match is_team.get(&link.initiative_id) {
            Some(true) => team.insert(link.company_id),
            Some(false) => other.insert(link.company_id),
            None => continue,
        };
    }
    LinkCounts {
        companies_linked_versnellingsteam: team.len(),
        companies_linked_other: other.len(),
        companies_linked_any: team.union(&other).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::initiative::{seed_catalogue, LinkStatus};

    fn link(n: u128, company: u128, initiative: Uuid, status: LinkStatus) -> Link {
        let mut l = Link::new(
            Uuid::from_u128(100 + n),
            Uuid::from_u128(company),
            None,
            initiative,
            "",
            "2025-03-01",
        );
        let path: &[LinkStatus] = match status {
            LinkStatus::Proposed => &[],
            LinkStatus::Introduced => &[LinkStatus::Introduced],
            LinkStatus::Started => &[LinkStatus::Introduced, LinkStatus::Started],
            LinkStatus::DidNotHappen => &[LinkStatus::Introduced, LinkStatus::DidNotHappen],
            LinkStatus::Helped | LinkStatus::DidNotHelp => {
                &[LinkStatus::Introduced, LinkStatus::Started, status]
            }
        };
        for &s in path {
            l.set_status(s, "2025-04-01", "").unwrap();
        }
        l
    }

    #[test]
    fn counts_distinct_companies_per_target() {
        let catalogue = seed_catalogue().unwrap();
        let team = catalogue.iter().find(|i| i.is_versnellingsteam).unwrap().id;
        let others: Vec<Uuid> = catalogue
            .iter()
            .filter(|i| !i.is_versnellingsteam)
            .map(|i| i.id)
            .collect();
        let mut deleted = link(9, 7, others[0], LinkStatus::Started);
        deleted.meta.deleted = true;
        let links = [
            // Company 1: two team links and one other: once in each.
            link(1, 1, team, LinkStatus::Introduced),
            link(2, 1, team, LinkStatus::Helped),
            link(3, 1, others[0], LinkStatus::Started),
            // Company 2: two other initiatives: once.
            link(4, 2, others[1], LinkStatus::DidNotHelp),
            link(5, 2, others[2], LinkStatus::Introduced),
            // Company 3: proposed only, and introduced but did not happen: not linked.
            link(6, 3, team, LinkStatus::Proposed),
            link(7, 3, others[3], LinkStatus::DidNotHappen),
            // Company 4: an initiative the catalogue does not know.
            link(8, 4, Uuid::from_u128(999), LinkStatus::Started),
            // Company 7: deleted.
            deleted,
        ];
        assert_eq!(
            link_counts(&links, &catalogue),
            LinkCounts {
                companies_linked_versnellingsteam: 1,
                companies_linked_other: 2,
                companies_linked_any: 2,
            }
        );
        assert_eq!(link_counts(&[], &catalogue), LinkCounts::default());
    }
}
