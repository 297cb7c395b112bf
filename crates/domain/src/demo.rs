//! The demo data set: a programme a few months under way, so that every screen has something
//! to show (`praatplaat-server demo`, `make demo`). Deterministic and pure: the same records on
//! every run, so loading it twice changes nothing; dates are given relative to `today`.

use uuid::Uuid;

use crate::initiative::{seed_catalogue, Link, LinkEvent, LinkStatus};
use crate::model::{
    Company, GoodExample, Interview, InterviewStatus, NeedLevel, PracticeAnswer, Present, Record,
    Sharing, SizeClass, ThemeNeed, MKB_DEAL_METAAL,
};
use crate::plate::Definition;

/// Companies of the demo: name, municipality, segments, size, association member.
const COMPANIES: &[(&str, &str, &[&str], SizeClass, bool)] = &[
    (
        "Van Dijk Plaatwerk",
        "Alphen aan den Rijn",
        &["plaatbewerking"],
        SizeClass::Small,
        true,
    ),
    (
        "Constructiebedrijf De Boer",
        "Gouda",
        &["constructie"],
        SizeClass::Medium,
        true,
    ),
    (
        "Verspaning Bakker & Zn.",
        "Zoetermeer",
        &["verspaning"],
        SizeClass::Small,
        false,
    ),
    (
        "Gieterij Westland",
        "Westland",
        &["basismetaal"],
        SizeClass::Medium,
        true,
    ),
    (
        "Smederij Het Aambeeld",
        "Leiden",
        &["smeden"],
        SizeClass::Micro,
        false,
    ),
    (
        "Poedercoat Rijnmond",
        "Rotterdam",
        &["oppervlakte"],
        SizeClass::Small,
        true,
    ),
    (
        "Machinefabriek Delta",
        "Dordrecht",
        &["machinebouw", "engineering"],
        SizeClass::Medium,
        true,
    ),
    (
        "Hekwerk Visser",
        "Krimpenerwaard",
        &["gereedschap"],
        SizeClass::Micro,
        false,
    ),
    (
        "Scheepsonderhoud Maasmond",
        "Schiedam",
        &["maritiem", "onderhoud"],
        SizeClass::Small,
        true,
    ),
    (
        "Montagebedrijf Groene Hart",
        "Bodegraven-Reeuwijk",
        &["montage"],
        SizeClass::Micro,
        true,
    ),
    (
        "Lasbedrijf Jansen",
        "Nissewaard",
        &["constructie"],
        SizeClass::Solo,
        false,
    ),
    (
        "Precisie Techniek Katwijk",
        "Katwijk",
        &["verspaning", "engineering"],
        SizeClass::Small,
        true,
    ),
    (
        "RVS Werken Gorinchem",
        "Gorinchem",
        &["plaatbewerking"],
        SizeClass::Small,
        false,
    ),
    (
        "Tandwielen Waddinxveen",
        "Hoeksche Waard",
        &["constructie"],
        SizeClass::Large,
        true,
    ),
    (
        "Metaalrecycling Delft",
        "Delft",
        &["basismetaal"],
        SizeClass::Small,
        true,
    ),
    (
        "Draaierij Den Haag",
        "Den Haag",
        &["verspaning"],
        SizeClass::Micro,
        false,
    ),
    (
        "Staalbouw Hoeksche Waard",
        "Waddinxveen",
        &["machinebouw"],
        SizeClass::Small,
        true,
    ),
    (
        "Ketelbouw Barendrecht",
        "Barendrecht",
        &["constructie", "onderhoud"],
        SizeClass::Medium,
        false,
    ),
];

/// What the interviewer wrote down as the company's ambition, by company.
const AMBITIONS: &[&str] = &[
    "Over drie jaar alle reststukken plaat hergebruiken of terug naar de leverancier.",
    "Binnen drie jaar een vaste afspraak met klanten over het terugnemen van constructies.",
    "Koelvloeistof en spanen gescheiden en hergebruikt; minder nieuw materiaal inkopen.",
    "Een kwart van de inzet uit secundair aluminium, met de klant besproken.",
    "Meer reparatie voor particulieren en boeren in plaats van nieuw smeedwerk.",
    "Geen afval meer naar de verbrander: poeder terugwinnen en spoelwater zuiveren.",
    "Machines modulair ontwerpen zodat klanten onderdelen kunnen laten vervangen.",
    "",
    "Onderdelen van schepen opknappen en opnieuw inzetten in plaats van vervangen.",
];

