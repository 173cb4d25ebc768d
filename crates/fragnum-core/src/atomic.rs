//! Writing files so that a reader never sees half of one: write a temporary file beside the
//! target, flush it to disk, then rename it over the target.
//!
//! A process killed mid-write leaves its temporary file (`.fragnum-*.part`) behind:
//! [`remove_leftovers`] clears them at the start of the next run. [`start_recording`] and
//! [`take_recorded`] list every file written, for the CLI's `manifest.json`.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// Name prefix and suffix of the temporary files.
const TEMP_PREFIX: &str = ".fragnum-";
const TEMP_SUFFIX: &str = ".part";

/// The files written since [`start_recording`] (`None`: not recording).
static RECORDED: Mutex<Option<Vec<PathBuf>>> = Mutex::new(None);

/// Writes `path` atomically with the bytes produced by `fill`.
///
/// The parent directory is created if needed. On any error the target is left untouched.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("out.txt");
/// fragnum_core::atomic::write_with(&path, |w| w.write_all(b"bonjour")).unwrap();
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), "bonjour");
/// # use std::io::Write;
/// ```
pub fn write_with<F>(path: &Path, fill: F) -> io::Result<()>
where
    F: FnOnce(&mut dyn Write) -> io::Result<()>,
{
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    fs::create_dir_all(parent)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    #[cfg(unix)]
    {
        // As for any file a program creates: 0666 less the umask (usually 0644). tempfile's own
        // 0600 would hide the outputs from a web server or a colleague reading the atlas files.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(parent)?;
    {
        let mut writer = BufWriter::new(tmp.as_file_mut());
        fill(&mut writer)?;
        writer.flush()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    if let Some(list) = RECORDED.lock().unwrap_or_else(PoisonError::into_inner).as_mut() {
        list.push(path.to_path_buf());
    }
    Ok(())
}

/// From now on, remembers every file this process writes through [`write_with`] (a new call
/// forgets those remembered so far).
pub fn start_recording() {
    *RECORDED.lock().unwrap_or_else(PoisonError::into_inner) = Some(Vec::new());
}

/// The files written since [`start_recording`], in the order written (a file written twice is
/// listed once), and stops recording. Empty when not recording.
pub fn take_recorded() -> Vec<PathBuf> {
    let mut list = RECORDED.lock().unwrap_or_else(PoisonError::into_inner).take().unwrap_or_default();
    let mut seen = std::collections::HashSet::new();
    list.retain(|p| seen.insert(p.clone()));
    list
}

/// Removes the temporary files (`.fragnum-*.part`) that a killed process left in `dir` (not in
/// its subfolders) and returns them. A missing folder has none. Not for a folder another
/// process is writing into at the same time: its temporary files would go too.
pub fn remove_leftovers(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut removed = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX) && entry.file_type()?.is_file() {
            fs::remove_file(entry.path())?;
            removed.push(entry.path());
        }
    }
    removed.sort();
    Ok(removed)
}

/// Writes `bytes` to `path` atomically.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with(path, |w| w.write_all(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_fill_leaves_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.txt");
        write_bytes(&path, b"old").unwrap();
        let err = write_with(&path, |_| Err(io::Error::other("boom")));
        assert!(err.is_err());
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        // No temporary file left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn leftovers_of_a_killed_write_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        write_bytes(&dir.path().join("zones.csv"), b"code\n").unwrap();
        // What a kill between the temporary file's creation and its rename leaves.
        let tmp = tempfile::Builder::new().prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX).tempfile_in(dir.path()).unwrap();
        let (_, left) = tmp.keep().unwrap();
        fs::write(dir.path().join("notes.part"), b"mine").unwrap();
        fs::create_dir(dir.path().join(".fragnum-x.part")).unwrap();
        assert_eq!(remove_leftovers(dir.path()).unwrap(), vec![left.clone()]);
        assert!(!left.exists());
        for kept in ["zones.csv", "notes.part", ".fragnum-x.part"] {
            assert!(dir.path().join(kept).exists(), "{kept}");
        }
        assert!(remove_leftovers(&dir.path().join("absent")).unwrap().is_empty());
    }

    #[test]
    fn written_files_are_recorded_once() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.txt"), dir.path().join("sub/b.txt"));
        start_recording();
        write_bytes(&a, b"1").unwrap();
        write_bytes(&b, b"2").unwrap();
        write_bytes(&a, b"3").unwrap();
        let _ = write_with(&dir.path().join("c.txt"), |_| Err(io::Error::other("boom")));
        // Other tests of this crate may write while recording: keep only this one's files.
        let mine: Vec<PathBuf> = take_recorded().into_iter().filter(|p| p.starts_with(dir.path())).collect();
        assert_eq!(mine, vec![a, b]);
        assert!(take_recorded().is_empty(), "recording stopped");
    }

    #[cfg(unix)]
    #[test]
    fn outputs_get_the_usual_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (atomic, plain) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
        write_bytes(&atomic, b"x").unwrap();
        fs::write(&plain, b"x").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&atomic), mode(&plain), "same as a plain write under the same umask");
    }
}
