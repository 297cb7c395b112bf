//! Photos taken with the tablet camera: downscaled on the device (longest side at most
//! `photo::MAX_SIDE`, JPEG under `photo::TARGET_BYTES`), named by the SHA-256 of their bytes.

use js_sys::Uint8Array;
use praatplaat_domain::model::PhotoRef;
use praatplaat_domain::photo::{content_hash, fit, TARGET_BYTES};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, ImageBitmap, ImageEncodeOptions, OffscreenCanvas, OffscreenCanvasRenderingContext2d,
};

use crate::idb;

/// JPEG qualities tried in turn until the photo fits the size target.
const QUALITIES: [f32; 5] = [0.85, 0.75, 0.65, 0.55, 0.45];
/// When even the lowest quality is too big (a very busy picture), the sides shrink by this factor
/// and the qualities are tried again, down to [`MIN_SIDE`].
const SHRINK: f64 = 0.8;
const MIN_SIDE: u32 = 480;

fn js_error(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

/// The bitmap at `width` x `height` as JPEG, at the first quality that fits the size target (or
/// the lowest one).
async fn encode(bitmap: &ImageBitmap, width: u32, height: u32) -> Result<Blob, String> {
    let canvas = OffscreenCanvas::new(width, height).map_err(js_error)?;
    let context: OffscreenCanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(js_error)?
        .ok_or("no 2D canvas")?
        .unchecked_into();
    context
        .draw_image_with_image_bitmap_and_dw_and_dh(
            bitmap,
            0.0,
            0.0,
            f64::from(width),
            f64::from(height),
        )
        .map_err(js_error)?;
    let mut jpeg = None;
    for quality in QUALITIES {
        let options = ImageEncodeOptions::new();
        options.set_type("image/jpeg");
        options.set_quality(f64::from(quality));
        let blob: Blob = JsFuture::from(
            canvas
                .convert_to_blob_with_options(&options)
                .map_err(js_error)?,
        )
        .await
        .map_err(js_error)?
        .unchecked_into();
        let fits = blob.size() as usize <= TARGET_BYTES;
        jpeg = Some(blob);
        if fits {
            break;
        }
    }
    jpeg.ok_or_else(|| "no JPEG encoder".to_owned())
}

/// Downscales `file`, stores it in IndexedDB and queues it for upload; returns its reference.
pub async fn import(file: &Blob) -> Result<PhotoRef, String> {
    let bitmap: ImageBitmap = JsFuture::from(
        leptos::prelude::window()
            .create_image_bitmap_with_blob(file)
            .map_err(js_error)?,
    )
    .await
    .map_err(|_| "this file is not an image the browser can read".to_owned())?
    .unchecked_into();
    let (mut width, mut height) = fit(bitmap.width(), bitmap.height());
    let blob = loop {
        let blob = encode(&bitmap, width, height).await?;
        let smaller = (
            (f64::from(width) * SHRINK) as u32,
            (f64::from(height) * SHRINK) as u32,
        );
        if blob.size() as usize <= TARGET_BYTES || smaller.0.max(smaller.1) < MIN_SIDE {
            break blob;
        }
        (width, height) = (smaller.0.max(1), smaller.1.max(1));
    };
    bitmap.close();
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(js_error)?;
    let bytes = Uint8Array::new(&buffer).to_vec();
    let hash = content_hash(&bytes);
    idb::save_photo(&hash, &blob)
        .await
        .map_err(|e| e.to_string())?;
    Ok(PhotoRef {
        hash,
        width,
        height,
        bytes: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
    })
}
