//! The S3 answers read here: a page of `ListObjectVersions` (`ListVersionsResult`), and
//! the code of an error (`<Error><Code>AccessDenied</Code>...`). Keys are decoded when the
//! store URL-encoded them (`EncodingType` `url`, as asked; some stores ignore the ask).

use serde::Deserialize;

/// One version of an object, or one delete marker.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Version {
    pub key: String,
    /// `null` for an object written while the bucket was not versioned.
    pub id: String,
    pub delete_marker: bool,
}

/// One page of versions, and where the next starts (key and version id markers).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Page {
    pub versions: Vec<Version>,
    pub next: Option<(String, String)>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListVersionsResult {
    is_truncated: bool,
    #[serde(default)]
    next_key_marker: Option<String>,
    #[serde(default)]
    next_version_id_marker: Option<String>,
    #[serde(default)]
    encoding_type: Option<String>,
    #[serde(default, rename = "Version")]
    versions: Vec<Entry>,
    #[serde(default, rename = "DeleteMarker")]
    delete_markers: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Entry {
    key: String,
    version_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorBody {
    code: String,
}

/// A `ListVersionsResult`; `None` if it is not one.
pub fn page(body: &str) -> Option<Page> {
    // Any XML would do for serde: the answer must say what it is.
    if !body.contains("<ListVersionsResult") {
        return None;
    }
    let result: ListVersionsResult = quick_xml::de::from_str(body).ok()?;
    let url = result.encoding_type.as_deref() == Some("url");
    let key = |k: String| if url { decode(&k) } else { Some(k) };
    let entries = |list: Vec<Entry>, delete_marker: bool| {
        list.into_iter()
            .map(|e| {
                Some(Version {
                    key: key(e.key)?,
                    id: e.version_id,
                    delete_marker,
                })
            })
            .collect::<Option<Vec<_>>>()
    };
    let mut versions = entries(result.versions, false)?;
    versions.extend(entries(result.delete_markers, true)?);
    // A truncated page without a marker cannot be continued: not a page to trust.
    let next = match result.is_truncated {
        true => Some((
            key(result.next_key_marker?)?,
            result.next_version_id_marker.unwrap_or_default(),
        )),
        false => None,
    };
    Some(Page { versions, next })
}

/// The code of an S3 error answer (`AccessDenied`), if the body is one.
pub fn error_code(body: &str) -> Option<String> {
    quick_xml::de::from_str::<ErrorBody>(body)
        .ok()
        .map(|e| e.code)
}

fn decode(text: &str) -> Option<String> {
    // `+` is how S3 writes a space in URL-encoded keys.
    let text = text.replace('+', "%20");
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(&text).collect();
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests;