const EXAMPLES: &[&str] = &[
    "Restplaat gaat in een aparte bak en wordt voor kleine onderdelen gebruikt.",
    "Met de klant afgesproken dat oude hekwerken terugkomen voor hergebruik.",
    "Spanen worden geperst en gaan gescheiden per legering naar de opkoper.",
    "Een oude kantbank is gereviseerd in plaats van vervangen.",
];

fn id(kind: u128, n: usize) -> Uuid {
    // A fixed namespace per kind, so demo records never collide with the seeds or real ones.
    Uuid::from_u128(0xde70_0000_0000_4000_8000_0000_0000_0000 | (kind << 32) | n as u128)
}

/// `today` minus `days`, both `YYYY-MM-DD` (days counted on a simple calendar, exact enough for
/// demo dates).
fn days_before(today: &str, days: u32) -> String {
    let parts: Vec<u32> = today.split('-').filter_map(|p| p.parse().ok()).collect();
    let (mut y, mut m, mut d) = match parts[..] {
        [y, m, d] => (y, m, d),
        _ => (2026, 12, 1),
    };
    for _ in 0..days {
        if d > 1 {
            d -= 1;
        } else {
            if m > 1 {
                m -= 1;
            } else {
                m = 12;
                y -= 1;
            }
            d = match m {
                2 if y % 4 == 0 => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
        }
    }
    format!("{y:04}-{m:02}-{d:02}")
}

/// The UTC date (`YYYY-MM-DD`) of a time in milliseconds since the Unix epoch (Howard
/// Hinnant's days-to-civil), for callers that have a clock.
pub fn date_of_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The same day a year after `today`.
fn in_a_year(today: &str) -> String {
    let year: u32 = today.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2026);
    format!("{}{}", year + 1, today.get(4..).unwrap_or("-01-01"))
}

