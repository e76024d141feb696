//! `ehlowatch-app --autostart on|off` on Linux: it writes and removes the XDG autostart entry
//! the running app's autostart plugin manages (`~/.config/autostart/EHLO Watch.desktop`,
//! running the app `--minimized`), prints what it did and exits 0 without starting the app
//! (no display is needed). The Windows Run key is checked under Wine
//! (`desktop_e2e/windows_under_wine.rs`).

#![cfg(target_os = "linux")]

use std::path::Path;
use std::process::Command;

fn switch(home: &Path, to: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ehlowatch-app"))
        .args(["--autostart", to])
        .env("HOME", home)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("ehlowatch-app runs")
}

#[test]
fn autostart_on_writes_the_login_entry_and_off_removes_it() {
    let home = tempfile::tempdir().unwrap();
    let entry = home.path().join(".config/autostart/EHLO Watch.desktop");

    let on = switch(home.path(), "on");
    assert!(on.status.success(), "{on:?}");
    let said = String::from_utf8_lossy(&on.stdout);
    assert!(said.starts_with("autostart on:"), "{said}");
    assert_eq!(said.lines().count(), 1, "one line: {said}");
    let text = std::fs::read_to_string(&entry).unwrap();
    let exec = text.lines().find(|l| l.starts_with("Exec=")).unwrap();
    assert_eq!(
        exec,
        format!("Exec={} --minimized", env!("CARGO_BIN_EXE_ehlowatch-app"))
    );

    let off = switch(home.path(), "off");
    assert!(off.status.success(), "{off:?}");
    assert!(String::from_utf8_lossy(&off.stdout).starts_with("autostart off:"));
    assert!(!entry.exists(), "the entry is removed");

    let again = switch(home.path(), "off");
    assert!(again.status.success(), "off twice is no error: {again:?}");
}

#[test]
fn autostart_refuses_a_value_other_than_on_or_off() {
    let home = tempfile::tempdir().unwrap();
    let out = switch(home.path(), "yes");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--autostart") && err.contains("yes"), "{err}");
    assert!(!home.path().join(".config/autostart").exists());
}
