//! Properties of `parse`.

use super::*;

// Properties: parse
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn arbitrary_bytes_never_panic(body in vec(any::<u8>(), 0..512)) {
        check_all(&body)?;
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_json_is_well_formed(body in arb_body()) {
        check_all(body.to_string().as_bytes())?;
    }

    /// 1–4 stacked structural mutations (delete key / replace value /
    /// duplicate array element) of one fixture.
    #[test]
    fn mutated_fixtures_are_well_formed(
        f in any::<Index>(),
        muts in vec(arb_mutation(), 1..=4),
    ) {
        let mut doc = fixture(&f).json.clone();
        for m in &muts {
            apply(&mut doc, m);
        }
        check_all(doc.to_string().as_bytes())?;
    }

    #[test]
    fn fixture_with_key_deleted(f in any::<Index>(), i in any::<Index>()) {
        let mut doc = fixture(&f).json.clone();
        apply(&mut doc, &Mutation::DeleteKey(i));
        check_all(doc.to_string().as_bytes())?;
    }

    #[test]
    fn fixture_with_value_replaced(
        f in any::<Index>(),
        i in any::<Index>(),
        v in arb_replacement(),
    ) {
        let mut doc = fixture(&f).json.clone();
        apply(&mut doc, &Mutation::Replace(i, v));
        check_all(doc.to_string().as_bytes())?;
    }

    #[test]
    fn fixture_with_array_element_duplicated(
        f in any::<Index>(),
        i in any::<Index>(),
        n in 1..=3usize,
    ) {
        let mut doc = fixture(&f).json.clone();
        apply(&mut doc, &Mutation::Duplicate(i, n));
        check_all(doc.to_string().as_bytes())?;
    }

    #[test]
    fn truncated_fixture(f in any::<Index>(), at in any::<Index>()) {
        let raw = &fixture(&f).raw;
        check_all(&raw[..at.index(raw.len())])?;
    }

    #[test]
    fn byte_flipped_fixture(f in any::<Index>(), at in any::<Index>(), mask in 1..=255u8) {
        let mut raw = fixture(&f).raw.clone();
        let at = at.index(raw.len());
        raw[at] ^= mask;
        check_all(&raw)?;
    }
}

/// The mutation machinery itself: the unmutated fixtures pass the invariants
/// (so a failing property is about the mutation, not the harness).
#[test]
pub(crate) fn unmutated_fixtures_satisfy_the_invariants() {
    for f in fixtures() {
        check_all(&f.raw).unwrap_or_else(|e| panic!("{}: {e}", f.name));
    }
}

// ---------------------------------------------------------------------------
