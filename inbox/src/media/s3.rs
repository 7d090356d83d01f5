//! The media store in an S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, Wasabi, …), for
//! installations with several servers: every server reads and writes the same files. Through
//! the `object_store` crate (Apache Arrow's), which signs requests (SigV4), retries, and switches
//! to a multipart upload for large files.
//!
//! Configured by `INBOX_MEDIA_S3_URL`, the bucket's address in path style
//! (`https://s3.ap-southeast-3.amazonaws.com/my-bucket`, optionally with a prefix:
//! `…/my-bucket/inbox`), and `INBOX_MEDIA_S3_ACCESS_KEY_ID`, `INBOX_MEDIA_S3_SECRET_ACCESS_KEY`,
//! `INBOX_MEDIA_S3_REGION` (default `us-east-1`, which MinIO and R2 accept). The secret is never
//! logged: [`S3Config`]'s `Debug` leaves it out.

use bytes::Bytes;
use futures::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
pub use object_store::path::Path as Key;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload};
use std::io;
use std::ops::Range;
use std::sync::Arc;
use tokio::io::AsyncWriteExt;

/// Files larger than this go up in parts (S3's multipart upload), so an upload never needs
/// more memory than one part.
pub const PART_BYTES: usize = 8 * 1024 * 1024;

/// Where the bucket is and how to sign for it.
#[derive(Clone)]
pub struct S3Config {
    /// The bucket's address, path style: `https://host[:port]/bucket[/prefix]`.
    pub url: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub region: String,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("url", &self.url)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("region", &self.region)
            .finish()
    }
}

/// An open bucket (cheap to clone).
#[derive(Clone)]
pub struct Bucket {
    store: Arc<AmazonS3>,
    prefix: String,
    name: String,
}

impl std::fmt::Debug for Bucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bucket({}/{})", self.name, self.prefix)
    }
}

impl Bucket {
    pub fn open(config: &S3Config) -> anyhow::Result<Bucket> {
        let url =
            url::Url::parse(&config.url).map_err(|e| anyhow::anyhow!("INBOX_MEDIA_S3_URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            anyhow::bail!("INBOX_MEDIA_S3_URL: expected https://host/bucket");
        }
        // Credentials in the address would be sent along and printed with it.
        if !url.username().is_empty() || url.password().is_some() {
            anyhow::bail!("INBOX_MEDIA_S3_URL: put the credentials in INBOX_MEDIA_S3_ACCESS_KEY_ID and INBOX_MEDIA_S3_SECRET_ACCESS_KEY, not in the address");
        }
        let mut segments = url
            .path_segments()
            .map(|s| {
                s.filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        if segments.is_empty() {
            anyhow::bail!("INBOX_MEDIA_S3_URL: the bucket's name is missing (https://host/bucket)");
        }
        let name = segments.remove(0);
        let endpoint = url[..url::Position::BeforePath].to_string();
        let store = AmazonS3Builder::new()
            .with_endpoint(endpoint)
            .with_bucket_name(&name)
            .with_region(&config.region)
            .with_access_key_id(&config.access_key_id)
            .with_secret_access_key(&config.secret_access_key)
            .with_virtual_hosted_style_request(false)
            .with_allow_http(url.scheme() == "http")
            // Files leave one at a time: a plain `DELETE /key`, which every S3-compatible
            // store has (not all have the bulk `POST /?delete`).
            .with_config(AmazonS3ConfigKey::DisableBulkDelete, "true")
            .build()
            .map_err(|e| anyhow::anyhow!("INBOX_MEDIA_S3_URL: {e}"))?;
        Ok(Bucket {
            store: Arc::new(store),
            prefix: segments.join("/"),
            name,
        })
    }

    /// The object's key for the file named `name` (`<prefix>/<2 hex>/<name>`).
    pub fn key(&self, name: &str) -> Key {
        let fan = &name[..2.min(name.len())];
        if self.prefix.is_empty() {
            Key::from(format!("{fan}/{name}"))
        } else {
            Key::from(format!("{}/{fan}/{name}", self.prefix))
        }
    }

    /// The object's size, or `None` when the bucket does not hold it.
    pub async fn size_of(&self, name: &str) -> io::Result<Option<u64>> {
        match self.store.head(&self.key(name)).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(io_error(e)),
        }
    }

    pub async fn exists(&self, name: &str) -> io::Result<bool> {
        Ok(self.size_of(name).await?.is_some())
    }

    pub async fn put(&self, name: &str, bytes: Vec<u8>) -> io::Result<()> {
        self.store
            .put(&self.key(name), PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(io_error)
    }

    /// Sends a local file, in parts past [`PART_BYTES`].
    pub async fn put_file(&self, name: &str, path: &std::path::Path) -> io::Result<()> {
        let mut file = tokio::fs::File::open(path).await?;
        let mut writer = object_store::buffered::BufWriter::with_capacity(
            self.store.clone(),
            self.key(name),
            PART_BYTES,
        );
        let sent = match tokio::io::copy(&mut file, &mut writer).await {
            Ok(_) => writer.shutdown().await,
            Err(e) => Err(e),
        };
        // A multipart upload left open would keep its parts (and their cost) in the bucket.
        if sent.is_err() {
            let _ = writer.abort().await;
        }
        sent
    }

    pub async fn read(&self, name: &str) -> io::Result<Vec<u8>> {
        let got = self.store.get(&self.key(name)).await.map_err(io_error)?;
        Ok(got.bytes().await.map_err(io_error)?.to_vec())
    }

    /// One object (or a range of it), as a stream: its whole size, the range sent, the bytes.
    pub async fn stream(&self, key: &Key, range: Option<Range<u64>>) -> io::Result<Streamed> {
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..Default::default()
        };
        let got = self.store.get_opts(key, options).await.map_err(io_error)?;
        let (size, range) = (got.meta.size, got.range.clone());
        let bytes = got.into_stream().map(|r| r.map_err(io_error)).boxed();
        Ok(Streamed { size, range, bytes })
    }

    pub async fn size_at(&self, key: &Key) -> io::Result<u64> {
        Ok(self.store.head(key).await.map_err(io_error)?.size)
    }

    /// Removes an object; one already gone is fine.
    pub async fn remove(&self, name: &str) -> io::Result<()> {
        match self.store.delete(&self.key(name)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(io_error(e)),
        }
    }
}

/// An object read from the bucket.
pub struct Streamed {
    pub size: u64,
    pub range: Range<u64>,
    pub bytes: futures::stream::BoxStream<'static, io::Result<Bytes>>,
}

fn io_error(e: object_store::Error) -> io::Error {
    match e {
        object_store::Error::NotFound { .. } => io::Error::new(io::ErrorKind::NotFound, e),
        e => io::Error::other(e),
    }
}
