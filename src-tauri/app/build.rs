//! Tauri's build step: embeds `tauri.conf.json`, the capabilities under
//! `src-tauri/app/capabilities` and the app manifest of the IPC commands, so that the window
//! may call exactly the commands its capability grants.

include!("src/commands/names.rs");

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/app/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(NAMES)),
    )
    .expect("tauri build step failed");
}
