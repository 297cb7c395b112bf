//! Entry point: mounts the app. Natively (for `cargo test --workspace`) there is nothing to run.

#[cfg(target_arch = "wasm32")]
fn main() {
    praatplaat::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "The Praatplaat app runs in the browser: build it with `trunk build` (see README.md)."
    );
}
