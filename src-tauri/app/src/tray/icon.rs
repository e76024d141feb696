//! The tray's status images, drawn at run time so they are crisp at any size: a disc in the
//! status's colour class ([`Status::colour`]) with a glyph of its own shape — check (green),
//! exclamation mark (amber), cross (red), dash (every grey status: unknown, offline, blocked,
//! stale, no route, unreachable, paused; and no monitors) — so the status reads without colour
//! too. Template images (macOS menu bar) are the same shapes in black, the glyph
//! cut out. Edges are anti-aliased by 4×4 supersampling.

use chrono::{DateTime, Utc};
use ehlowatch_engine::{Colour, Snapshot, Status};

/// The icon's status at `now`: the worst (red > amber > grey > green) of this machine's monitors
/// that count (enabled, not snoozed) and of `remote`, each remote source's worst (its unmuted
/// monitors', grey while it cannot be heard). This machine's monitors weigh only when some count:
/// a desktop that watches only agents is green when their monitors are; with nothing at all to
/// show, grey (unknown).
pub fn shown_worst(
    snapshot: &Snapshot,
    remote: impl IntoIterator<Item = Status>,
    now: DateTime<Utc>,
) -> Status {
    let local = snapshot
        .monitors
        .iter()
        .any(|m| m.enabled && !m.snoozed_at(now))
        .then_some(snapshot.worst);
    Status::worst(local.into_iter().chain(remote)).unwrap_or(snapshot.worst)
}

/// RGBA colours of the discs.
const GREEN: [u8; 3] = [0x1a, 0x7f, 0x37];
const AMBER: [u8; 3] = [0xd2, 0x99, 0x22];
const RED: [u8; 3] = [0xcf, 0x22, 0x2e];
const GREY: [u8; 3] = [0x6e, 0x77, 0x81];
/// Glyph colours: white on the dark discs, near-black on amber (contrast).
const WHITE: [u8; 3] = [0xff, 0xff, 0xff];
const INK: [u8; 3] = [0x1f, 0x23, 0x28];

/// A segment with round caps in unit coordinates: from, to, half-width.
type Stroke = ((f32, f32), (f32, f32), f32);

const CHECK: &[Stroke] = &[
    ((0.28, 0.52), (0.43, 0.67), 0.075),
    ((0.43, 0.67), (0.72, 0.35), 0.075),
];
const EXCLAMATION: &[Stroke] = &[
    ((0.5, 0.24), (0.5, 0.56), 0.08),
    ((0.5, 0.74), (0.5, 0.74), 0.08),
];
const CROSS: &[Stroke] = &[
    ((0.33, 0.33), (0.67, 0.67), 0.075),
    ((0.67, 0.33), (0.33, 0.67), 0.075),
];
const DASH: &[Stroke] = &[((0.29, 0.5), (0.71, 0.5), 0.085)];

const DISC_RADIUS: f32 = 0.47;

/// Which picture a status gets.
fn look(status: Status) -> ([u8; 3], [u8; 3], &'static [Stroke]) {
    match status.colour() {
        Colour::Green => (GREEN, WHITE, CHECK),
        Colour::Amber => (AMBER, INK, EXCLAMATION),
        Colour::Red => (RED, WHITE, CROSS),
        Colour::Grey => (GREY, WHITE, DASH),
    }
}

/// The `size`×`size` RGBA image for `status`; `template` draws the black template variant.
pub fn status_image(status: Status, size: u32, template: bool) -> Vec<u8> {
    const SUB: u32 = 4;
    let (disc, ink, strokes) = look(status);
    let mut rgba = Vec::with_capacity((size * size * 4) as usize);
    let step = 1.0 / (size * SUB) as f32;
    for y in 0..size {
        for x in 0..size {
            let (mut in_disc, mut in_glyph) = (0_u32, 0_u32);
            for sy in 0..SUB {
                for sx in 0..SUB {
                    let px = ((x * SUB + sx) as f32 + 0.5) * step;
                    let py = ((y * SUB + sy) as f32 + 0.5) * step;
                    if (px - 0.5).hypot(py - 0.5) <= DISC_RADIUS {
                        in_disc += 1;
                        if strokes.iter().any(|s| in_stroke(*s, px, py)) {
                            in_glyph += 1;
                        }
                    }
                }
            }
            let samples = (SUB * SUB) as f32;
            let alpha = if template {
                in_disc - in_glyph
            } else {
                in_disc
            } as f32
                / samples;
            let glyph_share = if in_disc == 0 {
                0.0
            } else {
                in_glyph as f32 / in_disc as f32
            };
            let colour = if template {
                [0, 0, 0]
            } else {
                mix(disc, ink, glyph_share)
            };
            rgba.extend_from_slice(&colour);
            rgba.push((alpha * 255.0).round() as u8);
        }
    }
    rgba
}

fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> [u8; 3] {
    let channel = |i: usize| (f32::from(a[i]) * (1.0 - t) + f32::from(b[i]) * t).round() as u8;
    [channel(0), channel(1), channel(2)]
}

/// True when `(px, py)` lies within the stroke (a capsule).
fn in_stroke(((ax, ay), (bx, by), half_width): Stroke, px: f32, py: f32) -> bool {
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0)
    };
    (px - (ax + t * dx)).hypot(py - (ay + t * dy)) <= half_width
}

#[cfg(test)]
mod tests {
    use super::*;
    use ehlowatch_engine::MonitorView;
    use std::sync::Arc;

    fn local(status: Status, enabled: bool, snoozed: bool) -> Snapshot {
        let now = Utc::now();
        Snapshot {
            monitors: vec![Arc::new(MonitorView {
                enabled,
                status,
                shown: if snoozed { Status::Paused } else { status },
                snoozed_until: snoozed.then(|| now + chrono::Duration::hours(1)),
                ..MonitorView::default()
            })],
            worst: if enabled && !snoozed {
                status
            } else {
                Status::Unknown
            },
            ..Snapshot::default()
        }
    }

    #[test]
    fn without_local_monitors_that_count_the_remote_ones_set_the_colour() {
        let now = Utc::now();
        let none = Snapshot::default();
        assert_eq!(shown_worst(&none, [Status::Success], now), Status::Success);
        assert_eq!(
            shown_worst(&none, [Status::Success, Status::Unreachable], now),
            Status::Unreachable
        );
        assert_eq!(shown_worst(&none, [], now), Status::Unknown);
        for (enabled, snoozed) in [(false, false), (true, true)] {
            let quiet = local(Status::Failed, enabled, snoozed);
            assert_eq!(
                shown_worst(&quiet, [Status::Success], now),
                Status::Success,
                "enabled {enabled}, snoozed {snoozed}"
            );
        }
    }

    #[test]
    fn local_and_remote_monitors_give_the_worst_of_both() {
        let now = Utc::now();
        let ok = local(Status::Success, true, false);
        assert_eq!(shown_worst(&ok, [Status::Failed], now), Status::Failed);
        assert_eq!(shown_worst(&ok, [Status::Success], now), Status::Success);
        assert_eq!(shown_worst(&ok, [], now), Status::Success);
        let failed = local(Status::Failed, true, false);
        assert_eq!(
            shown_worst(&failed, [Status::Unreachable], now),
            Status::Failed
        );
    }

    const ALL: [Status; 4] = [
        Status::Success,
        Status::Warning,
        Status::Failed,
        Status::Unknown,
    ];

    fn pixel(image: &[u8], size: u32, x: u32, y: u32) -> [u8; 4] {
        let i = ((y * size + x) * 4) as usize;
        [image[i], image[i + 1], image[i + 2], image[i + 3]]
    }

    #[test]
    fn the_rim_has_the_status_colour_at_every_size() {
        for size in [16, 22, 32, 64] {
            for (status, colour) in ALL.into_iter().zip([GREEN, AMBER, RED, GREY]) {
                let image = status_image(status, size, false);
                assert_eq!(image.len(), (size * size * 4) as usize);
                // Inside the disc, between its edge and the glyph.
                let p = pixel(&image, size, size / 2, size / 10);
                assert_eq!(&p[..3], &colour, "{status:?} at {size}px");
                assert_eq!(p[3], 255);
                assert_eq!(pixel(&image, size, 0, 0)[3], 0, "corners are transparent");
            }
        }
    }

    #[test]
    fn every_status_is_drawn_in_its_colour_class() {
        for status in Status::ALL {
            let want = match status.colour() {
                Colour::Green => GREEN,
                Colour::Amber => AMBER,
                Colour::Red => RED,
                Colour::Grey => GREY,
            };
            let image = status_image(status, 32, false);
            assert_eq!(&pixel(&image, 32, 16, 3)[..3], &want, "{status:?}");
        }
        assert_eq!(
            status_image(Status::Stale, 32, true),
            status_image(Status::Unknown, 32, true),
            "every grey status has the dash"
        );
    }

