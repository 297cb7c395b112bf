//! The praatplaat picture: a metal company drawn as SVG, with the seven themes as touch zones and
//! the ticks shown on the picture.
//!
//! The picture has three layers, back to front:
//! 1. the illustration ([`scene`]): static, one function per part of the company;
//! 2. the legend (how ticks are drawn);
//! 3. one zone per theme ([`ThemeZone`]): a transparent touch area over its part of the picture and
//!    a card with the theme's label, number and tally. Only this layer is reactive.
//!
//! Ticks are never shown by colour alone: *doen we al* is a solid cell and a filled ✓ pill,
//! *ambitie* a hatched cell and a dashed ★ pill, the rest an empty cell; every theme has a number.
//! The coordinates are in the 1000 × 820 user space of the `viewBox`; the picture scales with its
//! container, so a text of 24 units is 18 px at 768 px wide (a tablet in portrait).

use crate::i18n::PlateWords;
use std::sync::atomic::{AtomicUsize, Ordering};

use leptos::prelude::*;

use crate::i18n::Lang;
use crate::state::AppState;

/// What the picture shows for one theme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeTally {
    /// Theme id from the plate definition: GR, PR, PP, OB, SK, EN or GB.
    pub id: String,
    pub label: String,
    /// Practices ticked "doen we al".
    pub now: usize,
    /// Practices marked as ambition that are not done yet.
    pub ambition: usize,
    /// Practices in the theme.
    pub total: usize,
}

#[component]
pub fn PlateDrawing(
    #[prop(into)] themes: Signal<Vec<ThemeTally>>,
    /// Called with a theme id when its zone is tapped; `None` makes the picture static (print).
    #[prop(optional)]
    on_select: Option<Callback<String>>,
    /// Accessible name of the picture.
    #[prop(into)]
    title: Signal<String>,
) -> impl IntoView {
    let ids = Ids::new();
    let lang = plate_lang();
    let interactive = on_select.is_some();
    let legend_hatch = ids.hatch_url();
    let zones = ZONES
        .iter()
        .map(|zone| {
            let tally = Memo::new(move |_| {
                themes
                    .with(|all| all.iter().find(|t| t.id == zone.id).cloned())
                    .unwrap_or_else(|| zone.empty_tally(lang.get()))
            });
            view! { <ThemeZone zone=zone tally=tally on_select=on_select lang=lang hatch=ids.hatch_url()/> }
        })
        .collect_view();
    // A static picture is one image for assistive technology, described by its tallies; an
    // interactive one is a group of buttons.
    let description = move || {
        let words = words(lang.get());
        themes.with(|all| {
            all.iter()
                .map(|t| words.zone_summary(t))
                .collect::<Vec<_>>()
                .join("; ")
        })
    };
    view! {
        <svg
            class="plate-drawing"
            class:interactive=interactive
            viewBox=format!("0 0 {VIEW_W} {VIEW_H}")
            role={if interactive { "group" } else { "img" }}
            aria-label=move || title.get()
        >
            <title>{move || title.get()}</title>
            <desc>{description}</desc>
            {defs(&ids)}
            <g class="plate-scene" aria-hidden="true">
                {scene::scene(&ids, lang)}
            </g>
            {move || legend(legend_hatch.clone(), words(lang.get()))}
            <g class="plate-zones">{zones}</g>
        </svg>
    }
}

// ---------------------------------------------------------------------------------------------
// Zones

const VIEW_W: u32 = 1000;
const VIEW_H: u32 = 820;

