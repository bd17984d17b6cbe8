//! `StateDigest`: a state's 64-bit fingerprint for replay records, fixed by its bytes.
//!
//! A replay record made today must verify with any later build on any platform, so
//! the state hash in its checkpoints cannot come from std's `Hash` (Rust does not
//! promise to keep its output, and it writes integers in native byte order with
//! pointer-width length prefixes). Instead every state writes an explicit byte
//! sequence, and the digest is **FNV-1a 64** over it (offset basis
//! `0xcbf29ce484222325`, prime `0x100000001b3`; the published test vectors are in the
//! tests below).
//!
//! Byte order rules, which every implementation follows:
//!
//! * integers are written **little-endian at a fixed width** (`u8`, `u16`, `u32`,
//!   `u64` and their signed twins; never `usize`, whose width depends on the
//!   platform);
//! * `bool` is one byte, 0 or 1;
//! * a sequence (slice or `Vec`) is its length as a `u64`, then its elements in order;
//! * a state documents its own layout on its `impl StateDigest` (the TSP tour, the
//!   isomer molecule), and changing a layout is a new record format.
//!
//! FNV-1a is written out here rather than taken from a crate: it is two constants and
//! a loop, the `fnv` crate only offers it as a std `Hasher` (whose integer methods are
//! the native-endian ones we must avoid), and the test vectors pin it.

/// FNV-1a 64 offset basis.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a 64 prime.
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// An FNV-1a 64 digest being fed bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Digest(u64);

impl Default for Digest {
    fn default() -> Self {
        Self(FNV_OFFSET)
    }
}

impl Digest {
    /// The digest of `value`'s documented bytes.
    pub fn of<T: StateDigest + ?Sized>(value: &T) -> u64 {
        let mut digest = Digest::default();
        value.digest(&mut digest);
        digest.finish()
    }

    /// Feed raw bytes.
    #[inline]
    pub fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
    }

    /// The digest of everything fed so far.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

/// A value that writes its identifying bytes into a [`Digest`], in a documented order
/// (see the module docs for the rules). Two values that are the same state must
/// write the same bytes; anything that is not part of the state's identity (caches)
/// must not be written.
pub trait StateDigest {
    /// Write this value's bytes.
    fn digest(&self, into: &mut Digest);
}

macro_rules! little_endian {
    ($($t:ty),*) => {$(
        /// Written little-endian at its fixed width.
        impl StateDigest for $t {
            #[inline]
            fn digest(&self, into: &mut Digest) {
                into.bytes(&self.to_le_bytes());
            }
        }
    )*};
}

little_endian!(u8, u16, u32, u64, u128, i8, i16, i32, i64, i128);

/// One byte, 0 or 1.
impl StateDigest for bool {
    fn digest(&self, into: &mut Digest) {
        into.bytes(&[u8::from(*self)]);
    }
}

/// The length as a `u64`, then each element.
impl<T: StateDigest> StateDigest for [T] {
    fn digest(&self, into: &mut Digest) {
        (self.len() as u64).digest(into);
        for item in self {
            item.digest(into);
        }
    }
}

/// As its slice: the length as a `u64`, then each element.
impl<T: StateDigest> StateDigest for Vec<T> {
    fn digest(&self, into: &mut Digest) {
        self.as_slice().digest(into);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fnv1a(bytes: &[u8]) -> u64 {
        let mut d = Digest::default();
        d.bytes(bytes);
        d.finish()
    }

    #[test]
    fn the_digest_is_fnv1a_64_by_its_published_test_vectors() {
        // From the FNV reference test suite (Fowler, Noll, Vo: test_fnv.c, FNV1A_64).
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn integers_are_little_endian_and_sequences_carry_a_u64_length() {
        assert_eq!(Digest::of(&0x0102_0304u32), fnv1a(&[4, 3, 2, 1]));
        assert_eq!(Digest::of(&-2i16), fnv1a(&[0xfe, 0xff]));
        assert_eq!(Digest::of(&true), fnv1a(&[1]));
        assert_eq!(Digest::of(&vec![7u8, 9]), fnv1a(&[2, 0, 0, 0, 0, 0, 0, 0, 7, 9]));
        assert_eq!(Digest::of(&[1u32][..]), fnv1a(&[1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]));
    }
}
