//! File contents as text, for the scan's hot paths.

use std::borrow::Cow;

/// `bytes` as text, invalid UTF-8 replaced as [`String::from_utf8_lossy`]
/// replaces it. Most files are valid UTF-8, and checking that first is
/// several times cheaper: `str::from_utf8` steps over ASCII a word at a
/// time, the lossy decoder a byte at a time. Hit filters and the kept files
/// decode whole files (a chart's `values.yaml`, per hit), which made the
/// decoder a twentieth of a manifest repository's audit.
pub fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::lossy;
    use std::borrow::Cow;

    #[test]
    fn valid_text_is_borrowed_and_invalid_bytes_replaced_as_std_does() {
        assert!(matches!(
            lossy(b"kind: Secret\n"),
            Cow::Borrowed("kind: Secret\n")
        ));
        for bytes in [
            &b"caf\xc3\xa9"[..],
            b"a\xffb",
            b"\xe2\x82",
            b"x\xf0\x9f\x98\x80y\xc3",
            b"",
        ] {
            assert_eq!(lossy(bytes), String::from_utf8_lossy(bytes), "{bytes:?}");
        }
    }
}
