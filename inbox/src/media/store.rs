//! The media store on disk: each file under `<root>/<first two hex digits>/<sha256>`, named by
//! the SHA-256 of its bytes, so the same file is kept once. Written to a temporary file and
//! renamed into place, so a reader never sees half a file and a crash leaves no torn one.

use sha2::{Digest, Sha256};
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct MediaStore {
    root: PathBuf,
}

impl MediaStore {
    /// A store under `root` (created when missing).
    pub fn open(root: impl Into<PathBuf>) -> io::Result<MediaStore> {
        let root = root.into();
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(MediaStore { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The SHA-256 (lowercase hex) of `bytes`: the file's name in the store.
    pub fn name_of(bytes: &[u8]) -> String {
        format!("{:x}", Sha256::digest(bytes))
    }

    /// Where the file named `sha256` lives (whether or not it is there).
    pub fn path(&self, sha256: &str) -> PathBuf {
        self.root.join(&sha256[..2.min(sha256.len())]).join(sha256)
    }

    /// Keeps `bytes`; returns their name. A file already there is left as it is.
    pub async fn put(&self, bytes: &[u8]) -> io::Result<String> {
        let name = Self::name_of(bytes);
        let path = self.path(&name);
        if tokio::fs::metadata(&path)
            .await
            .is_ok_and(|m| m.len() == bytes.len() as u64)
        {
            return Ok(name);
        }
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        let tmp = self
            .root
            .join("tmp")
            .join(format!("{name}.{}", uuid::Uuid::new_v4()));
        tokio::fs::write(&tmp, bytes).await?;
        if let Err(e) = tokio::fs::rename(&tmp, &path).await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(e);
        }
        Ok(name)
    }

    /// Removes the file named `sha256`; one already gone is fine.
    pub async fn remove(&self, sha256: &str) -> io::Result<()> {
        match tokio::fs::remove_file(self.path(sha256)).await {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_same_bytes_are_kept_once_under_their_hash() {
        let dir = std::env::temp_dir().join(format!("media-store-{}", uuid::Uuid::new_v4()));
        let store = MediaStore::open(&dir).unwrap();
        let a = store.put(b"hello").await.unwrap();
        let b = store.put(b"hello").await.unwrap();
        assert_eq!(a, b);
        assert_eq!(
            a,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(std::fs::read(store.path(&a)).unwrap(), b"hello");
        assert_eq!(std::fs::read_dir(dir.join("2c")).unwrap().count(), 1);
        assert_eq!(std::fs::read_dir(dir.join("tmp")).unwrap().count(), 0);
        store.remove(&a).await.unwrap();
        store.remove(&a).await.unwrap();
        assert!(!store.path(&a).exists());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