/// Every record of the demo, companies first. `interviewer` is the name on the interviews.
pub fn dataset(today: &str, interviewer: &str) -> Vec<Record> {
    let Ok(definition) = Definition::current() else {
        return Vec::new();
    };
    let catalogue = seed_catalogue().unwrap_or_default();
    let practices: Vec<&str> = definition.practices().map(|p| p.id.as_str()).collect();
    let themes: Vec<&str> = definition.themes.iter().map(|t| t.id.as_str()).collect();
    let mut records = Vec::new();
    for (n, (name, municipality, segments, size, member)) in COMPANIES.iter().enumerate() {
        let company = Company {
            id: id(1, n),
            programme_id: MKB_DEAL_METAAL.id.to_owned(),
            name: (*name).to_owned(),
            municipality: (*municipality).to_owned(),
            address: format!("Industrieweg {}", 3 + n * 7),
            contact_person: ["Anouk", "Bram", "Chantal", "Dennis", "Esra", "Freek"][n % 6]
                .to_owned(),
            segments: segments.iter().map(|s| (*s).to_owned()).collect(),
            size_class: Some(*size),
            association_member: Some(*member),
            ..Company::default()
        };
        records.push(Record::Company(company));
    }
    for n in 0..COMPANIES.len() {
        // The last four are planned or under way: drafts with little filled in.
        let completed = n < COMPANIES.len() - 4;
        let mut interview = Interview {
            id: id(2, n),
            programme_id: MKB_DEAL_METAAL.id.to_owned(),
            company_id: id(1, n),
            date: days_before(today, 12 + (n as u32 * 11) % 200),
            interviewer: interviewer.to_owned(),
            plate_version: definition.plate_key(),
            present: Present {
                management: true,
                staff: n % 3 == 0,
            },
            ambition: AMBITIONS[n % AMBITIONS.len()].to_owned(),
            status: if completed {
                InterviewStatus::Completed
            } else {
                InterviewStatus::Draft
            },
            ..Interview::default()
        };
        let answered = if completed {
            practices.len()
        } else {
            practices.len() / 4
        };
        for (p, practice) in practices.iter().take(answered).enumerate() {
            // A spread that differs per company: some done, some wanted, most neither.
            let now = (p * 7 + n * 3) % 5 < 2;
            let ambition = !now && (p * 5 + n) % 6 == 0;
            if now || ambition {
                interview.answers.insert(
                    (*practice).to_owned(),
                    PracticeAnswer {
                        now,
                        ambition,
                        note: if p % 9 == n % 9 && now {
                            "Loopt al een paar jaar.".to_owned()
                        } else {
                            String::new()
                        },
                    },
                );
            }
        }
        if completed {
            let level = |k: usize| [NeedLevel::None, NeedLevel::Some, NeedLevel::Much][k % 3];
            for (t, theme) in themes.iter().enumerate().filter(|(t, _)| (t + n) % 3 == 0) {
                interview.needs.insert(
                    (*theme).to_owned(),
                    ThemeNeed {
                        knowledge: level(t + n),
                        support: level(t + 2 * n + 1),
                        advice: level(n + 2),
                        note: String::new(),
                    },
                );
            }
            if n % 2 == 0 {
                interview.examples.push(GoodExample {
                    id: id(3, n),
                    theme_id: themes
                        .get(n % themes.len().max(1))
                        .map(|t| (*t).to_owned())
                        .unwrap_or_default(),
                    text: EXAMPLES[n % EXAMPLES.len()].to_owned(),
                    photos: Vec::new(),
                    sharing: [Sharing::Yes, Sharing::Anonymous, Sharing::No][n % 3],
                });
            }
        }
        records.push(Record::Interview(interview));
    }
    // Links: most completed interviews lead to one or two initiatives, in every state of the
    // follow-up, some of them due for a call back.
    let statuses = [
        LinkStatus::Proposed,
        LinkStatus::Introduced,
        LinkStatus::Started,
        LinkStatus::Helped,
        LinkStatus::DidNotHelp,
    ];
    let mut l = 0;
    for n in 0..COMPANIES.len() - 4 {
        for k in 0..(1 + n % 2) {
            let Some(initiative) = catalogue.get((n * 5 + k * 3) % catalogue.len().max(1)) else {
                continue;
            };
            let status = statuses[(n + k) % statuses.len()];
            let start = days_before(today, 10 + (n as u32 * 11) % 200);
            let mut history = vec![LinkEvent {
                status: LinkStatus::Proposed,
                date: start.clone(),
                note: String::new(),
            }];
            if status != LinkStatus::Proposed {
                history.push(LinkEvent {
                    status,
                    date: days_before(today, 5 + (n as u32 * 7) % 60),
                    note: String::new(),
                });
            }
            records.push(Record::Link(Link {
                id: id(4, l),
                programme_id: MKB_DEAL_METAAL.id.to_owned(),
                company_id: id(1, n),
                interview_id: Some(id(2, n)),
                initiative_id: initiative.id,
                coach: ["", "Marieke (Metaalunie)", "Tom (Circulair Zuid-Holland)"][l % 3]
                    .to_owned(),
                reason: String::new(),
                status,
                history,
                next_steps: if status == LinkStatus::Introduced {
                    "Kennismaking plannen met de adviseur.".to_owned()
                } else {
                    String::new()
                },
                // Every third one is due for a call back already.
                follow_up_date: if l % 3 == 0 {
                    days_before(today, 3)
                } else {
                    in_a_year(today)
                },
                ..Link::default()
            }));
            l += 1;
        }
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::municipality;

    #[test]
    fn the_demo_is_valid_and_the_same_every_time() {
        let records = dataset("2026-12-01", "Jan de Vries");
        assert_eq!(records, dataset("2026-12-01", "Jan de Vries"));
        assert!(records.len() > 40, "{}", records.len());
        for record in &records {
            crate::limits::check(record).unwrap_or_else(|e| panic!("{record:?}: {e}"));
        }
        for record in &records {
            if let Record::Company(c) = record {
                assert!(
                    municipality::find(&c.municipality).is_some(),
                    "{}",
                    c.municipality
                );
            }
        }
    }

    #[test]
    fn a_clock_time_is_a_date() {
        assert_eq!(date_of_ms(0), "1970-01-01");
        assert_eq!(date_of_ms(1_796_083_200_000), "2026-12-01");
        assert_eq!(date_of_ms(951_782_400_000), "2000-02-29");
    }

    #[test]
    fn dates_count_back_over_months_and_years() {
        assert_eq!(days_before("2026-03-01", 1), "2026-02-28");
        assert_eq!(days_before("2026-01-01", 1), "2025-12-31");
        assert_eq!(days_before("2026-12-01", 0), "2026-12-01");
    }
}