    #[test]
    fn every_status_has_its_own_shape() {
        let shape = |status| -> Vec<bool> {
            status_image(status, 32, true)
                .chunks(4)
                .map(|p| p[3] > 127)
                .collect()
        };
        for (i, a) in ALL.iter().enumerate() {
            for b in &ALL[i + 1..] {
                let differing = shape(*a)
                    .iter()
                    .zip(shape(*b))
                    .filter(|(x, y)| **x != *y)
                    .count();
                assert!(
                    differing > 40,
                    "{a:?} and {b:?} differ in {differing} pixels only"
                );
            }
        }
    }

    /// The sizes tray hosts draw status icons at: 16 px at 100 % scaling on Windows, 20 and
    /// 24 px at 125 % and 150 %, 32 px at 200 % (and the usual sizes of Linux panels).
    const TRAY_SIZES: [u32; 4] = [16, 20, 24, 32];
    /// WCAG 2.x's minimum contrast for the parts of a graphic needed to understand it
    /// (success criterion 1.4.11, non-text contrast).
    const MIN_CONTRAST: f64 = 3.0;

    /// The glyph's pixels: inside the disc (more than half covered) and more glyph than disc,
    /// read from the template image, whose alpha is the disc with the glyph cut out.
    fn glyph_mask(status: Status, size: u32) -> Vec<bool> {
        let disc = status_image(status, size, false);
        let template = status_image(status, size, true);
        disc.chunks(4)
            .zip(template.chunks(4))
            .map(|(d, t)| d[3] > 127 && t[3] < 128)
            .collect()
    }

    /// WCAG 2.x relative luminance of an sRGB colour.
    fn luminance([r, g, b]: [u8; 3]) -> f64 {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    }

    /// WCAG 2.x contrast ratio of two colours (1 to 21).
    fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn every_status_has_its_own_shape_at_every_tray_size() {
        for size in TRAY_SIZES {
            // A glyph differs from another in at least a twentieth of the icon's pixels —
            // 12 at 16 px, 51 at 32 px — never in a stray edge pixel or two.
            let wanted = (size * size / 20) as usize;
            for (i, a) in ALL.iter().enumerate() {
                let mask_a = glyph_mask(*a, size);
                assert!(
                    mask_a.iter().any(|p| *p),
                    "{a:?} at {size}px has no glyph pixel"
                );
                for b in &ALL[i + 1..] {
                    let differing = mask_a
                        .iter()
                        .zip(glyph_mask(*b, size))
                        .filter(|(x, y)| **x != *y)
                        .count();
                    assert!(
                        differing >= wanted,
                        "{a:?} and {b:?} at {size}px differ in {differing} pixels, \
                         fewer than {wanted}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_glyph_stands_out_from_the_disc_at_every_tray_size() {
        for size in TRAY_SIZES {
            for status in ALL {
                let (fill, ink, _) = look(status);
                assert!(
                    contrast(fill, ink) >= MIN_CONTRAST,
                    "{status:?}: ink against fill {:.2}:1",
                    contrast(fill, ink)
                );
                // Anti-aliasing blends the glyph's edges into the fill: most of its pixels
                // must still reach the ratio, or the glyph is a smudge at this size.
                let image = status_image(status, size, false);
                let mask = glyph_mask(status, size);
                let glyph: Vec<[u8; 3]> = image
                    .chunks(4)
                    .zip(&mask)
                    .filter(|(_, m)| **m)
                    .map(|(p, _)| [p[0], p[1], p[2]])
                    .collect();
                let legible = glyph
                    .iter()
                    .filter(|p| contrast(**p, fill) >= MIN_CONTRAST)
                    .count();
                assert!(
                    legible * 2 >= glyph.len() && legible >= 4,
                    "{status:?} at {size}px: {legible} of the glyph's {} pixels reach \
                     {MIN_CONTRAST}:1 against the fill",
                    glyph.len()
                );
            }
        }
    }

    #[test]
    fn the_glyph_is_drawn_in_its_ink() {
        let image = status_image(Status::Failed, 64, false);
        // The centre of the cross.
        assert_eq!(&pixel(&image, 64, 32, 32)[..3], &WHITE);
        let image = status_image(Status::Warning, 64, false);
        // The stem of the exclamation mark.
        assert_eq!(&pixel(&image, 64, 32, 24)[..3], &INK);
    }
}
