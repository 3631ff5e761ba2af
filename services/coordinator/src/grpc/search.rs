//! `List`'s filters beyond the projection's own: the person, by the blind indexes of the
//! identifiers typed in (computed here, never stored or logged), and a system.

use crate::error::CoordinatorError;
use crate::projection::{Filter, Page, Projection, token_of};
use crate::vault::Vault;
use erasure_core::{Identifiers, RequestState, SystemId};
use std::collections::HashSet;

/// How many requests the first pass over the projection reads while narrowing a page;
/// each further pass reads twice as many, so a page takes a few passes however many
/// requests there are.
const FIRST_SCAN: usize = 500;

/// The requests a list is narrowed to, besides the projection's filter.
#[derive(Debug, Default)]
pub struct Narrow {
    /// Requests of the person searched for; `None`: no search.
    requests: Option<HashSet<String>>,
    system: Option<SystemId>,
}

impl Narrow {
    pub fn new(
        identifiers: Option<&Identifiers>,
        system: Option<SystemId>,
        vault: &Vault,
        projection: &Projection,
    ) -> Self {
        let requests = identifiers.map(|ids| {
            vault
                .blind_indexes(ids)
                .iter()
                .flat_map(|index| projection.with_blind_index(index))
                .collect()
        });
        Self { requests, system }
    }

    pub fn is_empty(&self) -> bool {
        self.requests.is_none() && self.system.is_none()
    }

    fn keeps(&self, s: &RequestState) -> bool {
        let id = s.received.request_id.to_string();
        self.requests.as_ref().is_none_or(|r| r.contains(&id))
            && self
                .system
                .as_ref()
                .is_none_or(|system| s.tasks.contains_key(system))
    }

    /// A page of the requests `filter` and this narrowing both keep, in the projection's
    /// order, with the token to continue after its last one.
    pub fn page(
        &self,
        projection: &Projection,
        filter: &Filter,
        size: usize,
        token: Option<&str>,
    ) -> Result<Page, CoordinatorError> {
        if self.requests.as_ref().is_some_and(HashSet::is_empty) {
            return Ok(Page {
                requests: Vec::new(),
                next_token: None,
            });
        }
        let mut kept = Vec::new();
        let mut cursor = token.map(str::to_owned);
        let mut scan = FIRST_SCAN;
        loop {
            let scanned = projection.list(filter, scan, cursor.as_deref())?;
            scan = scan.saturating_mul(2);
            kept.extend(scanned.requests.into_iter().filter(|s| self.keeps(s)));
            if kept.len() > size {
                kept.truncate(size);
                let next_token = kept.last().map(token_of);
                return Ok(Page {
                    requests: kept,
                    next_token,
                });
            }
            match scanned.next_token {
                Some(next) => cursor = Some(next),
                None => {
                    return Ok(Page {
                        requests: kept,
                        next_token: None,
                    });
                }
            }
        }
    }
}