/// One theme's place on the picture.
struct Zone {
    id: &'static str,
    /// Shown in the card's pin; the plate's theme order, so a printed list can refer to it.
    number: u8,
    /// Label when the tallies have no entry for this theme: `[nl, en]`.
    fallback: [&'static str; 2],
    /// The touch area (SVG path, user units). Zones do not overlap.
    area: &'static str,
    card: Spot,
}

/// Where a zone's card sits: top-left corner and width; the height follows from the content.
struct Spot {
    x: f64,
    y: f64,
    w: f64,
    /// Label and badges on one row (for wide, low places such as the road).
    wide: bool,
    /// Lines the label may take before its font shrinks.
    max_lines: usize,
}

static ZONES: [Zone; 7] = [
    Zone {
        id: "GR",
        number: 1,
        fallback: ["Grondstoffen", "Raw materials"],
        area: "M0 298H236V700H0Z",
        card: Spot {
            x: 22.0,
            y: 318.0,
            w: 210.0,
            wide: false,
            max_lines: 1,
        },
    },
    Zone {
        id: "PR",
        number: 2,
        fallback: ["Product", "Product"],
        area: "M236 580H1000V700H236Z",
        card: Spot {
            x: 262.0,
            y: 608.0,
            w: 340.0,
            wide: true,
            max_lines: 1,
        },
    },
    Zone {
        id: "PP",
        number: 3,
        fallback: ["Productieproces", "Production process"],
        area: "M236 298H655V580H236Z",
        card: Spot {
            x: 266.0,
            y: 314.0,
            w: 270.0,
            wide: false,
            max_lines: 1,
        },
    },
    Zone {
        id: "OB",
        number: 4,
        fallback: ["Overige bedrijfsactiviteiten", "Other business activities"],
        area: "M655 346H1000V580H655Z",
        card: Spot {
            x: 678.0,
            y: 366.0,
            w: 300.0,
            wide: false,
            max_lines: 2,
        },
    },
    Zone {
        id: "SK",
        number: 5,
        fallback: ["Samenwerking in de keten", "Chain collaboration"],
        area: "M0 700H1000V820H0Z",
        card: Spot {
            x: 172.0,
            y: 712.0,
            w: 578.0,
            wide: true,
            max_lines: 1,
        },
    },
    Zone {
        id: "EN",
        number: 6,
        fallback: ["Energietransitie", "Energy transition"],
        area: "M452 0H1000V346H655V298H452Z",
        card: Spot {
            x: 474.0,
            y: 56.0,
            w: 290.0,
            wide: false,
            max_lines: 2,
        },
    },
    Zone {
        id: "GB",
        number: 7,
        fallback: ["Gebouw", "Building"],
        area: "M0 124H452V298H0Z",
        card: Spot {
            x: 30.0,
            y: 140.0,
            w: 310.0,
            wide: true,
            max_lines: 1,
        },
    },
];

impl Zone {
    fn empty_tally(&self, lang: Lang) -> ThemeTally {
        let label = match lang {
            Lang::Nl => self.fallback[0],
            Lang::En => self.fallback[1],
        };
        ThemeTally {
            id: self.id.to_owned(),
            label: label.to_owned(),
            now: 0,
            ambition: 0,
            total: 0,
        }
    }
}

/// One theme: touch area, focus ring and card. A button when `on_select` is given.
#[component]
fn ThemeZone(
    zone: &'static Zone,
    tally: Memo<ThemeTally>,
    on_select: Option<Callback<String>>,
    lang: Signal<Lang>,
    hatch: String,
) -> impl IntoView {
    let interactive = on_select.is_some();
    let activate = move || {
        if let Some(callback) = on_select {
            callback.run(zone.id.to_owned());
        }
    };
    // The button is the zone's touch area, named in words; the drawn card repeats the name in
    // pictures, so it is hidden from screen readers and lets taps through to the area.
    let aria_label = move || interactive.then(|| words(lang.get()).zone_summary(&tally.get()));
    view! {
        <g class="plate-zone" data-theme=zone.id on:click=move |_| activate()>
            <path
                class="zone-area"
                d=zone.area
                role=interactive.then_some("button")
                tabindex=interactive.then_some("0")
                aria-label=aria_label
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if interactive && matches!(ev.key().as_str(), "Enter" | " " | "Spacebar") {
                        ev.prevent_default();
                        activate();
                    }
                }
            />
            <path class="zone-ring zone-ring-outer" d=zone.area/>
            <path class="zone-ring zone-ring-inner" d=zone.area/>
            {move || tally.with(|t| zone_card(zone, t, &hatch))}
        </g>
    }
}

/// The card of a zone: number pin, label, ✓ and ★ pills and one cell per practice.
fn zone_card(zone: &Zone, tally: &ThemeTally, hatch: &str) -> impl IntoView {
    let card = CardLayout::new(&zone.card, tally);
    let (x, y, w, h) = (card.x, card.y, card.w, card.h);
    let labels = card
        .lines
        .iter()
        .map(|line| {
            let squeeze = (line.width > line.room).then(|| r1(line.room));
            view! {
                <text
                    class="zone-label"
                    x=r1(line.x)
                    y=r1(line.baseline)
                    font-size=line.size
                    textLength=squeeze
                    lengthAdjust=squeeze.map(|_| "spacingAndGlyphs")
                >
                    {line.text.clone()}
                </text>
            }
        })
        .collect_view();
    let cells = card
        .cells
        .iter()
        .map(|c| {
            let (class, fill) = match c.kind {
                CellKind::Now => ("cell cell-now", None),
                CellKind::Ambition => ("cell cell-ambition", Some(hatch.to_owned())),
                CellKind::Open => ("cell cell-open", None),
            };
            view! {
                <rect class=class x=r1(c.x) y=r1(c.y) width=r1(c.w) height=BAR_H rx="2" fill=fill/>
            }
        })
        .collect_view();
    // The zone's aria-label says all of this in words; the drawn text would only repeat it.
    view! {
        <g class="zone-card" aria-hidden="true">
            <rect class="card-shadow" x=x + 4.0 y=y + 4.0 width=w height=h rx="12"/>
            <rect class="card-face" x=x y=y width=w height=h rx="12"/>
            {labels}
            {pill(&card.now, "pill-now")}
            {pill(&card.ambition, "pill-ambition")}
            {cells}
            <circle class="card-pin" cx=x - 4.0 cy=y - 4.0 r="17"/>
            <text class="card-pin-number" x=x - 4.0 y=y + 3.0 text-anchor="middle">
                {zone.number}
            </text>
        </g>
    }
}

fn pill(p: &Pill, class: &'static str) -> impl IntoView {
    view! {
        <g class=format!("pill {class}")>
            <rect x=r1(p.x) y=r1(p.y) width=r1(p.w) height=PILL_H rx="16"/>
            <text
                x=r1(p.x + p.w / 2.0)
                y=r1(p.y + PILL_H / 2.0 + 0.36 * p.size)
                font-size=p.size
                text-anchor="middle"
            >
                {p.text.clone()}
            </text>
        </g>
    }
}

// ---------------------------------------------------------------------------------------------
// Card layout (pure geometry; widths are estimated, see `text_width`)

const PAD: f64 = 12.0;
const LINE_H: f64 = 28.0;
const PILL_H: f64 = 32.0;
const PILL_GAP: f64 = 8.0;
const BAR_H: f64 = 14.0;
/// Label sizes tried in turn; 21 units is 16 px at 768 px wide.
const LABEL_SIZES: [f64; 4] = [24.0, 23.0, 22.0, 21.0];
const PILL_SIZES: [f64; 3] = [21.0, 19.0, 17.0];

struct CardLayout {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    lines: Vec<LabelLine>,
    now: Pill,
    ambition: Pill,
    cells: Vec<Cell>,
}

struct LabelLine {
    text: String,
    x: f64,
    baseline: f64,
    size: f64,
    /// Estimated width, and the room there is; a longer line is squeezed (`textLength`).
    width: f64,
    room: f64,
}

