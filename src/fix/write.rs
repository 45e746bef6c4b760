//! Writing fixed files: atomically (temp file in the same directory, renamed over the
//! original), keeping the original's permissions and never touching a read-only file.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Replace the contents of `path` with `bytes`, atomically.
///
/// `expected` is what the file held when it was read; if it changed since, nothing is
/// written. Symlinks are followed (the link stays a link). A file whose permissions make it
/// read-only is refused even where the process could write it anyway (root).
pub fn write_atomic(path: &Path, expected: &[u8], bytes: &[u8]) -> io::Result<()> {
    let target = fs::canonicalize(path)?;
    let meta = fs::metadata(&target)?;
    if meta.permissions().readonly() {
        return Err(io::Error::new(io::ErrorKind::PermissionDenied, "the file is read-only"));
    }
    let current = fs::read(&target)?;
    if current != expected {
        return Err(io::Error::other("the file changed on disk while fixing; nothing was written"));
    }
    let dir = target
        .parent()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the file has no parent directory"))?;
    let mut tmp = tempfile::Builder::new().prefix(".buck-lint-fix").tempfile_in(dir).map_err(|e| {
        io::Error::new(e.kind(), format!("cannot create a temporary file in its directory ({})", e.kind()))
    })?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    fs::set_permissions(tmp.path(), meta.permissions())?;
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_keeps_permissions() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("BUCK");
        fs::write(&p, "old\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomic(&p, b"old\n", b"new\n").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"new\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o640);
        }
        // only the file itself is left in the directory
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[test]
    fn refuses_read_only_and_changed_files() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("BUCK");
        fs::write(&p, "old\n").unwrap();
        assert!(write_atomic(&p, b"other\n", b"new\n").is_err());
        let mut perms = fs::metadata(&p).unwrap().permissions();
        perms.set_readonly(true);
        fs::set_permissions(&p, perms).unwrap();
        let e = write_atomic(&p, b"old\n", b"new\n").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::PermissionDenied);
        assert_eq!(fs::read(&p).unwrap(), b"old\n");
    }
}
