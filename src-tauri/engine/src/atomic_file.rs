//! Replacing a file's content so that a crash at any moment leaves the old content or the new,
//! never a torn file: the bytes go to a temporary file in the same directory, are flushed to
//! disk, and the temporary file is renamed over the target.
//!
//! On Windows the rename fails while another program holds the target open without sharing
//! delete access — an antivirus scanning it, the search indexer, an editor — with a sharing
//! violation, a lock violation or access denied. Those clear within moments, so the rename is
//! retried with a growing pause for about two seconds before giving up with an error that says
//! so. Whatever fails, the old file is untouched and the temporary file is removed.

use std::ffi::OsStr;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The suffix of temporary files; their names are `.<target's stem>-<random>.tmp`.
const TMP_SUFFIX: &str = ".tmp";

/// How long a replacement keeps retrying a rename that another program blocks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Patience {
    /// The first pause; each next one is twice as long, up to `longest`.
    pub first: Duration,
    /// The longest single pause.
    pub longest: Duration,
    /// How long to keep trying in all.
    pub total: Duration,
}

/// The patience of [`replace`]: long enough for a scan or an index pass, short enough that
/// a person saving settings is not left waiting.
pub(crate) const PATIENCE: Patience = Patience {
    first: Duration::from_millis(10),
    longest: Duration::from_millis(250),
    total: Duration::from_secs(2),
};

/// Replaces the content of `path` with `bytes`, creating the file and its directory if needed.
/// On Windows, waits up to about two seconds for another program that holds the file open;
/// then fails with an error naming the file. On any failure the old file is left as it was.
pub fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace_with(path, bytes, PATIENCE, |_| {})
}

/// [`replace`] with a given patience; `on_retry` is told each blocked attempt before its pause.
pub(crate) fn replace_with(
    path: &Path,
    bytes: &[u8],
    patience: Patience,
    mut on_retry: impl FnMut(&io::Error),
) -> io::Result<()> {
    let (dir, prefix) = parts(path)?;
    std::fs::create_dir_all(dir)?;
    let tmp = Temporary::write(dir, &prefix, bytes)?;
    let started = Instant::now();
    let mut pause = patience.first;
    loop {
        match std::fs::rename(&tmp.path, path) {
            Ok(()) => break,
            Err(e) if held_by_another(&e) && !refuses_replacement(path) => {
                let waited = started.elapsed();
                if waited >= patience.total {
                    return Err(held_error(path, waited, &e));
                }
                on_retry(&e);
                std::thread::sleep(pause.min(patience.total - waited));
                pause = (pause * 2).min(patience.longest);
            }
            Err(e) => return Err(e),
        }
    }
    tmp.renamed();
    sync_dir(dir);
    Ok(())
}

/// Removes the temporary files that replacements of `path` left behind when the process died
/// in the middle (only files named like [`replace`]'s own). Errors are ignored: a leftover that
/// cannot be removed is harmless.
pub fn remove_leftovers(path: &Path) {
    let Ok((dir, prefix)) = parts(path) else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&prefix) && name.ends_with(TMP_SUFFIX) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The directory of `path` and the name prefix of its temporary files.
fn parts(path: &Path) -> io::Result<(&Path, String)> {
    let stem = path
        .file_stem()
        .map(OsStr::to_string_lossy)
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} does not name a file", path.display()),
            )
        })?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Ok((dir, format!(".{stem}-")))
}

/// True for the errors of a rename that another program's open handle blocks for now.
#[cfg(windows)]
fn held_by_another(e: &io::Error) -> bool {
    use windows_sys::Win32::Foundation::{
        ERROR_ACCESS_DENIED, ERROR_LOCK_VIOLATION, ERROR_SHARING_VIOLATION,
    };
    e.raw_os_error()
        .and_then(|code| u32::try_from(code).ok())
        .is_some_and(|code| {
            matches!(
                code,
                ERROR_SHARING_VIOLATION | ERROR_LOCK_VIOLATION | ERROR_ACCESS_DENIED
            )
        })
}

/// Elsewhere an open file never blocks a rename over it.
#[cfg(not(windows))]
fn held_by_another(_e: &io::Error) -> bool {
    false
}

/// True when `path` is no file a rename may replace (a directory, or a read-only file, which
/// Windows refuses to replace): waiting would not help, so the error is returned at once.
fn refuses_replacement(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_dir() || m.permissions().readonly())
}

fn held_error(path: &Path, waited: Duration, e: &io::Error) -> io::Error {
    io::Error::new(
        e.kind(),
        format!(
            "another program (an antivirus, the search indexer, an editor?) holds {} open: it \
             could not be replaced for {:.1} s and keeps its previous content ({e})",
            path.display(),
            waited.as_secs_f64()
        ),
    )
}

/// A temporary file beside the target, removed when dropped unless renamed.
struct Temporary {
    path: PathBuf,
}

impl Temporary {
    /// Writes `bytes` to a new, uniquely named file in `dir`, flushes them to disk and closes
    /// the file (Windows renames a closed file more readily than an open one).
    fn write(dir: &Path, prefix: &str, bytes: &[u8]) -> io::Result<Self> {
        const TRIES: usize = 16;
        for _ in 0..TRIES {
            let path = dir.join(format!(
                "{prefix}{:016x}{TMP_SUFFIX}",
                rand::random::<u64>()
            ));
            let mut file = match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => file,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            };
            let tmp = Self { path };
            let written = file.write_all(bytes).and_then(|()| file.sync_all());
            drop(file);
            written?;
            return Ok(tmp);
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("no free temporary file name in {}", dir.display()),
        ))
    }

    /// The rename took the file: nothing is left to remove.
    fn renamed(mut self) {
        self.path = PathBuf::new();
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            // The target is untouched; a temporary file that cannot be removed is swept up by
            // `remove_leftovers` later.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Flushes the directory entry of the rename (POSIX); elsewhere the rename is enough.
#[cfg(unix)]
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        // A failure here only weakens durability after a power cut, not atomicity.
        let _ = d.sync_all();
    }
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) {}

#[cfg(test)]
mod tests;