struct Pill {
    text: String,
    x: f64,
    y: f64,
    w: f64,
    size: f64,
}

#[derive(Clone, Copy)]
enum CellKind {
    Now,
    Ambition,
    Open,
}

struct Cell {
    kind: CellKind,
    x: f64,
    y: f64,
    w: f64,
}

impl CardLayout {
    fn new(spot: &Spot, tally: &ThemeTally) -> CardLayout {
        let total = tally.total;
        let now = tally.now.min(total);
        let ambition = tally.ambition.min(total - now);
        let now_text = format!("✓ {now}/{total}");
        let ambition_text = format!("★ {ambition}");
        let inner = spot.w - 2.0 * PAD;
        let left = spot.x + PAD;
        let right = spot.x + spot.w - PAD;

        let pills_width =
            |size: f64| pill_width(&now_text, size) + PILL_GAP + pill_width(&ambition_text, size);
        // Stacked: the largest pills that fit the width. Wide: the largest pills that leave room
        // for the label on the same row.
        let label_room = |pill_size: f64| {
            if spot.wide {
                inner - pills_width(pill_size) - 16.0
            } else {
                inner
            }
        };
        let max_lines = if spot.wide { 1 } else { spot.max_lines };
        let pill_size = PILL_SIZES
            .into_iter()
            .find(|s| {
                pills_width(*s) <= inner
                    && (!spot.wide || label_fits(&tally.label, label_room(*s), 1).is_some())
            })
            .unwrap_or(PILL_SIZES[PILL_SIZES.len() - 1]);
        let pills_w = pills_width(pill_size);
        let label_room = label_room(pill_size);
        let (texts, size) = fit_label(&tally.label, label_room, max_lines);
        let first_baseline = if spot.wide {
            spot.y + PAD + PILL_H / 2.0 + 0.36 * size
        } else {
            spot.y + PAD + 0.8 * size
        };
        let lines: Vec<LabelLine> = texts
            .into_iter()
            .enumerate()
            .map(|(i, text)| LabelLine {
                width: text_width(&text, size),
                text,
                x: left,
                baseline: first_baseline + i as f64 * LINE_H,
                size,
                room: label_room,
            })
            .collect();

        let pills_top = if spot.wide {
            spot.y + PAD
        } else {
            spot.y + PAD + lines.len() as f64 * LINE_H + 4.0
        };
        let pills_left = if spot.wide { right - pills_w } else { left };
        let now_pill = Pill {
            w: pill_width(&now_text, pill_size),
            text: now_text,
            x: pills_left,
            y: pills_top,
            size: pill_size,
        };
        let ambition_pill = Pill {
            w: pill_width(&ambition_text, pill_size),
            text: ambition_text,
            x: pills_left + now_pill.w + PILL_GAP,
            y: pills_top,
            size: pill_size,
        };

        let bar_top = pills_top + PILL_H + 8.0;
        let cells = bar_cells(left, bar_top, inner, now, ambition, total);
        CardLayout {
            x: spot.x,
            y: spot.y,
            w: spot.w,
            h: bar_top + BAR_H + PAD - spot.y,
            lines,
            now: now_pill,
            ambition: ambition_pill,
            cells,
        }
    }
}

/// One cell per practice: first the ones done, then the ambitions, then the rest.
fn bar_cells(x: f64, y: f64, width: f64, now: usize, ambition: usize, total: usize) -> Vec<Cell> {
    if total == 0 {
        return Vec::new();
    }
    let gap = if total <= 12 { 4.0 } else { 2.0 };
    let w = ((width - gap * (total - 1) as f64) / total as f64).min(26.0);
    (0..total)
        .map(|i| Cell {
            kind: if i < now {
                CellKind::Now
            } else if i < now + ambition {
                CellKind::Ambition
            } else {
                CellKind::Open
            },
            x: x + i as f64 * (w + gap),
            y,
            w,
        })
        .collect()
}

fn pill_width(text: &str, size: f64) -> f64 {
    text_width(text, size) + 22.0
}

/// Splits `label` into at most `max_lines` lines of at most `room` wide, shrinking the font if it
/// must. If even the smallest size does not fit, the last line takes the rest (and is squeezed).
fn fit_label(label: &str, room: f64, max_lines: usize) -> (Vec<String>, f64) {
    if let Some(fit) = label_fits(label, room, max_lines) {
        return fit;
    }
    let size = LABEL_SIZES[LABEL_SIZES.len() - 1];
    let mut lines = wrap(label, room, size);
    if lines.len() > max_lines {
        let rest = lines.split_off(max_lines.max(1) - 1).join(" ");
        lines.push(rest);
    }
    (lines, size)
}

/// The lines and the largest size at which `label` fits, if it does at any size.
fn label_fits(label: &str, room: f64, max_lines: usize) -> Option<(Vec<String>, f64)> {
    LABEL_SIZES.into_iter().find_map(|size| {
        let lines = wrap(label, room, size);
        let fits = lines.len() <= max_lines && lines.iter().all(|l| text_width(l, size) <= room);
        fits.then_some((lines, size))
    })
}

/// Greedy word wrap by estimated width.
fn wrap(text: &str, room: f64, size: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if line.is_empty() || text_width(&candidate, size) <= room {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_owned()));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Estimated width of bold text, from the advance widths of DejaVu Sans Bold (plus 2 %): the
/// widest of the usual tablet and Linux fonts, so the estimate errs on the safe side (Roboto and
/// San Francisco are narrower).
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().map(char_em).sum::<f64>() * size * 1.02
}

