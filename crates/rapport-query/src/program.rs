//! Topics' expressions flattened into one contiguous postfix program, so evaluating a
//! candidate topic reads a few adjacent words instead of chasing boxed tree nodes across
//! memory: with thousands of topics, those cache misses are what matching costs.

use crate::compile::Expr;
use crate::eval::{self, Hits, PostCtx};

const OP_SHIFT: u32 = 29;
const ARG_MASK: u32 = (1 << OP_SHIFT) - 1;
/// Push whether literal `arg` is present.
const LIT: u32 = 0;
/// Push the value of the expression `arg` of the side table (phrases, NEAR, fields).
const SIDE: u32 = 1;
/// Pop `arg` values, push whether all / any of them hold.
const AND: u32 = 2;
const OR: u32 = 3;
/// Negate the top of the stack.
const NOT: u32 = 4;

#[derive(Debug, Default)]
pub(crate) struct Programs {
    code: Vec<u32>,
    /// `code[start[t]..start[t + 1]]` is topic `t`'s program.
    start: Vec<u32>,
    side: Vec<Expr>,
}

impl Programs {
    pub(crate) fn push(&mut self, expr: &Expr) {
        if self.start.is_empty() {
            self.start.push(0);
        }
        self.emit(expr);
        self.start.push(self.code.len() as u32);
    }

    fn op(&mut self, op: u32, arg: usize) {
        assert!(arg <= ARG_MASK as usize, "query program too large");
        self.code.push(op << OP_SHIFT | arg as u32);
    }

    fn emit(&mut self, expr: &Expr) {
        match expr {
            Expr::Lit(l) => self.op(LIT, *l as usize),
            Expr::And(children) | Expr::Or(children) => {
                for c in children.iter() {
                    self.emit(c);
                }
                let op = if matches!(expr, Expr::And(_)) {
                    AND
                } else {
                    OR
                };
                self.op(op, children.len());
            }
            Expr::Not(inner) => {
                self.emit(inner);
                self.op(NOT, 0);
            }
            Expr::Phrase { .. } | Expr::Near { .. } | Expr::Field(_) => {
                self.side.push(expr.clone());
                self.op(SIDE, self.side.len() - 1);
            }
        }
    }

    /// Runs topic `t`'s program; `stack` is scratch space.
    pub(crate) fn eval(
        &self,
        t: usize,
        hits: &impl Hits,
        ctx: &PostCtx<'_>,
        stack: &mut Vec<bool>,
    ) -> bool {
        stack.clear();
        let code = &self.code[self.start[t] as usize..self.start[t + 1] as usize];
        for &word in code {
            let arg = (word & ARG_MASK) as usize;
            match word >> OP_SHIFT {
                LIT => stack.push(!hits.positions(arg as u32).is_empty()),
                SIDE => stack.push(eval::eval(&self.side[arg], hits, ctx)),
                NOT => {
                    let top = stack.last_mut().expect("NOT follows its operand");
                    *top = !*top;
                }
                op => {
                    let from = stack.len() - arg;
                    let value = if op == AND {
                        stack[from..].iter().all(|v| *v)
                    } else {
                        stack[from..].iter().any(|v| *v)
                    };
                    stack.truncate(from);
                    stack.push(value);
                }
            }
        }
        stack.pop().expect("a program leaves its value")
    }
}
