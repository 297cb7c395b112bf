//! The municipalities of Zuid-Holland (50 since the Voorne aan Zee merger of 1 January 2023) with
//! their region, used for the municipality picker and, later, for reports per region.

/// Regions used for reporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Region {
    HollandRijnland,
    MiddenHolland,
    Haaglanden,
    RotterdamRijnmond,
    Drechtsteden,
    Alblasserwaard,
    HoekscheWaard,
    GoereeOverflakkee,
}

impl Region {
    pub fn name(self) -> &'static str {
        match self {
            Region::HollandRijnland => "Holland Rijnland",
            Region::MiddenHolland => "Midden-Holland",
            Region::Haaglanden => "Haaglanden",
            Region::RotterdamRijnmond => "Rotterdam-Rijnmond",
            Region::Drechtsteden => "Drechtsteden",
            Region::Alblasserwaard => "Alblasserwaard",
            Region::HoekscheWaard => "Hoeksche Waard",
            Region::GoereeOverflakkee => "Goeree-Overflakkee",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Municipality {
    pub name: &'static str,
    pub region: Region,
    /// One of the municipalities that signed the deal (target: 70 interviews there).
    pub deal_partner: bool,
}

const fn m(name: &'static str, region: Region, deal_partner: bool) -> Municipality {
    Municipality {
        name,
        region,
        deal_partner,
    }
}

use Region::*;

/// Sorted by name.
pub const MUNICIPALITIES: [Municipality; 50] = [
    m("Alblasserdam", Drechtsteden, false),
    m("Albrandswaard", RotterdamRijnmond, false),
    m("Alphen aan den Rijn", HollandRijnland, true),
    m("Barendrecht", RotterdamRijnmond, false),
    m("Bodegraven-Reeuwijk", MiddenHolland, false),
    m("Capelle aan den IJssel", RotterdamRijnmond, false),
    m("Delft", Haaglanden, false),
    m("Den Haag", Haaglanden, false),
    m("Dordrecht", Drechtsteden, false),
    m("Goeree-Overflakkee", GoereeOverflakkee, false),
    m("Gorinchem", Alblasserwaard, false),
    m("Gouda", MiddenHolland, false),
    m("Hardinxveld-Giessendam", Drechtsteden, false),
    m("Hendrik-Ido-Ambacht", Drechtsteden, false),
    m("Hillegom", HollandRijnland, false),
    m("Hoeksche Waard", HoekscheWaard, false),
    m("Kaag en Braassem", HollandRijnland, false),
    m("Katwijk", HollandRijnland, false),
    m("Krimpen aan den IJssel", RotterdamRijnmond, false),
    m("Krimpenerwaard", MiddenHolland, false),
    m("Lansingerland", RotterdamRijnmond, false),
    m("Leiden", HollandRijnland, false),
    m("Leiderdorp", HollandRijnland, false),
    m("Leidschendam-Voorburg", Haaglanden, false),
    m("Lisse", HollandRijnland, false),
    m("Maassluis", RotterdamRijnmond, false),
    m("Midden-Delfland", Haaglanden, false),
    m("Molenlanden", Alblasserwaard, false),
    m("Nieuwkoop", HollandRijnland, true),
    m("Nissewaard", RotterdamRijnmond, false),
    m("Noordwijk", HollandRijnland, false),
    m("Oegstgeest", HollandRijnland, false),
    m("Papendrecht", Drechtsteden, false),
    m("Pijnacker-Nootdorp", Haaglanden, false),
    m("Ridderkerk", RotterdamRijnmond, false),
    m("Rijswijk", Haaglanden, false),
    m("Rotterdam", RotterdamRijnmond, false),
    m("Schiedam", RotterdamRijnmond, false),
    m("Sliedrecht", Drechtsteden, false),
    m("Teylingen", HollandRijnland, false),
    m("Vlaardingen", RotterdamRijnmond, false),
    m("Voorne aan Zee", RotterdamRijnmond, false),
    m("Voorschoten", HollandRijnland, false),
    m("Waddinxveen", MiddenHolland, true),
    m("Wassenaar", Haaglanden, false),
    m("Westland", Haaglanden, false),
    m("Zoetermeer", Haaglanden, false),
    m("Zoeterwoude", HollandRijnland, false),
    m("Zuidplas", MiddenHolland, false),
    m("Zwijndrecht", Drechtsteden, false),
];

/// Looks a municipality up by name, ignoring case and surrounding space.
pub fn find(name: &str) -> Option<&'static Municipality> {
    let name = name.trim();
    MUNICIPALITIES
        .iter()
        .find(|m| m.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_unique_and_complete() {
        let names: Vec<&str> = MUNICIPALITIES.iter().map(|m| m.name).collect();
        let mut sorted = names.clone();
        sorted.sort_by_key(|n| n.to_lowercase());
        sorted.dedup();
        assert_eq!(names, sorted);
        let partners: Vec<&str> = MUNICIPALITIES
            .iter()
            .filter(|m| m.deal_partner)
            .map(|m| m.name)
            .collect();
        assert_eq!(
            partners,
            ["Alphen aan den Rijn", "Nieuwkoop", "Waddinxveen"]
        );
        let count = |r| MUNICIPALITIES.iter().filter(|m| m.region == r).count();
        assert_eq!(count(Region::HollandRijnland), 13);
        assert_eq!(count(Region::MiddenHolland), 5);
        assert_eq!(count(Region::Haaglanden), 9);
        assert_eq!(count(Region::RotterdamRijnmond), 12);
        assert_eq!(count(Region::Drechtsteden), 7);
    }

    #[test]
    fn find_ignores_case_and_space() {
        assert_eq!(
            find(" waddinxveen ").map(|m| m.region),
            Some(Region::MiddenHolland)
        );
        assert!(find("Amsterdam").is_none());
    }
}
