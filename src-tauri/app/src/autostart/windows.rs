//! Autostart on Windows: the value [`NAME`] of the current user's [`RUN`] key holds the
//! quoted path of `ehlowatch-app.exe` and `--minimized`. Task Manager's Startup tab can turn an
//! entry off without removing it, by a value of the same name under [`APPROVED`] whose first
//! byte is odd (2 on, 3 off, followed by when); such an entry counts as off, and turning it on
//! marks it on again there.

use std::path::Path;

use crate::args::Args;

use super::entry::NAME;

/// The per-user key of programs run at login (under `HKEY_CURRENT_USER`).
pub const RUN: &str = r"Software\Microsoft\Windows\CurrentVersion\Run";
/// Task Manager's on/off marks for the entries of [`RUN`] (under `HKEY_CURRENT_USER`).
pub const APPROVED: &str =
    r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run";
/// Task Manager's mark of an entry that is on.
const APPROVED_ON: [u8; 12] = [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/// `HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)`: no such key or value.
const NOT_FOUND: u32 = 0x8007_0002;

/// The Run value's data for `exe`: its path quoted (it may hold spaces), then `--minimized`.
pub fn command_line(exe: &Path) -> String {
    format!("\"{}\" {}", exe.display(), Args::MINIMIZED)
}

/// Writes the entry for `exe`, replacing one of the same name, and clears an "off" mark.
pub fn enable(exe: &Path) -> Result<(), String> {
    let hkcu = windows_registry::CURRENT_USER;
    hkcu.create(RUN)
        .and_then(|key| key.set_string(NAME, command_line(exe)))
        .map_err(|e| format!("cannot write HKCU\\{RUN}\\{NAME}: {e}"))?;
    match hkcu.options().read().write().open(APPROVED) {
        Ok(key) => key
            .set_bytes(NAME, windows_registry::Type::Bytes, &APPROVED_ON)
            .map_err(|e| format!("cannot write HKCU\\{APPROVED}\\{NAME}: {e}")),
        Err(e) if not_found(e.code().0) => Ok(()),
        Err(e) => Err(format!("cannot open HKCU\\{APPROVED}: {e}")),
    }
}

/// Removes the entry (and its Task Manager mark); removing a missing entry is no error.
pub fn disable() -> Result<(), String> {
    let hkcu = windows_registry::CURRENT_USER;
    for path in [RUN, APPROVED] {
        match hkcu
            .options()
            .read()
            .write()
            .open(path)
            .and_then(|key| key.remove_value(NAME))
        {
            Ok(()) => {}
            Err(e) if not_found(e.code().0) => {}
            Err(e) => return Err(format!("cannot remove HKCU\\{path}\\{NAME}: {e}")),
        }
    }
    Ok(())
}

/// True when the entry exists and Task Manager has not turned it off.
pub fn is_enabled() -> Result<bool, String> {
    let hkcu = windows_registry::CURRENT_USER;
    match hkcu.open(RUN).and_then(|key| key.get_string(NAME)) {
        Ok(_) => {}
        Err(e) if not_found(e.code().0) => return Ok(false),
        Err(e) => return Err(format!("cannot read HKCU\\{RUN}\\{NAME}: {e}")),
    }
    match hkcu.open(APPROVED).and_then(|key| key.get_value(NAME)) {
        Ok(mark) => Ok(mark.first().is_none_or(|b| b % 2 == 0)),
        Err(e) if not_found(e.code().0) => Ok(true),
        Err(e) => Err(format!("cannot read HKCU\\{APPROVED}\\{NAME}: {e}")),
    }
}

fn not_found(code: i32) -> bool {
    code as u32 == NOT_FOUND
}
