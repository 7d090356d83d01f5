//! The media store: each file named by the SHA-256 of its bytes, so the same file is kept once,
//! under `<first two hex digits>/<sha256>` (and its photo's thumbnail beside it, `<sha256>.thumb`).
//!
//! On disk (the default), under `INBOX_DATA_DIR/media`: written to a temporary file and renamed
//! into place, so a reader never sees half a file and a crash leaves no torn one. In an
//! S3-compatible bucket (`INBOX_MEDIA_S3_URL`, for several servers sharing one store, see
//! [`super::s3`]): an object appears whole when its upload completes; an agent's upload is still
//! written to a local temporary file first, hashed on the way, then sent to the bucket.

use super::s3::Bucket;
use sha2::{Digest, Sha256};
use std::io;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

#[derive(Debug, Clone)]
pub struct MediaStore {
    /// The files (on disk), and the temporary files of uploads (with either backend).
    root: PathBuf,
    bucket: Option<Bucket>,
}

/// Where a stored file is read from, to serve it.
pub enum Located {
    Disk(PathBuf),
    Bucket(Bucket, super::s3::Key),
}

impl MediaStore {
    /// A store under `root` (created when missing). Temporary files an hour old are left
    /// from a process that died mid-write, and are removed.
    pub fn open(root: impl Into<PathBuf>) -> io::Result<MediaStore> {
        let root = root.into();
        std::fs::create_dir_all(root.join("tmp"))?;
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for entry in std::fs::read_dir(root.join("tmp"))?.flatten() {
            if entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < hour_ago)
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(MediaStore { root, bucket: None })
    }

    /// A store in an S3-compatible bucket; `root` keeps only uploads on their way in.
    pub fn open_bucket(root: impl Into<PathBuf>, bucket: Bucket) -> io::Result<MediaStore> {
        let mut store = MediaStore::open(root)?;
        store.bucket = Some(bucket);
        Ok(store)
    }

