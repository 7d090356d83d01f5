//! Mutations of the fixtures: keys deleted, values replaced, elements duplicated, truncation, flipped bytes.

use super::*;

// Mutations
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Seg {
    Key(String),
    Idx(usize),
}

/// Paths of every node below the root, in document order.
pub(crate) fn paths(v: &Value) -> Vec<Vec<Seg>> {
    fn walk(v: &Value, here: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    here.push(Seg::Key(k.clone()));
                    out.push(here.clone());
                    walk(child, here, out);
                    here.pop();
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    here.push(Seg::Idx(i));
                    out.push(here.clone());
                    walk(child, here, out);
                    here.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

pub(crate) fn node_mut<'a>(v: &'a mut Value, path: &[Seg]) -> &'a mut Value {
    path.iter().fold(v, |cur, seg| match seg {
        Seg::Key(k) => &mut cur[k.as_str()],
        Seg::Idx(i) => &mut cur[*i],
    })
}

/// What replaces a node: mostly the values that break parsers (empty,
/// blank, wrong type), otherwise arbitrary JSON.
pub(crate) fn arb_replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => Just(Value::String(String::new())),
        1 => select(BLANKS).prop_map(|s| Value::String(s.to_owned())),
        1 => Just(Value::from(-1)),
        1 => Just(Value::Bool(true)),
        1 => Just(Value::Array(vec![])),
        1 => Just(Value::Object(Default::default())),
        4 => arb_json(),
    ]
}

#[derive(Debug, Clone)]
pub(crate) enum Mutation {
    /// Remove one object member.
    DeleteKey(Index),
    /// Replace one node (any depth) with arbitrary JSON.
    Replace(Index, Value),
    /// Insert 1–3 extra copies of one array element right after it.
    Duplicate(Index, usize),
}

pub(crate) fn arb_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<Index>().prop_map(Mutation::DeleteKey),
        (any::<Index>(), arb_replacement()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        (any::<Index>(), 1..=3usize).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

pub(crate) fn apply(doc: &mut Value, m: &Mutation) {
    let all = paths(doc);
    match m {
        Mutation::DeleteKey(i) => {
            let members: Vec<_> = all
                .iter()
                .filter(|p| matches!(p.last(), Some(Seg::Key(_))))
                .collect();
            if members.is_empty() {
                return;
            }
            let path = members[i.index(members.len())];
            let (Some(Seg::Key(k)), parent) = (path.last(), &path[..path.len() - 1]) else {
                unreachable!()
            };
            if let Some(obj) = node_mut(doc, parent).as_object_mut() {
                obj.remove(k);
            }
        }
        Mutation::Replace(i, v) => {
            if !all.is_empty() {
                *node_mut(doc, &all[i.index(all.len())]) = v.clone();
            }
        }
        Mutation::Duplicate(i, n) => {
            let elements: Vec<_> = all
                .iter()
                .filter(|p| matches!(p.last(), Some(Seg::Idx(_))))
                .collect();
            if elements.is_empty() {
                return;
            }
            let path = elements[i.index(elements.len())];
            let (Some(Seg::Idx(k)), parent) = (path.last(), &path[..path.len() - 1]) else {
                unreachable!()
            };
            if let Some(arr) = node_mut(doc, parent).as_array_mut() {
                let copy = arr[*k].clone();
                for _ in 0..*n {
                    arr.insert(k + 1, copy.clone());
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
