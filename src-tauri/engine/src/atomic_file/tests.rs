//! The replacement on every platform (content, leftovers, a non-ASCII directory, a failed rename)
//! and, on Windows, against another program holding the target open without sharing delete.

use super::*;

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_file_is_created_then_replaced_and_no_temporary_file_stays() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("settings.json");
    replace(&path, b"first").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"first");
    replace(&path, b"second, longer").unwrap();
    replace(&path, b"third").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"third");
    assert_eq!(names(&dir.path().join("nested")), ["settings.json"]);
}

#[test]
fn a_directory_with_non_ascii_characters_works() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("Données ☃ 数据 Ω");
    let path = data.join("réglages ☃.json");
    replace(&path, "{\"name\": \"mx ☃\"}".as_bytes()).unwrap();
    replace(&path, "{\"name\": \"mx Ω\"}".as_bytes()).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "{\"name\": \"mx Ω\"}"
    );
    std::fs::write(data.join(".réglages ☃-0123abcd.tmp"), b"torn").unwrap();
    remove_leftovers(&path);
    assert_eq!(names(&data), ["réglages ☃.json"]);
}

#[test]
fn leftovers_are_only_the_targets_own_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    replace(&path, b"kept").unwrap();
    for name in [".settings-Ab12Cd.tmp", "notes.tmp", ".other-Ab12Cd.tmp"] {
        std::fs::write(dir.path().join(name), b"x").unwrap();
    }
    remove_leftovers(&path);
    assert_eq!(
        names(dir.path()),
        [".other-Ab12Cd.tmp", "notes.tmp", "settings.json"]
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"kept");
}

#[test]
fn a_failed_rename_leaves_the_target_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the file should be: no rename can replace it.
    let path = dir.path().join("settings.json");
    std::fs::create_dir(&path).unwrap();
    std::fs::write(path.join("inside"), b"mine").unwrap();
    // Waiting cannot help (on Windows the rename fails with access denied, as when a program
    // holds the file): the error comes at once.
    let patience = Patience {
        total: Duration::from_secs(120),
        ..PATIENCE
    };
    let mut retries = 0;
    replace_with(&path, b"new", patience, |_| retries += 1).unwrap_err();
    assert_eq!(retries, 0);
    assert_eq!(std::fs::read(path.join("inside")).unwrap(), b"mine");
    assert_eq!(names(dir.path()), ["settings.json"]);
}

#[test]
fn a_path_without_a_file_name_is_refused_by_name() {
    let err = replace(Path::new(".."), b"x").unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert_eq!(err.to_string(), ".. does not name a file");
}

#[cfg(windows)]
mod windows {
    use std::os::windows::fs::OpenOptionsExt;
    use std::sync::mpsc;

    use windows_sys::Win32::Storage::FileSystem::{FILE_SHARE_READ, FILE_SHARE_WRITE};

    use super::*;

    /// Opens `path` the way an antivirus or an editor may: sharing read and write, not delete.
    fn hold(path: &Path) -> std::fs::File {
        OpenOptions::new()
            .read(true)
            .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE)
            .open(path)
            .unwrap()
    }

    #[test]
    fn a_save_waits_for_another_program_to_let_go_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, b"old").unwrap();
        let held = hold(&path);
        let (blocked, attempts) = mpsc::channel();
        let saving = {
            let path = path.clone();
            // Patient enough that only the release below can end the wait.
            let patience = Patience {
                total: Duration::from_secs(120),
                ..PATIENCE
            };
            std::thread::spawn(move || {
                replace_with(&path, b"new", patience, |e| {
                    let _ = blocked.send(e.raw_os_error());
                })
            })
        };
        let code = attempts
            .recv_timeout(Duration::from_secs(60))
            .expect("the rename was blocked and retried");
        assert!(
            matches!(code, Some(5 | 32 | 33)),
            "blocked by {code:?}, not a sharing or lock violation"
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"old", "not replaced yet");
        drop(held);
        saving.join().unwrap().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(names(dir.path()), ["settings.json"]);
    }

    #[test]
    fn a_file_held_past_the_patience_keeps_its_content_and_the_error_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, b"old").unwrap();
        let _held = hold(&path);
        let patience = Patience {
            total: Duration::from_millis(200),
            ..PATIENCE
        };
        let mut retries = 0;
        let err = replace_with(&path, b"new", patience, |_| retries += 1).unwrap_err();
        assert!(retries > 1, "retried {retries} time(s)");
        let message = err.to_string();
        assert!(
            message.contains(&path.display().to_string())
                && message.contains("another program")
                && message.contains("previous content"),
            "{message}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(names(dir.path()), ["settings.json"]);
    }
}
