//! Coverage-guided: any bytes through decode_messages and decode_raw must give
//! Ok or Err, never a panic, hang or overflow; bytes decode_raw accepts must
//! re-encode to themselves. Seeded from the kernel vectors (scripts/fuzz.sh).
#![no_main]

use libfuzzer_sys::fuzz_target;
use neslink_codec::{decode_messages, decode_raw, encode_raw};

fuzz_target!(|bytes: &[u8]| {
    let _ = decode_messages(bytes);
    if let Ok(raw) = decode_raw(bytes) {
        assert_eq!(encode_raw(&raw).unwrap(), bytes);
    }
});
