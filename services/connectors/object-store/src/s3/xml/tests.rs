//! Answers as AWS documents them (ListObjectVersions, Error responses).

use super::*;

const TRUNCATED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><Prefix>customers/C-1/</Prefix><KeyMarker></KeyMarker>
  <VersionIdMarker></VersionIdMarker><MaxKeys>3</MaxKeys><EncodingType>url</EncodingType>
  <IsTruncated>true</IsTruncated>
  <NextKeyMarker>customers/C-1/b+c.jpg</NextKeyMarker>
  <NextVersionIdMarker>v3</NextVersionIdMarker>
  <Version><Key>customers/C-1/a.jpg</Key><VersionId>v1</VersionId><IsLatest>false</IsLatest>
    <Size>3</Size></Version>
  <DeleteMarker><Key>customers/C-1/a.jpg</Key><VersionId>v2</VersionId>
    <IsLatest>true</IsLatest></DeleteMarker>
  <Version><Key>customers/C-1/b+c.jpg</Key><VersionId>v3</VersionId><Size>1</Size></Version>
</ListVersionsResult>"#;

fn version(key: &str, id: &str, delete_marker: bool) -> Version {
    Version {
        key: key.into(),
        id: id.into(),
        delete_marker,
    }
}

#[test]
fn a_page_holds_versions_and_delete_markers_and_where_the_next_starts() {
    let page = page(TRUNCATED).expect("a page");
    assert_eq!(
        page.versions,
        [
            version("customers/C-1/a.jpg", "v1", false),
            version("customers/C-1/b c.jpg", "v3", false),
            version("customers/C-1/a.jpg", "v2", true),
        ]
    );
    assert_eq!(
        page.next,
        Some(("customers/C-1/b c.jpg".to_owned(), "v3".to_owned()))
    );
}

#[test]
fn keys_are_decoded_only_when_the_store_encoded_them() {
    let raw = TRUNCATED
        .replace("<EncodingType>url</EncodingType>", "")
        .replace("b+c", "50%+off");
    let listed = page(&raw).expect("a page");
    assert_eq!(listed.versions[1].key, "customers/C-1/50%+off.jpg");
    let encoded = TRUNCATED.replace("b+c", "caf%C3%A9%2B");
    assert_eq!(
        page(&encoded).expect("page").versions[1].key,
        "customers/C-1/café+.jpg"
    );
}

#[test]
fn an_empty_last_page_and_an_unusable_one() {
    let empty = r#"<ListVersionsResult><IsTruncated>false</IsTruncated><KeyMarker/>
        <Name>b</Name></ListVersionsResult>"#;
    assert_eq!(page(empty), Some(Page::default()));
    let no_marker = TRUNCATED.replace("<NextKeyMarker>customers/C-1/b+c.jpg</NextKeyMarker>", "");
    assert_eq!(page(&no_marker), None, "truncated without a marker");
    assert_eq!(page("<html>proxy error</html>"), None);
}

#[test]
fn the_code_of_an_error_answer() {
    let denied = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Access Denied</Message>
<RequestId>656c76696e6727732072657175657374</RequestId><HostId>Uuag1LuByR=</HostId></Error>"#;
    assert_eq!(error_code(denied).as_deref(), Some("AccessDenied"));
    assert_eq!(error_code(""), None);
}