fn char_em(c: char) -> f64 {
    match c {
        ' ' => 0.348,
        'i' | 'j' | 'l' | '\'' | '|' => 0.343,
        'f' => 0.435,
        't' => 0.478,
        'r' => 0.493,
        '.' | ',' => 0.380,
        ':' | ';' | '!' => 0.400,
        '/' => 0.365,
        '(' | ')' => 0.457,
        '-' => 0.415,
        'c' | 's' | 'z' => 0.595,
        'a' | 'e' | 'o' => 0.687,
        'k' | 'v' | 'x' | 'y' => 0.665,
        'm' => 1.042,
        'w' => 0.924,
        'a'..='z' => 0.716,
        'I' | 'J' => 0.372,
        'M' => 0.995,
        'W' => 1.103,
        'A'..='Z' => 0.836,
        '0'..='9' => 0.696,
        _ => 0.860,
    }
}

/// Rounds to one decimal, to keep the SVG attributes short.
fn r1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

// ---------------------------------------------------------------------------------------------
// Definitions, legend and texts

/// Element ids of one picture (patterns, markers): unique per instance, so two pictures on a page
/// (preview, print) do not share them.
struct Ids {
    prefix: String,
}

impl Ids {
    fn new() -> Ids {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        Ids {
            prefix: format!("plate{}", NEXT.fetch_add(1, Ordering::Relaxed)),
        }
    }

    fn id(&self, name: &str) -> String {
        format!("{}-{name}", self.prefix)
    }

    fn url(&self, name: &str) -> String {
        format!("url(#{})", self.id(name))
    }

    fn hatch_url(&self) -> String {
        self.url("hatch")
    }
}

fn defs(ids: &Ids) -> impl IntoView {
    view! {
        <defs>
            // Ambition: dark amber stripes, readable in black and white.
            <pattern
                id=ids.id("hatch")
                patternUnits="userSpaceOnUse"
                width="6"
                height="6"
                patternTransform="rotate(45)"
            >
                <rect width="6" height="6" fill="#fff3cd"/>
                <rect width="3" height="6" fill="#8a5a00"/>
            </pattern>
            // Insulation in a wall or roof section.
            <pattern id=ids.id("insulation") patternUnits="userSpaceOnUse" width="10" height="10">
                <rect width="10" height="10" fill="#f1ddd2"/>
                <path d="M0 8 L5 2 L10 8" fill="none" stroke="#9a6656" stroke-width="1.4"/>
            </pattern>
            <marker
                id=ids.id("arrow")
                viewBox="0 0 10 10"
                refX="3"
                refY="5"
                markerWidth="3.6"
                markerHeight="3.6"
                orient="auto-start-reverse"
            >
                <path d="M0 0 L10 5 L0 10 Z" fill="#0b5345"/>
            </marker>
        </defs>
    }
}

/// How ticks are drawn, top left in the sky.
fn legend(hatch: String, words: &'static PlateWords) -> impl IntoView {
    let rows = [
        ("cell cell-now", None, words.legend_now),
        ("cell cell-ambition", Some(hatch), words.legend_ambition),
        ("cell cell-open", None, words.legend_open),
    ];
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(i, (class, fill, text))| {
            let y = 24.0 + i as f64 * 31.0;
            view! {
                <rect class=class x="30" y=y + 2.0 width="24" height="18" rx="2" fill=fill/>
                <text class="legend-text" x="66" y=y + 18.0>{text}</text>
            }
        })
        .collect_view();
    view! {
        <g class="plate-legend" aria-hidden="true">
            <rect class="legend-face" x="16" y="12" width="388" height="106" rx="10"/>
            {rows}
        </g>
    }
}

fn words(lang: Lang) -> &'static PlateWords {
    &crate::i18n::texts(lang).plate
}

impl PlateWords {
    /// "Grondstoffen: 3 van 8, ambitie 2" (the zone's accessible name).
    fn zone_summary(&self, t: &ThemeTally) -> String {
        format!(
            "{}: {} {} {}, {} {}",
            t.label, t.now, self.of, t.total, self.ambition, t.ambition
        )
    }
}

/// The language of the app's settings; Dutch when there is no app state (tests, previews).
pub(crate) fn plate_lang() -> Signal<Lang> {
    let state = use_context::<AppState>();
    Signal::derive(move || {
        state
            .map(|s| s.settings.with(|settings| settings.lang))
            .unwrap_or_default()
    })
}

// ---------------------------------------------------------------------------------------------
// The illustration

/// The drawing of the company, one function per part. Static: nothing here reads a signal except
/// the partner names in the chain band.
mod scene {
    use leptos::prelude::*;

    use super::{words, Ids, Lang};

    const LINE: &str = "#2b3a36";
    const STEEL: &str = "#9aa5a8";
    const MACHINE: &str = "#46708a";
    const GLASS: &str = "#cfe3ea";
    const BRAND: &str = "#0b5345";
    const SAFETY: &str = "#f2b705";
    const OVERALL: &str = "#2c4a6b";
    const SKIN: &str = "#e0b48f";

    pub fn scene(ids: &Ids, lang: Signal<Lang>) -> impl IntoView {
        view! {
            {backdrop()}
            {wind_turbine()}
            {sun()}
            {cloud(410.0, 80.0, 1.0)}
            {cloud(800.0, 196.0, 0.75)}
            {hall(ids)}
            {press_brake()}
            {lathe()}
            {welding()}
            {roof(ids)}
            {solar_panels()}
            {office()}
            {roof_units()}
            {service_van()}
            {material_rack()}
            {road()}
            {truck_in()}
            {truck_out()}
            {chain_band(ids, lang)}
        }
    }

    fn backdrop() -> impl IntoView {
        view! {
            <rect x="0" y="0" width="1000" height="584" fill="#e3ecee"/>
            // A business park on the horizon.
            <path
                d="M0 584V548H46V528H92V552H150V584ZM850 584V544H880V522H930V540H1000V584Z"
                fill="#d2dee0"
            />
            <rect x="0" y="580" width="1000" height="120" fill="#d5dad1"/>
        }
    }

