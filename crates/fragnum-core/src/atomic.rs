//! Writing files so that a reader never sees half of one: write a temporary file beside the
//! target, flush it to disk, then rename it over the target.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;

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
    builder.prefix(".fragnum-").suffix(".part");
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
    Ok(())
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
