//! The header of an `.npy` file: a Python dict literal such as
//! `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
//! Only the literals NumPy writes there are accepted: quoted strings,
//! True/False and tuples of integers.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpyHeader {
    pub descr: String,
    pub fortran_order: bool,
    pub shape: Vec<usize>,
}

#[derive(Debug, PartialEq)]
enum Literal {
    Str(String),
    Bool(bool),
    Tuple(Vec<usize>),
}

struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn skip_space(&mut self) {
        self.rest = self.rest.trim_start();
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        match self.rest.strip_prefix(token) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn expect(&mut self, token: &str) -> Result<(), String> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(format!("expected `{token}` at `{}`", self.preview()))
        }
    }

    fn preview(&self) -> String {
        self.rest.chars().take(20).collect()
    }

    fn string(&mut self) -> Result<String, String> {
        self.skip_space();
        let quote = match self.rest.chars().next() {
            Some(q @ ('\'' | '"')) => q,
            _ => return Err(format!("expected a quoted string at `{}`", self.preview())),
        };
        let body = &self.rest[1..];
        let end = body
            .find(quote)
            .ok_or_else(|| "unterminated string".to_string())?;
        let text = &body[..end];
        if text.contains('\\') {
            return Err(format!("escapes in `{text}` are not read"));
        }
        self.rest = &body[end + 1..];
        Ok(text.to_string())
    }

    fn integer(&mut self) -> Result<usize, String> {
        self.skip_space();
        let digits = self.rest.len()
            - self
                .rest
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .len();
        if digits == 0 {
            return Err(format!("expected a dimension at `{}`", self.preview()));
        }
        let value = self.rest[..digits]
            .parse()
            .map_err(|_| format!("dimension {} is too large", &self.rest[..digits]))?;
        self.rest = &self.rest[digits..];
        // Python 2 wrote long integers as `3L`.
        let _ = self.eat("L");
        Ok(value)
    }

    fn tuple(&mut self) -> Result<Vec<usize>, String> {
        let mut dims = Vec::new();
        loop {
            if self.eat(")") {
                return Ok(dims);
            }
            dims.push(self.integer()?);
            if !self.eat(",") {
                self.expect(")")?;
                return Ok(dims);
            }
        }
    }

    fn literal(&mut self) -> Result<Literal, String> {
        self.skip_space();
        if self.eat("True") {
            Ok(Literal::Bool(true))
        } else if self.eat("False") {
            Ok(Literal::Bool(false))
        } else if self.eat("(") {
            self.tuple().map(Literal::Tuple)
        } else if self.rest.starts_with('[') {
            Err("structured dtypes are not read".into())
        } else {
            self.string().map(Literal::Str)
        }
    }
}

pub fn parse_header(text: &str) -> Result<NpyHeader, String> {
    let mut c = Cursor { rest: text };
    c.expect("{")?;
    let (mut descr, mut fortran_order, mut shape) = (None, None, None);
    loop {
        if c.eat("}") {
            break;
        }
        let key = c.string()?;
        if !["descr", "fortran_order", "shape"].contains(&key.as_str()) {
            return Err(format!("unknown header key `{key}`"));
        }
        c.expect(":")?;
        let value = c.literal()?;
        let slot_taken = match (key.as_str(), value) {
            ("descr", Literal::Str(s)) => descr.replace(s).is_some(),
            ("fortran_order", Literal::Bool(b)) => fortran_order.replace(b).is_some(),
            ("shape", Literal::Tuple(t)) => shape.replace(t).is_some(),
            (_, v) => return Err(format!("`{key}` has an unexpected value {v:?}")),
        };
        if slot_taken {
            return Err(format!("header key `{key}` appears twice"));
        }
        if !c.eat(",") {
            c.expect("}")?;
            break;
        }
    }
    c.skip_space();
    if !c.rest.is_empty() {
        return Err(format!("unexpected `{}` after the header", c.preview()));
    }
    let missing = |key| format!("header has no `{key}`");
    Ok(NpyHeader {
        descr: descr.ok_or_else(|| missing("descr"))?,
        fortran_order: fortran_order.ok_or_else(|| missing("fortran_order"))?,
        shape: shape.ok_or_else(|| missing("shape"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(descr: &str, fortran_order: bool, shape: &[usize]) -> NpyHeader {
        NpyHeader {
            descr: descr.into(),
            fortran_order,
            shape: shape.to_vec(),
        }
    }

    #[test]
    fn reads_what_numpy_writes() {
        let cases = [
            (
                "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }   \n",
                header("<f4", false, &[3, 4]),
            ),
            (
                "{'descr': '<i8', 'fortran_order': False, 'shape': (), }\n",
                header("<i8", false, &[]),
            ),
            (
                "{'descr': '>f8', 'fortran_order': True, 'shape': (5,), }",
                header(">f8", true, &[5]),
            ),
            (
                "{\"shape\": (2L, 0L), \"descr\": \"<f4\", \"fortran_order\": False}",
                header("<f4", false, &[2, 0]),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(parse_header(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn refuses_what_it_cannot_vouch_for() {
        for (text, why) in [
            ("{'descr': '<f4', 'shape': (3,)}", "no `fortran_order`"),
            (
                "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'x': 1}",
                "unknown header key `x`",
            ),
            (
                "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,)}",
                "structured",
            ),
            (
                "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}",
                "twice",
            ),
            (
                "{'descr': '<f4', 'fortran_order': 0, 'shape': ()}",
                "expected a quoted",
            ),
            (
                "{'descr': '<f4', 'fortran_order': 'no', 'shape': ()}",
                "unexpected value",
            ),
            (
                "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}",
                "too large",
            ),
            (
                "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}",
                "dimension",
            ),
            (
                "{'descr': '<f4', 'fortran_order': False, 'shape': ()} x",
                "after the header",
            ),
            ("{'descr' '<f4'", "expected `:`"),
            ("", "expected `{`"),
        ] {
            let err = parse_header(text).unwrap_err();
            assert!(err.contains(why), "{text}: {err}");
        }
    }
}
