//! Tauri's build step: reads tauri.conf.json and embeds the page in dist/.

fn main() {
    tauri_build::build();
}
