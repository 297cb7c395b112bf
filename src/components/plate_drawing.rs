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
        let label = (words(lang).theme_name)(self.id).unwrap_or(self.id);
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

/// The drawing of the company: static markup, and the chain band, whose partner names follow the
/// language.
mod scene {
    use leptos::prelude::*;

    use super::{words, Ids, Lang};

    const BRAND: &str = "#0b5345";

    /// The static drawing, as markup (see the comment at the top of `plate_scene.svg`).
    const SCENE: &str = include_str!("plate_scene.svg");

    pub fn scene(ids: &Ids, lang: Signal<Lang>) -> impl IntoView {
        let markup = SCENE.replace("url(#{insulation})", &ids.url("insulation"));
        view! {
            <g inner_html=markup></g>
            {chain_band(ids, lang)}
        }
    }

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
