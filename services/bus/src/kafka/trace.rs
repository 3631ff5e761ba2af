//! W3C trace context on every record, so a trace can follow a message across processes.
//!
//! The coordinator sets `traceparent` from its current span; a message sent without one
//! gets a fresh random trace here, so a connector's spans still group per message.

/// Name of the W3C trace context header.
pub const TRACEPARENT: &str = "traceparent";

/// Adds a fresh `traceparent` unless `headers` already carry one (any case, as HTTP
/// header names are case-insensitive). Without randomness the message goes untraced.
pub(crate) fn ensure_traceparent(headers: &mut Vec<(String, String)>) {
    if headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case(TRACEPARENT))
    {
        return;
    }
    match random_traceparent() {
        Ok(value) => headers.push((TRACEPARENT.to_owned(), value)),
        Err(e) => tracing::warn!(error = %e, "no randomness for a traceparent; sent without"),
    }
}

/// `00-<trace id>-<span id>-01`: version 0, sampled. All-zero ids are invalid, so a zero
/// draw (2^-64 at worst) is nudged to one.
fn random_traceparent() -> Result<String, getrandom::Error> {
    let mut trace_id = [0u8; 16];
    let mut span_id = [0u8; 8];
    getrandom::fill(&mut trace_id)?;
    getrandom::fill(&mut span_id)?;
    non_zero(&mut trace_id);
    non_zero(&mut span_id);
    Ok(format!(
        "00-{}-{}-01",
        hex::encode(trace_id),
        hex::encode(span_id)
    ))
}

fn non_zero(id: &mut [u8]) {
    if id.iter().all(|b| *b == 0)
        && let Some(last) = id.last_mut()
    {
        *last = 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_lower_hex(s: &str, len: usize) -> bool {
        s.len() == len && s.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'))
    }

    #[test]
    fn adds_a_valid_traceparent_when_missing() {
        let mut headers = vec![("other".to_owned(), "x".to_owned())];
        ensure_traceparent(&mut headers);
        assert_eq!(headers.len(), 2);
        let (name, value) = &headers[1];
        assert_eq!(name, TRACEPARENT);
        let parts: Vec<&str> = value.split('-').collect();
        assert_eq!(parts.len(), 4, "{value}");
        assert_eq!(parts[0], "00");
        assert!(is_lower_hex(parts[1], 32), "{value}");
        assert!(is_lower_hex(parts[2], 16), "{value}");
        assert_eq!(parts[3], "01");
    }

    #[test]
    fn keeps_the_callers_traceparent() {
        let given = ("TraceParent".to_owned(), "00-ab-cd-01".to_owned());
        let mut headers = vec![given.clone()];
        ensure_traceparent(&mut headers);
        assert_eq!(headers, vec![given]);
    }

    #[test]
    fn fresh_traces_differ() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        ensure_traceparent(&mut a);
        ensure_traceparent(&mut b);
        assert_ne!(a, b);
    }

    #[test]
    fn an_all_zero_id_becomes_valid() {
        let mut id = [0u8; 8];
        non_zero(&mut id);
        assert_eq!(id, [0, 0, 0, 0, 0, 0, 0, 1]);
    }
}
