//! Grade bands (等次): each with a name of its own and a lower bound below the one
//! before it.

use toml::Spanned;

use super::Ctx;
use super::raw::RawGrade;
use crate::num::fmt as f;
use crate::rubric::Grade;

/// The grade bands in the order written; a band whose bound is not a number is left out.
pub(super) fn load(cx: &mut Ctx, raw: &[Spanned<RawGrade>]) -> Vec<Grade> {
    let mut grades: Vec<Grade> = Vec::new();
    for g in raw {
        let g = g.get_ref();
        let Some(min) = cx.num(&g.min, "grades.min") else {
            continue;
        };
        if let Some(prev) = grades.last()
            && min >= prev.min
        {
            cx.err(
                g.min.span(),
                format!(
                    "等次 {} 的下限 {} 不低于上一等次 {} 的下限 {}；等次请按下限从高到低排列",
                    g.name.get_ref(),
                    f(min),
                    prev.name,
                    f(prev.min)
                ),
            );
        }
        if grades.iter().any(|x| x.name == *g.name.get_ref()) {
            cx.err(g.name.span(), format!("等次名 {} 重复", g.name.get_ref()));
        }
        grades.push(Grade {
            name: g.name.get_ref().clone(),
            min,
        });
    }
    grades
}
