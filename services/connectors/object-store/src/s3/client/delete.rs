//! Deleting versions for good: `DeleteObjects` with version ids, 1,000 a request, and
//! `DeleteObject?versionId=` for a key that XML cannot carry.

use super::{EXPIRES, VersionsClient};
use crate::s3::response::S3Error;
use crate::s3::xml::Version;
use rusty_s3::S3Action;
use rusty_s3::actions::{DeleteObject, DeleteObjects, DeleteObjectsResponse, ObjectIdentifier};

/// The most keys S3 takes in one `DeleteObjects`.
const BATCH: usize = 1000;

/// Versions (of the data) and delete markers removed.
pub type Removed = (u64, u64);

impl VersionsClient {
    /// Deletes each version and delete marker for good. Those gone meanwhile (a concurrent
    /// erasure) are not counted.
    pub async fn delete(&self, versions: &[Version]) -> Result<Removed, S3Error> {
        let (batched, single): (Vec<&Version>, Vec<&Version>) =
            versions.iter().partition(|v| xml_safe(&v.key));
        let (mut data, mut markers) = (0, 0);
        for batch in batched.chunks(BATCH) {
            let (d, m) = self.delete_batch(batch).await?;
            (data, markers) = (data + d, markers + m);
        }
        for version in single {
            if self.delete_one(version).await? {
                *(if version.delete_marker {
                    &mut markers
                } else {
                    &mut data
                }) += 1;
            }
        }
        Ok((data, markers))
    }

    async fn delete_batch(&self, batch: &[&Version]) -> Result<Removed, S3Error> {
        let objects: Vec<ObjectIdentifier> = batch
            .iter()
            .map(|v| ObjectIdentifier {
                key: v.key.clone(),
                version_id: Some(v.id.clone()),
            })
            .collect();
        let mut action = DeleteObjects::new(&self.bucket, Some(&self.credentials), objects.iter());
        action.set_quiet(true);
        let url = action.sign(EXPIRES);
        let (body, md5) = action.body_with_md5();
        let request = self.http.post(url).header("content-md5", md5).body(body);
        let answer = self.send(request).await?;
        let result = DeleteObjectsResponse::parse(&answer)
            .map_err(|_| S3Error::Failed("unreadable answer"))?;
        let mut gone = Vec::new();
        for error in &result.errors {
            match S3Error::answer(200, Some(&error.code)) {
                S3Error::Gone => gone.push((error.key.as_str(), error.version_id.as_deref())),
                other => return Err(other),
            }
        }
        let removed = batch
            .iter()
            .filter(|v| !gone.contains(&(v.key.as_str(), Some(v.id.as_str()))));
        let markers = removed.clone().filter(|v| v.delete_marker).count() as u64;
        Ok((removed.count() as u64 - markers, markers))
    }

    /// Whether the version was there to delete.
    async fn delete_one(&self, version: &Version) -> Result<bool, S3Error> {
        let mut action = DeleteObject::new(&self.bucket, Some(&self.credentials), &version.key);
        action.query_mut().insert("versionId", version.id.as_str());
        let request = self.http.delete(action.sign(EXPIRES));
        match self.send(request).await {
            Ok(_) => Ok(true),
            Err(S3Error::Gone) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// Whether XML 1.0 can carry `key` unchanged (a carriage return would be read back as a
/// line feed; most control characters cannot be written at all).
fn xml_safe(key: &str) -> bool {
    !key.chars()
        .any(|c| (c < ' ' && c != '\t' && c != '\n') || c == '\u{FFFE}' || c == '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_with_characters_xml_cannot_carry_are_deleted_one_by_one() {
        assert!(xml_safe("customers/C-1/a b\tc.jpg"));
        for key in ["a\rb", "a\u{1}b", "a\u{FFFF}"] {
            assert!(!xml_safe(key), "{key:?}");
        }
    }
}
