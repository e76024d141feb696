//! PNG files as the tests read them: the tray icon's own PNG (Linux) and screenshots of the X
//! screen (the Windows build's tray in Wine's taskbar), as RGBA pixels.

use std::path::Path;

/// An image, eight bits per channel, as RGBA.
#[derive(Debug)]
pub struct Image {
    /// Pixels per row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    rgba: Vec<u8>,
}

impl Image {
    /// Reads a PNG of any colour type at eight bits (or fewer, expanded).
    pub fn read(file: &Path) -> Result<Self, String> {
        let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", file.display());
        let open = std::fs::File::open(file).map_err(|e| fail(&e))?;
        let mut decoder = png::Decoder::new(std::io::BufReader::new(open));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().map_err(|e| fail(&e))?;
        let size = reader
            .output_buffer_size()
            .ok_or_else(|| fail(&"too large"))?;
        let mut buf = vec![0; size];
        let info = reader.next_frame(&mut buf).map_err(|e| fail(&e))?;
        if info.bit_depth != png::BitDepth::Eight {
            return Err(fail(&format!("{:?} bits per channel", info.bit_depth)));
        }
        let channels = info.color_type.samples();
        let mut rgba = Vec::with_capacity(info.width as usize * info.height as usize * 4);
        for row in buf.chunks(info.line_size).take(info.height as usize) {
            for p in row[..info.width as usize * channels].chunks(channels) {
                rgba.extend_from_slice(&match *p {
                    [red, green, blue, alpha] => [red, green, blue, alpha],
                    [red, green, blue] => [red, green, blue, 255],
                    [grey, alpha] => [grey, grey, grey, alpha],
                    [grey] => [grey, grey, grey, 255],
                    _ => return Err(fail(&format!("{channels} channels"))),
                });
            }
        }
        Ok(Self {
            width: info.width,
            height: info.height,
            rgba,
        })
    }

    /// The pixel at `(x, y)`, or why there is none.
    pub fn pixel(&self, x: u32, y: u32) -> Result<[u8; 4], String> {
        if x >= self.width || y >= self.height {
            return Err(format!(
                "({x}, {y}) is outside {}×{}",
                self.width, self.height
            ));
        }
        let at = (y as usize * self.width as usize + x as usize) * 4;
        Ok([
            self.rgba[at],
            self.rgba[at + 1],
            self.rgba[at + 2],
            self.rgba[at + 3],
        ])
    }
}