    fn sun() -> impl IntoView {
        let rays = (0..8)
            .map(|i| {
                let a = f64::from(i) * std::f64::consts::FRAC_PI_4;
                let (s, c) = a.sin_cos();
                view! {
                    <line
                        x1=830.0 + 44.0 * c
                        y1=78.0 + 44.0 * s
                        x2=830.0 + 56.0 * c
                        y2=78.0 + 56.0 * s
                        stroke="#c98f00"
                        stroke-width="4"
                        stroke-linecap="round"
                    />
                }
            })
            .collect_view();
        view! {
            <g class="sun">
                {rays}
                <circle cx="830" cy="78" r="34" fill=SAFETY stroke="#c98f00" stroke-width="2"/>
            </g>
        }
    }

    fn cloud(x: f64, y: f64, scale: f64) -> impl IntoView {
        view! {
            <path
                transform=format!("translate({x} {y}) scale({scale})")
                d="M-40 12H44A16 16 0 0 0 34-16A24 24 0 0 0-6-22A20 20 0 0 0-36-4A14 14 0 0 0-40 12Z"
                fill="#ffffff"
                stroke="#b9c8cc"
                stroke-width="2"
            />
        }
    }

    /// A wind turbine far away behind the office.
    fn wind_turbine() -> impl IntoView {
        let blades = [20.0, 140.0, 260.0]
            .into_iter()
            .map(|angle| {
                view! {
                    <path
                        transform=format!("rotate({angle} 950 172)")
                        d="M947 172L950 108L955 114L953 172Z"
                        fill="#f7f8f6"
                        stroke="#7d8a86"
                        stroke-width="1.5"
                    />
                }
            })
            .collect_view();
        view! {
            <g class="wind-turbine">
                <path d="M945 584L947 176H953L955 584Z" fill="#f7f8f6" stroke="#7d8a86" stroke-width="1.5"/>
                {blades}
                <circle cx="950" cy="172" r="6" fill="#f7f8f6" stroke="#7d8a86" stroke-width="1.5"/>
            </g>
        }
    }

    /// The workshop hall, cut open at the front: back wall, windows, crane, lamps, floor.
    fn hall(ids: &Ids) -> impl IntoView {
        let windows = (0..6)
            .map(|i| {
                view! {
                    <rect
                        x=262 + i * 64
                        y="314"
                        width="50"
                        height="26"
                        fill=GLASS
                        stroke="#6f7f7a"
                        stroke-width="1.5"
                    />
                }
            })
            .collect_view();
        let lamps = [540, 610]
            .into_iter()
            .map(|x| {
                view! {
                    <path
                        d=format!("M{} 378L{} 436H{}L{} 378Z", x - 10, x - 34, x + 34, x + 10)
                        fill="#fff6cf"
                        opacity="0.8"
                    />
                    <rect x=x - 16 y="372" width="32" height="7" rx="3" fill=LINE/>
                    <line x1=x y1="362" x2=x y2="372" stroke=LINE stroke-width="2"/>
                }
            })
            .collect_view();
        view! {
            <g class="hall">
                <rect x="248" y="302" width="395" height="278" fill="#eef1ed"/>
                <rect x="248" y="520" width="395" height="46" fill="#e2e7e2"/>
                {windows}
                {lamps}
                // Overhead crane with trolley and hook.
                <rect x="248" y="352" width="395" height="10" fill=SAFETY stroke=LINE stroke-width="1.5"/>
                <rect x="566" y="346" width="38" height="20" rx="3" fill=LINE/>
                <line x1="585" y1="366" x2="585" y2="414" stroke=LINE stroke-width="2"/>
                <path
                    d="M585 414V424A7 7 0 1 1 578 417"
                    fill="none"
                    stroke=LINE
                    stroke-width="3"
                    stroke-linecap="round"
                />
                <rect x="236" y="566" width="419" height="14" fill="#b9c1bb"/>
                // Side walls in section: cladding with insulation.
                <rect
                    x="236"
                    y="298"
                    width="12"
                    height="282"
                    fill=ids.url("insulation")
                    stroke=LINE
                    stroke-width="2"
                />
                <rect x="643" y="298" width="12" height="282" fill="#b5c1bd" stroke=LINE stroke-width="2"/>
                // Rain pipe from the gutter.
                <rect x="226" y="300" width="7" height="280" fill="#8e9c98" stroke=LINE stroke-width="1"/>
            </g>
        }
    }

    fn press_brake() -> impl IntoView {
        view! {
            <g class="press-brake">
                <rect x="258" y="430" width="20" height="136" fill=MACHINE stroke=LINE stroke-width="2"/>
                <rect x="356" y="430" width="20" height="136" fill=MACHINE stroke=LINE stroke-width="2"/>
                <rect x="262" y="440" width="110" height="38" fill=MACHINE stroke=LINE stroke-width="2"/>
                <rect x="262" y="440" width="110" height="8" fill=SAFETY stroke=LINE stroke-width="1.5"/>
                <path d="M272 478H362V486L317 497L272 486Z" fill="#7d8a86" stroke=LINE stroke-width="1.5"/>
                // The sheet being bent, on the die.
                <path
                    d="M252 500L317 508L382 500"
                    fill="none"
                    stroke=STEEL
                    stroke-width="5"
                    stroke-linejoin="round"
                />
                <path d="M268 510H366V522H268Z" fill="#7d8a86" stroke=LINE stroke-width="1.5"/>
                <rect x="264" y="522" width="106" height="44" fill=MACHINE stroke=LINE stroke-width="2"/>
                <rect x="304" y="556" width="26" height="8" rx="2" fill=LINE/>
            </g>
        }
    }

