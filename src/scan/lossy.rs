//! File contents as text, for the scan's hot paths.

use std::borrow::Cow;

/// `bytes` as text, invalid UTF-8 replaced as [`String::from_utf8_lossy`]
/// replaces it. Most files are valid UTF-8, and checking that first is
/// several times cheaper: `str::from_utf8` steps over ASCII a word at a
/// time, the lossy decoder a byte at a time. Hit filters and the kept files
/// decode whole files (a chart's `values.yaml`, per hit), which made the
/// decoder a twentieth of a manifest repository's audit.
pub fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Whether `bytes` are valid UTF-8, as [`std::str::from_utf8`] says, with
/// SIMD: the walk asks it of every file it reads (the report counts the
/// others), and the standard check steps over text outside ASCII a
/// character at a time: the 38 MB of translations of paperless-ngx cost it
/// 36 M instructions.
pub fn is_utf8(bytes: &[u8]) -> bool {
    simdutf8::basic::from_utf8(bytes).is_ok()
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

    /// Every split of valid and invalid sequences, long enough for the
    /// SIMD path, is judged as the standard library judges it.
    #[test]
    fn utf8_is_judged_as_std_does() {
        let pieces: [&[u8]; 8] = [
            b"plain ascii text ",
            "caf\u{e9} \u{4e2d}\u{6587} \u{1f600}".as_bytes(),
            b"\xff",
            b"\xc3",
            b"\xe2\x82",
            b"\xed\xa0\x80",
            b"\xf4\x90\x80\x80",
            b"\xc0\xaf",
        ];
        for a in pieces {
            for b in pieces {
                for repeat in [1, 7, 40] {
                    let mut text = a.repeat(repeat);
                    text.extend_from_slice(b);
                    text.extend(a.repeat(repeat));
                    assert_eq!(
                        super::is_utf8(&text),
                        std::str::from_utf8(&text).is_ok(),
                        "{text:?}"
                    );
                    assert_eq!(lossy(&text), String::from_utf8_lossy(&text));
                }
            }
        }
    }
}
