//! Thumbnails: a customer's photo (and an agent's) shrunk by the server, so a conversation on a
//! phone loads a few dozen kilobytes per photo instead of the full file. The bubble shows the
//! thumbnail and opens the full photo.
//!
//! JPEG, PNG and WebP photos larger than [`MAX_SIDE`] on a side (or heavier than
//! [`SMALL_ENOUGH`]) get one; the camera's orientation (EXIF) is applied, since the thumbnail
//! carries no EXIF of its own. A photo with transparency becomes a PNG, any other a JPEG. A file
//! that does not decode, or whose size in pixels is past [`limits`], simply has no thumbnail: the
//! bubble then shows the file itself, as it did before.

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// The longest side of a thumbnail, in pixels (a bubble is at most 260 CSS pixels wide; twice
/// that for a phone's screen, rounded).
pub const MAX_SIDE: u32 = 480;
/// A photo this light is shown as it is.
pub const SMALL_ENOUGH: usize = 64 * 1024;
const JPEG_QUALITY: u8 = 78;

/// A made thumbnail: its bytes and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    pub bytes: Vec<u8>,
    pub mime_type: &'static str,
}

/// What a decoder may take on: 12,000 pixels a side and 256 MiB, far past any phone photo, so
/// a "photo" made to expand to gigabytes is refused instead of taking the server's memory.
fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    limits
}

/// The thumbnail of `bytes` (a file of type `mime_type`), or `None` when it needs none or
/// cannot have one. CPU-bound: call it from `spawn_blocking` (see [`make_async`]).
pub fn make(bytes: &[u8], mime_type: Option<&str>) -> Option<Thumbnail> {
    let format = match mime_type?.split(';').next()?.trim() {
        "image/jpeg" | "image/jpg" => ImageFormat::Jpeg,
        "image/png" => ImageFormat::Png,
        "image/webp" => ImageFormat::WebP,
        _ => return None,
    };
    let original = bytes.len();
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    let mut decoder = reader.into_decoder().ok()?;
    let (width, height) = decoder.dimensions();
    if width.max(height) <= MAX_SIDE && bytes.len() <= SMALL_ENOUGH {
        return None;
    }
    let orientation = decoder.orientation().ok();
    let mut photo = DynamicImage::from_decoder(decoder).ok()?;
    if let Some(o) = orientation {
        photo.apply_orientation(o);
    }
    let small = if photo.width().max(photo.height()) > MAX_SIDE {
        photo.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        photo
    };
    let mut out = Cursor::new(Vec::new());
    let mime_type = if small.color().has_alpha() {
        small.write_to(&mut out, ImageFormat::Png).ok()?;
        "image/png"
    } else {
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
        small.to_rgb8().write_with_encoder(encoder).ok()?;
        "image/jpeg"
    };
    let bytes = out.into_inner();
    // A thumbnail no lighter than the photo is not worth a second file.
    (bytes.len() < original).then_some(Thumbnail { bytes, mime_type })
}

/// [`make`] on the blocking pool, so decoding a large photo never stalls the runtime.
pub async fn make_async(
    bytes: std::sync::Arc<[u8]>,
    mime_type: Option<String>,
) -> Option<Thumbnail> {
    match tokio::task::spawn_blocking(move || make(&bytes, mime_type.as_deref())).await {
        Ok(made) => made,
        Err(e) => {
            tracing::warn!(error = %e, "making a thumbnail failed; the photo is shown as it is");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb, Rgba};

    /// A noisy photo (so it compresses like one), as a JPEG.
    pub fn photo(width: u32, height: u32) -> Vec<u8> {
        let img = ImageBuffer::from_fn(width, height, |x, y| {
            let n = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)) % 251;
            Rgb([n as u8, (x % 256) as u8, (y % 256) as u8])
        });
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img)
            .write_to(&mut out, ImageFormat::Jpeg)
            .unwrap();
        out.into_inner()
    }

    /// `jpeg` with an EXIF block saying the camera was turned (orientation 6: rotate 90°).
    fn turned(jpeg: &[u8]) -> Vec<u8> {
        let mut tiff = b"II*\0\x08\0\0\0".to_vec();
        tiff.extend([1, 0]); // one entry
        tiff.extend([0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]); // Orientation, SHORT, 1, 6
        tiff.extend([0, 0, 0, 0]); // no next IFD
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(tiff);
        let len = (app1.len() + 2) as u16;
        let mut out = jpeg[..2].to_vec();
        out.extend([0xff, 0xe1]);
        out.extend(len.to_be_bytes());
        out.extend(app1);
        out.extend(&jpeg[2..]);
        out
    }

    fn size_of(thumb: &Thumbnail) -> (u32, u32) {
        let img = image::load_from_memory(&thumb.bytes).unwrap();
        (img.width(), img.height())
    }

    #[test]
    fn a_photo_shrinks_to_480_pixels_on_its_longest_side_as_a_lighter_jpeg() {
        let big = photo(1600, 1200);
        let thumb = make(&big, Some("image/jpeg")).expect("a thumbnail");
        assert_eq!(thumb.mime_type, "image/jpeg");
        assert_eq!(size_of(&thumb), (480, 360));
        assert!(
            thumb.bytes.len() * 3 < big.len(),
            "{} of {}",
            thumb.bytes.len(),
            big.len()
        );
    }

    #[test]
    fn the_cameras_orientation_is_applied() {
        let thumb = make(&turned(&photo(1600, 1200)), Some("image/jpeg")).expect("a thumbnail");
        assert_eq!(size_of(&thumb), (360, 480), "turned upright");
    }

    #[test]
    fn transparency_is_kept_as_png() {
        let img = ImageBuffer::from_fn(900, 900, |x, y| {
            Rgba([(x % 256) as u8, (y % 256) as u8, 7, (x % 200) as u8])
        });
        let mut png = Cursor::new(Vec::new());
        DynamicImage::ImageRgba8(img)
            .write_to(&mut png, ImageFormat::Png)
            .unwrap();
        let thumb = make(&png.into_inner(), Some("image/png")).expect("a thumbnail");
        assert_eq!(thumb.mime_type, "image/png");
        assert_eq!(size_of(&thumb), (480, 480));
    }

    #[test]
    fn small_photos_broken_files_and_other_types_get_none() {
        let small = photo(300, 200);
        assert!(small.len() <= SMALL_ENOUGH);
        assert_eq!(make(&small, Some("image/jpeg")), None, "shown as it is");
        assert_eq!(
            make(b"\xff\xd8\xff\xe0 not really", Some("image/jpeg")),
            None
        );
        assert_eq!(make(&photo(1600, 1200), Some("application/pdf")), None);
        assert_eq!(make(&photo(1600, 1200), None), None);
        // A PNG whose header claims 50,000 × 50,000 pixels is refused before decoding.
        let mut bomb = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        bomb.extend(50_000u32.to_be_bytes());
        bomb.extend(50_000u32.to_be_bytes());
        bomb.extend([8, 2, 0, 0, 0, 0, 0, 0, 0]);
        bomb.resize(100 * 1024, 0);
        assert_eq!(make(&bomb, Some("image/png")), None);
    }
}