    /// "disk" or "s3", for the logs.
    pub fn backend(&self) -> &'static str {
        if self.bucket.is_some() {
            "s3"
        } else {
            "disk"
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The SHA-256 (lowercase hex) of `bytes`: the file's name in the store.
    pub fn name_of(bytes: &[u8]) -> String {
        format!("{:x}", Sha256::digest(bytes))
    }

    /// Where the file named `sha256` lives on disk (whether or not it is there).
    pub fn path(&self, sha256: &str) -> PathBuf {
        self.root.join(&sha256[..2.min(sha256.len())]).join(sha256)
    }

    fn thumb_path(&self, sha256: &str) -> PathBuf {
        self.path(&format!("{sha256}.thumb"))
    }

    /// Where the file named `sha256` (or its thumbnail) is read from.
    pub fn locate(&self, sha256: &str, thumb: bool) -> Located {
        let name = if thumb {
            format!("{sha256}.thumb")
        } else {
            sha256.to_owned()
        };
        match &self.bucket {
            Some(b) => Located::Bucket(b.clone(), b.key(&name)),
            None => Located::Disk(self.path(&name)),
        }
    }

    /// Whether the store holds the file named `sha256`.
    pub async fn exists(&self, sha256: &str) -> io::Result<bool> {
        match &self.bucket {
            Some(b) => b.exists(sha256).await,
            None => tokio::fs::try_exists(self.path(sha256)).await,
        }
    }

    /// Keeps `bytes`; returns their name. A file already there is left as it is.
    pub async fn put(&self, bytes: &[u8]) -> io::Result<String> {
        if let Some(b) = &self.bucket {
            let name = Self::name_of(bytes);
            if b.size_of(&name).await? != Some(bytes.len() as u64) {
                b.put(&name, bytes.to_vec()).await?;
            }
            return Ok(name);
        }
        let mut incoming = self.incoming().await?;
        incoming.write(bytes).await?;
        incoming.keep().await
    }

    /// Keeps the thumbnail of the file named `sha256`.
    pub async fn put_thumb(&self, sha256: &str, bytes: &[u8]) -> io::Result<()> {
        if !is_name(sha256) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a file name",
            ));
        }
        if let Some(b) = &self.bucket {
            return b.put(&format!("{sha256}.thumb"), bytes.to_vec()).await;
        }
        let tmp = self.root.join("tmp").join(uuid::Uuid::new_v4().to_string());
        let path = self.thumb_path(sha256);
        let placed = async {
            tokio::fs::write(&tmp, bytes).await?;
            tokio::fs::create_dir_all(path.parent().expect("a file in a directory")).await?;
            tokio::fs::rename(&tmp, &path).await
        }
        .await;
        if placed.is_err() {
            let _ = tokio::fs::remove_file(&tmp).await;
        }
        placed
    }

    /// A file to be written as it arrives (an agent's upload), hashed on the way.
    pub async fn incoming(&self) -> io::Result<Incoming> {
        let tmp = self.root.join("tmp").join(uuid::Uuid::new_v4().to_string());
        let file = tokio::fs::File::create(&tmp).await?;
        Ok(Incoming {
            store: self.clone(),
            tmp: Some(tmp),
            file,
            hasher: Sha256::new(),
            size: 0,
        })
    }

    /// The bytes of the file named `sha256` (`NotFound` when the store does not hold it).
    pub async fn read(&self, sha256: &str) -> io::Result<Vec<u8>> {
        if !is_name(sha256) {
            return Err(io::Error::new(io::ErrorKind::NotFound, "not a file name"));
        }
        match &self.bucket {
            Some(b) => b.read(sha256).await,
            None => tokio::fs::read(self.path(sha256)).await,
        }
    }

    /// Removes the file named `sha256` and its thumbnail; one already gone is fine.
    pub async fn remove(&self, sha256: &str) -> io::Result<()> {
        if !is_name(sha256) {
            return Ok(());
        }
        if let Some(b) = &self.bucket {
            b.remove(sha256).await?;
            return b.remove(&format!("{sha256}.thumb")).await;
        }
        for path in [self.path(sha256), self.thumb_path(sha256)] {
            match tokio::fs::remove_file(path).await {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }
}

/// A SHA-256 in lowercase hex: the only names the store has.
pub fn is_name(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A file on its way into the store. Written to `tmp/` and renamed into place by [`keep`]
/// after it is flushed to disk, so a reader never sees half a file and a crash leaves no torn
/// one; dropped unkept, the temporary file is removed.
///
/// [`keep`]: Incoming::keep
pub struct Incoming {
    store: MediaStore,
    tmp: Option<PathBuf>,
    file: tokio::fs::File,
    hasher: Sha256,
    size: u64,
}

impl Incoming {
    pub async fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        self.file.write_all(chunk).await
    }

    /// The bytes written so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Keeps the file under its SHA-256; returns the name. The same bytes already there are
    /// kept once.
    pub async fn keep(mut self) -> io::Result<String> {
        let name = format!("{:x}", std::mem::take(&mut self.hasher).finalize());
        let path = self.store.path(&name);
        self.file.flush().await?;
        // The temporary file stays ours (removed on drop) until it is placed: a request given
        // up half way through an upload leaves nothing behind.
        let tmp = self.tmp.clone().expect("kept once");
        if let Some(b) = self.store.bucket.clone() {
            match b.size_of(&name).await? {
                Some(size) if size == self.size => {}
                _ => b.put_file(&name, &tmp).await?,
            }
            return Ok(name);
        }
        self.file.sync_all().await?;
        if tokio::fs::metadata(&path)
            .await
            .is_ok_and(|m| m.len() == self.size)
        {
            return Ok(name);
        }
        let dir = path.parent().expect("a file in a directory").to_path_buf();
        let placed = async {
            tokio::fs::create_dir_all(&dir).await?;
            tokio::fs::rename(&tmp, &path).await?;
            // The rename itself is made durable by syncing the directory.
            tokio::fs::File::open(&dir).await?.sync_all().await
        }
        .await;
        placed?;
        // Renamed into place: nothing left to remove.
        self.tmp = None;
        Ok(name)
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let _ = std::fs::remove_file(tmp);
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
        assert_eq!(store.read(&a).await.unwrap(), b"hello");
        // An upload given up half way leaves nothing behind.
        let mut half = store.incoming().await.unwrap();
        half.write(b"hel").await.unwrap();
        drop(half);
        assert_eq!(std::fs::read_dir(dir.join("tmp")).unwrap().count(), 0);
        assert!(store.read("../../etc/passwd").await.is_err());
        store.put_thumb(&a, b"small").await.unwrap();
        assert!(
            matches!(store.locate(&a, true), Located::Disk(p) if std::fs::read(&p).unwrap() == b"small")
        );
        assert!(store.put_thumb("../x", b"small").await.is_err());
        store.remove(&a).await.unwrap();
        store.remove(&a).await.unwrap();
        assert!(!store.path(&a).exists());
        assert!(
            matches!(store.locate(&a, true), Located::Disk(p) if !p.exists()),
            "the thumbnail goes with it"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