    /// A CNC lathe with its window, control panel and signal light.
    fn lathe() -> impl IntoView {
        view! {
            <g class="lathe">
                <rect x="394" y="458" width="112" height="84" rx="8" fill="#dfe5e2" stroke=LINE stroke-width="2"/>
                <rect x="404" y="470" width="62" height="46" rx="4" fill=GLASS stroke="#5f6f6b" stroke-width="1.5"/>
                <circle cx="420" cy="493" r="11" fill="#7d8a86" stroke=LINE stroke-width="1.5"/>
                <rect x="430" y="489" width="28" height="8" fill=STEEL stroke=LINE stroke-width="1"/>
                <rect x="474" y="468" width="24" height="36" rx="2" fill=LINE/>
                <rect x="477" y="471" width="18" height="12" fill="#5fb3a1"/>
                <circle cx="481" cy="492" r="2.5" fill=SAFETY/>
                <circle cx="490" cy="492" r="2.5" fill="#c0392b"/>
                <rect x="394" y="542" width="112" height="24" fill="#2f4f5e" stroke=LINE stroke-width="2"/>
                <rect x="404" y="528" width="92" height="8" fill="#7d8a86"/>
                // Signal tower: red, amber, green.
                <rect x="494" y="432" width="10" height="8" fill="#c0392b" stroke=LINE stroke-width="1"/>
                <rect x="494" y="440" width="10" height="8" fill=SAFETY stroke=LINE stroke-width="1"/>
                <rect x="494" y="448" width="10" height="8" fill="#2e9e5b" stroke=LINE stroke-width="1"/>
            </g>
        }
    }

    /// A welder at a welding table, with gas bottle and sparks.
    fn welding() -> impl IntoView {
        let sparks = [0.0, 40.0, 80.0, 130.0, 180.0, 220.0, 300.0, 340.0]
            .into_iter()
            .enumerate()
            .map(|(i, deg): (usize, f64)| {
                let (s, c) = deg.to_radians().sin_cos();
                let len = if i % 2 == 0 { 16.0 } else { 10.0 };
                view! {
                    <line
                        x1=590.0 + 4.0 * c
                        y1=512.0 + 4.0 * s
                        x2=590.0 + len * c
                        y2=512.0 + len * s
                        stroke="#e8a200"
                        stroke-width="2.5"
                        stroke-linecap="round"
                    />
                }
            })
            .collect_view();
        view! {
            <g class="welding">
                <rect x="522" y="496" width="16" height="70" rx="7" fill="#3d6e5f" stroke=LINE stroke-width="2"/>
                <rect x="526" y="486" width="8" height="10" fill=LINE/>
                <path d="M530 488C540 466 572 470 588 510" fill="none" stroke=LINE stroke-width="2"/>
                <rect x="544" y="526" width="66" height="8" fill="#7d8a86" stroke=LINE stroke-width="1.5"/>
                <rect x="548" y="534" width="6" height="32" fill="#7d8a86" stroke=LINE stroke-width="1"/>
                <rect x="600" y="534" width="6" height="32" fill="#7d8a86" stroke=LINE stroke-width="1"/>
                <rect x="554" y="512" width="42" height="14" fill="none" stroke="#5e6a6d" stroke-width="4"/>
                // The welder.
                <rect x="610" y="526" width="10" height="40" fill=OVERALL stroke=LINE stroke-width="1"/>
                <rect x="622" y="526" width="10" height="40" fill=OVERALL stroke=LINE stroke-width="1"/>
                <rect x="606" y="486" width="30" height="46" rx="8" fill=OVERALL stroke=LINE stroke-width="1.5"/>
                <path
                    d="M614 496L594 512"
                    fill="none"
                    stroke=OVERALL
                    stroke-width="8"
                    stroke-linecap="round"
                />
                <circle cx="624" cy="474" r="11" fill=SKIN stroke=LINE stroke-width="1.5"/>
                <rect x="608" y="462" width="16" height="24" rx="4" fill=LINE/>
                <rect x="610" y="470" width="8" height="5" fill="#5fb3a1"/>
                {sparks}
                <circle cx="590" cy="512" r="4" fill="#fff3b0" stroke="#e8a200" stroke-width="1.5"/>
            </g>
        }
    }

    /// A point on the roof plane, seen from slightly above: `u` left to right, `v` front to back.
    fn roof_point(u: f64, v: f64) -> (f64, f64) {
        let front = 222.0 + (669.0 - 222.0) * u;
        let back = 242.0 + (649.0 - 242.0) * u;
        (front + (back - front) * v, 298.0 - 76.0 * v)
    }

