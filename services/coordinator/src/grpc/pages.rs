//! Pages of a list, bounded by count and by encoded size: whatever was stored, a response
//! stays under [`MAX_PAGE_BYTES`], below the 4 MiB a default gRPC client accepts.

use super::limits::MAX_PAGE_BYTES;
use prost::Message;

/// The items that fit, in order, and the token to continue after the last one. `items`
/// come with their own token; `rest` is the token when every item fits but more remain
/// beyond them. The first item is always taken (its size is bounded by the input limits).
pub fn fit<T: Message>(
    items: impl IntoIterator<Item = (T, String)>,
    rest: Option<String>,
) -> (Vec<T>, Option<String>) {
    fit_within(items, rest, MAX_PAGE_BYTES)
}

fn fit_within<T: Message>(
    items: impl IntoIterator<Item = (T, String)>,
    rest: Option<String>,
    budget: usize,
) -> (Vec<T>, Option<String>) {
    let mut page = Vec::new();
    let mut used = 0;
    let mut last = None;
    for (item, token) in items {
        // The field's tag and length prefix: at most 1 + 10 bytes.
        let size = item.encoded_len() + 11;
        if !page.is_empty() && used + size > budget {
            return (page, last);
        }
        used += size;
        page.push(item);
        last = Some(token);
    }
    (page, rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use erasure_proto::v1::GetRequest;

    fn item(n: usize) -> (GetRequest, String) {
        let g = GetRequest {
            request_id: "x".repeat(100),
        };
        (g, format!("t{n}"))
    }

    #[test]
    fn a_page_ends_before_the_budget_with_the_token_of_its_last_item() {
        let items = (0..10).map(item);
        let (page, next) = fit_within(items, None, 3 * 113 + 5);
        assert_eq!(page.len(), 3);
        assert_eq!(next.as_deref(), Some("t2"));
    }

    #[test]
    fn when_everything_fits_the_token_is_the_lists_own() {
        let (page, next) = fit_within((0..3).map(item), Some("more".into()), 10_000);
        assert_eq!(page.len(), 3);
        assert_eq!(next.as_deref(), Some("more"));
        let (_, next) = fit_within((0..3).map(item), None, 10_000);
        assert_eq!(next, None);
    }

    #[test]
    fn one_item_larger_than_the_budget_still_makes_a_page() {
        let (page, next) = fit_within((0..2).map(item), None, 10);
        assert_eq!(page.len(), 1);
        assert_eq!(next.as_deref(), Some("t0"));
    }
}
