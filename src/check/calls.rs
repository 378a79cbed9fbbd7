//! Names and calls evaluated: a parameter or definition by name, a call of a
//! builtin or of a user definition (its parameters bound, recursion
//! refused), and the bodies of schedule and policy definitions.

use super::defs::Def;
use super::eval::{lookup, site_text, Ctx, Env, Val};
use crate::builtins::{self, Builtin};
use crate::diagnostics::{closest, did_you_mean, Diagnostic, Reported};
use crate::plan::Schedule;
use crate::syntax::ast::*;

impl Ctx<'_> {
    pub(super) fn ident(&mut self, name: &str, span: Span, env: &Env) -> Val {
        if let Some(v) = lookup(env, name) {
            return v.clone();
        }
        match self.defs.get(name) {
            Some(Def::Schedule(s)) => self.schedule_def(s, &[], span, env),
            Some(Def::Policy(p)) => self.policy_def(p, &[], span, env),
            _ => Val::Word(name.to_string()),
        }
    }

    pub(super) fn call(&mut self, name: &Ident, args: &[Arg], span: Span, env: &Env) -> Val {
        match self.defs.get(&name.name) {
            Some(Def::Schedule(s)) => return self.schedule_def(s, args, span, env),
            Some(Def::Policy(p)) => return self.policy_def(p, args, span, env),
            _ => {}
        }
        match name.name.as_str() {
            "grid" => {
                let b = self.bind(name, args, &["values"], &["values"]);
                let values = b
                    .required(0)
                    .and_then(|e| self.lambda_list(e, env, "the grid"));
                match values {
                    Ok(vs) => Val::Grid(vs),
                    Err(reported) => Val::Unknown(reported),
                }
            }
            n if builtins::Schedule::from_name(n).is_some() => {
                super::schedule::builtin(self, name, args, env)
            }
            _ => {
                let mut known: Vec<&str> = self.defs.names().collect();
                known.extend(builtins::Schedule::names());
                known.push("grid");
                let help = did_you_mean(&name.name, known.iter().copied())
                    .or_else(|| builtins::Schedule::alias_help(&name.name));
                Val::Unknown(self.report(
                    name.span,
                    Diagnostic::UnknownName {
                        kind: "schedule or policy".into(),
                        name: name.name.clone(),
                        span: name.span.into(),
                        label: "not defined here or in any import".into(),
                        help,
                    },
                ))
            }
        }
    }

    // ------------------------------------------------------------ definitions

    /// Enter definition `name`; an error when it recurses.
    pub fn enter(&mut self, name: &str, span: Span) -> Result<(), Reported> {
        if self.stack.iter().any(|n| n == name) || self.stack.len() > 32 {
            return Err(self.report(
                span,
                Diagnostic::Recursive {
                    name: name.to_string(),
                    span: span.into(),
                },
            ));
        }
        self.stack.push(name.to_string());
        Ok(())
    }

    pub fn leave(&mut self) {
        self.stack.pop();
    }

    /// Bind a user definition's parameters from a call: given arguments are
    /// evaluated in the caller's `env`, defaults in an empty one.
    pub fn bind_params(
        &mut self,
        callee: &Ident,
        params: &Option<Vec<Param>>,
        args: &[Arg],
        env: &Env,
    ) -> Env {
        let params = params.as_deref().unwrap_or(&[]);
        let names: Vec<&str> = params.iter().map(|p| p.name.name.as_str()).collect();
        let required: Vec<&str> = params
            .iter()
            .filter(|p| p.default.is_none())
            .map(|p| p.name.name.as_str())
            .collect();
        let bound = self.bind(callee, args, &names, &required);
        let mut out = Env::new();
        for (i, p) in params.iter().enumerate() {
            let v = match (bound[i], &p.default) {
                (Some(e), _) => match self.eval(e, env) {
                    // Parameters hold numbers, durations and the like; a bare
                    // unknown name is a typo of a `vary` axis or parameter.
                    Val::Word(w) => {
                        let mut known: Vec<&str> = env.iter().map(|(n, _)| n.as_str()).collect();
                        known.extend(self.defs.names());
                        let help = closest(&w, known.iter().copied())
                            .map(|c| format!("did you mean `{c}`?"))
                            .or_else(|| {
                                Some(
                                    "pass a number, a duration, or the name of a `vary` axis"
                                        .into(),
                                )
                            });
                        Val::Unknown(self.report(
                            e.span,
                            Diagnostic::UnknownName {
                                kind: "name".into(),
                                name: w.clone(),
                                span: e.span.into(),
                                label: "not a `vary` axis, a parameter or a definition".into(),
                                help,
                            },
                        ))
                    }
                    v => v,
                },
                (None, Some(d)) => self.eval(d, &Env::new()),
                (None, None) => match bound.required(i) {
                    Err(reported) => Val::Unknown(reported),
                    Ok(_) => unreachable!("an empty slot of a required parameter"),
                },
            };
            out.push((p.name.name.clone(), v));
        }
        out
    }

    pub(super) fn schedule_def(
        &mut self,
        s: &ScheduleDef,
        args: &[Arg],
        span: Span,
        env: &Env,
    ) -> Val {
        let callee = Ident {
            name: s.name.name.clone(),
            span,
        };
        let inner = self.bind_params(&callee, &s.params, args, env);
        if let Err(reported) = self.enter(&s.name.name, span) {
            return Val::Unknown(reported);
        }
        let call = site_text(&s.name.name, &inner);
        let v = self.at_site(span, call, |ctx| ctx.eval(&s.body, &inner));
        self.leave();
        match v {
            Val::Num { v, .. } => Val::Sched(Schedule::Constant { value: v }),
            Val::Sched(_) | Val::Unknown(_) => v,
            other => Val::Unknown(self.wrong_type(s.body.span, "a schedule", &other)),
        }
    }

    pub(super) fn policy_def(&mut self, p: &PolicyDef, args: &[Arg], span: Span, env: &Env) -> Val {
        let callee = Ident {
            name: p.name.name.clone(),
            span,
        };
        let inner = self.bind_params(&callee, &p.params, args, env);
        if let Err(reported) = self.enter(&p.name.name, span) {
            return Val::Unknown(reported);
        }
        let call = site_text(&p.name.name, &inner);
        let v = self.at_site(span, call, |ctx| super::policy::build(ctx, p, &inner));
        self.leave();
        match v {
            Ok(p) => Val::Policy(p),
            Err(reported) => Val::Unknown(reported),
        }
    }
}