    fn roof_quad(u0: f64, u1: f64, v0: f64, v1: f64) -> String {
        [(u0, v0), (u1, v0), (u1, v1), (u0, v1)]
            .into_iter()
            .map(|(u, v)| {
                let (x, y) = roof_point(u, v);
                format!("{x:.1},{y:.1}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The roof: the plane, two skylights and the insulated edge (the building theme).
    fn roof(ids: &Ids) -> impl IntoView {
        let skylights = [(0.08, 0.2), (0.25, 0.37)]
            .into_iter()
            .map(|(u0, u1)| {
                view! {
                    <polygon
                        points=roof_quad(u0, u1, 0.2, 0.8)
                        fill=GLASS
                        stroke="#5f6f6b"
                        stroke-width="1.5"
                    />
                }
            })
            .collect_view();
        view! {
            <g class="roof">
                <polygon points=roof_quad(0.0, 1.0, 0.0, 1.0) fill="#a3aeaa" stroke=LINE stroke-width="2"/>
                {skylights}
                <rect
                    x="218"
                    y="292"
                    width="456"
                    height="12"
                    fill=ids.url("insulation")
                    stroke=LINE
                    stroke-width="2"
                />
            </g>
        }
    }

    fn solar_panels() -> impl IntoView {
        let mut panels = Vec::new();
        for (v0, v1) in [(0.08, 0.46), (0.54, 0.92)] {
            for col in 0..4 {
                let u0 = 0.5 + f64::from(col) * 0.118;
                panels.push((u0, u0 + 0.108, v0, v1));
            }
        }
        let panels = panels
            .into_iter()
            .map(|(u0, u1, v0, v1)| {
                let um = (u0 + u1) / 2.0;
                let (ax, ay) = roof_point(um, v0);
                let (bx, by) = roof_point(um, v1);
                view! {
                    <polygon points=roof_quad(u0, u1, v0, v1) fill="#24466b" stroke="#0f243a" stroke-width="1.5"/>
                    <line x1=ax y1=ay x2=bx y2=by stroke="#6d92bb" stroke-width="1"/>
                }
            })
            .collect_view();
        view! { <g class="solar-panels">{panels}</g> }
    }

    /// The office beside the hall: two floors, someone at a desk on the ground floor.
    fn office() -> impl IntoView {
        view! {
            <g class="office">
                <rect x="655" y="358" width="195" height="222" fill="#e5e9e4" stroke=LINE stroke-width="2"/>
                <rect x="651" y="346" width="203" height="12" fill="#5f6b67" stroke=LINE stroke-width="2"/>
                <rect x="655" y="358" width="195" height="6" fill=BRAND/>
                <rect x="668" y="380" width="76" height="56" fill=GLASS stroke=LINE stroke-width="1.5"/>
                <rect x="758" y="380" width="78" height="56" fill=GLASS stroke=LINE stroke-width="1.5"/>
                <line x1="655" y1="456" x2="850" y2="456" stroke="#b5c1bd" stroke-width="2"/>
                // Ground floor: glass door, window with a desk.
                <rect x="666" y="508" width="38" height="72" fill=GLASS stroke=LINE stroke-width="1.5"/>
                <rect x="694" y="540" width="4" height="12" fill=LINE/>
                <rect x="716" y="506" width="122" height="56" fill=GLASS stroke=LINE stroke-width="1.5"/>
                <rect x="744" y="520" width="28" height="20" rx="2" fill=LINE/>
                <rect x="748" y="524" width="20" height="12" fill="#5fb3a1"/>
                <rect x="730" y="544" width="66" height="5" fill="#7d8a86"/>
                <circle cx="806" cy="528" r="8" fill=SKIN stroke=LINE stroke-width="1.5"/>
                <path d="M792 562V548A14 12 0 0 1 820 548V562Z" fill=BRAND stroke=LINE stroke-width="1.5"/>
            </g>
        }
    }

    /// Heat pump and battery on the office roof (the energy theme).
    fn roof_units() -> impl IntoView {
        view! {
            <g class="roof-units">
                <rect x="668" y="310" width="60" height="36" rx="3" fill="#dfe5e2" stroke=LINE stroke-width="2"/>
                <circle cx="698" cy="328" r="13" fill="#f7f8f6" stroke=LINE stroke-width="2"/>
                <path d="M698 316V340M686 328H710" stroke=LINE stroke-width="2"/>
                <rect x="746" y="298" width="92" height="48" rx="4" fill="#1f5f51" stroke=LINE stroke-width="2"/>
                // Battery symbol and bolt.
                <rect x="758" y="310" width="40" height="22" rx="3" fill="none" stroke="#ffffff" stroke-width="3"/>
                <rect x="798" y="316" width="5" height="10" fill="#ffffff"/>
                <rect x="763" y="315" width="9" height="12" fill=SAFETY/>
                <rect x="775" y="315" width="9" height="12" fill=SAFETY/>
                <path d="M820 304L810 322H818L814 340L828 318H820L824 304Z" fill=SAFETY/>
            </g>
        }
    }

    /// The service van (repair and maintenance at customers).
    fn service_van() -> impl IntoView {
        view! {
            <g class="service-van">
                <path
                    d="M862 570V528Q862 520 870 520H944Q956 520 962 532L978 548Q982 552 982 558V570Z"
                    fill="#f7f8f6"
                    stroke=LINE
                    stroke-width="2"
                />
                <path d="M944 526H952Q956 526 959 532L968 546H944Z" fill=GLASS stroke=LINE stroke-width="1.5"/>
                <rect x="862" y="548" width="120" height="7" fill=BRAND/>
                <circle cx="888" cy="572" r="10" fill=LINE/>
                <circle cx="956" cy="572" r="10" fill=LINE/>
                <circle cx="888" cy="572" r="4" fill="#c9d0cc"/>
                <circle cx="956" cy="572" r="4" fill="#c9d0cc"/>
            </g>
        }
    }

    /// The steel stock outside the hall: bars on a cantilever rack, plates on a pallet.
    fn material_rack() -> impl IntoView {
        let arms = [472.0, 508.0]
            .into_iter()
            .map(|y: f64| {
                view! {
                    <rect x="48" y=y width="166" height="6" fill=MACHINE stroke=LINE stroke-width="1.5"/>
                    <rect x="54" y=y - 8.0 width="154" height="8" rx="4" fill=STEEL stroke="#5e6a6d" stroke-width="1"/>
                    <rect x="58" y=y - 16.0 width="146" height="8" rx="4" fill="#b7c0c2" stroke="#5e6a6d" stroke-width="1"/>
                }
            })
            .collect_view();
        view! {
            <g class="material-rack">
                <rect x="34" y="440" width="14" height="136" fill=MACHINE stroke=LINE stroke-width="2"/>
                <rect x="22" y="572" width="40" height="8" fill=LINE/>
                {arms}
                // Pallet with plates.
                <rect x="70" y="572" width="140" height="8" fill="#a8865c" stroke=LINE stroke-width="1"/>
                <rect x="72" y="562" width="136" height="10" fill=STEEL stroke="#5e6a6d" stroke-width="1"/>
                <rect x="76" y="552" width="128" height="10" fill="#b7c0c2" stroke="#5e6a6d" stroke-width="1"/>
                <rect x="80" y="542" width="120" height="10" fill=STEEL stroke="#5e6a6d" stroke-width="1"/>
            </g>
        }
    }

    fn road() -> impl IntoView {
        let dashes = (0..15)
            .map(|i| view! { <rect x=14 + i * 70 y="644" width="34" height="5" fill="#eef0ec"/> })
            .collect_view();
        view! {
            <rect x="0" y="596" width="1000" height="98" fill="#aab1aa"/>
            <rect x="0" y="594" width="1000" height="4" fill="#7f8781"/>
            {dashes}
        }
    }

    /// A flatbed truck facing right: `x` is its left end, `cab` the cab colour, `load` on the bed.
    fn truck(x: f64, cab: &'static str, load: impl IntoView) -> impl IntoView {
        view! {
            <g class="truck" transform=format!("translate({x} 0)")>
                <rect x="4" y="654" width="204" height="10" fill="#3d4a46"/>
                <rect x="2" y="644" width="160" height="10" fill="#7d8a86" stroke=LINE stroke-width="1.5"/>
                {load}
                <path
                    d="M164 662V606H198Q216 606 219 624L222 662Z"
                    fill=cab
                    stroke=LINE
                    stroke-width="2"
                />
                <path d="M194 612H202Q211 613 213 630H194Z" fill=GLASS stroke=LINE stroke-width="1.5"/>
                <rect x="214" y="646" width="10" height="6" fill="#fff3b0" stroke=LINE stroke-width="1"/>
                {[34.0, 70.0, 190.0]
                    .into_iter()
                    .map(|cx| {
                        view! {
                            <circle cx=cx cy="674" r="14" fill=LINE/>
                            <circle cx=cx cy="674" r="5" fill="#c9d0cc"/>
                        }
                    })
                    .collect_view()}
            </g>
        }
    }

    /// Raw material arriving: plates and bars (materials theme).
    fn truck_in() -> impl IntoView {
        let load = view! {
            <rect x="8" y="636" width="148" height="8" fill=STEEL stroke="#5e6a6d" stroke-width="1"/>
            <rect x="12" y="628" width="140" height="8" fill="#b7c0c2" stroke="#5e6a6d" stroke-width="1"/>
            <rect x="16" y="620" width="132" height="8" fill=STEEL stroke="#5e6a6d" stroke-width="1"/>
            <rect x="10" y="610" width="146" height="10" rx="5" fill="#b7c0c2" stroke="#5e6a6d" stroke-width="1"/>
        };
        truck(10.0, BRAND, load)
    }

    /// The finished product leaving: a welded staircase with its product passport (product theme).
    fn truck_out() -> impl IntoView {
        let load = view! {
            <path
                d="M14 644V632H40V618H66V604H92V590H118V576H144V644"
                fill="none"
                stroke="#5e6a6d"
                stroke-width="6"
                stroke-linejoin="round"
            />
            <path d="M14 644L144 576" stroke="#5e6a6d" stroke-width="5"/>
            // The product passport: a tag with a code.
            <rect x="26" y="590" width="30" height="30" rx="3" fill="#ffffff" stroke=LINE stroke-width="1.5"/>
            <path d="M31 595h8v8h-8zM43 595h8v8h-8zM31 607h8v8h-8zM44 608h3v3h-3zM48 612h3v3h-3z" fill=LINE/>
        };
        let speed = [618.0, 636.0, 654.0]
            .into_iter()
            .map(|y: f64| {
                view! {
                    <line x1="666" y1=y x2="700" y2=y stroke="#5f6b67" stroke-width="3" stroke-linecap="round"/>
                }
            })
            .collect_view();
        view! {
            {speed}
            {truck(716.0, SAFETY, load)}
        }
    }

    /// The chain: supplier, customer and recycler, and the loop back from customer to supplier.
    fn chain_band(ids: &Ids, lang: Signal<Lang>) -> impl IntoView {
        let partner =
            move |x: f64, icon: &'static str, name: fn(&super::PlateWords) -> &'static str| {
                view! {
                    <circle cx=x cy="748" r="26" fill="#ffffff" stroke=BRAND stroke-width="3"/>
                    <path transform=format!("translate({x} 748)") d=icon fill=BRAND/>
                    <text class="partner-label" x=x y="806" text-anchor="middle">
                        {move || name(words(lang.get()))}
                    </text>
                }
            };
        view! {
            <g class="chain">
                <rect x="0" y="700" width="1000" height="120" fill="#e6ece6"/>
                <line x1="0" y1="700" x2="1000" y2="700" stroke="#8a9692" stroke-width="2"/>
                <path
                    d="M984 690V718Q984 748 954 748H46Q16 748 16 718V706"
                    fill="none"
                    stroke=BRAND
                    stroke-width="6"
                    stroke-dasharray="16 10"
                    marker-end=ids.url("arrow")
                />
                {partner(
                    84.0,
                    "M-15 13V-3L-7-9V-3L1-9V-3L9-9V-16H14V13Z",
                    |w| w.supplier,
                )}
                {partner(
                    802.0,
                    "M-16-6H16L12 13H-12ZM-6-16A10 10 0 0 1 9-12L12-15V-6H3L6-9A6 6 0 0 0-3-11Z",
                    |w| w.recycler,
                )}
                {partner(922.0, "M-15 13V-3L0-15L15-3V13H5V3H-5V13Z", |w| w.customer)}
            </g>
        }
    }
}
