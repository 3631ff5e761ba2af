//! The data key store: first key wins, destruction is final for that key.

use crate::KeyStore;

/// A second put with another key returns the first one, which `get_key` also returns.
pub async fn put_key_if_absent_keeps_the_first_key<S: KeyStore>(s: &S) {
    let first = s
        .put_key_if_absent("req-1", b"wrapped-1")
        .await
        .expect("put");
    assert_eq!(first, b"wrapped-1");
    let second = s
        .put_key_if_absent("req-1", b"wrapped-2")
        .await
        .expect("put");
    assert_eq!(second, b"wrapped-1", "the first key wins");
    assert_eq!(
        s.get_key("req-1").await.expect("get").as_deref(),
        Some(&b"wrapped-1"[..])
    );
    let other = s
        .put_key_if_absent("req-2", b"wrapped-3")
        .await
        .expect("put");
    assert_eq!(other, b"wrapped-3", "keys are per request");
}

/// A request that never had a key has none.
pub async fn unknown_key_is_none<S: KeyStore>(s: &S) {
    assert_eq!(s.get_key("nobody").await.expect("get"), None);
}

/// Destroying returns `true` once, then `false`; the key is gone, other keys stay.
pub async fn destroyed_key_is_gone<S: KeyStore>(s: &S) {
    s.put_key_if_absent("req-1", b"wrapped-1")
        .await
        .expect("put");
    s.put_key_if_absent("req-2", b"wrapped-2")
        .await
        .expect("put");
    assert!(
        s.destroy_key("req-1").await.expect("destroy"),
        "there was a key"
    );
    assert_eq!(s.get_key("req-1").await.expect("get"), None);
    assert!(
        !s.destroy_key("req-1").await.expect("destroy"),
        "already destroyed"
    );
    assert!(
        !s.destroy_key("nobody").await.expect("destroy"),
        "never had one"
    );
    assert_eq!(
        s.get_key("req-2").await.expect("get").as_deref(),
        Some(&b"wrapped-2"[..])
    );
}
