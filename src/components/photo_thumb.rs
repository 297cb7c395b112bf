use leptos::prelude::*;

use crate::idb;

/// A photo from IndexedDB, shown through an object URL that is released with the component.
#[component]
pub fn PhotoThumb(hash: String, #[prop(into)] alt: Signal<String>) -> impl IntoView {
    let url = RwSignal::new(None::<String>);
    let missing = RwSignal::new(false);
    let key = hash.clone();
    leptos::task::spawn_local(async move {
        match idb::load_photo(&key).await {
            Ok(Some(blob)) => match web_sys::Url::create_object_url_with_blob(&blob) {
                Ok(u) => url.set(Some(u)),
                Err(_) => missing.set(true),
            },
            _ => missing.set(true),
        }
    });
    on_cleanup(move || {
        if let Some(u) = url.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&u);
        }
    });
    view! {
        <span class="photo-thumb" data-hash=hash>
            {move || match url.get() {
                Some(src) => view! { <img src=src alt=move || alt.get() loading="lazy"/> }.into_any(),
                None if missing.get() => view! { <span class="photo-missing">"?"</span> }.into_any(),
                None => view! { <span class="photo-loading"></span> }.into_any(),
            }}
        </span>
    }
}
