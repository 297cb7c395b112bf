use leptos::prelude::*;

use crate::idb;
use crate::net::HttpTransport;
use crate::state::use_app_state;

/// A photo from IndexedDB, shown through an object URL that is released with the component.
#[component]
pub fn PhotoThumb(hash: String, #[prop(into)] alt: Signal<String>) -> impl IntoView {
    let url = RwSignal::new(None::<String>);
    let missing = RwSignal::new(false);
    let key = hash.clone();
    // A photo taken on another tablet is not on this device: the server has it under its hash,
    // behind the session's token (which an `<img src>` could not send).
    let state = use_app_state();
    let remote = HttpTransport::new(
        state.settings.with_untracked(|s| s.api_base()),
        state.account.with_untracked(|a| a.token()),
    );
    leptos::task::spawn_local(async move {
        let blob = match idb::load_photo(&key).await {
            Ok(Some(blob)) => Some(blob),
            Ok(None) => remote.get_photo(&key).await.ok(),
            Err(_) => None,
        };
        match blob.and_then(|b| web_sys::Url::create_object_url_with_blob(&b).ok()) {
            Some(u) => url.set(Some(u)),
            None => missing.set(true),
        }
    });
    on_cleanup(move || {
        if let Some(u) = url.get_untracked().filter(|u| u.starts_with("blob:")) {
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
